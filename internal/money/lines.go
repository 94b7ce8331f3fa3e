// Package money holds currency exponents, parsing and formatting of amounts,
// and the order-line arithmetic of the Order Management API. All amounts are
// int64 minor units; tax rates are basis points (2500 = 25 %). Pure functions.
package money

// MaxAmount is the largest amount the API accepts in any amount field
// (200 000 000 minor units, the API reference's schemas).
const MaxAmount int64 = 200_000_000

// LineTotal is quantity × unit price − discount, the documented total_amount
// of an order line (unit price includes tax, before discount).
func LineTotal(quantity, unitPrice, discount int64) int64 {
	return quantity*unitPrice - discount
}

// TaxIncluded is the tax contained in a tax-inclusive total at the given
// rate: total − total×10000/(10000+rate), rounded half away from zero, the
// formula the provider checks total_tax_amount against (±1).
func TaxIncluded(total, taxRate int64) int64 {
	if taxRate <= 0 {
		return 0
	}
	num := total * taxRate
	den := 10000 + taxRate
	q := num / den
	r := num % den
	if r*2 >= den {
		q++
	} else if -r*2 >= den {
		q--
	}
	return q
}

// TotalTolerance reports whether a stated line total is within the
// provider's tolerance (± quantity) of quantity × unit price − discount.
func TotalTolerance(stated, quantity, unitPrice, discount int64) bool {
	d := stated - LineTotal(quantity, unitPrice, discount)
	if d < 0 {
		d = -d
	}
	q := quantity
	if q < 0 {
		q = -q
	}
	return d <= q
}

// TaxTolerance reports whether a stated tax is within ±1 of TaxIncluded.
func TaxTolerance(stated, total, taxRate int64) bool {
	d := stated - TaxIncluded(total, taxRate)
	return d >= -1 && d <= 1
}
