package view

import (
	"ordercare/internal/omclient"
)

// LineView is one order line.
type LineView struct {
	Reference string
	Name      string
	Type      string // "Physical", "Shipping fee"
	Quantity  string // "2 pcs"
	UnitPrice Money
	Discount  Money
	TaxRate   string // "25 %"
	Tax       Money
	Total     Money
}

// LinesView is a table of lines with its totals row.
type LinesView struct {
	Rows     []LineView
	Discount Money // sum of line discounts
	Tax      Money // sum of line taxes
	Total    Money // sum of line totals
	// Mismatch is set when the lines do not add up to the amount they
	// belong to (the order amount, a capture's or refund's amount), which
	// an agent must know before changing anything.
	Mismatch string
}

// linesView builds a lines table and checks it against amount, the total
// the lines belong to; lines are optional on captures and refunds, so an
// empty list is never a mismatch.
func linesView(lines []omclient.OrderLine, amount int64, amountName string, m func(int64) Money) LinesView {
	var lv LinesView
	var disc, tax, total int64
	for _, l := range lines {
		lv.Rows = append(lv.Rows, LineView{
			Reference: orDash(string(l.Reference)),
			Name:      string(l.Name),
			Type:      orDash(humanize(string(l.Type))),
			Quantity:  quantity(l.Quantity, string(l.QuantityUnit)),
			UnitPrice: m(l.UnitPrice),
			Discount:  m(l.TotalDiscountAmount),
			TaxRate:   TaxRate(l.TaxRate),
			Tax:       m(l.TotalTaxAmount),
			Total:     m(l.TotalAmount),
		})
		disc += l.TotalDiscountAmount
		tax += l.TotalTaxAmount
		total += l.TotalAmount
	}
	lv.Discount, lv.Tax, lv.Total = m(disc), m(tax), m(total)
	if len(lines) > 0 && total != amount {
		lv.Mismatch = "The lines add up to " + m(total).Text + ", the " + amountName + " is " + m(amount).Text + "."
	}
	return lv
}
