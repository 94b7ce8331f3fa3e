package omsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"ordercare/internal/omclient"
)

// uuidPattern is the canonical 8-4-4-4-12 form; the provider refuses other
// spellings of an order id with INVALID_ORDER_ID (KD sample).
var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func invalidOrderID() *apiError {
	return newErr(http.StatusBadRequest, codeInvalidOrderID, "Order ID must be a valid UUID.")
}

// normalizeOrderID checks the id's shape and returns its canonical
// (lower-case) form, the form ids are stored in.
func normalizeOrderID(id string) (string, bool) {
	if !uuidPattern.MatchString(id) {
		return "", false
	}
	return strings.ToLower(id), true
}

// notFound is an operation's answer for an unknown order: the code and the
// message in the catalogued wording of the provider's error codes.
type notFound struct {
	code, msg string // msg may hold one %s for the order id
}

func (n notFound) err(orderID string) *apiError {
	msg := n.msg
	if strings.Contains(msg, "%s") {
		msg = fmt.Sprintf(msg, orderID)
	}
	return &apiError{status: http.StatusNotFound, code: n.code, messages: []string{msg}}
}

var (
	nfGet             = notFound{codeNoSuchOrder, "Order %s cannot be found."}
	nfAcknowledge     = notFound{codeNoSuchOrder, "Order %s cannot be found. Acknowledgement not possible."}
	nfAuthorization   = notFound{codeNoSuchOrder, "Order %s cannot be found. Order authorization cannot be updated."}
	nfCancel          = notFound{codeNoSuchOrder, "Order %s cannot be found. Cancel not possible."}
	nfCustomer        = notFound{codeNoSuchOrder, "Order %s cannot be found. Customer details cannot be updated."}
	nfExtend          = notFound{codeNoSuchOrder, "Order %s cannot be found. Authorization time cannot be extended."}
	nfMerchantRefs    = notFound{codeNoSuchOrder, "Order cannot be found. Merchant references cannot be updated."}
	nfRelease         = notFound{codeNoSuchOrder, "Order %s cannot be found. Remaining authorization cannot be released."}
	nfOrderShipping   = notFound{codeNoSuchOrder, "Order %s cannot be found. Shipping info cannot be added to order."}
	nfCapture         = notFound{codeNoSuchOrder, "Order %s cannot be found. Capture not possible."}
	nfCaptureShipping = notFound{codeNoSuchOrder, "Order %s cannot be found. Shipping info cannot be added to capture."}
	nfSendOut         = notFound{codeNoSuchOrder, "Order %s cannot be found. Send-out not possible."}
	nfDueDate         = notFound{codeNoSuchOrder, "Order %s cannot be found. Due date cannot be extended."}
	// Refunds answer NOT_FOUND, not NO_SUCH_ORDER (the refund endpoints on docs.klarna.com).
	nfRefund     = notFound{codeNotFound, "Order %s cannot be found. Refund not possible."}
	nfFraud      = notFound{codeNoSuchOrder, "Order %s cannot be found. Fraud status cannot be changed."}
	nfGetCapture = notFound{codeNoSuchOrder, "Order %s cannot be found. Capture cannot be read."}
)

func (s *Sandbox) env(now time.Time) env {
	return env{now: now, provider: s.opts.Provider, newID: uuid.NewString}
}

// read loads an order for a GET, with expiry applied as of now (reads never
// write; the next change persists the expiry).
func (s *Sandbox) read(c *call, nf notFound) (*record, *apiError) {
	id, ok := normalizeOrderID(c.orderID)
	if !ok {
		return nil, invalidOrderID()
	}
	doc, found, err := s.store.load(c.r.Context(), id)
	if err != nil {
		s.log.Error("omsim: read failed", "path", c.r.URL.Path, "correlation_id", c.corrID, "err", err)
		return nil, newErr(http.StatusInternalServerError, codeInternal, "An unexpected error occurred.")
	}
	if !found {
		return nil, nf.err(c.orderID)
	}
	rec, err := decodeRecord(doc)
	if err != nil {
		s.log.Error("omsim: stored order unreadable", "order_id", id, "err", err)
		return nil, newErr(http.StatusInternalServerError, codeInternal, "An unexpected error occurred.")
	}
	expire(&rec.Order, s.clock.Now())
	return rec, nil
}

