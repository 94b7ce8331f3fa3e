package view

import (
	"time"

	"ordercare/internal/omclient"
	"ordercare/internal/orders"
)

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

// captureViews are the order's captures, each with the actions the
// handler allows it (actions, by the capture's position); m writes an
// amount in the order's currency.
func captureViews(o *omclient.Order, actions [][]orders.Action, loc *time.Location, m func(int64) Money) []CaptureView {
	var out []CaptureView
	for i := range o.Captures {
		c := &o.Captures[i]
		var ca []orders.Action
		if i < len(actions) {
			ca = actions[i]
		}
		out = append(out, CaptureView{
			ID:                c.CaptureID,
			ProviderReference: orDash(string(c.KlarnaReference)),
			Reference:         string(c.Reference),
			Description:       string(c.Description),
			Amount:            m(c.CapturedAmount),
			Refunded:          m(c.RefundedAmount),
			Time:              newTime(c.CapturedAt.Time, loc),
			Lines:             linesView(c.OrderLines, c.CapturedAmount, "captured amount", m),
			ShippingInfo:      shippingInfoViews(c.ShippingInfo),
			Actions:           actionViews(o.OrderID, ca),
		})
	}
	return out
}

// refundViews are the order's refunds.
func refundViews(o *omclient.Order, loc *time.Location, m func(int64) Money) []RefundView {
	var out []RefundView
	for _, r := range o.Refunds {
		out = append(out, RefundView{
			ID:            r.RefundID,
			Amount:        m(r.RefundedAmount),
			Description:   string(r.Description),
			Reference:     string(r.Reference),
			Time:          newTime(r.RefundedAt.Time, loc),
			Lines:         linesView(r.OrderLines, r.RefundedAmount, "refunded amount", m),
			CreditInvoice: r.CreditInvoice,
		})
	}
	return out
}
