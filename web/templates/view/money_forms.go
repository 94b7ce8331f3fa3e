package view

// View models of the three money forms: change amount and lines, capture,
// refund. Each embeds the shared Form (hidden fields, typed values,
// messages, outcome) and adds what only it shows. The Preview is the
// fragment the live preview replaces (#money-preview).

// Field names of the money forms that are not order lines. Where a field
// is a request field its name is the provider's JSON path.
const (
	FieldMode           = "mode"
	FieldOrderAmount    = "order_amount"
	FieldCapturedAmount = "captured_amount"
	FieldRefundedAmount = "refunded_amount"
	FieldDescription    = "description"
	FieldReference      = "reference"
	FieldSendAnyway     = "send_anyway"
	FieldDropLines      = "drop_lines"
	FieldReturnFee      = "return_fee"
	FieldReturnFeeTax   = "return_fee_tax_rate"
	// Shipping info of a capture: one entry.
	FieldShipCompany  = "shipping_info[0].shipping_company"
	FieldShipMethod   = "shipping_info[0].shipping_method"
	FieldShipTracking = "shipping_info[0].tracking_number"
	FieldShipURI      = "shipping_info[0].tracking_uri"
)

// Modes of the money forms.
const (
	ModeLines  = "lines"  // amount form: edit the lines; capture/refund: chosen lines and quantities
	ModeAmount = "amount" // a typed amount only
	ModeFull   = "full"   // capture/refund: everything that is left
)

// Editing buttons: they re-render the form with the change, never send.
const (
	ButtonRecalc     = "recalc"
	ButtonAddLine    = "add_line"
	ButtonRemoveLine = "remove_line"
)

// MoneyPreview is the live part of a money form: the effect, the lines'
// totals, and the confirmations a warning needs. The same values render
// inside the full form and as the preview endpoint's fragment.
type MoneyPreview struct {
	Effect EffectView
	// LinesTotal etc. are the sums of the lines that will be sent
	// (amount form: the edited lines; capture/refund: the chosen parts).
	HasLines                bool
	LinesDiscount, LinesTax Money
	LinesTotal              Money
	LineTotals              []LineCell // per-row computed totals, swapped out of band
	SendAnyway              *Confirm   // increase on a method that cannot be increased
	DropLines               *Confirm   // amount only: the order's lines are removed
	// Approval says why this change would wait for a second person's
	// approval ("" when it would be sent at once).
	Approval string
	// Submit is the submit button's text, naming the money when the
	// effect is known ("Refund 63,95 €"); the live preview swaps it into
	// the button, so button and effect never disagree. "" leaves the
	// button alone (the amount form).
	Submit string
}

// LineCell is a computed cell of a row (line total, tax), by element id.
type LineCell struct {
	ID, Text string
}

// Confirm is a checkbox the agent must tick before a risky change is sent.
type Confirm struct {
	Name    string
	Label   string
	Text    string // the warning it confirms
	Checked bool
	Error   string
}

// AmountFormView is "Change amount and lines".
type AmountFormView struct {
	Form
	PreviewPath string
	Currency    string
	Mode        string
	Rows        []LineRow
	TypeOptions []Option
	MaxLines    int
	// HasOrderLines: the order has lines now (amount only removes them).
	HasOrderLines bool
	// IncreaseNote says the payment method cannot be increased (shown by
	// the amount field before anything is typed); "" when it can.
	IncreaseNote string
	Current      Money
	Captured     Money
	Preview      MoneyPreview
}

// CaptureFormView is "Capture".
type CaptureFormView struct {
	Form
	PreviewPath string
	Currency    string
	Mode        string
	Remaining   Money
	Rows        []PickRow
	// LinesNote says why capturing chosen lines is not offered ("" when it
	// is): the order has no lines, or none is left open.
	LinesNote       string
	ShippingMethods []Option
	Preview         MoneyPreview
}

// RefundFormView is "Refund".
type RefundFormView struct {
	Form
	PreviewPath string
	Currency    string
	Mode        string
	Refundable  Money
	Rows        []PickRow
	LinesNote   string
	// ReturnFee is offered only where the provider allows it; otherwise
	// ReturnFeeWhyNot says why.
	ReturnFee       bool
	ReturnFeeWhyNot string
	Preview         MoneyPreview
}
