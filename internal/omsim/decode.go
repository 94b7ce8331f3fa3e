package omsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"ordercare/internal/money"
	"ordercare/internal/omclient"
)

// maxBody is the provider's request size limit (the provider's documented request limits).
const maxBody = 1 << 20

// Request validation answers like the provider (the provider's error codes on docs.klarna.com), with one decision where
// the documents disagree: malformed JSON, a missing required field, a value
// of the wrong JSON type, a value outside an enumeration, and order-line
// arithmetic that does not add up get 400 BAD_VALUE ("Bad value: <field>...",
// the wording Klarna uses for line arithmetic); a string longer than its
// limit or a number outside its documented range gets 422
// UNPROCESSABLE_ENTITY ("The size of the <path> value must be between 0 and
// N", KD's wording for shipping_company). Every message names the field.

func readBody(r *http.Request) ([]byte, *apiError) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, badValue("request body could not be read.")
	}
	if len(b) > maxBody {
		return nil, newErr(http.StatusRequestEntityTooLarge, codeRequestTooLarge, "Request body must not be larger than 1 MB.")
	}
	return b, nil
}

// decodeBody decodes a JSON object into v after checking that the required
// top-level fields are present and not null. It returns the raw fields too,
// so callers can tell an absent field from an empty one.
func decodeBody(body []byte, v any, required ...string) (map[string]json.RawMessage, *apiError) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		if len(required) > 0 {
			return nil, badValue("%s is required.", required[0])
		}
		return map[string]json.RawMessage{}, nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		return nil, badValue("request body is not a valid JSON object.")
	}
	for _, f := range required {
		if m, ok := raw[f]; !ok || bytes.Equal(bytes.TrimSpace(m), []byte("null")) {
			return nil, badValue("%s is required.", f)
		}
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return nil, badValue("%s has the wrong type (%s where %s is expected).", te.Field, te.Value, te.Type)
		}
		return nil, badValue("request body does not match the expected schema.")
	}
	return raw, nil
}

// checker collects field errors of one request: bad values (400) and values
// outside their limits (422).
type checker struct {
	bad, limits []string
}

func (c *checker) badf(format string, args ...any) {
	c.bad = append(c.bad, "Bad value: "+fmt.Sprintf(format, args...))
}

func (c *checker) size(path string, s string, max int) {
	if n := utf8.RuneCountInString(s); n > max {
		c.limits = append(c.limits, fmt.Sprintf("The size of the %s value must be between 0 and %d", path, max))
	}
}

func (c *checker) between(path string, v, min, max int64) {
	if v < min || v > max {
		c.limits = append(c.limits, fmt.Sprintf("The value of %s must be between %d and %d", path, min, max))
	}
}

func (c *checker) count(path string, n, min, max int) {
	if n < min || n > max {
		c.limits = append(c.limits, fmt.Sprintf("The number of %s items must be between %d and %d", path, min, max))
	}
}

func (c *checker) err() *apiError {
	if len(c.bad) > 0 {
		return &apiError{status: http.StatusBadRequest, code: codeBadValue, messages: c.bad}
	}
	if len(c.limits) > 0 {
		return &apiError{status: http.StatusUnprocessableEntity, code: codeUnprocessable, messages: c.limits}
	}
	return nil
}

