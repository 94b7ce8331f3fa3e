package omclient

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// goodLine is a valid 25 % line: 2 × 1250 − 0 = 2500, tax 500.
func goodLine() OrderLine {
	return OrderLine{Type: "physical", Name: "Mug", Reference: "MUG-1", Quantity: 2, QuantityUnit: "pcs", UnitPrice: 1250,
		TaxRate: 2500, TotalAmount: 2500, TotalTaxAmount: 500}
}

func withLine(mod func(*OrderLine)) []OrderLine {
	l := goodLine()
	mod(&l)
	return []OrderLine{l}
}

func goodShip() ShippingInfo {
	return ShippingInfo{ShippingCompany: "PostNord", ShippingMethod: "PickUpPoint", TrackingNumber: "AB123",
		TrackingURI: "https://track.example/AB123", ReturnTrackingURI: "http://track.example/r/AB123"}
}

func TestValidateRequestRules(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("é", n) } // characters, not bytes
	tests := []struct {
		name  string
		op    Operation
		body  Request
		field string // "" = valid
	}{
		// update authorization
		{"auth ok with lines", OpUpdateAuthorization, &UpdateAuthorizationRequest{OrderAmount: 2500, OrderLines: []OrderLine{goodLine()}}, ""},
		{"auth ok without lines", OpUpdateAuthorization, &UpdateAuthorizationRequest{OrderAmount: 99}, ""},
		{"auth amount negative", OpUpdateAuthorization, &UpdateAuthorizationRequest{OrderAmount: -1}, "order_amount"},
		{"auth amount over max", OpUpdateAuthorization, &UpdateAuthorizationRequest{OrderAmount: 200_000_001}, "order_amount"},
		{"auth amount at max", OpUpdateAuthorization, &UpdateAuthorizationRequest{OrderAmount: 200_000_000}, ""},
		{"auth amount not the line sum", OpUpdateAuthorization, &UpdateAuthorizationRequest{OrderAmount: 2600, OrderLines: []OrderLine{goodLine()}}, "order_amount"},
		{"auth description 255", OpUpdateAuthorization, &UpdateAuthorizationRequest{OrderAmount: 1, Description: long(255)}, ""},
		{"auth description 256", OpUpdateAuthorization, &UpdateAuthorizationRequest{OrderAmount: 1, Description: long(256)}, "description"},
		{"auth 1001 lines", OpUpdateAuthorization, &UpdateAuthorizationRequest{OrderAmount: 0, OrderLines: make([]OrderLine, 1001)}, "order_lines"},

		// order lines
		{"line type missing", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) { l.Type = "" })}, "order_lines[0].type"},
		{"line type loose match", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) { l.Type = "xphysicalx" })}, "order_lines[0].type"},
		{"line type case", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) { l.Type = "Physical" })}, "order_lines[0].type"},
		{"line name empty", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) { l.Name = " " })}, "order_lines[0].name"},
		{"line name 256", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) { l.Name = Text(long(256)) })}, "order_lines[0].name"},
		{"line name control char", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) { l.Name = "a\nb" })}, "order_lines[0].name"},
		{"line name invalid utf8", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) { l.Name = "a\xffb" })}, "order_lines[0].name"},
		{"line reference 256", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) { l.Reference = Text(long(256)) })}, "order_lines[0].reference"},
		{"line quantity unit 11", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) { l.QuantityUnit = "kilogramsss" })}, "order_lines[0].quantity_unit"},
		{"line merchant data 1025", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) { l.MerchantData = Text(long(1025)) })}, "order_lines[0].merchant_data"},
		{"line product url not http", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) { l.ProductURL = "javascript:alert(1)" })}, "order_lines[0].product_url"},
		{"line image url too long", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) { l.ImageURL = Text("https://x.example/" + strings.Repeat("a", 1010)) })}, "order_lines[0].image_url"},
		{"line quantity negative", OpCreateCapture, &CaptureRequest{CapturedAmount: -2500, OrderLines: withLine(func(l *OrderLine) { l.Quantity = -2; l.TotalAmount = -2500; l.TotalTaxAmount = -500 })}, "order_lines[0].quantity"},
		{"line quantity zero is allowed", OpCreateCapture, &CaptureRequest{CapturedAmount: 0, OrderLines: withLine(func(l *OrderLine) { l.Quantity = 0; l.TotalAmount = 0; l.TotalTaxAmount = 0 })}, ""},
		{"line quantity absurd", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) { l.Quantity = 1 << 40 })}, "order_lines[0].quantity"},
		{"line unit price over max", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) { l.UnitPrice = 200_000_001 })}, "order_lines[0].unit_price"},
		{"line total over max", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) { l.TotalAmount = 200_000_001 })}, "order_lines[0].total_amount"},
		{"line discount negative", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) { l.TotalDiscountAmount = -1 })}, "order_lines[0].total_discount_amount"},
		{"line tax over max", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) { l.TotalTaxAmount = 300_000_000 })}, "order_lines[0].total_tax_amount"},
		{"line tax rate negative", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) { l.TaxRate = -1 })}, "order_lines[0].tax_rate"},
		{"line tax rate over 100 %", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) { l.TaxRate = 10001 })}, "order_lines[0].tax_rate"},
		{"line total off by more than quantity", OpCreateCapture, &CaptureRequest{CapturedAmount: 2503, OrderLines: withLine(func(l *OrderLine) { l.TotalAmount = 2503 })}, "order_lines[0].total_amount"},
		{"line total off by quantity is tolerated", OpCreateCapture, &CaptureRequest{CapturedAmount: 2502, OrderLines: withLine(func(l *OrderLine) { l.TotalAmount = 2502; l.TotalTaxAmount = 500 })}, ""},
		{"line with discount", OpCreateCapture, &CaptureRequest{CapturedAmount: 2000, OrderLines: withLine(func(l *OrderLine) { l.TotalDiscountAmount = 500; l.TotalAmount = 2000; l.TotalTaxAmount = 400 })}, ""},
		{"line tax off by 2", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) { l.TotalTaxAmount = 502 })}, "order_lines[0].total_tax_amount"},
		{"line tax off by 1 is tolerated", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) { l.TotalTaxAmount = 501 })}, ""},
		{"discount line negative with negative tax", OpCreateCapture, &CaptureRequest{CapturedAmount: -1250, OrderLines: []OrderLine{{Type: "discount", Name: "Promo", Quantity: 1, UnitPrice: -1250, TaxRate: 2500, TotalAmount: -1250, TotalTaxAmount: -250}}}, "captured_amount"},
		{"umbraco discount line with wrong rate", OpUpdateAuthorization, &UpdateAuthorizationRequest{OrderAmount: 0, OrderLines: []OrderLine{
			{Type: "physical", Name: "Book", Quantity: 1, UnitPrice: 14950, TotalAmount: 14950},
			{Type: "discount", Name: "Promo", Quantity: 1, UnitPrice: -14950, TaxRate: 2500, TotalAmount: -14950, TotalTaxAmount: 0}}}, "order_lines[1].total_tax_amount"},
		{"product identifiers limits", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) {
			l.ProductIdentifiers = &ProductIdentifiers{Brand: Text(long(71))}
		})}, "order_lines[0].product_identifiers.brand"},
		{"category path 750 ok", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) {
			l.ProductIdentifiers = &ProductIdentifiers{CategoryPath: Text(long(750)), GlobalTradeItemNumber: "735858293167", Color: Text(long(64)), Size: "4"}
		})}, ""},
		{"gtin 51", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) {
			l.ProductIdentifiers = &ProductIdentifiers{GlobalTradeItemNumber: Text(strings.Repeat("1", 51))}
		})}, "order_lines[0].product_identifiers.global_trade_item_number"},
		{"mpn 71", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) {
			l.ProductIdentifiers = &ProductIdentifiers{ManufacturerPartNumber: Text(long(71))}
		})}, "order_lines[0].product_identifiers.manufacturer_part_number"},
		{"size 65", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) {
			l.ProductIdentifiers = &ProductIdentifiers{Size: Text(long(65))}
		})}, "order_lines[0].product_identifiers.size"},
		{"subscription ok", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) {
			l.Subscription = &Subscription{Name: "Coffee club", Interval: "MONTH", IntervalCount: 1}
		})}, ""},
		{"subscription interval", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) {
			l.Subscription = &Subscription{Name: "Coffee club", Interval: "month", IntervalCount: 1}
		})}, "order_lines[0].subscription.interval"},
		{"subscription count", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) {
			l.Subscription = &Subscription{Name: "Coffee club", Interval: "WEEK"}
		})}, "order_lines[0].subscription.interval_count"},
		{"subscription name", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: withLine(func(l *OrderLine) {
			l.Subscription = &Subscription{Interval: "YEAR", IntervalCount: 1}
		})}, "order_lines[0].subscription.name"},

		// capture
		{"capture ok", OpCreateCapture, &CaptureRequest{CapturedAmount: 2500, OrderLines: []OrderLine{goodLine()}, ShippingInfo: []ShippingInfo{goodShip()}}, ""},
		{"capture without shipping info", OpCreateCapture, &CaptureRequest{CapturedAmount: 1}, ""},
		{"capture amount over max", OpCreateCapture, &CaptureRequest{CapturedAmount: 200_000_001}, "captured_amount"},
		{"capture reference 256", OpCreateCapture, &CaptureRequest{CapturedAmount: 1, Reference: long(256)}, "reference"},
		{"capture description 256", OpCreateCapture, &CaptureRequest{CapturedAmount: 1, Description: long(256)}, "description"},
		{"capture lines sum", OpCreateCapture, &CaptureRequest{CapturedAmount: 2499, OrderLines: []OrderLine{goodLine()}}, "captured_amount"},
		{"capture shipping delay", OpCreateCapture, &CaptureRequest{CapturedAmount: 1, ShippingDelay: -1}, "shipping_delay"},
		{"capture 501 shipping entries", OpCreateCapture, &CaptureRequest{CapturedAmount: 1, ShippingInfo: make([]ShippingInfo, 501)}, "shipping_info"},

		// shipping info
		{"shipping ok", OpAddOrderShippingInfo, &ShippingInfoRequest{ShippingInfo: []ShippingInfo{goodShip()}}, ""},
		{"shipping none", OpAddOrderShippingInfo, &ShippingInfoRequest{}, "shipping_info"},
		{"shipping 500 ok", OpAddOrderShippingInfo, &ShippingInfoRequest{ShippingInfo: repeatShip(500)}, ""},
		{"shipping 501", OpAddOrderShippingInfo, &ShippingInfoRequest{ShippingInfo: repeatShip(501)}, "shipping_info"},
		{"shipping empty entry", OpAddOrderShippingInfo, &ShippingInfoRequest{ShippingInfo: []ShippingInfo{{}}}, "shipping_info[0]"},
		{"shipping method not in list", OpAddOrderShippingInfo, &ShippingInfoRequest{ShippingInfo: []ShippingInfo{{ShippingMethod: "Homey"}}}, "shipping_info[0].shipping_method"},
		{"shipping company 101", OpAddOrderShippingInfo, &ShippingInfoRequest{ShippingInfo: []ShippingInfo{{ShippingCompany: Text(long(101))}}}, "shipping_info[0].shipping_company"},
		{"tracking number 101", OpAddOrderShippingInfo, &ShippingInfoRequest{ShippingInfo: []ShippingInfo{{TrackingNumber: Text(long(101))}}}, "shipping_info[0].tracking_number"},
		{"tracking uri not a URL", OpAddOrderShippingInfo, &ShippingInfoRequest{ShippingInfo: []ShippingInfo{{TrackingURI: "track.example/1"}}}, "shipping_info[0].tracking_uri"},
		{"return tracking uri ftp", OpAddCaptureShippingInfo, &CaptureShippingInfoRequest{ShippingInfo: []ShippingInfo{{ReturnTrackingURI: "ftp://track.example/1"}}}, "shipping_info[0].return_tracking_uri"},
		{"return company 101", OpAddCaptureShippingInfo, &CaptureShippingInfoRequest{ShippingInfo: []ShippingInfo{{ReturnShippingCompany: Text(long(101))}}}, "shipping_info[0].return_shipping_company"},
		{"return number 101", OpAddCaptureShippingInfo, &CaptureShippingInfoRequest{ShippingInfo: []ShippingInfo{{ReturnTrackingNumber: Text(long(101))}}}, "shipping_info[0].return_tracking_number"},

		// refund
		{"refund with return fee", OpCreateRefund, &RefundRequest{RefundedAmount: 9500, OrderLines: []OrderLine{
			{Type: "physical", Name: "Dress", Quantity: 1, UnitPrice: 10000, TotalAmount: 10000},
			{Type: "return_fee", Name: "Return fee", Quantity: 1, UnitPrice: -500, TotalAmount: -500}}}, ""},
		{"refund return fee positive", OpCreateRefund, &RefundRequest{RefundedAmount: 10500, OrderLines: []OrderLine{
			{Type: "physical", Name: "Dress", Quantity: 1, UnitPrice: 10000, TotalAmount: 10000},
			{Type: "return_fee", Name: "Return fee", Quantity: 1, UnitPrice: 500, TotalAmount: 500}}}, "order_lines[1].unit_price"},
		{"refund sum mismatch", OpCreateRefund, &RefundRequest{RefundedAmount: 10000, OrderLines: []OrderLine{
			{Type: "physical", Name: "Dress", Quantity: 1, UnitPrice: 10000, TotalAmount: 10000},
			{Type: "return_fee", Name: "Return fee", Quantity: 1, UnitPrice: -500, TotalAmount: -500}}}, "refunded_amount"},
		{"refund amount negative", OpCreateRefund, &RefundRequest{RefundedAmount: -5}, "refunded_amount"},
		{"refund reference 256", OpCreateRefund, &RefundRequest{RefundedAmount: 5, Reference: long(256)}, "reference"},

		// customer details
		{"address ok", OpUpdateCustomerDetails, &UpdateCustomerDetailsRequest{ShippingAddress: &Address{GivenName: "Åsa", FamilyName: "Öberg",
			StreetAddress: "Testgatan 10", PostalCode: "123 45", City: "Vetlanda", Country: "se", Email: "asa@example.com", Phone: "+46 70 000 00 00"}}, ""},
		{"address missing", OpUpdateCustomerDetails, &UpdateCustomerDetailsRequest{}, "shipping_address"},
		{"given name 101", OpUpdateCustomerDetails, &UpdateCustomerDetailsRequest{ShippingAddress: &Address{GivenName: Text(long(101))}}, "shipping_address.given_name"},
		{"family name 101", OpUpdateCustomerDetails, &UpdateCustomerDetailsRequest{ShippingAddress: &Address{FamilyName: Text(long(101))}}, "shipping_address.family_name"},
		{"title 21", OpUpdateCustomerDetails, &UpdateCustomerDetailsRequest{ShippingAddress: &Address{Title: Text(long(21))}}, "shipping_address.title"},
		{"street 101", OpUpdateCustomerDetails, &UpdateCustomerDetailsRequest{ShippingAddress: &Address{StreetAddress: Text(long(101))}}, "shipping_address.street_address"},
		{"street2 101", OpUpdateCustomerDetails, &UpdateCustomerDetailsRequest{ShippingAddress: &Address{StreetAddress2: Text(long(101))}}, "shipping_address.street_address2"},
		{"postal code 11", OpUpdateCustomerDetails, &UpdateCustomerDetailsRequest{ShippingAddress: &Address{PostalCode: "12345678901"}}, "shipping_address.postal_code"},
		{"city 201", OpUpdateCustomerDetails, &UpdateCustomerDetailsRequest{ShippingAddress: &Address{City: Text(long(201))}}, "shipping_address.city"},
		{"region 201", OpUpdateCustomerDetails, &UpdateCustomerDetailsRequest{ShippingAddress: &Address{Region: Text(long(201))}}, "shipping_address.region"},
		{"country 3 letters", OpUpdateCustomerDetails, &UpdateCustomerDetailsRequest{ShippingAddress: &Address{Country: "SWE"}}, "shipping_address.country"},
		{"email 101", OpUpdateCustomerDetails, &UpdateCustomerDetailsRequest{ShippingAddress: &Address{Email: Text(long(90) + "@example.com")}}, "shipping_address.email"},
		{"email shape", OpUpdateCustomerDetails, &UpdateCustomerDetailsRequest{ShippingAddress: &Address{Email: "not-an-address"}}, "shipping_address.email"},
		{"phone 101", OpUpdateCustomerDetails, &UpdateCustomerDetailsRequest{ShippingAddress: &Address{Phone: Text(long(101))}}, "shipping_address.phone"},
		{"attention 256", OpUpdateCustomerDetails, &UpdateCustomerDetailsRequest{ShippingAddress: &Address{Attention: Text(long(256))}}, "shipping_address.attention"},
		{"organization 256", OpUpdateCustomerDetails, &UpdateCustomerDetailsRequest{ShippingAddress: &Address{OrganizationName: Text(long(256))}}, "shipping_address.organization_name"},

		// merchant references
		{"refs clear one", OpUpdateMerchantReferences, &UpdateMerchantReferencesRequest{MerchantReference2: strp("")}, ""},
		{"refs none", OpUpdateMerchantReferences, &UpdateMerchantReferencesRequest{}, "merchant_reference1"},
		{"ref1 256", OpUpdateMerchantReferences, &UpdateMerchantReferencesRequest{MerchantReference1: strp(long(256))}, "merchant_reference1"},
		{"ref2 256", OpUpdateMerchantReferences, &UpdateMerchantReferencesRequest{MerchantReference2: strp(long(256))}, "merchant_reference2"},

		// due date
		{"due date ok", OpExtendDueDate, &ExtendDueDateRequest{NumberOfDays: 14}, ""},
		{"due date zero", OpExtendDueDate, &ExtendDueDateRequest{}, "number_of_days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.body.Op() != tt.op {
				t.Fatalf("the request is the body of %s, not %s", tt.body.Op(), tt.op)
			}
			err := ValidateRequest(tt.body)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("valid request refused: %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a ValidationError on %s", err, tt.field)
			}
			if _, ok := ve.Field(tt.field); !ok {
				t.Errorf("fields %v, want one on %s", ve.Fields, tt.field)
			}
			if !strings.Contains(err.Error(), tt.field+": ") {
				t.Errorf("message %q does not name %s", err, tt.field)
			}
		})
	}
}

