package view

// AmountsView is the order's money at a glance.
type AmountsView struct {
	Original   Money
	Current    Money
	Captured   Money
	Refunded   Money
	Remaining  Money // remaining authorized: still capturable
	Refundable Money // captured − refunded
}

// CaptureView is one capture.
type CaptureView struct {
	ID                string
	ProviderReference string // "K4MADNY-1"
	Reference         string // the merchant's reference of the capture
	Description       string
	Amount            Money
	Refunded          Money
	Time              Time
	Lines             LinesView
	ShippingInfo      []ShippingInfoView
	Actions           []ActionView
}

// RefundView is one refund.
type RefundView struct {
	ID            string
	Amount        Money
	Description   string
	Reference     string
	Time          Time
	Lines         LinesView
	CreditInvoice bool
}
