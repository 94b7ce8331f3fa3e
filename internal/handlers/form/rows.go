package form

import (
	"net/url"
	"slices"
	"strings"

	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates/view"
)

// The line editor's rows as posted: each row is its fields' typed values
// (including the hidden "src"). Rows are read from consecutive indexes
// 0, 1, 2, ... until one is missing, and never beyond one row more than
// the provider's limit, so a forged form cannot make the server loop.

type EditRow map[string]string

// ReadEditRows returns the rows posted in params; tooMany is set when a
// row beyond omclient.MaxOrderLines was posted (the rows returned stop
// there).
func ReadEditRows(params url.Values) (rows []EditRow, tooMany bool) {
	fields := append(slices.Clone(view.LineEditFields), view.FieldLineSrc)
	for i := 0; i <= omclient.MaxOrderLines; i++ {
		r := EditRow{}
		for _, fld := range fields {
			if v, ok := params[view.LineField(i, fld)]; ok && len(v) > 0 {
				r[fld] = strings.TrimSpace(v[0])
			}
		}
		if len(r) == 0 {
			break
		}
		if i == omclient.MaxOrderLines {
			return rows, true
		}
		rows = append(rows, r)
	}
	return rows, false
}

// SetEditRows writes rows into the form's values under their (new)
// indexes, with labels for the error summary.
func SetEditRows(f *view.Form, rows []EditRow) {
	for i, r := range rows {
		for _, fld := range append(slices.Clone(view.LineEditFields), view.FieldLineSrc) {
			name := view.LineField(i, fld)
			f.SetValue(name, r[fld])
			f.Labels[name] = RowName(i) + " " + lineFieldLabels[fld]
		}
	}
}

var lineFieldLabels = map[string]string{
	view.FieldLineType: "type", view.FieldLineReference: "reference", view.FieldLineName: "name",
	view.FieldLineQuantity: "quantity", view.FieldLineUnit: "unit", view.FieldLineUnitPrice: "unit price",
	view.FieldLineDiscount: "discount", view.FieldLineTaxRate: "tax rate", view.FieldLineSrc: "",
}

// RowOf is the editor row of an existing order line (index src).
func RowOf(l omclient.OrderLine, src int, currency string) EditRow {
	in := orders.InputOf(l)
	return EditRow{
		view.FieldLineType: in.Type, view.FieldLineReference: in.Reference, view.FieldLineName: in.Name,
		view.FieldLineQuantity: itoa64(in.Quantity), view.FieldLineUnit: in.QuantityUnit,
		view.FieldLineUnitPrice: view.AmountInput(in.UnitPrice, currency, false),
		view.FieldLineDiscount:  view.AmountInput(in.Discount, currency, true),
		view.FieldLineTaxRate:   view.PercentInput(in.TaxRate),
		view.FieldLineSrc:       itoa64(int64(src)),
	}
}

// NewEditRow is the row "Add line" appends: a physical line of one, at
// the tax rate of the rows above (most orders have one rate).
func NewEditRow(rows []EditRow) EditRow {
	r := EditRow{view.FieldLineType: omclient.LineTypePhysical, view.FieldLineQuantity: "1"}
	for _, x := range rows {
		if t := x[view.FieldLineTaxRate]; t != "" {
			r[view.FieldLineTaxRate] = t
			break
		}
	}
	return r
}

// ClearLines forgets the rows' values before they are written again
// under new indexes (after a row was removed).
func ClearLines(f *view.Form) {
	for k := range f.Values {
		if strings.HasPrefix(k, view.FieldLines+"[") {
			delete(f.Values, k)
		}
	}
}
