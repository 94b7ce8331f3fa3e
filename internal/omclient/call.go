package omclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"reflect"
	"strings"
	"time"
)

// Operation names one call of the API.
type Operation string

// Mutating operations (POST/PATCH), each sent with an idempotency key.
const (
	OpAcknowledge              Operation = "acknowledge"
	OpUpdateAuthorization      Operation = "update_authorization"
	OpCancel                   Operation = "cancel"
	OpUpdateCustomerDetails    Operation = "update_customer_details"
	OpExtendAuthorizationTime  Operation = "extend_authorization_time"
	OpUpdateMerchantReferences Operation = "update_merchant_references"
	OpReleaseRemaining         Operation = "release_remaining_authorization"
	OpAddOrderShippingInfo     Operation = "add_order_shipping_info"
	OpCreateCapture            Operation = "create_capture"
	OpAddCaptureShippingInfo   Operation = "add_capture_shipping_info"
	OpTriggerSendOut           Operation = "trigger_send_out"
	OpExtendDueDate            Operation = "extend_due_date"
	OpCreateRefund             Operation = "create_refund"
)

// Read operations (GET). They are never sent through Prepare/Send.
const (
	OpGetOrder                Operation = "get_order"
	OpListCaptures            Operation = "list_captures"
	OpGetCapture              Operation = "get_capture"
	OpGetExtendDueDateOptions Operation = "get_extend_due_date_options"
	OpGetRefund               Operation = "get_refund"
)

// apiPrefix precedes every path of the API.
const apiPrefix = "/ordermanagement/v1"

// Response headers the client reads.
const (
	headerIdempotencyKey = "Klarna-Idempotency-Key"
	headerCorrelationID  = "Klarna-Correlation-Id"
	headerCaptureID      = "Capture-Id"
	headerRefundID       = "Refund-Id"
)

type opSpec struct {
	method    string
	suffix    string // after /orders/{order_id} (captures/{capture_id} is added when capture is set)
	capture   bool   // the path names a capture
	body      reflect.Type
	klarna    bool   // only Klarna offers it (deprecated on Kustom, the API reference's list of operations)
	idHeader  string // header naming the created resource
	mutating  bool
	sub       string // path after captures/{capture_id} for capture-scoped calls
	readIDArg string // for reads: the name of the second id ("capture_id", "refund_id")
}

var opSpecs = map[Operation]opSpec{
	OpAcknowledge:              {method: http.MethodPost, suffix: "/acknowledge", mutating: true},
	OpUpdateAuthorization:      {method: http.MethodPatch, suffix: "/authorization", body: reflect.TypeFor[UpdateAuthorizationRequest](), mutating: true},
	OpCancel:                   {method: http.MethodPost, suffix: "/cancel", mutating: true},
	OpUpdateCustomerDetails:    {method: http.MethodPatch, suffix: "/customer-details", body: reflect.TypeFor[UpdateCustomerDetailsRequest](), mutating: true},
	OpExtendAuthorizationTime:  {method: http.MethodPost, suffix: "/extend-authorization-time", mutating: true},
	OpUpdateMerchantReferences: {method: http.MethodPatch, suffix: "/merchant-references", body: reflect.TypeFor[UpdateMerchantReferencesRequest](), mutating: true},
	OpReleaseRemaining:         {method: http.MethodPost, suffix: "/release-remaining-authorization", mutating: true},
	OpAddOrderShippingInfo:     {method: http.MethodPost, suffix: "/shipping-info", body: reflect.TypeFor[ShippingInfoRequest](), mutating: true},
	OpCreateCapture:            {method: http.MethodPost, suffix: "/captures", body: reflect.TypeFor[CaptureRequest](), idHeader: headerCaptureID, mutating: true},
	OpAddCaptureShippingInfo:   {method: http.MethodPost, capture: true, sub: "/shipping-info", body: reflect.TypeFor[ShippingInfoRequest](), mutating: true},
	OpTriggerSendOut:           {method: http.MethodPost, capture: true, sub: "/trigger-send-out", klarna: true, mutating: true},
	OpExtendDueDate:            {method: http.MethodPatch, capture: true, sub: "/extend-due-date", body: reflect.TypeFor[ExtendDueDateRequest](), klarna: true, mutating: true},
	OpCreateRefund:             {method: http.MethodPost, suffix: "/refunds", body: reflect.TypeFor[RefundRequest](), idHeader: headerRefundID, mutating: true},

	OpGetOrder:                {method: http.MethodGet},
	OpListCaptures:            {method: http.MethodGet, suffix: "/captures"},
	OpGetCapture:              {method: http.MethodGet, capture: true},
	OpGetExtendDueDateOptions: {method: http.MethodGet, capture: true, sub: "/extend-due-date-options", klarna: true},
	OpGetRefund:               {method: http.MethodGet, suffix: "/refunds/", readIDArg: "refund_id"},
}

