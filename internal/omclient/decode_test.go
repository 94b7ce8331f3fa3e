package omclient

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The samples in testdata/seeds are JSON bodies from public documentation
// (001: Klarna's "View and change orders" guide on docs.klarna.com; 002:
// Kustom's API reference on docs.kustom.co), extracted verbatim.

func readSeed(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "seeds", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// validObjects returns the outermost JSON objects that decode on their own
// inside a text that as a whole is not JSON: every '{' is tried, and a
// decoded object's inside is skipped.
func validObjects(text string) []json.RawMessage {
	var out []json.RawMessage
	for i := 0; i < len(text); i++ {
		if text[i] != '{' {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(text[i:]))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			continue
		}
		out = append(out, raw)
		i += int(dec.InputOffset()) - 1
	}
	return out
}

func TestSeed001OrderSampleIsBrokenButItsPartsDecode(t *testing.T) {
	t.Parallel()
	text := string(readSeed(t, "001_get_order_response.txt"))

	var whole Order
	if err := json.Unmarshal([]byte(text), &whole); err == nil {
		t.Fatal("the seed's order sample is malformed (an unclosed capture); decoding it must fail, not guess")
	}

	objs := validObjects(text)
	if len(objs) != 4 {
		t.Fatalf("found %d valid objects, want 4 (order line, billing address, capture's billing address, payment method): %s", len(objs), objs)
	}
	var line OrderLine
	if err := json.Unmarshal(objs[0], &line); err != nil {
		t.Fatal(err)
	}
	if line.Type != "physical" || line.Name != "dress" || line.Quantity != 1 || line.TotalAmount != 200 || line.UnitPrice != 200 || line.Reference != "" {
		t.Errorf("line %+v", line)
	}
	if fe := ValidateOrderLines([]OrderLine{line}); len(fe) != 0 {
		t.Errorf("the sample line should be valid to send back: %v", fe)
	}
	for _, i := range []int{1, 2} {
		var a Address
		if err := json.Unmarshal(objs[i], &a); err != nil {
			t.Fatal(err)
		}
		if a.StreetAddress != "Ul. Górczewska 124" || a.PostalCode != "01-460" || a.City != "Warszawa" || a.Country != "PL" || a.Phone != "+48795222223" {
			t.Errorf("address %d: %+v", i, a)
		}
	}
	var pm InitialPaymentMethod
	if err := json.Unmarshal(objs[3], &pm); err != nil || pm.Type != "INVOICE" || pm.Description != "Pay later" {
		t.Errorf("payment method %+v %v", pm, err)
	}

	// The head of the order, up to the broken capture list, is valid once
	// closed: its top-level fields decode.
	cut := strings.Index(text, `,
  "captures"`)
	if cut < 0 {
		t.Fatal("sample changed: no captures field")
	}
	var head Order
	if err := json.Unmarshal([]byte(text[:cut]+"}"), &head); err != nil {
		t.Fatalf("head: %v", err)
	}
	if head.Status != StatusCaptured || head.FraudStatus != FraudAccepted || head.OrderAmount != 200 || head.CapturedAmount != 200 ||
		head.RemainingAuthorizedAmount != 0 || head.PurchaseCurrency != "PLN" || head.Locale != "pl-PL" || head.KlarnaReference != "20S0XXXX" ||
		len(head.OrderLines) != 1 || head.BillingAddress == nil || head.BillingAddress.FamilyName != "Person-pl" {
		t.Errorf("head %+v", head)
	}
	wantCreated := time.Date(2022, 7, 8, 9, 48, 16, 680_000_000, time.UTC)
	if !head.CreatedAt.Equal(wantCreated) || !head.ExpiresAt.Equal(time.Date(2022, 8, 5, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("created %v expires %v", head.CreatedAt, head.ExpiresAt)
	}
}

func TestSeed001ValidSamplesDecode(t *testing.T) {
	t.Parallel()
	var ua UpdateAuthorizationRequest
	if err := json.Unmarshal(readSeed(t, "001_update_authorization_request.json"), &ua); err != nil {
		t.Fatal(err)
	}
	if ua.OrderAmount != 6000 || len(ua.OrderLines) != 1 || ua.OrderLines[0].TotalTaxAmount != 1200 || ua.OrderLines[0].QuantityUnit != "kg" {
		t.Errorf("%+v", ua)
	}
	if err := ValidateRequest(&ua); err != nil {
		t.Errorf("the documented update is valid: %v", err)
	}

	var mr UpdateMerchantReferencesRequest
	if err := json.Unmarshal(readSeed(t, "001_merchant_references_request.json"), &mr); err != nil || *mr.MerchantReference1 != "15632423" || *mr.MerchantReference2 != "special order" {
		t.Errorf("%+v %v", mr, err)
	}
	var cd UpdateCustomerDetailsRequest
	if err := json.Unmarshal(readSeed(t, "001_customer_details_request.json"), &cd); err != nil || cd.ShippingAddress.Region != "NY" {
		t.Errorf("%+v %v", cd, err)
	}
	if err := ValidateRequest(&cd); err != nil {
		t.Errorf("documented address refused: %v", err)
	}
	var si ShippingInfoRequest
	if err := json.Unmarshal(readSeed(t, "001_shipping_info_request.json"), &si); err != nil || len(si.ShippingInfo) != 1 || si.ShippingInfo[0].ReturnTrackingNumber != "93456415674545679888" {
		t.Errorf("%+v %v", si, err)
	}
	if err := ValidateRequest(&si); err != nil {
		t.Errorf("documented shipping info refused: %v", err)
	}

	errorSamples := map[string]ErrorCode{
		"001_get_order_error.json":            CodeInvalidOrderID,
		"001_update_authorization_error.json": CodeNotAllowed,
		"001_merchant_references_error.json":  CodeNoSuchOrder,
		"001_customer_details_error.json":     CodeNotAllowed,
		"001_shipping_info_error.json":        CodeNoSuchOrder,
		"001_cancel_error.json":               CodeCancelNotAllowed,
		"001_acknowledge_error.json":          CodeNoSuchOrder,
	}
	for name, code := range errorSamples {
		e := newAPIError("POST", "/x", 403, nil, readSeed(t, name))
		if e.ErrorCode != code || len(e.ErrorMessages) != 1 || e.CorrelationID == "" {
			t.Errorf("%s: %+v", name, e)
		}
	}
}

func TestSeed002NumbersForStringsDecode(t *testing.T) {
	t.Parallel()
	var o Order
	if err := json.Unmarshal(readSeed(t, "002_get_order_response.json"), &o); err != nil {
		t.Fatalf("Kustom's own order sample must decode: %v", err)
	}
	checks := []struct {
		name      string
		got, want string
	}{
		{"postal_code", string(o.BillingAddress.PostalCode), "12345"},
		{"street_address2", string(o.BillingAddress.StreetAddress2), "1"},
		{"shipping postal_code", string(o.ShippingAddress.PostalCode), "12345"},
		{"merchant_reference1", string(o.MerchantReference1), "10001"},
		{"merchant_reference2", string(o.MerchantReference2), "501"},
		{"purchase_currency", string(o.PurchaseCurrency), "USD"},
		{"purchase_country", string(o.PurchaseCountry), "us"},
		{"status", string(o.Status), "AUTHORIZED"},
		{"order_id", o.OrderID, "f3392f8b-6116-4073-ab96-e330819e2c07"},
		{"date_of_birth", string(o.Customer.DateOfBirth), "Sun Sep 06 02:00:00 CEST 1981"},
		{"organization_entity_type", string(o.Customer.OrganizationEntityType), "LIMITED_COMPANY"},
		{"payment type", string(o.InitialPaymentMethod.Type), "FIXED_AMOUNT"},
		{"shipping option carrier", string(o.SelectedShippingOption.Carrier), "string"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if o.InitialPaymentMethod.NumberOfInstallments != 3 || len(o.Captures) != 1 || len(o.Refunds) != 1 || len(o.OrderLines) != 1 || len(o.ShippingInfo) != 1 {
		t.Errorf("%+v", o)
	}
	if !o.CreatedAt.Equal(time.Date(2025, 11, 29, 10, 25, 40, 0, time.UTC)) || !o.ExpiresAt.Equal(time.Date(2025, 12, 4, 10, 26, 6, 0, time.UTC)) {
		t.Errorf("times %v %v", o.CreatedAt, o.ExpiresAt)
	}

	// Re-encoding sends strings, as the schema says.
	out, err := json.Marshal(o.BillingAddress)
	if err != nil || !strings.Contains(string(out), `"postal_code":"12345"`) || !strings.Contains(string(out), `"street_address2":"1"`) {
		t.Errorf("re-encoded %s %v", out, err)
	}

	var si ShippingInfoRequest
	if err := json.Unmarshal(readSeed(t, "002_shipping_info_request.json"), &si); err != nil {
		t.Fatal(err)
	}
	if si.ShippingInfo[0].TrackingNumber != "63456415674545680000" || si.ShippingInfo[0].ReturnTrackingNumber != "93456415674545680000" {
		t.Errorf("tracking numbers %+v", si.ShippingInfo[0])
	}
	if err := ValidateRequest(&si); err != nil {
		t.Errorf("valid once decoded: %v", err)
	}

	var cd UpdateCustomerDetailsRequest
	if err := json.Unmarshal(readSeed(t, "002_customer_details_request.json"), &cd); err != nil || cd.ShippingAddress.PostalCode != "12345" || cd.ShippingAddress.StreetAddress2 != "1" {
		t.Fatalf("%+v %v", cd, err)
	}
	if err := ValidateRequest(&cd); err != nil {
		t.Errorf("valid once decoded: %v", err)
	}

	var ua UpdateAuthorizationRequest
	if err := json.Unmarshal(readSeed(t, "002_update_authorization_request.json"), &ua); err != nil {
		t.Fatal(err)
	}
	l := ua.OrderLines[0]
	if l.Reference != "75001" || l.ProductIdentifiers.GlobalTradeItemNumber != "735858293167" || l.ProductIdentifiers.Size != "4" {
		t.Errorf("line %+v %+v", l, l.ProductIdentifiers)
	}
	// The sample states 200 000 000 of tax at a 0 % rate: we would never
	// send that.
	if !isValidation(ValidateRequest(&ua), "order_lines[0].total_tax_amount") {
		t.Error("the sample's inconsistent tax must be refused before sending")
	}
}

func TestDecodeTolerance(t *testing.T) {
	t.Parallel()
	var o Order
	body := `{"order_id":"x","purchase_currency":" sek ","merchant_reference1":null,"created_at":"2024-01-02 03:04:05",
		"expires_at":"","order_lines":[{"name":12,"reference":-3.5,"type":"physical"}],"unknown_field":{"a":[1,2]}}`
	if err := json.Unmarshal([]byte(body), &o); err != nil {
		t.Fatal(err)
	}
	if o.PurchaseCurrency != "SEK" || o.MerchantReference1 != "" || !o.ExpiresAt.IsZero() ||
		!o.CreatedAt.Equal(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)) || o.OrderLines[0].Name != "12" || o.OrderLines[0].Reference != "-3.5" {
		t.Errorf("%+v", o)
	}
	for _, bad := range []string{`{"order_amount":"100"}`, `{"created_at":"yesterday"}`, `{"merchant_reference1":{"a":1}}`} {
		if err := json.Unmarshal([]byte(bad), &o); err == nil {
			t.Errorf("%s decoded; a wrong shape must be an error", bad)
		}
	}
}

// BenchmarkDecodeOrder is the order page's decoding of the provider's
// answer (the provider's own sample order, 2 kB).
func BenchmarkDecodeOrder(b *testing.B) {
	body := readSeed(b, "002_get_order_response.json")
	for b.Loop() {
		var o Order
		if err := decodeJSON(body, &o, "GET", "/ordermanagement/v1/orders/x", 200); err != nil {
			b.Fatal(err)
		}
	}
}