// checkLines validates order lines: limits of the order line schema, the exact type list, and
// the arithmetic with the provider's tolerances (total ± quantity, tax ± 1).
// the API reference's order line schema [inferred]: OM enforces the Checkout arithmetic on capture,
// refund and update lines too; the sandbox does.
func (c *checker) checkLines(path string, lines []omclient.OrderLine) {
	c.count(path, len(lines), 0, 1000)
	for i, l := range lines {
		p := fmt.Sprintf("%s[%d]", path, i)
		c.size(p+".name", string(l.Name), 255)
		c.size(p+".reference", string(l.Reference), 255)
		c.size(p+".quantity_unit", string(l.QuantityUnit), 10)
		c.size(p+".merchant_data", string(l.MerchantData), 1024)
		c.size(p+".product_url", string(l.ProductURL), 1024)
		c.size(p+".image_url", string(l.ImageURL), 1024)
		if l.Type != "" && !slices.Contains(omclient.LineTypes, string(l.Type)) {
			c.badf("%s.type must be one of %s.", p, strings.Join(omclient.LineTypes, ", "))
		}
		if l.Quantity < 0 {
			c.between(p+".quantity", l.Quantity, 0, money.MaxAmount)
		}
		c.between(p+".unit_price", l.UnitPrice, -money.MaxAmount, money.MaxAmount)
		c.between(p+".total_amount", l.TotalAmount, -money.MaxAmount, money.MaxAmount)
		c.between(p+".total_discount_amount", l.TotalDiscountAmount, 0, money.MaxAmount)
		c.between(p+".total_tax_amount", l.TotalTaxAmount, -money.MaxAmount, money.MaxAmount)
		c.between(p+".tax_rate", l.TaxRate, 0, 10000)
		if pi := l.ProductIdentifiers; pi != nil {
			c.size(p+".product_identifiers.brand", string(pi.Brand), 70)
			c.size(p+".product_identifiers.category_path", string(pi.CategoryPath), 750)
			c.size(p+".product_identifiers.global_trade_item_number", string(pi.GlobalTradeItemNumber), 50)
			c.size(p+".product_identifiers.manufacturer_part_number", string(pi.ManufacturerPartNumber), 70)
			c.size(p+".product_identifiers.color", string(pi.Color), 64)
			c.size(p+".product_identifiers.size", string(pi.Size), 64)
		}
		if s := l.Subscription; s != nil {
			c.size(p+".subscription.name", string(s.Name), 255)
			if !slices.Contains([]string{"DAY", "WEEK", "MONTH", "YEAR"}, s.Interval) {
				c.badf("%s.subscription.interval must be one of DAY, WEEK, MONTH, YEAR.", p)
			}
			if s.IntervalCount < 1 {
				c.badf("%s.subscription.interval_count must be at least 1.", p)
			}
		}
		if !money.TotalTolerance(l.TotalAmount, l.Quantity, l.UnitPrice, l.TotalDiscountAmount) {
			q := l.Quantity
			if q < 0 {
				q = -q
			}
			c.badf("%s.total_amount differs from the calculated value [%d] by more than [%d]", p,
				money.LineTotal(l.Quantity, l.UnitPrice, l.TotalDiscountAmount), q)
		}
		if !money.TaxTolerance(l.TotalTaxAmount, l.TotalAmount, l.TaxRate) {
			c.badf("%s.total_tax_amount differs from the calculated value [%d] by more than [1]", p,
				money.TaxIncluded(l.TotalAmount, l.TaxRate))
		}
	}
}

// checkSum requires the lines, when sent, to add up to the amount field.
func (c *checker) checkSum(amountField string, amount int64, path string, lines []omclient.OrderLine) {
	if len(lines) == 0 {
		return
	}
	var sum int64
	for _, l := range lines {
		sum += l.TotalAmount
	}
	if sum != amount {
		c.badf("%s [%d] does not match the sum of %s total_amount [%d]", amountField, amount, path, sum)
	}
}

func (c *checker) checkShippingInfo(path string, infos []omclient.ShippingInfo, min int) {
	c.count(path, len(infos), min, 500)
	for i, s := range infos {
		p := fmt.Sprintf("%s[%d]", path, i)
		c.size(p+".shipping_company", string(s.ShippingCompany), 100)
		c.size(p+".tracking_number", string(s.TrackingNumber), 100)
		c.size(p+".tracking_uri", string(s.TrackingURI), 1024)
		c.size(p+".return_shipping_company", string(s.ReturnShippingCompany), 100)
		c.size(p+".return_tracking_number", string(s.ReturnTrackingNumber), 100)
		c.size(p+".return_tracking_uri", string(s.ReturnTrackingURI), 1024)
		if s.ShippingMethod != "" && !slices.Contains(omclient.ShippingMethods, string(s.ShippingMethod)) {
			c.badf("%s.shipping_method must be one of %s.", p, strings.Join(omclient.ShippingMethods, ", "))
		}
	}
}

// addressField is one string field of an Address with its size limit.
type addressField struct {
	name string
	ptr  *omclient.Text
	max  int
}

func addressFields(a *omclient.Address) []addressField {
	return []addressField{
		{"given_name", &a.GivenName, 100}, {"family_name", &a.FamilyName, 100}, {"title", &a.Title, 20},
		{"street_address", &a.StreetAddress, 100}, {"street_address2", &a.StreetAddress2, 100},
		{"postal_code", &a.PostalCode, 10}, {"city", &a.City, 200}, {"region", &a.Region, 200},
		{"country", &a.Country, 2}, {"email", &a.Email, 100}, {"phone", &a.Phone, 100},
		{"attention", &a.Attention, 255}, {"organization_name", &a.OrganizationName, 255},
	}
}

func (c *checker) checkAddress(path string, a *omclient.Address) {
	if a == nil {
		return
	}
	for _, f := range addressFields(a) {
		c.size(path+"."+f.name, string(*f.ptr), f.max)
	}
}

// maxAmount is the largest amount any amount field accepts (S24/KU).
const maxAmount = money.MaxAmount
