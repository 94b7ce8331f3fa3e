package orders

import (
	"math/bits"
	"slices"
	"strings"

	"ordercare/internal/money"
	"ordercare/internal/omclient"
)

// The arithmetic of the money forms (change amount and lines, capture,
// refund), kept pure so that what an agent is shown and what is sent are
// computed by the same code and tested without a server.

// LineInput is one order line as an agent typed it in the line editor,
// already parsed to minor units and basis points. Only what the editor
// shows is here; the line's total and tax are always computed.
type LineInput struct {
	Type, Reference, Name, QuantityUnit string
	Quantity                            int64
	// UnitPrice includes tax, before discount; negative on lines that
	// lower the amount (discount, gift card, store credit).
	UnitPrice int64
	// Discount is the line's total discount (tax included), >= 0.
	Discount int64
	TaxRate  int64 // basis points, 2500 = 25 %
}

// Line returns the order line: total = quantity × unit price − discount
// (money.LineTotal) and the tax included in that total
// (money.TaxIncluded), exactly, so the provider's tolerance checks always
// pass. keep, when not nil, is the order line this one was edited from:
// the data the editor does not show (merchant data, product and image
// URLs, product identifiers, subscription) is carried over, so editing a
// quantity does not strip a line of its product data.
func (in LineInput) Line(keep *omclient.OrderLine) omclient.OrderLine {
	l := omclient.OrderLine{}
	if keep != nil {
		l.MerchantData, l.ProductURL, l.ImageURL = keep.MerchantData, keep.ProductURL, keep.ImageURL
		l.ProductIdentifiers, l.Subscription = keep.ProductIdentifiers, keep.Subscription
	}
	l.Type = omclient.Text(in.Type)
	l.Reference = omclient.Text(in.Reference)
	l.Name = omclient.Text(in.Name)
	l.QuantityUnit = omclient.Text(in.QuantityUnit)
	l.Quantity = in.Quantity
	l.UnitPrice = in.UnitPrice
	l.TotalDiscountAmount = in.Discount
	l.TaxRate = in.TaxRate
	l.TotalAmount = money.LineTotal(in.Quantity, in.UnitPrice, in.Discount)
	l.TotalTaxAmount = money.TaxIncluded(l.TotalAmount, in.TaxRate)
	return l
}

// InputOf is the editor's view of an existing order line (the inverse of
// Line for the fields the editor shows).
func InputOf(l omclient.OrderLine) LineInput {
	return LineInput{
		Type: string(l.Type), Reference: string(l.Reference), Name: string(l.Name), QuantityUnit: string(l.QuantityUnit),
		Quantity: l.Quantity, UnitPrice: l.UnitPrice, Discount: l.TotalDiscountAmount, TaxRate: l.TaxRate,
	}
}

// NegativeUnitPriceTypes are the line types whose unit price may be
// negative in the line editor: lines that lower the order amount. A
// return_fee line is negative too, but it belongs to refunds only.
var NegativeUnitPriceTypes = []string{omclient.LineTypeDiscount, omclient.LineTypeGiftCard, omclient.LineTypeStoreCredit}

// MayBeNegative reports whether a line of type typ may have a negative
// unit price in the line editor.
func MayBeNegative(typ string) bool { return slices.Contains(NegativeUnitPriceTypes, typ) }

// LineTotals are the sums of a list of lines.
type LineTotals struct {
	Discount, Tax, Total int64
}

// SumLines adds up the lines' discounts, taxes and totals.
func SumLines(lines []omclient.OrderLine) LineTotals {
	var t LineTotals
	for _, l := range lines {
		t.Discount += l.TotalDiscountAmount
		t.Tax += l.TotalTaxAmount
		t.Total += l.TotalAmount
	}
	return t
}

// lineKey matches a line across the order, its captures and its refunds:
// the provider gives lines no id, so reference and name it is.
func lineKey(l omclient.OrderLine) string {
	return strings.TrimSpace(string(l.Reference)) + "\x00" + strings.TrimSpace(string(l.Name))
}