// Operations lists the mutating operations in the order of the API reference's list of operations.
var Operations = []Operation{OpAcknowledge, OpUpdateAuthorization, OpCancel, OpUpdateCustomerDetails,
	OpExtendAuthorizationTime, OpUpdateMerchantReferences, OpReleaseRemaining, OpAddOrderShippingInfo,
	OpCreateCapture, OpAddCaptureShippingInfo, OpTriggerSendOut, OpExtendDueDate, OpCreateRefund}

// Supports reports whether the provider offers op. Kustom deprecated
// trigger-send-out and both due-date calls (the API reference's list of operations).
func (c *Client) Supports(op Operation) bool {
	s, ok := opSpecs[op]
	if !ok {
		return false
	}
	return !s.klarna || c.provider == ProviderKlarna
}

// Method is the HTTP method of op ("" for an unknown op).
func (op Operation) Method() string { return opSpecs[op].method }

// Mutating reports whether op changes an order (POST/PATCH).
func (op Operation) Mutating() bool { return opSpecs[op].mutating }

func (c *Client) notSupported(op Operation) error {
	return fmt.Errorf("%w: %s is not available on %s (Kustom deprecated trigger-send-out and the due-date calls); no request was sent",
		ErrNotSupported, op, c.provider)
}

// Call is a mutating request, validated and encoded once; retries resend
// Body byte for byte with the same IdempotencyKey (the provider compares
// only the key, the Klarna-Idempotency-Key header on docs.klarna.com).
type Call struct {
	Op                               Operation
	OrderID, CaptureID, Method, Path string
	Body                             []byte // nil for body-less operations
	IdempotencyKey                   string
}

// Result describes a successful mutating call.
type Result struct {
	Status        int
	CorrelationID string
	ResourceID    string // capture or refund id of a create call
	Location      string
	Attempts      int
	Duration      time.Duration
}

