package orders

import (
	"cmp"
	"slices"

	"ordercare/internal/omclient"
)

// Scope says what an operation acts on: the order, or one of its captures.
type Scope int

// Scopes of an operation.
const (
	ScopeOrder Scope = iota
	ScopeCapture
)

// OpInfo is everything the back office says and does about one provider
// operation besides sending it (omclient's request types do that): its
// words, the URL of its form, what it acts on, whether it is dangerous and
// where its button stands. The catalogue below is the one place to add an
// operation to; the order page, the forms' routes, the audit trail and its
// filter read it.
type OpInfo struct {
	Op omclient.Operation
	// Label is the button's and the form's word for it ("Capture").
	Label string
	// AuditLabel is the audit trail's shorter word for it ("Change
	// amount"), also the audit filter's choice.
	AuditLabel string
	// Slug is the URL segment of its form under /orders/<order_id>/ (and
	// .../captures/<capture_id>/ for a capture's operation).
	Slug  string
	Scope Scope
	// Danger marks operations that give money back or end the order; the
	// page styles their buttons apart so they are not clicked by habit.
	Danger bool
	// Button is the place of its button among its scope's buttons: money
	// first, then data, then the one-click and destructive ones.
	Button int
}

// catalogue lists the operations an agent can make, in the order of the
// audit trail's filter (money first, then data, then a capture's).
var catalogue = []OpInfo{
	{Op: omclient.OpCreateCapture, Label: "Capture", AuditLabel: "Capture", Slug: "capture", Button: 1},
	{Op: omclient.OpCreateRefund, Label: "Refund", AuditLabel: "Refund", Slug: "refund", Danger: true, Button: 2},
	{Op: omclient.OpUpdateAuthorization, Label: "Change amount and lines", AuditLabel: "Change amount", Slug: "amount", Button: 3},
	{Op: omclient.OpCancel, Label: "Cancel", AuditLabel: "Cancel", Slug: "cancel", Danger: true, Button: 10},
	{Op: omclient.OpReleaseRemaining, Label: "Release remaining authorization", AuditLabel: "Release remaining", Slug: "release", Danger: true, Button: 8},
	{Op: omclient.OpUpdateCustomerDetails, Label: "Update shipping address", AuditLabel: "Change address", Slug: "address", Button: 4},
	{Op: omclient.OpUpdateMerchantReferences, Label: "Update merchant references", AuditLabel: "Change references", Slug: "references", Button: 6},
	{Op: omclient.OpAddOrderShippingInfo, Label: "Add shipping info", AuditLabel: "Add shipping info", Slug: "shipping-info", Button: 5},
	{Op: omclient.OpExtendAuthorizationTime, Label: "Extend authorization time", AuditLabel: "Extend authorization", Slug: "extend", Button: 7},
	{Op: omclient.OpAcknowledge, Label: "Acknowledge", AuditLabel: "Acknowledge", Slug: "acknowledge", Button: 9},
	{Op: omclient.OpAddCaptureShippingInfo, Label: "Add shipping info to capture", AuditLabel: "Add capture shipping info", Slug: "shipping-info", Scope: ScopeCapture, Button: 1},
	{Op: omclient.OpTriggerSendOut, Label: "Resend invoice", AuditLabel: "Resend invoice", Slug: "send-out", Scope: ScopeCapture, Button: 2},
	{Op: omclient.OpExtendDueDate, Label: "Extend due date", AuditLabel: "Extend due date", Slug: "due-date", Scope: ScopeCapture, Button: 3},
}

// Catalogue returns every operation, in the audit filter's order.
func Catalogue() []OpInfo { return slices.Clone(catalogue) }

// Info returns what the catalogue says about op.
func Info(op omclient.Operation) (OpInfo, bool) {
	i := slices.IndexFunc(catalogue, func(o OpInfo) bool { return o.Op == op })
	if i < 0 {
		return OpInfo{}, false
	}
	return catalogue[i], true
}

// ActionLabel is the label of op as the order page shows it.
func ActionLabel(op omclient.Operation) string {
	if o, ok := Info(op); ok {
		return o.Label
	}
	return string(op)
}

// Slug is the URL segment of op's form ("cancel"; "" for an operation
// not in the catalogue).
func Slug(op omclient.Operation) string {
	o, _ := Info(op)
	return o.Slug
}

// opsIn lists the operations of a scope in the order of their buttons.
func opsIn(s Scope) []omclient.Operation {
	in := slices.DeleteFunc(Catalogue(), func(o OpInfo) bool { return o.Scope != s })
	slices.SortFunc(in, func(a, b OpInfo) int { return cmp.Compare(a.Button, b.Button) })
	ops := make([]omclient.Operation, len(in))
	for i, o := range in {
		ops[i] = o.Op
	}
	return ops
}

// orderOps and captureOps are the buttons of the order and of a capture,
// in page order.
var (
	orderOps   = opsIn(ScopeOrder)
	captureOps = opsIn(ScopeCapture)
)