// change runs one order change: id shape, then (under the idempotency key)
// body validation, order lookup, the state rule, and persistence.
// validate may be nil for body-less operations.
func (s *Sandbox) change(c *call, nf notFound, validate func() *apiError, apply func(rec *record, e env) (response, *apiError)) response {
	id, ok := normalizeOrderID(c.orderID)
	if !ok {
		return errorResponse(invalidOrderID(), c.corrID)
	}
	return s.idempotent(c, func(t txn, now time.Time) (outcome, error) {
		if validate != nil {
			if e := validate(); e != nil {
				return outcome{resp: errorResponse(e, c.corrID)}, nil
			}
		}
		doc, found, err := t.load(id)
		if err != nil {
			return outcome{}, err
		}
		if !found {
			return outcome{resp: errorResponse(nf.err(c.orderID), c.corrID), save: true}, nil
		}
		rec, err := decodeRecord(doc)
		if err != nil {
			return outcome{}, err
		}
		expire(&rec.Order, now)
		resp, aerr := apply(rec, s.env(now))
		if aerr != nil {
			return outcome{resp: errorResponse(aerr, c.corrID), save: true}, nil
		}
		rec.Applied++
		if doc, err = rec.encode(); err != nil {
			return outcome{}, err
		}
		if err := t.save(id, rec.Order.CreatedAt.Time, doc); err != nil {
			return outcome{}, err
		}
		return outcome{resp: resp, save: true}, nil
	})
}

// readBody reports the outcome of reading the body (read by ServeHTTP,
// with the 1 MB limit): 413 when too large.
func (c *call) readBody() *apiError { return c.bodyErr }

