package form

import (
	"slices"
	"strings"

	"ordercare/internal/money"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates/view"
)

// Lines is the outcome of reading the editor's rows: the complete
// lines, each row's computed cells, and whether every row was valid.
type Lines struct {
	Lines []omclient.OrderLine
	Cells []view.LineRow
	OK    bool
}

// ParseEditRows turns the rows in the form's values into order lines,
// putting each problem at its field. keepFrom are the order's current
// lines: a row prefilled from one of them keeps its hidden data.
func ParseEditRows(f *view.Form, n int, currency, numbers string, keepFrom []omclient.OrderLine) Lines {
	out := Lines{OK: true}
	types := view.LineTypeOptions()
	for i := range n {
		name := func(fld string) string { return view.LineField(i, fld) }
		cell := view.LineRow{Index: i, Src: f.Value(name(view.FieldLineSrc)), Total: "–", Tax: "–"}
		ok := true
		typ := f.Value(name(view.FieldLineType))
		if !slices.ContainsFunc(types, func(o view.Option) bool { return o.Value == typ }) {
			f.AddError(name(view.FieldLineType), "Choose a line type from the list")
			ok = false
		}
		ref, ok1 := Text(f, name(view.FieldLineReference), false, 255)
		nm, ok2 := Text(f, name(view.FieldLineName), true, 255)
		unit, ok3 := Text(f, name(view.FieldLineUnit), false, 10)
		qty, ok4 := Quantity(f, name(view.FieldLineQuantity), 1, maxQuantity, "The quantity is too large")
		price, ok5 := signedAmount(f, name(view.FieldLineUnitPrice), currency, orders.MayBeNegative(typ),
			"Only discount, gift card and store credit lines may have a negative price")
		var disc int64
		ok6 := true
		if f.Value(name(view.FieldLineDiscount)) != "" {
			disc, ok6 = Amount(f, name(view.FieldLineDiscount), currency)
		}
		rate, ok7 := Percent(f, name(view.FieldLineTaxRate))
		ok = ok && ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7
		if !ok {
			out.OK = false
			out.Cells = append(out.Cells, cell)
			continue
		}
		var keep *omclient.OrderLine
		if src, err := Index(cell.Src); err == nil && src < len(keepFrom) {
			keep = &keepFrom[src]
		}
		l := orders.LineInput{Type: typ, Reference: ref, Name: nm, QuantityUnit: unit, Quantity: qty,
			UnitPrice: price, Discount: disc, TaxRate: rate}.Line(keep)
		if l.TotalAmount < -money.MaxAmount || l.TotalAmount > money.MaxAmount {
			f.AddError(name(view.FieldLineUnitPrice), "The line's total "+money.Show(l.TotalAmount, currency, numbers)+" is beyond the provider's limit")
			out.OK = false
			out.Cells = append(out.Cells, cell)
			continue
		}
		cell.Total = money.Show(l.TotalAmount, currency, numbers)
		cell.Tax = money.Show(l.TotalTaxAmount, currency, numbers)
		out.Cells = append(out.Cells, cell)
		out.Lines = append(out.Lines, l)
	}
	return out
}

// LineFieldOf maps a client field path of the lines sent to the form
// field it came from: sent[k] is the editor row (or picker row) of
// order_lines[k]; a computed field (total, tax) points at the input that
// drives it.
func LineFieldOf(path string, sent []int, driver string) string {
	k, rest, ok := SplitLinePath(path)
	if !ok || k >= len(sent) {
		return ""
	}
	switch rest {
	case "total_amount", "total_tax_amount", "":
		rest = driver
	}
	return view.LineField(sent[k], rest)
}

// LinesEqual reports whether two line lists are the same lines.
func LinesEqual(a, b []omclient.OrderLine) bool {
	return slices.EqualFunc(a, b, func(x, y omclient.OrderLine) bool {
		return x.Type == y.Type && x.Reference == y.Reference && x.Name == y.Name && x.Quantity == y.Quantity &&
			x.QuantityUnit == y.QuantityUnit && x.UnitPrice == y.UnitPrice && x.TotalDiscountAmount == y.TotalDiscountAmount &&
			x.TaxRate == y.TaxRate && x.TotalAmount == y.TotalAmount && x.TotalTaxAmount == y.TotalTaxAmount
	})
}

// SplitLinePath splits "order_lines[3].tax_rate" into 3 and "tax_rate"
// ("order_lines[3]" gives rest "").
func SplitLinePath(path string) (k int, rest string, ok bool) {
	const prefix = view.FieldLines + "["
	if !strings.HasPrefix(path, prefix) {
		return 0, "", false
	}
	end := strings.IndexByte(path, ']')
	if end < 0 {
		return 0, "", false
	}
	k, err := Index(path[len(prefix):end])
	if err != nil {
		return 0, "", false
	}
	return k, strings.TrimPrefix(path[end+1:], "."), true
}
