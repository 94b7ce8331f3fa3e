package omclient

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	"ordercare/internal/money"
)

// Limits of the API reference's schemas (Klarna's published OpenAPI document and Kustom's rendering).
const (
	MaxOrderLines    = 1000
	MaxShippingInfo  = 500
	MaxTaxRate       = 10000 // basis points: 100 %
	maxText255       = 255
	maxURILength     = 1024
	maxResourceIDLen = 255
)

// SubscriptionIntervals is the exact list of subscription intervals (the order line schema).
var SubscriptionIntervals = []string{"DAY", "WEEK", "MONTH", "YEAR"}

// ValidOrderID reports whether id has the UUID shape the API requires
// (8-4-4-4-12 hex digits, any case; INVALID_ORDER_ID otherwise, the Order Management API reference on docs.klarna.com).
func ValidOrderID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isHex(c) {
				return false
			}
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// validResourceID accepts capture and refund ids: 1..255 unreserved URL
// characters (UUID-like in practice), so an id can never alter the path.
func validResourceID(id string) bool {
	if id == "" || len(id) > maxResourceIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '_' || c == '.' || c == '~') {
			return false
		}
	}
	return id != "." && id != ".."
}

// ValidateOrderLines checks order lines as sent in any request, with paths
// "order_lines[i].field".
func ValidateOrderLines(lines []OrderLine) []FieldError {
	var fe fieldErrors
	fe.orderLines("order_lines", lines, false)
	return fe.list
}

// fieldErrors collects field errors in request order.
type fieldErrors struct{ list []FieldError }

func (f *fieldErrors) add(field, format string, args ...any) {
	f.list = append(f.list, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (f *fieldErrors) err() error {
	if len(f.list) == 0 {
		return nil
	}
	return &ValidationError{Fields: f.list}
}

func (f *fieldErrors) orderID(id string) {
	if !ValidOrderID(id) {
		f.add("order_id", "must be a UUID (8-4-4-4-12 hexadecimal digits)")
	}
}

func (f *fieldErrors) resourceID(field, id string) {
	if !validResourceID(id) {
		f.add(field, "must be 1 to %d letters, digits, '-', '_', '.' or '~'", maxResourceIDLen)
	}
}

func (f *fieldErrors) idempotencyKey(key string) {
	if len(key) > maxText255 {
		f.add("idempotency_key", "must be at most %d characters", maxText255)
		return
	}
	for i := 0; i < len(key); i++ {
		if key[i] <= ' ' || key[i] >= 0x7f {
			f.add("idempotency_key", "must be printable ASCII without spaces")
			return
		}
	}
}

// text checks a string's length in characters (the spec counts
// characters) and its encoding.
func (f *fieldErrors) text(field, s string, minLen, maxLen int) {
	if !utf8.ValidString(s) {
		f.add(field, "must be valid UTF-8")
		return
	}
	if strings.ContainsFunc(s, isControl) {
		f.add(field, "must not contain control characters")
		return
	}
	n := utf8.RuneCountInString(s)
	switch {
	case minLen > 0 && strings.TrimSpace(s) == "":
		f.add(field, "is required")
	case n < minLen || n > maxLen:
		f.add(field, "must be %d to %d characters (is %d)", minLen, maxLen, n)
	}
}

// isControl refuses C0/C1 controls except tab (line breaks have no place
// in any single-line field of the API).
func isControl(r rune) bool {
	return r != '\t' && (r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0))
}

// uri checks an optional http(s) URL of at most 1024 characters.
func (f *fieldErrors) uri(field, s string) {
	if s == "" {
		return
	}
	f.text(field, s, 0, maxURILength)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		f.add(field, "must be an http(s) URL")
	}
}

func (f *fieldErrors) amount(field string, v int64) {
	if v < 0 || v > money.MaxAmount {
		f.add(field, "must be between 0 and %d", money.MaxAmount)
	}
}

func (f *fieldErrors) signedAmount(field string, v int64) {
	if v < -money.MaxAmount || v > money.MaxAmount {
		f.add(field, "must be between %d and %d", -money.MaxAmount, money.MaxAmount)
	}
}

// orderLinesWithTotal checks the lines and, when lines are sent, that the
// request amount equals the sum of their totals.
func (f *fieldErrors) orderLinesWithTotal(amountField string, amount int64, lines []OrderLine) {
	f.orderLines("order_lines", lines, false)
	if len(lines) == 0 || len(lines) > MaxOrderLines {
		return
	}
	var sum int64
	for _, l := range lines {
		if l.TotalAmount < -money.MaxAmount || l.TotalAmount > money.MaxAmount {
			return // already reported; the sum would mislead
		}
		sum += l.TotalAmount
	}
	if sum != amount {
		f.add(amountField, "must equal the sum of the order lines' total_amount (%d), is %d", sum, amount)
	}
}