// location is the absolute URI of a created resource, on the host the
// request came to.
func location(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

func created(r *http.Request, idHeader, id, path string) response {
	return response{Status: http.StatusCreated, Header: map[string]string{idHeader: id, "Location": location(r, path)}}
}

// --- reads

func (s *Sandbox) handleGetOrder(c *call) response {
	rec, e := s.read(c, nfGet)
	if e != nil {
		return errorResponse(e, c.corrID)
	}
	return jsonResponse(http.StatusOK, rec.Order)
}

func (s *Sandbox) handleListCaptures(c *call) response {
	rec, e := s.read(c, nfGet)
	if e != nil {
		return errorResponse(e, c.corrID)
	}
	caps := rec.Order.Captures
	if caps == nil {
		caps = []omclient.Capture{}
	}
	return jsonResponse(http.StatusOK, caps)
}

func (s *Sandbox) handleGetCapture(c *call) response {
	rec, e := s.read(c, nfGetCapture)
	if e != nil {
		return errorResponse(e, c.corrID)
	}
	i := findCapture(&rec.Order, c.captureID)
	if i < 0 {
		return errorResponse(newErr(http.StatusNotFound, codeNoSuchCapture, "Capture %s cannot be found for order %s.", c.captureID, c.orderID), c.corrID)
	}
	return jsonResponse(http.StatusOK, rec.Order.Captures[i])
}

func (s *Sandbox) handleGetRefund(c *call) response {
	rec, e := s.read(c, notFound{codeNotFound, "Refund " + c.refundID + " cannot be found for order %s."})
	if e != nil {
		return errorResponse(e, c.corrID)
	}
	for _, rf := range rec.Order.Refunds {
		if rf.RefundID == c.refundID {
			return jsonResponse(http.StatusOK, rf)
		}
	}
	return errorResponse(newErr(http.StatusNotFound, codeNotFound, "Refund %s cannot be found for order %s.", c.refundID, c.orderID), c.corrID)
}

func (s *Sandbox) handleDueDateOptions(c *call) response {
	rec, e := s.read(c, nfDueDate)
	if e != nil {
		return errorResponse(e, c.corrID)
	}
	opts, e := dueDateOptions(rec, c.captureID)
	if e != nil {
		return errorResponse(e, c.corrID)
	}
	return jsonResponse(http.StatusOK, opts)
}

// --- body-less changes

func (s *Sandbox) simple(c *call, nf notFound, op func(*record, env) *apiError) response {
	return s.change(c, nf, nil, func(rec *record, e env) (response, *apiError) {
		if err := op(rec, e); err != nil {
			return response{}, err
		}
		return noContent(), nil
	})
}

func (s *Sandbox) handleAcknowledge(c *call) response {
	return s.simple(c, nfAcknowledge, opAcknowledge)
}

func (s *Sandbox) handleCancel(c *call) response { return s.simple(c, nfCancel, opCancel) }

func (s *Sandbox) handleExtendAuthorization(c *call) response {
	return s.simple(c, nfExtend, opExtendAuthorization)
}

func (s *Sandbox) handleRelease(c *call) response { return s.simple(c, nfRelease, opRelease) }

func (s *Sandbox) handleTriggerSendOut(c *call) response {
	return s.simple(c, nfSendOut, func(rec *record, e env) *apiError { return opTriggerSendOut(rec, e, c.captureID) })
}

// --- changes with a body

func (s *Sandbox) handleUpdateAuthorization(c *call) response {
	var req omclient.UpdateAuthorizationRequest
	validate := func() *apiError {
		if e := c.readBody(); e != nil {
			return e
		}
		if _, e := decodeBody(c.body, &req, "order_amount"); e != nil {
			return e
		}
		var ck checker
		ck.between("order_amount", req.OrderAmount, 0, maxAmount)
		ck.size("description", req.Description, 255)
		ck.checkLines("order_lines", req.OrderLines)
		ck.checkSum("order_amount", req.OrderAmount, "order_lines", req.OrderLines)
		return ck.err()
	}
	return s.change(c, nfAuthorization, validate, func(rec *record, e env) (response, *apiError) {
		return noContent(), opUpdateAuthorization(rec, e, &req)
	})
}

func (s *Sandbox) handleUpdateCustomerDetails(c *call) response {
	present := map[string]omclient.Text{}
	var billing bool
	validate := func() *apiError {
		if e := c.readBody(); e != nil {
			return e
		}
		var req struct {
			ShippingAddress map[string]omclient.Text `json:"shipping_address"`
			BillingAddress  json.RawMessage          `json:"billing_address"`
		}
		raw, e := decodeBody(c.body, &req)
		if e != nil {
			return e
		}
		if b, ok := raw["billing_address"]; ok && string(b) != "null" {
			billing = true
			return nil
		}
		if req.ShippingAddress == nil {
			return badValue("shipping_address is required.")
		}
		var ck checker
		var a omclient.Address
		for _, f := range addressFields(&a) {
			if v, ok := req.ShippingAddress[f.name]; ok {
				present[f.name] = v
				ck.size("shipping_address."+f.name, string(v), f.max)
			}
		}
		return ck.err()
	}
	return s.change(c, nfCustomer, validate, func(rec *record, e env) (response, *apiError) {
		if billing {
			// S24/KD/KU: the billing address can no longer be updated.
			return response{}, notAllowed("Billing address cannot be updated for user account order. Customer details cannot be updated.")
		}
		return noContent(), opUpdateCustomerDetails(rec, e, present)
	})
}

func (s *Sandbox) handleUpdateMerchantReferences(c *call) response {
	var req struct {
		MerchantReference1 *omclient.Text `json:"merchant_reference1"`
		MerchantReference2 *omclient.Text `json:"merchant_reference2"`
	}
	validate := func() *apiError {
		if e := c.readBody(); e != nil {
			return e
		}
		if _, e := decodeBody(c.body, &req); e != nil {
			return e
		}
		var ck checker
		if req.MerchantReference1 != nil {
			ck.size("merchant_reference1", string(*req.MerchantReference1), 255)
		}
		if req.MerchantReference2 != nil {
			ck.size("merchant_reference2", string(*req.MerchantReference2), 255)
		}
		return ck.err()
	}
	return s.change(c, nfMerchantRefs, validate, func(rec *record, e env) (response, *apiError) {
		var r1, r2 *string
		if req.MerchantReference1 != nil {
			v := string(*req.MerchantReference1)
			r1 = &v
		}
		if req.MerchantReference2 != nil {
			v := string(*req.MerchantReference2)
			r2 = &v
		}
		return noContent(), opUpdateMerchantReferences(rec, e, r1, r2)
	})
}

func (s *Sandbox) decodeShippingInfo(c *call, req *omclient.ShippingInfoRequest) func() *apiError {
	return func() *apiError {
		if e := c.readBody(); e != nil {
			return e
		}
		if _, e := decodeBody(c.body, req, "shipping_info"); e != nil {
			return e
		}
		var ck checker
		ck.checkShippingInfo("shipping_info", req.ShippingInfo, 1)
		return ck.err()
	}
}

func (s *Sandbox) handleAddOrderShippingInfo(c *call) response {
	var req omclient.ShippingInfoRequest
	return s.change(c, nfOrderShipping, s.decodeShippingInfo(c, &req), func(rec *record, e env) (response, *apiError) {
		return noContent(), opAddOrderShippingInfo(rec, e, req.ShippingInfo)
	})
}

func (s *Sandbox) handleAddCaptureShippingInfo(c *call) response {
	var req omclient.ShippingInfoRequest
	return s.change(c, nfCaptureShipping, s.decodeShippingInfo(c, &req), func(rec *record, e env) (response, *apiError) {
		return noContent(), opAddCaptureShippingInfo(rec, e, c.captureID, req.ShippingInfo)
	})
}

func (s *Sandbox) handleCreateCapture(c *call) response {
	var req omclient.CaptureRequest
	validate := func() *apiError {
		if e := c.readBody(); e != nil {
			return e
		}
		if _, e := decodeBody(c.body, &req, "captured_amount"); e != nil {
			return e
		}
		var ck checker
		ck.between("captured_amount", req.CapturedAmount, 0, maxAmount)
		if req.CapturedAmount == 0 {
			// The spec allows 0 in the request but a capture's amount is
			// at least 1 (the capture schema); an empty capture is refused up front.
			ck.badf("captured_amount must be greater than 0.")
		}
		ck.size("description", req.Description, 255)
		ck.size("reference", req.Reference, 255)
		ck.checkLines("order_lines", req.OrderLines)
		ck.checkSum("captured_amount", req.CapturedAmount, "order_lines", req.OrderLines)
		ck.checkShippingInfo("shipping_info", req.ShippingInfo, 0)
		if req.ShippingDelay < 0 {
			ck.between("shipping_delay", req.ShippingDelay, 0, 1<<31-1)
		}
		return ck.err()
	}
	return s.change(c, nfCapture, validate, func(rec *record, e env) (response, *apiError) {
		id, err := opCapture(rec, e, &req)
		if err != nil {
			return response{}, err
		}
		return created(c.r, "Capture-Id", id, apiPrefix+rec.Order.OrderID+"/captures/"+id), nil
	})
}

func (s *Sandbox) handleCreateRefund(c *call) response {
	var req omclient.RefundRequest
	validate := func() *apiError {
		if e := c.readBody(); e != nil {
			return e
		}
		if _, e := decodeBody(c.body, &req, "refunded_amount"); e != nil {
			return e
		}
		var ck checker
		ck.between("refunded_amount", req.RefundedAmount, 0, maxAmount)
		if req.RefundedAmount == 0 {
			ck.badf("refunded_amount must be greater than 0.")
		}
		ck.size("description", req.Description, 255)
		ck.size("reference", req.Reference, 255)
		ck.checkLines("order_lines", req.OrderLines)
		ck.checkSum("refunded_amount", req.RefundedAmount, "order_lines", req.OrderLines)
		return ck.err()
	}
	return s.change(c, nfRefund, validate, func(rec *record, e env) (response, *apiError) {
		id, err := opRefund(rec, e, &req)
		if err != nil {
			return response{}, err
		}
		return created(c.r, "Refund-Id", id, apiPrefix+rec.Order.OrderID+"/refunds/"+id), nil
	})
}

func (s *Sandbox) handleExtendDueDate(c *call) response {
	var req omclient.ExtendDueDateRequest
	validate := func() *apiError {
		if e := c.readBody(); e != nil {
			return e
		}
		_, e := decodeBody(c.body, &req, "number_of_days")
		return e
	}
	return s.change(c, nfDueDate, validate, func(rec *record, e env) (response, *apiError) {
		return noContent(), opExtendDueDate(rec, e, c.captureID, req.NumberOfDays)
	})
}