// LineBalance is one line and how much of it is already done: for a
// capture, an order line and the part captured on earlier captures; for a
// refund, a captured line (all captures of it added up) and the part
// refunded on earlier refunds.
type LineBalance struct {
	Line omclient.OrderLine
	// Done is the quantity already captured (refunded); DoneDiscount the
	// discount that went with it.
	Done, DoneDiscount int64
}

// Open is the quantity still open: not yet captured (refunded).
func (b LineBalance) Open() int64 { return max(b.Line.Quantity-b.Done, 0) }

// Part returns qty more units of the line as an order line for a capture
// or refund. Its discount is the line's discount prorated to the quantity
// done after this part, minus what earlier parts took, so that every part
// satisfies total = quantity × unit price − discount exactly and the parts
// of a line add up to the whole line's discount. The whole line in one
// part is the line itself, unchanged. qty must be in 1..Open().
func (b LineBalance) Part(qty int64) omclient.OrderLine {
	l := b.Line
	if b.Done == 0 && qty == l.Quantity {
		return l
	}
	upTo := prorate(l.TotalDiscountAmount, b.Done+qty, l.Quantity)
	disc := min(max(upTo-b.DoneDiscount, 0), max(l.TotalDiscountAmount-b.DoneDiscount, 0))
	p := l
	p.Quantity = qty
	p.TotalDiscountAmount = disc
	p.TotalAmount = money.LineTotal(qty, l.UnitPrice, disc)
	p.TotalTaxAmount = money.TaxIncluded(p.TotalAmount, l.TaxRate)
	return p
}

// prorate is round(v × num / den), half up, for 0 <= num <= den and
// v >= 0, computed in 128 bits so that no quantity can overflow it.
func prorate(v, num, den int64) int64 {
	if den <= 0 || num <= 0 || v <= 0 {
		return 0
	}
	if num >= den {
		return v
	}
	// v×num/den < v < 2^63, so the quotient fits in 64 bits, which is
	// exactly Div64's condition hi < den.
	hi, lo := bits.Mul64(uint64(v), uint64(num)) // #nosec G115 -- v, num > 0 checked above
	q, r := bits.Div64(hi, lo, uint64(den))      // #nosec G115 -- den > 0
	if r >= uint64(den)-r {                      // #nosec G115 -- den > 0; r*2 could overflow
		q++
	}
	return int64(q) // #nosec G115 -- q <= v because num < den
}

// CaptureBalances lists the order's lines with the quantity captured on
// earlier captures, matched by reference and name. When several order
// lines share a reference and name, the captured quantity fills them in
// order.
func CaptureBalances(o *omclient.Order) []LineBalance {
	var done []omclient.OrderLine
	for _, c := range o.Captures {
		done = append(done, c.OrderLines...)
	}
	return balances(o.OrderLines, done)
}

// RefundBalances lists the captured lines (the lines of all captures, the
// same reference and name added up) with the quantity refunded on earlier
// refunds. Return fee lines are neither captured goods nor refundable.
func RefundBalances(o *omclient.Order) []LineBalance {
	var captured []omclient.OrderLine
	at := map[string]int{}
	for _, c := range o.Captures {
		for _, l := range c.OrderLines {
			if l.Type == omclient.LineTypeReturnFee {
				continue
			}
			k := lineKey(l)
			i, ok := at[k]
			if !ok {
				at[k] = len(captured)
				captured = append(captured, l)
				continue
			}
			a := &captured[i]
			a.Quantity += l.Quantity
			a.TotalDiscountAmount += l.TotalDiscountAmount
			a.TotalAmount += l.TotalAmount
			a.TotalTaxAmount += l.TotalTaxAmount
		}
	}
	var refunded []omclient.OrderLine
	for _, r := range o.Refunds {
		for _, l := range r.OrderLines {
			if l.Type != omclient.LineTypeReturnFee {
				refunded = append(refunded, l)
			}
		}
	}
	return balances(captured, refunded)
}

