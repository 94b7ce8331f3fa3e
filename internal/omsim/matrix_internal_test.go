package omsim

import (
	"net/http"
	"testing"
	"time"

	"ordercare/internal/omclient"
)

// statusCase builds an order in one state through the API itself.
type statusCase struct {
	name string
	want omclient.Status
	// build returns the order id and a capture id ("" when none).
	build func(f *fixture) (string, string)
}

func captureOf(f *fixture, id string, amount int64) string {
	f.t.Helper()
	r := f.do(http.MethodPost, path(id, "captures"), key(), omclient.CaptureRequest{CapturedAmount: amount})
	f.expect(r, http.StatusCreated, "")
	return r.header.Get("Capture-Id")
}

var statusCases = []statusCase{
	{"authorized", omclient.StatusAuthorized, func(f *fixture) (string, string) { return f.create(nil), "" }},
	{"part-captured", omclient.StatusPartCaptured, func(f *fixture) (string, string) {
		id := f.create(nil)
		return id, captureOf(f, id, 4000)
	}},
	{"captured", omclient.StatusCaptured, func(f *fixture) (string, string) {
		id := f.create(nil)
		return id, captureOf(f, id, 10000)
	}},
	{"cancelled", omclient.StatusCancelled, func(f *fixture) (string, string) {
		id := f.create(nil)
		f.expect(f.do(http.MethodPost, path(id, "cancel"), key(), nil), http.StatusNoContent, "")
		return id, ""
	}},
	{"expired", omclient.StatusExpired, func(f *fixture) (string, string) {
		id := f.create(nil)
		f.clock.Advance(29 * 24 * time.Hour)
		return id, ""
	}},
	{"expired-with-captures", omclient.StatusExpired, func(f *fixture) (string, string) {
		id := f.create(nil)
		c := captureOf(f, id, 4000)
		f.clock.Advance(29 * 24 * time.Hour)
		return id, c
	}},
	{"closed", omclient.StatusClosed, func(f *fixture) (string, string) {
		id := f.create(nil)
		c := captureOf(f, id, 10000)
		f.expect(f.do(http.MethodPost, path(id, "refunds"), key(), omclient.RefundRequest{RefundedAmount: 10000}), http.StatusCreated, "")
		return id, c
	}},
}

const otherCapture = "5f0c7a3e-2b1d-4c8e-9f6a-0d1e2f3a4b5c"

type matrixOp struct {
	name     string
	klarna   bool
	run      func(f *fixture, id, capID string) result
	okStatus int
	// want per status case, in statusCases order; "" = allowed.
	want []string
}

var shippingBody = omclient.ShippingInfoRequest{ShippingInfo: []omclient.ShippingInfo{{ShippingCompany: "DHL SE", ShippingMethod: "Home", TrackingNumber: "1"}}}

func capOrOther(c string) string {
	if c == "" {
		return otherCapture
	}
	return c
}

const (
	na  = codeNotAllowed
	cna = codeCancelNotAllowed
	kna = codeCaptureNotAllowed
	rna = codeRefundNotAllowed
)

var matrixOps = []matrixOp{
	{"acknowledge", false, func(f *fixture, id, _ string) result { return f.do("POST", path(id, "acknowledge"), key(), nil) }, 204,
		[]string{"", "", "", na, na, na, ""}},
	{"update authorization", false, func(f *fixture, id, _ string) result {
		return f.do("PATCH", path(id, "authorization"), key(), omclient.UpdateAuthorizationRequest{OrderAmount: 9000})
	}, 204, []string{"", "", na, na, na, na, na}},
	{"cancel", false, func(f *fixture, id, _ string) result { return f.do("POST", path(id, "cancel"), key(), nil) }, 204,
		[]string{"", cna, cna, cna, cna, cna, cna}},
	{"update customer details", false, func(f *fixture, id, _ string) result {
		return f.do("PATCH", path(id, "customer-details"), key(), map[string]any{"shipping_address": map[string]string{"street_address": "Sveavägen 1"}})
	}, 204, []string{"", "", na, na, na, na, na}},
	{"extend authorization time", false, func(f *fixture, id, _ string) result {
		return f.do("POST", path(id, "extend-authorization-time"), key(), nil)
	}, 204, []string{"", "", na, na, na, na, na}},
	{"update merchant references", false, func(f *fixture, id, _ string) result {
		return f.do("PATCH", path(id, "merchant-references"), key(), map[string]string{"merchant_reference1": "SO-2"})
	}, 204, []string{"", "", "", na, "", "", ""}},
	{"release remaining authorization", false, func(f *fixture, id, _ string) result {
		return f.do("POST", path(id, "release-remaining-authorization"), key(), nil)
	}, 204, []string{na, "", na, na, na, na, na}},
	{"add order shipping info", false, func(f *fixture, id, _ string) result {
		return f.do("POST", path(id, "shipping-info"), key(), shippingBody)
	}, 204, []string{"", "", "", na, "", "", ""}},
	{"capture", false, func(f *fixture, id, _ string) result {
		return f.do("POST", path(id, "captures"), key(), omclient.CaptureRequest{CapturedAmount: 1000})
	}, 201, []string{"", "", kna, kna, kna, kna, kna}},
	{"add capture shipping info", false, func(f *fixture, id, c string) result {
		return f.do("POST", path(id, "captures", capOrOther(c), "shipping-info"), key(), shippingBody)
	}, 204, []string{na, "", "", na, na, "", ""}},
	{"refund", false, func(f *fixture, id, _ string) result {
		return f.do("POST", path(id, "refunds"), key(), omclient.RefundRequest{RefundedAmount: 1000})
	}, 201, []string{rna, "", "", rna, rna, "", rna}},
	{"trigger send-out", true, func(f *fixture, id, c string) result {
		return f.do("POST", path(id, "captures", capOrOther(c), "trigger-send-out"), key(), nil)
	}, 204, []string{na, "", "", na, na, "", ""}},
	{"extend due date", true, func(f *fixture, id, c string) result {
		return f.do("PATCH", path(id, "captures", capOrOther(c), "extend-due-date"), key(), omclient.ExtendDueDateRequest{NumberOfDays: 14})
	}, 204, []string{na, "", "", na, na, "", na}},
}

// TestStatusMatrix runs every operation against an order in every state
// (Klarna's order management guides on docs.klarna.com with the sandbox's decisions for the open cells) through
// raw HTTP, and checks that a refusal leaves the order untouched.
func TestStatusMatrix(t *testing.T) {
	t.Parallel()
	for _, op := range matrixOps {
		for i, sc := range statusCases {
			t.Run(op.name+"/"+sc.name, func(t *testing.T) {
				t.Parallel()
				opts := Options{}
				if op.klarna {
					opts.Provider = omclient.ProviderKlarna
				}
				f := newFixture(t, opts)
				id, capID := sc.build(f)
				before := f.order(id)
				if before.Status != sc.want {
					t.Fatalf("fixture is %s, want %s", before.Status, sc.want)
				}
				applied, _ := f.sb.Applied(t.Context(), id)
				r := op.run(f, id, capID)
				if want := op.want[i]; want != "" {
					f.expect(r, http.StatusForbidden, want)
					after := f.order(id)
					if n, _ := f.sb.Applied(t.Context(), id); n != applied || !sameJSON(before, after) {
						t.Fatalf("refused %s changed the order", op.name)
					}
					return
				}
				f.expect(r, op.okStatus, "")
				if n, _ := f.sb.Applied(t.Context(), id); n != applied+1 {
					t.Fatalf("applied %d, want %d", n, applied+1)
				}
			})
		}
	}
}
