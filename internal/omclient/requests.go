package omclient

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
)

// Request is the body of one mutating operation: each request type names
// its operation, so Prepare needs no separate operation argument and a
// body can never be sent to the wrong endpoint. The interface is sealed
// (validate is unexported): only this package's types implement it, so
// the compiler, not a run-time type check, keeps out a body of another
// shape. Body-less operations have empty request types.
//
// Both a value and a pointer of a request type are a Request.
type Request interface {
	// Op is the operation this request is the body of.
	Op() Operation
	validate(f *fieldErrors)
}

// Empty requests of the operations that send no body.
type (
	// AcknowledgeRequest acknowledges a checkout order.
	AcknowledgeRequest struct{}
	// CancelRequest cancels an order without captures.
	CancelRequest struct{}
	// ExtendAuthorizationTimeRequest extends the capture deadline.
	ExtendAuthorizationTimeRequest struct{}
	// ReleaseRemainingRequest releases what a part-captured order has left.
	ReleaseRemainingRequest struct{}
	// TriggerSendOutRequest re-sends a capture's customer communication
	// (Klarna only).
	TriggerSendOutRequest struct{}
)

// CaptureShippingInfoRequest is the body of POST
// .../captures/{capture_id}/shipping-info: the same shape as the order's
// ShippingInfoRequest, a type of its own so that the request says which
// of the two operations it is.
type CaptureShippingInfoRequest ShippingInfoRequest

// Op implementations: one line per request type, the table of which body
// goes to which operation.
func (AcknowledgeRequest) Op() Operation              { return OpAcknowledge }
func (UpdateAuthorizationRequest) Op() Operation      { return OpUpdateAuthorization }
func (CancelRequest) Op() Operation                   { return OpCancel }
func (UpdateCustomerDetailsRequest) Op() Operation    { return OpUpdateCustomerDetails }
func (ExtendAuthorizationTimeRequest) Op() Operation  { return OpExtendAuthorizationTime }
func (UpdateMerchantReferencesRequest) Op() Operation { return OpUpdateMerchantReferences }
func (ReleaseRemainingRequest) Op() Operation         { return OpReleaseRemaining }
func (ShippingInfoRequest) Op() Operation             { return OpAddOrderShippingInfo }
func (CaptureRequest) Op() Operation                  { return OpCreateCapture }
func (CaptureShippingInfoRequest) Op() Operation      { return OpAddCaptureShippingInfo }
func (TriggerSendOutRequest) Op() Operation           { return OpTriggerSendOut }
func (ExtendDueDateRequest) Op() Operation            { return OpExtendDueDate }
func (RefundRequest) Op() Operation                   { return OpCreateRefund }

func (AcknowledgeRequest) validate(*fieldErrors)             {}
func (CancelRequest) validate(*fieldErrors)                  {}
func (ExtendAuthorizationTimeRequest) validate(*fieldErrors) {}
func (ReleaseRemainingRequest) validate(*fieldErrors)        {}
func (TriggerSendOutRequest) validate(*fieldErrors)          {}

func (b UpdateAuthorizationRequest) validate(f *fieldErrors) {
	f.amount("order_amount", b.OrderAmount)
	f.text("description", b.Description, 0, maxText255)
	f.orderLinesWithTotal("order_amount", b.OrderAmount, b.OrderLines)
}

func (b UpdateCustomerDetailsRequest) validate(f *fieldErrors) {
	if b.ShippingAddress == nil {
		f.add("shipping_address", "is required")
		return
	}
	f.address("shipping_address", b.ShippingAddress)
	f.clearedAddress("shipping_address", b.ShippingAddress, b.Clear)
}

func (b UpdateMerchantReferencesRequest) validate(f *fieldErrors) {
	if b.MerchantReference1 == nil && b.MerchantReference2 == nil {
		f.add("merchant_reference1", "set merchant_reference1, merchant_reference2 or both")
	}
	if b.MerchantReference1 != nil {
		f.text("merchant_reference1", *b.MerchantReference1, 0, maxText255)
	}
	if b.MerchantReference2 != nil {
		f.text("merchant_reference2", *b.MerchantReference2, 0, maxText255)
	}
}