// balances matches done lines to lines by key; a key's done quantity and
// discount fill the lines with that key in order.
func balances(lines, done []omclient.OrderLine) []LineBalance {
	type pool struct{ qty, disc int64 }
	pools := map[string]*pool{}
	for _, d := range done {
		k := lineKey(d)
		if pools[k] == nil {
			pools[k] = &pool{}
		}
		pools[k].qty += d.Quantity
		pools[k].disc += d.TotalDiscountAmount
	}
	out := make([]LineBalance, 0, len(lines))
	for _, l := range lines {
		b := LineBalance{Line: l}
		if p := pools[lineKey(l)]; p != nil {
			b.Done = min(max(p.qty, 0), max(l.Quantity, 0))
			b.DoneDiscount = min(max(p.disc, 0), l.TotalDiscountAmount)
			p.qty -= b.Done
			p.disc -= b.DoneDiscount
		}
		out = append(out, b)
	}
	return out
}

// OpenLines is the open part of every line (the rest not yet captured or
// refunded), for a "full remaining amount" capture or refund.
func OpenLines(bs []LineBalance) []omclient.OrderLine {
	var out []omclient.OrderLine
	for _, b := range bs {
		if n := b.Open(); n > 0 {
			out = append(out, b.Part(n))
		}
	}
	return out
}

// IncreaseAllowed reports whether the documentation says the order's
// payment method supports raising the order amount (Klarna's order management guides on docs.klarna.com, both
// generations of identifiers: INVOICE, INVOICE_BUSINESS/B2B_INVOICE,
// ACCOUNT/BASE_ACCOUNT and DIRECT_DEBIT except in CH; FIXED_AMOUNT in AT,
// DE, DK, FI, FR, NL, NO, SE; DEFERRED_INTEREST in the US). Unknown
// methods count as not increasable: the form warns, the agent decides.
func IncreaseAllowed(o *omclient.Order) bool {
	if o.InitialPaymentMethod == nil {
		return false
	}
	country := strings.ToUpper(strings.TrimSpace(string(o.PurchaseCountry)))
	switch strings.ToUpper(strings.TrimSpace(string(o.InitialPaymentMethod.Type))) {
	case "INVOICE", "INVOICE_BUSINESS", "B2B_INVOICE", "ACCOUNT", "BASE_ACCOUNT", "DIRECT_DEBIT":
		return country != "CH"
	case "FIXED_AMOUNT":
		return slices.Contains([]string{"AT", "DE", "DK", "FI", "FR", "NL", "NO", "SE"}, country)
	case "DEFERRED_INTEREST":
		return country == "US"
	}
	return false
}

// ReturnFeeCountries are the markets where a refund may carry a return
// fee (Klarna's order management guides on docs.klarna.com, the newer list, which contains the older one).
var ReturnFeeCountries = []string{"AT", "DE", "DK", "FI", "FR", "NL", "NO", "SE", "IT", "ES", "IE", "PT", "CZ", "AU", "GR"}

// ReturnFeeWhyNot returns "" when a refund of o may carry a return fee,
// else why not (a clause for "No return fee: ..."): the order must be
// fully captured in one capture and bought in one of ReturnFeeCountries.
func ReturnFeeWhyNot(o *omclient.Order) string {
	country := strings.ToUpper(strings.TrimSpace(string(o.PurchaseCountry)))
	switch {
	case !slices.Contains(ReturnFeeCountries, country):
		if country == "" {
			return "the order's purchase country is unknown"
		}
		return "return fees are not offered in " + country
	case len(o.Captures) != 1:
		return "the order must be captured in exactly one capture"
	case o.CapturedAmount != o.OrderAmount:
		return "the order is not fully captured"
	}
	return ""
}

// ReturnFeeLine is the refund line of a return fee of fee minor units
// (> 0): type return_fee with a negative unit price and total, so the
// refunded amount is the goods minus the fee.
func ReturnFeeLine(fee, taxRate int64) omclient.OrderLine {
	return LineInput{Type: omclient.LineTypeReturnFee, Name: "Return fee", Quantity: 1, UnitPrice: -fee, TaxRate: taxRate}.Line(nil)
}