func repeatShip(n int) []ShippingInfo {
	s := make([]ShippingInfo, n)
	for i := range s {
		s[i] = goodShip()
	}
	return s
}

func TestValidationErrorListsEveryField(t *testing.T) {
	t.Parallel()
	err := ValidateRequest(&CaptureRequest{CapturedAmount: -1, Description: strings.Repeat("x", 300),
		OrderLines: []OrderLine{goodLine(), {Type: "bogus", Name: "x", Quantity: 1, UnitPrice: 1, TotalAmount: 1, TaxRate: 20000}}})
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatal(err)
	}
	for _, f := range []string{"captured_amount", "description", "order_lines[1].type", "order_lines[1].tax_rate"} {
		if _, ok := ve.Field(f); !ok {
			t.Errorf("missing %s in %v", f, ve.Fields)
		}
	}
	if _, ok := ve.Field("order_lines[0].type"); ok {
		t.Error("the valid line was flagged")
	}
}

func TestValidOrderID(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]bool{
		"f3392f8b-6116-4073-ab96-e330819e2c07":  true,
		"F3392F8B-6116-4073-AB96-E330819E2C07":  true,
		"7849fd84-47dc-4919-a7ce-xxxxxxxxxx":    false,
		"7849fd84-47dc-4919-a7ce-47b9f46156f":   false,
		"f3392f8b61164073ab96e330819e2c07":      false,
		"f3392f8b-6116-4073-ab96-e330819e2c07/": false,
		"":                                      false,
		"g3392f8b-6116-4073-ab96-e330819e2c07":  false,
	} {
		if ValidOrderID(id) != want {
			t.Errorf("ValidOrderID(%q) != %v", id, want)
		}
	}
}