func (f *fieldErrors) orderLines(field string, lines []OrderLine, _ bool) {
	if len(lines) > MaxOrderLines {
		f.add(field, "at most %d order lines (has %d)", MaxOrderLines, len(lines))
		return
	}
	for i := range lines {
		f.orderLine(fmt.Sprintf("%s[%d]", field, i), &lines[i])
	}
}

func (f *fieldErrors) orderLine(p string, l *OrderLine) {
	typ := string(l.Type)
	switch {
	case typ == "":
		f.add(p+".type", "is required (one of %s)", strings.Join(LineTypes, ", "))
	case !slices.Contains(LineTypes, typ):
		f.add(p+".type", "must be one of %s", strings.Join(LineTypes, ", "))
	}
	f.text(p+".name", string(l.Name), 1, maxText255)
	f.text(p+".reference", string(l.Reference), 0, maxText255)
	f.text(p+".quantity_unit", string(l.QuantityUnit), 0, 10)
	f.text(p+".merchant_data", string(l.MerchantData), 0, 1024)
	f.uri(p+".product_url", string(l.ProductURL))
	f.uri(p+".image_url", string(l.ImageURL))

	arithmetic := true
	if l.Quantity < 0 {
		f.add(p+".quantity", "must not be negative")
		arithmetic = false
	}
	if l.UnitPrice < -money.MaxAmount || l.UnitPrice > money.MaxAmount {
		f.signedAmount(p+".unit_price", l.UnitPrice)
		arithmetic = false
	}
	if l.TotalAmount < -money.MaxAmount || l.TotalAmount > money.MaxAmount {
		f.signedAmount(p+".total_amount", l.TotalAmount)
		arithmetic = false
	}
	if l.TotalDiscountAmount < 0 || l.TotalDiscountAmount > money.MaxAmount {
		f.amount(p+".total_discount_amount", l.TotalDiscountAmount)
		arithmetic = false
	}
	if l.TotalTaxAmount < -money.MaxAmount || l.TotalTaxAmount > money.MaxAmount {
		f.signedAmount(p+".total_tax_amount", l.TotalTaxAmount)
		arithmetic = false
	}
	if l.TaxRate < 0 || l.TaxRate > MaxTaxRate {
		f.add(p+".tax_rate", "must be between 0 and %d basis points", MaxTaxRate)
		arithmetic = false
	}
	if typ == LineTypeReturnFee {
		if l.UnitPrice >= 0 {
			f.add(p+".unit_price", "must be negative on a return_fee line")
		}
		if l.TotalAmount >= 0 {
			f.add(p+".total_amount", "must be negative on a return_fee line")
		}
	}
	// A valid line has |quantity × unit_price| ≤ |total| + discount +
	// quantity ≤ 2·MaxAmount + quantity. Refuse quantities beyond that
	// before multiplying, so the arithmetic below cannot overflow int64.
	if arithmetic {
		u := abs(l.UnitPrice)
		switch {
		case l.Quantity > math.MaxInt64/4:
			f.add(p+".quantity", "is too large")
			arithmetic = false
		case u >= 2 && l.Quantity > 2*money.MaxAmount/(u-1):
			f.add(p+".quantity", "quantity × unit_price exceeds the amount limit of %d", money.MaxAmount)
			arithmetic = false
		}
	}
	if arithmetic {
		if !money.TotalTolerance(l.TotalAmount, l.Quantity, l.UnitPrice, l.TotalDiscountAmount) {
			f.add(p+".total_amount", "must equal quantity × unit_price − total_discount_amount (%d) within ±quantity, is %d",
				money.LineTotal(l.Quantity, l.UnitPrice, l.TotalDiscountAmount), l.TotalAmount)
		}
		if !money.TaxTolerance(l.TotalTaxAmount, l.TotalAmount, l.TaxRate) {
			f.add(p+".total_tax_amount", "must be the tax included in total_amount at tax_rate (%d) within ±1, is %d",
				money.TaxIncluded(l.TotalAmount, l.TaxRate), l.TotalTaxAmount)
		}
	}
	if pi := l.ProductIdentifiers; pi != nil {
		q := p + ".product_identifiers"
		f.text(q+".brand", string(pi.Brand), 0, 70)
		f.text(q+".category_path", string(pi.CategoryPath), 0, 750)
		f.text(q+".global_trade_item_number", string(pi.GlobalTradeItemNumber), 0, 50)
		f.text(q+".manufacturer_part_number", string(pi.ManufacturerPartNumber), 0, 70)
		f.text(q+".color", string(pi.Color), 0, 64)
		f.text(q+".size", string(pi.Size), 0, 64)
	}
	if s := l.Subscription; s != nil {
		q := p + ".subscription"
		f.text(q+".name", string(s.Name), 1, maxText255)
		if !slices.Contains(SubscriptionIntervals, s.Interval) {
			f.add(q+".interval", "must be one of %s", strings.Join(SubscriptionIntervals, ", "))
		}
		if s.IntervalCount < 1 || s.IntervalCount > math.MaxInt32 {
			f.add(q+".interval_count", "must be at least 1")
		}
	}
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func (f *fieldErrors) shippingInfos(field string, infos []ShippingInfo, minItems int) {
	if len(infos) < minItems || len(infos) > MaxShippingInfo {
		f.add(field, "must hold %d to %d entries (has %d)", minItems, MaxShippingInfo, len(infos))
		if len(infos) > MaxShippingInfo {
			return
		}
	}
	for i := range infos {
		f.shippingInfo(fmt.Sprintf("%s[%d]", field, i), &infos[i])
	}
}

func (f *fieldErrors) shippingInfo(p string, s *ShippingInfo) {
	if *s == (ShippingInfo{}) {
		f.add(p, "is empty")
		return
	}
	f.text(p+".shipping_company", string(s.ShippingCompany), 0, 100)
	if m := string(s.ShippingMethod); m != "" && !slices.Contains(ShippingMethods, m) {
		f.add(p+".shipping_method", "must be one of %s", strings.Join(ShippingMethods, ", "))
	}
	f.text(p+".tracking_number", string(s.TrackingNumber), 0, 100)
	f.uri(p+".tracking_uri", string(s.TrackingURI))
	f.text(p+".return_shipping_company", string(s.ReturnShippingCompany), 0, 100)
	f.text(p+".return_tracking_number", string(s.ReturnTrackingNumber), 0, 100)
	f.uri(p+".return_tracking_uri", string(s.ReturnTrackingURI))
}

func (f *fieldErrors) address(p string, a *Address) {
	f.text(p+".given_name", string(a.GivenName), 0, 100)
	f.text(p+".family_name", string(a.FamilyName), 0, 100)
	f.text(p+".title", string(a.Title), 0, 20)
	f.text(p+".street_address", string(a.StreetAddress), 0, 100)
	f.text(p+".street_address2", string(a.StreetAddress2), 0, 100)
	f.text(p+".postal_code", string(a.PostalCode), 0, 10)
	f.text(p+".city", string(a.City), 0, 200)
	f.text(p+".region", string(a.Region), 0, 200)
	if c := string(a.Country); c != "" && !isAlpha2(c) {
		f.add(p+".country", "must be an ISO 3166-1 alpha-2 code")
	}
	f.text(p+".email", string(a.Email), 0, 100)
	if e := string(a.Email); e != "" && !plausibleEmail(e) {
		f.add(p+".email", "must be an e-mail address")
	}
	f.text(p+".phone", string(a.Phone), 0, 100)
	f.text(p+".attention", string(a.Attention), 0, maxText255)
	f.text(p+".organization_name", string(a.OrganizationName), 0, maxText255)
}

// clearedAddress checks the fields a change clears: known, optional, and
// not also given a value.
func (f *fieldErrors) clearedAddress(p string, a *Address, clear []string) {
	raw, _ := json.Marshal(a)
	set := map[string]json.RawMessage{}
	_ = json.Unmarshal(raw, &set)
	known := map[string]bool{}
	for _, fd := range addressJSONNames() {
		known[fd] = true
	}
	for _, name := range clear {
		switch {
		case !known[name]:
			f.add(p, "cannot clear %q: not an address field", name)
		case slices.Contains(MandatoryAddressFields, name):
			f.add(p+"."+name, "is mandatory and cannot be cleared")
		case set[name] != nil:
			f.add(p+"."+name, "cannot be both set and cleared")
		}
	}
}

// addressJSONNames are Address's fields as the API names them.
func addressJSONNames() []string {
	t := reflect.TypeFor[Address]()
	names := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		names = append(names, name)
	}
	return names
}

func isAlpha2(s string) bool {
	return len(s) == 2 && isLetter(s[0]) && isLetter(s[1])
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// plausibleEmail is a shape check only (one @, text on both sides, no
// spaces); the provider decides the rest.
func plausibleEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && at == strings.LastIndexByte(s, '@') && at < len(s)-1 && !strings.ContainsAny(s, " \t")
}
