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
	suffix    string         // after /orders/{order_id} (captures/{capture_id} is added when capture is set)
	capture   bool           // the path names a capture
	newReq    func() Request // a pointer to a zero request of the op (mutating ops)
	hasBody   bool           // the request is sent as a JSON body
	klarna    bool           // only Klarna offers it (deprecated on Kustom, the API reference's list of operations)
	idHeader  string         // header naming the created resource
	mutating  bool
	sub       string // path after captures/{capture_id} for capture-scoped calls
	readIDArg string // for reads: the name of the second id ("capture_id", "refund_id")
}

var opSpecs = map[Operation]opSpec{
	OpAcknowledge:              {method: http.MethodPost, suffix: "/acknowledge", newReq: req[AcknowledgeRequest], mutating: true},
	OpUpdateAuthorization:      {method: http.MethodPatch, suffix: "/authorization", newReq: req[UpdateAuthorizationRequest], hasBody: true, mutating: true},
	OpCancel:                   {method: http.MethodPost, suffix: "/cancel", newReq: req[CancelRequest], mutating: true},
	OpUpdateCustomerDetails:    {method: http.MethodPatch, suffix: "/customer-details", newReq: req[UpdateCustomerDetailsRequest], hasBody: true, mutating: true},
	OpExtendAuthorizationTime:  {method: http.MethodPost, suffix: "/extend-authorization-time", newReq: req[ExtendAuthorizationTimeRequest], mutating: true},
	OpUpdateMerchantReferences: {method: http.MethodPatch, suffix: "/merchant-references", newReq: req[UpdateMerchantReferencesRequest], hasBody: true, mutating: true},
	OpReleaseRemaining:         {method: http.MethodPost, suffix: "/release-remaining-authorization", newReq: req[ReleaseRemainingRequest], mutating: true},
	OpAddOrderShippingInfo:     {method: http.MethodPost, suffix: "/shipping-info", newReq: req[ShippingInfoRequest], hasBody: true, mutating: true},
	OpCreateCapture:            {method: http.MethodPost, suffix: "/captures", newReq: req[CaptureRequest], hasBody: true, idHeader: headerCaptureID, mutating: true},
	OpAddCaptureShippingInfo:   {method: http.MethodPost, capture: true, sub: "/shipping-info", newReq: req[CaptureShippingInfoRequest], hasBody: true, mutating: true},
	OpTriggerSendOut:           {method: http.MethodPost, capture: true, sub: "/trigger-send-out", newReq: req[TriggerSendOutRequest], klarna: true, mutating: true},
	OpExtendDueDate:            {method: http.MethodPatch, capture: true, sub: "/extend-due-date", newReq: req[ExtendDueDateRequest], hasBody: true, klarna: true, mutating: true},
	OpCreateRefund:             {method: http.MethodPost, suffix: "/refunds", newReq: req[RefundRequest], hasBody: true, idHeader: headerRefundID, mutating: true},

	OpGetOrder:                {method: http.MethodGet},
	OpListCaptures:            {method: http.MethodGet, suffix: "/captures"},
	OpGetCapture:              {method: http.MethodGet, capture: true},
	OpGetExtendDueDateOptions: {method: http.MethodGet, capture: true, sub: "/extend-due-date-options", klarna: true},
	OpGetRefund:               {method: http.MethodGet, suffix: "/refunds/", readIDArg: "refund_id"},
}

// req makes a zero request of type T, as a pointer (what json decodes into).
func req[T any, P interface {
	*T
	Request
}]() Request {
	return P(new(T))
}

// Operations lists the mutating operations in the order of the API reference's list of operations.
var Operations = []Operation{OpAcknowledge, OpUpdateAuthorization, OpCancel, OpUpdateCustomerDetails,
	OpExtendAuthorizationTime, OpUpdateMerchantReferences, OpReleaseRemaining, OpAddOrderShippingInfo,
	OpCreateCapture, OpAddCaptureShippingInfo, OpTriggerSendOut, OpExtendDueDate, OpCreateRefund}

// Supports reports whether the provider offers op. Kustom deprecated
// trigger-send-out and both due-date calls (the API reference's list of operations).
func (c *Client) Supports(op Operation) bool { return c.provider.Offers(op) }

// Offers reports whether the provider offers op (see Client.Supports).
func (p Provider) Offers(op Operation) bool {
	s, ok := opSpecs[op]
	if !ok {
		return false
	}
	return !s.klarna || p == ProviderKlarna
}

// Method is the HTTP method of op ("" for an unknown op).
func (op Operation) Method() string { return opSpecs[op].method }

// HasBody reports whether op sends a JSON body (its request type has
// fields).
func (op Operation) HasBody() bool { return opSpecs[op].hasBody }

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

// Prepare validates and encodes a mutating call. The request's type names
// the operation (Request); capture-scoped operations need captureID,
// others an empty one. Errors: *ValidationError, ErrNotSupported,
// ErrNoIdempotencyKey, or a plain error for a nil request.
func (c *Client) Prepare(orderID, captureID, idempotencyKey string, req Request) (*Call, error) {
	if isNil(req) {
		return nil, errors.New("omclient: no request to prepare")
	}
	op := req.Op()
	spec := opSpecs[op]
	if !c.Supports(op) {
		return nil, c.notSupported(op)
	}
	if idempotencyKey == "" {
		return nil, fmt.Errorf("%w (%s)", ErrNoIdempotencyKey, op)
	}
	var fe fieldErrors
	fe.orderID(orderID)
	if spec.capture {
		fe.resourceID("capture_id", captureID)
	} else if captureID != "" {
		fe.add("capture_id", "must be empty: %s is not capture-scoped", op)
	}
	fe.idempotencyKey(idempotencyKey)
	req.validate(&fe)
	if err := fe.err(); err != nil {
		return nil, err
	}
	var encoded []byte
	if spec.hasBody {
		var err error
		encoded, err = encodeJSON(req)
		if err != nil {
			return nil, fmt.Errorf("omclient: encoding %s body: %w", op, err)
		}
	}
	return &Call{
		Op: op, OrderID: orderID, CaptureID: captureID, Method: spec.method,
		Path: opPath(spec, orderID, captureID), Body: encoded, IdempotencyKey: idempotencyKey,
	}, nil
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
	req, err := DecodeRequest(call.Op, call.Body)
	if err != nil {
		return err
	}
	req.validate(&fe)
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