func TestValidateOrderLinesPaths(t *testing.T) {
	t.Parallel()
	lines := []OrderLine{goodLine(), goodLine(), withLine(func(l *OrderLine) { l.TaxRate = 10001 })[0]}
	fe := ValidateOrderLines(lines)
	if len(fe) != 1 || fe[0].Field != "order_lines[2].tax_rate" {
		t.Errorf("got %v", fe)
	}
}

// An emptied optional address field is sent as "" (the provider clears
// it); a mandatory one, an unknown name or a field both set and cleared
// is refused before sending.
func TestUpdateCustomerDetailsClear(t *testing.T) {
	addr := &Address{GivenName: "Erika", FamilyName: "Mustermann", StreetAddress: "Heidestraße 17", PostalCode: "51147",
		City: "Köln", Country: "DE"}
	body, err := json.Marshal(UpdateCustomerDetailsRequest{ShippingAddress: addr, Clear: []string{"street_address2", "phone"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"street_address2":""`, `"phone":""`, `"city":"Köln"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("body %s lacks %s", body, want)
		}
	}
	if plain, _ := json.Marshal(UpdateCustomerDetailsRequest{ShippingAddress: addr}); strings.Contains(string(plain), `""`) {
		t.Errorf("nothing cleared, yet %s sends an empty field", plain)
	}
	if err := ValidateRequest(&UpdateCustomerDetailsRequest{ShippingAddress: addr, Clear: []string{"phone"}}); err != nil {
		t.Errorf("clearing the phone: %v", err)
	}
	for clear, want := range map[string]string{
		"city":        "shipping_address.city: is mandatory",
		"shoe":        "not an address field",
		"given_name":  "shipping_address.given_name: is mandatory",
		"postal_code": "is mandatory",
	} {
		err := ValidateRequest(&UpdateCustomerDetailsRequest{ShippingAddress: addr, Clear: []string{clear}})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("clearing %s: %v, want %q", clear, err, want)
		}
	}
	err = ValidateRequest(&UpdateCustomerDetailsRequest{ShippingAddress: &Address{City: "Bonn"}, Clear: []string{"city"}})
	if err == nil {
		t.Error("a field both set and cleared was accepted")
	}
}
