package omsim

import (
	"net/http"
	"strings"
	"testing"

	"ordercare/internal/omclient"
)

func TestCaptureRefundLifecycle(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	id := f.create(nil)

	// Capture with lines that add up: 201, empty body, id in headers.
	first := omclient.CaptureRequest{CapturedAmount: 6000, OrderLines: []omclient.OrderLine{testLine("Sweater", 1, 6000, 2500)},
		ShippingInfo: []omclient.ShippingInfo{{ShippingCompany: "PostNord SE", ShippingMethod: "PickUpPoint", TrackingNumber: "123",
			TrackingURI: "https://tracking.postnord.com/se/?id=123"}}}
	r := f.do(http.MethodPost, path(id, "captures"), key(), first)
	f.expect(r, http.StatusCreated, "")
	capID := r.header.Get("Capture-Id")
	if capID == "" || len(r.body) != 0 || r.header.Get("Location") != "http://sandbox.test"+path(id, "captures", capID) {
		t.Fatalf("capture answer: headers %v body %q", r.header, r.body)
	}
	o := f.order(id)
	if o.Status != omclient.StatusPartCaptured || o.CapturedAmount != 6000 || o.RemainingAuthorizedAmount != 4000 {
		t.Fatalf("after first capture: %s captured %d remaining %d", o.Status, o.CapturedAmount, o.RemainingAuthorizedAmount)
	}
	if c := o.Captures[0]; c.KlarnaReference != o.KlarnaReference+"-1" || c.ShippingInfo[0].TrackingNumber != "123" || c.BillingAddress == nil {
		t.Fatalf("capture %+v", c)
	}

	// Lines that do not match the amount are refused.
	bad := omclient.CaptureRequest{CapturedAmount: 3000, OrderLines: []omclient.OrderLine{testLine("Socks", 2, 2000, 2500)}}
	f.expect(f.do(http.MethodPost, path(id, "captures"), key(), bad), 400, codeBadValue)
	// More than remains.
	r = f.do(http.MethodPost, path(id, "captures"), key(), omclient.CaptureRequest{CapturedAmount: 4001})
	f.expect(r, 403, codeCaptureNotAllowed)
	if m := r.apiError(t).ErrorMessages[0]; m != "Captured amount is higher than the remaining authorized amount. Capture not possible." {
		t.Fatalf("message %q", m)
	}

	// GET captures / capture.
	r = f.do(http.MethodGet, path(id, "captures", capID), "", nil)
	f.expect(r, 200, "")
	var c omclient.Capture
	mustJSON(t, r.body, &c)
	if c.CaptureID != capID || c.CapturedAmount != 6000 {
		t.Fatalf("capture %+v", c)
	}
	var caps []omclient.Capture
	mustJSON(t, f.do(http.MethodGet, path(id, "captures"), "", nil).body, &caps)
	if len(caps) != 1 {
		t.Fatalf("captures %+v", caps)
	}

	// Capture the rest: CAPTURED.
	r = f.do(http.MethodPost, path(id, "captures"), key(), omclient.CaptureRequest{CapturedAmount: 4000})
	f.expect(r, http.StatusCreated, "")
	cap2 := r.header.Get("Capture-Id")
	o = f.order(id)
	if o.Status != omclient.StatusCaptured || o.RemainingAuthorizedAmount != 0 || o.CapturedAmount != 10000 {
		t.Fatalf("after full capture: %+v", o)
	}

	// Refunds: partial, allocated oldest capture first, then over-refund,
	// then the rest closes the order.
	r = f.do(http.MethodPost, path(id, "refunds"), key(), omclient.RefundRequest{RefundedAmount: 7000, Description: "Returned"})
	f.expect(r, http.StatusCreated, "")
	refID := r.header.Get("Refund-Id")
	if refID == "" || r.header.Get("Location") != "http://sandbox.test"+path(id, "refunds", refID) {
		t.Fatalf("refund headers %v", r.header)
	}
	o = f.order(id)
	if o.RefundedAmount != 7000 || o.Captures[0].RefundedAmount != 6000 || o.Captures[1].RefundedAmount != 1000 || o.Status != omclient.StatusCaptured {
		t.Fatalf("after refund: refunded %d, captures %d/%d, %s", o.RefundedAmount, o.Captures[0].RefundedAmount, o.Captures[1].RefundedAmount, o.Status)
	}
	var rf omclient.Refund
	mustJSON(t, f.do(http.MethodGet, path(id, "refunds", refID), "", nil).body, &rf)
	if rf.RefundID != refID || rf.RefundedAmount != 7000 || rf.Description != "Returned" {
		t.Fatalf("refund %+v", rf)
	}
	r = f.do(http.MethodPost, path(id, "refunds"), key(), omclient.RefundRequest{RefundedAmount: 3001})
	f.expect(r, 403, codeRefundNotAllowed)
	if m := r.apiError(t).ErrorMessages[0]; m != "Over refund is not allowed. Refund not possible." {
		t.Fatalf("message %q", m)
	}
	f.expect(f.do(http.MethodPost, path(id, "refunds"), key(), omclient.RefundRequest{RefundedAmount: 3000}), http.StatusCreated, "")
	o = f.order(id)
	if o.Status != omclient.StatusClosed || o.Captures[1].RefundedAmount != 4000 {
		t.Fatalf("fully refunded order is %s (capture 2 refunded %d)", o.Status, o.Captures[1].RefundedAmount)
	}
	f.expect(f.do(http.MethodPost, path(id, "refunds"), key(), omclient.RefundRequest{RefundedAmount: 1}), 403, codeRefundNotAllowed)
	f.expect(f.do(http.MethodPost, path(id, "captures", cap2, "shipping-info"), key(),
		omclient.ShippingInfoRequest{ShippingInfo: []omclient.ShippingInfo{{ShippingCompany: "DHL SE", ReturnTrackingNumber: "R1"}}}), 204, "")
	if n, _ := f.sb.Applied(t.Context(), id); n != 5 {
		t.Fatalf("applied %d changes, want 5 (2 captures, 2 refunds, 1 shipping info)", n)
	}
}