func (b ShippingInfoRequest) validate(f *fieldErrors) {
	f.shippingInfos("shipping_info", b.ShippingInfo, 1)
}

func (b CaptureShippingInfoRequest) validate(f *fieldErrors) {
	f.shippingInfos("shipping_info", b.ShippingInfo, 1)
}

func (b CaptureRequest) validate(f *fieldErrors) {
	f.amount("captured_amount", b.CapturedAmount)
	f.text("description", b.Description, 0, maxText255)
	f.text("reference", b.Reference, 0, maxText255)
	f.orderLinesWithTotal("captured_amount", b.CapturedAmount, b.OrderLines)
	f.shippingInfos("shipping_info", b.ShippingInfo, 0)
	if b.ShippingDelay < 0 {
		f.add("shipping_delay", "must not be negative")
	}
}

func (b RefundRequest) validate(f *fieldErrors) {
	f.amount("refunded_amount", b.RefundedAmount)
	f.text("description", b.Description, 0, maxText255)
	f.text("reference", b.Reference, 0, maxText255)
	f.orderLinesWithTotal("refunded_amount", b.RefundedAmount, b.OrderLines)
}

func (b ExtendDueDateRequest) validate(f *fieldErrors) {
	if b.NumberOfDays < 1 || b.NumberOfDays > math.MaxInt32 {
		f.add("number_of_days", "must be a positive number of days from the offered options")
	}
}

// Amounted is a request that names an amount: what a capture or refund
// moves, or the new order amount of an authorization update.
type Amounted interface {
	Request
	Amount() int64
}

// Amount is the amount captured.
func (b CaptureRequest) Amount() int64 { return b.CapturedAmount }

// Amount is the amount refunded.
func (b RefundRequest) Amount() int64 { return b.RefundedAmount }

// Amount is the new order amount.
func (b UpdateAuthorizationRequest) Amount() int64 { return b.OrderAmount }

// ValidateRequest checks a request without sending anything. The error is
// a *ValidationError listing every invalid field, or a plain error for a
// nil request.
func ValidateRequest(req Request) error {
	if isNil(req) {
		return fmt.Errorf("omclient: no request to validate")
	}
	var fe fieldErrors
	req.validate(&fe)
	return fe.err()
}

// EmptyRequest is the request of a body-less operation (cancel,
// acknowledge, ...); an error for an operation that needs a body.
func EmptyRequest(op Operation) (Request, error) {
	spec, ok := opSpecs[op]
	if !ok || !spec.mutating {
		return nil, fmt.Errorf("omclient: %q is not a mutating operation", op)
	}
	if spec.hasBody {
		return nil, fmt.Errorf("omclient: %s needs a request body", op)
	}
	return spec.newReq(), nil
}

// DecodeRequest decodes the body bytes of op (as Prepare encoded them, or
// as the audit log or an approval kept them) into op's request type,
// strictly: an unknown field or trailing data is an error. A body-less
// operation takes no bytes.
func DecodeRequest(op Operation, body []byte) (Request, error) {
	spec, ok := opSpecs[op]
	if !ok || !spec.mutating {
		return nil, fmt.Errorf("omclient: %q is not a mutating operation", op)
	}
	req := spec.newReq()
	if !spec.hasBody {
		if len(bytes.TrimSpace(body)) != 0 {
			return nil, fmt.Errorf("omclient: %s takes no body", op)
		}
		return req, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(req); err != nil {
		return nil, fmt.Errorf("omclient: %s body is not a %T: %w", op, req, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("omclient: %s body has data after the JSON value", op)
	}
	return req, nil
}

// isNil reports a nil interface or a nil pointer inside one (a method of
// a value receiver called through a nil pointer would panic).
func isNil(req Request) bool {
	if req == nil {
		return true
	}
	v := reflect.ValueOf(req)
	return v.Kind() == reflect.Pointer && v.IsNil()
}
