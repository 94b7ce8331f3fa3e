package view

import (
	"strconv"
	"strings"

	"ordercare/internal/money"
	"ordercare/internal/omclient"
)

// The line editor of "Change amount and lines" and the line pickers of
// capture and refund. Their inputs are named after the provider's JSON
// paths ("order_lines[2].tax_rate"), so a field error from the client
// lands at its input; the typed values live in the Form's Values.

// LineField is the name of a line's field: LineField(2, "tax_rate") is
// "order_lines[2].tax_rate".
func LineField(i int, field string) string {
	return "order_lines[" + strconv.Itoa(i) + "]." + field
}

// FieldLines names the line editor (picker) as a whole, for messages
// about all lines ("At most 1000 lines").
const FieldLines = "order_lines"

// Line editor fields of one row. FieldLineSrc is hidden: the index of the
// order line the row was prefilled from, so data the editor does not
// show (product URLs, identifiers) is kept.
const (
	FieldLineType      = "type"
	FieldLineReference = "reference"
	FieldLineName      = "name"
	FieldLineQuantity  = "quantity"
	FieldLineUnit      = "quantity_unit"
	FieldLineUnitPrice = "unit_price"
	FieldLineDiscount  = "total_discount_amount"
	FieldLineTaxRate   = "tax_rate"
	FieldLineSrc       = "src"
)

// LineEditFields are the fields of an editor row in column order.
var LineEditFields = []string{FieldLineType, FieldLineReference, FieldLineName, FieldLineQuantity, FieldLineUnit,
	FieldLineUnitPrice, FieldLineDiscount, FieldLineTaxRate}

// LineRow is one row of the line editor; its typed values are in the
// Form by LineField(Index, ...). Total and Tax are computed from them
// ("–" until the row is complete).
type LineRow struct {
	Index int
	Src   string
	Total string
	Tax   string
}

// TotalID and TaxID are the ids of the row's computed cells, which the
// live preview replaces out of band.
func (r LineRow) TotalID() string { return "line-" + strconv.Itoa(r.Index) + "-total" }
func (r LineRow) TaxID() string   { return "line-" + strconv.Itoa(r.Index) + "-tax" }

// LineTypeOptions are the types a line in the editor may have: the
// provider's list without return_fee, which belongs to refunds.
func LineTypeOptions() []Option {
	var out []Option
	for _, t := range omclient.LineTypes {
		if t != omclient.LineTypeReturnFee {
			out = append(out, Option{Value: t, Label: humanize(t)})
		}
	}
	return out
}

// PickRow is one line of a capture or refund picker: what the line is,
// how much of it is still open, and the quantity input
// LineField(Index, "quantity").
type PickRow struct {
	Index     int
	Reference string
	Name      string
	Type      string
	Unit      string
	UnitPrice Money
	TaxRate   string
	// Ordered is the line's quantity (for a refund: the captured
	// quantity); Done what earlier captures (refunds) took; Open the rest,
	// the most this one may take.
	Ordered, Done, Open int64
	// Total is the chosen part's total as computed ("–" when none).
	Total string
}

// TotalID is the id of the row's computed total cell.
func (r PickRow) TotalID() string { return "pick-" + strconv.Itoa(r.Index) + "-total" }

// QuantityField is the name of the row's quantity input.
func (r PickRow) QuantityField() string { return LineField(r.Index, FieldLineQuantity) }

// NewPickRow describes an order line with done units already taken.
func NewPickRow(i int, l omclient.OrderLine, done int64, cur, numbers string) PickRow {
	return PickRow{
		Index: i, Reference: orDash(string(l.Reference)), Name: string(l.Name), Type: orDash(humanize(string(l.Type))),
		Unit: string(l.QuantityUnit), UnitPrice: newMoney(l.UnitPrice, cur, numbers), TaxRate: TaxRate(l.TaxRate),
		Ordered: l.Quantity, Done: done, Open: max(l.Quantity-done, 0), Total: "–",
	}
}

// MoneyText writes an amount of the order's currency in the reader's
// number format.
func MoneyText(amount int64, o *omclient.Order, numbers string) string {
	return MoneyOf(amount, o, numbers).Text
}

// MoneyOf is an amount of the order's currency for a view model.
func MoneyOf(amount int64, o *omclient.Order, numbers string) Money {
	return newMoney(amount, o.PurchaseCurrency.String(), numbers)
}

// PercentInput writes basis points as a form field value: 2500 -> "25",
// 1250 -> "12.5", 775 -> "7.75".
func PercentInput(bp int64) string {
	return strings.TrimSuffix(TaxRate(bp), " %")
}

// AmountInput writes minor units as a form field value in major units
// ("1234.50", JPY "1234"), the form money.Parse reads back exactly; ""
// for zero when blank is allowed.
func AmountInput(v int64, currency string, blankZero bool) string {
	if v == 0 && blankZero {
		return ""
	}
	return money.FormatPlain(v, currency)
}