func TestRefundWithoutCaptures(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	id := f.create(nil)
	r := f.do(http.MethodPost, path(id, "refunds"), key(), omclient.RefundRequest{RefundedAmount: 100})
	f.expect(r, 403, codeRefundNotAllowed)
	if m := r.apiError(t).ErrorMessages[0]; m != "Order has no captures. Refund not possible." {
		t.Fatalf("message %q", m)
	}
}

func TestReturnFeeRefund(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	fee := omclient.OrderLine{Type: "return_fee", Name: "Return fee", Quantity: 1, UnitPrice: -500, TotalAmount: -500, TaxRate: 2500, TotalTaxAmount: -100}
	refund := omclient.RefundRequest{RefundedAmount: 5500, OrderLines: []omclient.OrderLine{testLine("Sweater", 1, 6000, 2500), fee}}

	// Part-captured: refused (needs full capture in one capture).
	id := f.create(nil)
	f.expect(f.do(http.MethodPost, path(id, "captures"), key(), omclient.CaptureRequest{CapturedAmount: 6000}), 201, "")
	f.expect(f.do(http.MethodPost, path(id, "refunds"), key(), refund), 403, codeRefundNotAllowed)

	// Fully captured at once: allowed.
	id = f.create(nil)
	f.expect(f.do(http.MethodPost, path(id, "captures"), key(), omclient.CaptureRequest{CapturedAmount: 10000}), 201, "")
	f.expect(f.do(http.MethodPost, path(id, "refunds"), key(), refund), 201, "")
	if o := f.order(id); o.RefundedAmount != 5500 {
		t.Fatalf("refunded %d", o.RefundedAmount)
	}
	// Lines that don't sum to the amount.
	refund.RefundedAmount = 6000
	r := f.do(http.MethodPost, path(id, "refunds"), key(), refund)
	f.expect(r, 400, codeBadValue)
	if !strings.Contains(r.apiError(t).ErrorMessages[0], "refunded_amount") {
		t.Fatalf("message %v", r.apiError(t).ErrorMessages)
	}
}