// Prepare validates and encodes a mutating call. body is the request type
// of op (pointer or value: *UpdateAuthorizationRequest,
// *UpdateCustomerDetailsRequest, *UpdateMerchantReferencesRequest,
// *ShippingInfoRequest, *CaptureRequest, *RefundRequest,
// *ExtendDueDateRequest) or nil for body-less operations. Errors:
// *ValidationError, ErrNotSupported, ErrNoIdempotencyKey, or a plain error
// for an unknown operation or a body of the wrong type.
func (c *Client) Prepare(op Operation, orderID, captureID, idempotencyKey string, body any) (*Call, error) {
	spec, ok := opSpecs[op]
	if !ok || !spec.mutating {
		return nil, fmt.Errorf("omclient: %q is not a mutating operation", op)
	}
	if !c.Supports(op) {
		return nil, c.notSupported(op)
	}
	if idempotencyKey == "" {
		return nil, fmt.Errorf("%w (%s)", ErrNoIdempotencyKey, op)
	}
	body, err := normalizeBody(op, spec, body)
	if err != nil {
		return nil, err
	}
	var fe fieldErrors
	fe.orderID(orderID)
	if spec.capture {
		fe.resourceID("capture_id", captureID)
	} else if captureID != "" {
		fe.add("capture_id", "must be empty: %s is not capture-scoped", op)
	}
	fe.idempotencyKey(idempotencyKey)
	if body != nil {
		fe.requestBody(op, body)
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	var encoded []byte
	if body != nil {
		encoded, err = encodeJSON(body)
		if err != nil {
			return nil, fmt.Errorf("omclient: encoding %s body: %w", op, err)
		}
	}
	return &Call{
		Op: op, OrderID: orderID, CaptureID: captureID, Method: spec.method,
		Path: opPath(spec, orderID, captureID), Body: encoded, IdempotencyKey: idempotencyKey,
	}, nil
}

// normalizeBody turns a value into a pointer of the op's body type and
// refuses any other type.
func normalizeBody(op Operation, spec opSpec, body any) (any, error) {
	if spec.body == nil {
		if body != nil && !isNilPointer(body) {
			return nil, fmt.Errorf("omclient: %s takes no body, got %T", op, body)
		}
		return nil, nil
	}
	if body == nil || isNilPointer(body) {
		return nil, fmt.Errorf("omclient: %s needs a body of type *%s", op, spec.body.Name())
	}
	v := reflect.ValueOf(body)
	switch {
	case v.Type() == reflect.PointerTo(spec.body):
		return body, nil
	case v.Type() == spec.body:
		p := reflect.New(spec.body)
		p.Elem().Set(v)
		return p.Interface(), nil
	}
	return nil, fmt.Errorf("omclient: %s takes a body of type *%s, got %T", op, spec.body.Name(), body)
}

func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// encodeJSON encodes without HTML escaping (the bytes are also what the
// audit log stores) and without a trailing newline.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// opPath builds the path after the base URL. Ids are validated to hold
// only unreserved URL characters, so no escaping is needed; PathEscape is
// kept as a second line of defence.
func opPath(spec opSpec, orderID, secondID string) string {
	p := apiPrefix + "/orders/" + url.PathEscape(orderID)
	if spec.capture {
		p += "/captures/" + url.PathEscape(secondID) + spec.sub
		return p
	}
	p += spec.suffix
	if spec.readIDArg != "" {
		p += url.PathEscape(secondID)
	}
	return p
}

// Send performs a prepared call with retries (retry.go). Errors: *APIError
// (the provider answered non-2xx; final), *OutcomeUnknownError (the request
// may have been applied), or a plain error when nothing was sent.
func (c *Client) Send(ctx context.Context, call *Call) (*Result, error) {
	if call == nil {
		return nil, errors.New("omclient: nil call")
	}
	spec, ok := opSpecs[call.Op]
	if !ok || !spec.mutating {
		return nil, fmt.Errorf("omclient: %q is not a mutating operation", call.Op)
	}
	if !c.Supports(call.Op) {
		return nil, c.notSupported(call.Op)
	}
	if call.IdempotencyKey == "" {
		return nil, fmt.Errorf("%w (%s)", ErrNoIdempotencyKey, call.Op)
	}
	if err := checkCall(spec, call); err != nil {
		return nil, err
	}
	rep, err := c.do(ctx, call.Op, call.Method, call.Path, call.Body, call.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	res := &Result{
		Status:        rep.status,
		CorrelationID: rep.header.Get(headerCorrelationID),
		Location:      rep.header.Get("Location"),
		Attempts:      rep.attempts,
		Duration:      rep.duration,
	}
	if spec.idHeader != "" {
		res.ResourceID = resourceID(rep.header.Get(spec.idHeader), res.Location)
		if res.ResourceID == "" {
			return res, fmt.Errorf("%w: %s answered %d without %s or Location", ErrMissingResourceID, call.Op, rep.status, spec.idHeader)
		}
	}
	return res, nil
}

// checkCall re-checks a Call before sending, since a caller may rebuild one
// from stored bytes (the audit log) to retry an intent after a restart:
// ids, method and path must be what Prepare would make, and the body must
// decode strictly into the op's type and pass validation. The bytes
// themselves are sent unchanged.
func checkCall(spec opSpec, call *Call) error {
	var fe fieldErrors
	fe.orderID(call.OrderID)
	if spec.capture {
		fe.resourceID("capture_id", call.CaptureID)
	} else if call.CaptureID != "" {
		fe.add("capture_id", "must be empty: %s is not capture-scoped", call.Op)
	}
	fe.idempotencyKey(call.IdempotencyKey)
	if err := fe.err(); err != nil {
		return err
	}
	if call.Method != spec.method || call.Path != opPath(spec, call.OrderID, call.CaptureID) {
		return fmt.Errorf("omclient: call %s: method and path must be %s %s, not %s %s",
			call.Op, spec.method, opPath(spec, call.OrderID, call.CaptureID), call.Method, call.Path)
	}
	if spec.body == nil {
		if len(call.Body) != 0 {
			return fmt.Errorf("omclient: %s takes no body", call.Op)
		}
		return nil
	}
	v := reflect.New(spec.body).Interface()
	dec := json.NewDecoder(bytes.NewReader(call.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("omclient: %s body is not a %s: %w", call.Op, spec.body.Name(), err)
	}
	if dec.More() {
		return fmt.Errorf("omclient: %s body has data after the JSON value", call.Op)
	}
	fe.requestBody(call.Op, v)
	return fe.err()
}

// resourceID prefers the id header and falls back to the last segment of
// Location (absolute or relative), e.g. .../captures/{capture_id}.
func resourceID(idHeader, location string) string {
	if id := strings.TrimSpace(idHeader); id != "" {
		return id
	}
	location = strings.TrimSpace(location)
	if location == "" {
		return ""
	}
	u, err := url.Parse(location)
	if err != nil {
		return ""
	}
	p := strings.TrimRight(u.Path, "/")
	if p == "" {
		return ""
	}
	seg := path.Base(p)
	if seg == "." || seg == "/" {
		return ""
	}
	return seg
}
