package omclient_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"ordercare/internal/omclient"
	"ordercare/internal/omclient/omclienttest"
	"ordercare/internal/openapitest"
)

// Contract tests: every request the client sends, and every response the
// server under test gives, must validate against the provider's OpenAPI
// document (shared/openapi/order-management-api-openapi.yml, read in place,
// never copied into the repo).

func loadSpec(t *testing.T) (*openapi3.T, routers.Router) { return openapitest.Spec(t) }

// contractRecorder validates every exchange through it and remembers which
// operations it saw.
type contractRecorder struct {
	t      *testing.T
	router routers.Router
	user   string
	pass   string
	mu     sync.Mutex
	seen   map[string]int // operationId → count
}

func (cr *contractRecorder) authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s := in.SecurityScheme
	if s == nil || s.Type != "http" || !strings.EqualFold(s.Scheme, "basic") {
		return fmt.Errorf("unexpected security scheme %+v", s)
	}
	u, p, ok := in.RequestValidationInput.Request.BasicAuth()
	if !ok || u != cr.user || p != cr.pass {
		return errors.New("request lacks the configured Basic credentials")
	}
	return nil
}

func (cr *contractRecorder) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			cr.t.Errorf("reading request: %v", err)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		route, params, err := cr.router.FindRoute(r)
		var in *openapi3filter.RequestValidationInput
		if err != nil {
			cr.t.Errorf("%s %s is not an operation of the document: %v", r.Method, r.URL.Path, err)
		} else {
			cr.mu.Lock()
			cr.seen[route.Operation.OperationID]++
			cr.mu.Unlock()
			in = &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: cr.authenticate, MultiError: true}}
			if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
				cr.t.Errorf("request %s %s does not match the document: %v\nbody: %s", r.Method, r.URL.Path, err, body)
			}
			if (r.Method == http.MethodPost || r.Method == http.MethodPatch) && r.Header.Get("Klarna-Idempotency-Key") == "" {
				cr.t.Errorf("%s %s sent without Klarna-Idempotency-Key", r.Method, r.URL.Path)
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if in != nil {
			out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.Code, Header: rec.Header(),
				Body:    io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
				Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
			if err := openapi3filter.ValidateResponse(r.Context(), out); err != nil {
				cr.t.Errorf("response %d to %s %s does not match the document: %v\nbody: %s", rec.Code, r.Method, r.URL.Path, err, rec.Body.Bytes())
			}
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

func (cr *contractRecorder) operations() map[string]int {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	return maps.Clone(cr.seen)
}

const (
	ctOrderID   = "f3392f8b-6116-4073-ab96-e330819e2c07"
	ctCaptureID = "4ba29b50-be7b-44f5-a492-113e6a865e22"
	ctRefundID  = "b2cb8f1a-0b1c-4e4c-9d8a-1c9b6c1d2e3f"
	ctUser      = "M1234-contract"
	ctPass      = "kco_test_api_contract"
)

func sampleLine() omclient.OrderLine {
	return omclient.OrderLine{Type: "physical", Reference: "MUG-1", Name: "Mug «Fika»", Quantity: 2, QuantityUnit: "pcs",
		UnitPrice: 12500, TaxRate: 2500, TotalAmount: 25000, TotalTaxAmount: 5000, MerchantData: "{\"sku\":1}",
		ProductURL: "https://shop.example/mug", ImageURL: "https://shop.example/mug.png",
		ProductIdentifiers: &omclient.ProductIdentifiers{Brand: "Fika", CategoryPath: "Kitchen > Mugs", GlobalTradeItemNumber: "735858293167",
			ManufacturerPartNumber: "FK-1", Color: "Blue", Size: "L"},
		Subscription: &omclient.Subscription{Name: "Mug club", Interval: "MONTH", IntervalCount: 1}}
}

func sampleAddress() *omclient.Address {
	return &omclient.Address{GivenName: "Åsa", FamilyName: "Öberg", Title: "Fru", StreetAddress: "Testgatan 10", StreetAddress2: "Lgh 1101",
		PostalCode: "123 45", City: "Vetlanda", Region: "Jönköping", Country: "SE", Email: "asa@example.com", Phone: "+46700000000",
		Attention: "Reception", OrganizationName: "Fika AB"}
}

func sampleShipping() omclient.ShippingInfo {
	return omclient.ShippingInfo{ShippingCompany: "PostNord SE", ShippingMethod: "PickUpPoint", TrackingNumber: "AB123456789SE",
		TrackingURI: "https://tracking.example/AB123456789SE", ReturnShippingCompany: "PostNord SE", ReturnTrackingNumber: "RB1",
		ReturnTrackingURI: "https://tracking.example/RB1"}
}

func sampleCapture() omclient.Capture {
	return omclient.Capture{CaptureID: ctCaptureID, KlarnaReference: "K4MADNY-1", CapturedAmount: 25000,
		CapturedAt: omclient.Time{Time: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)}, Description: "Parcel 1", Reference: "INV-1",
		OrderLines: []omclient.OrderLine{sampleLine()}, RefundedAmount: 5000, BillingAddress: sampleAddress(), ShippingAddress: sampleAddress(),
		ShippingInfo: []omclient.ShippingInfo{sampleShipping()}}
}

func sampleRefund() omclient.Refund {
	return omclient.Refund{RefundID: ctRefundID, RefundedAmount: 5000, RefundedAt: omclient.Time{Time: time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)},
		Description: "Returned", Reference: "RMA-1", OrderLines: []omclient.OrderLine{{Type: "physical", Name: "Mug", Quantity: 1, UnitPrice: 5000, TotalAmount: 5000}}}
}

func sampleOrder() omclient.Order {
	return omclient.Order{OrderID: ctOrderID, Status: omclient.StatusPartCaptured, FraudStatus: omclient.FraudAccepted,
		OrderAmount: 50000, OriginalOrderAmount: 50000, CapturedAmount: 25000, RefundedAmount: 5000, RemainingAuthorizedAmount: 25000,
		PurchaseCurrency: "SEK", PurchaseCountry: "SE", Locale: "sv-SE", OrderLines: []omclient.OrderLine{sampleLine(), sampleLine()},
		MerchantReference1: "10001", MerchantReference2: "501", MerchantData: "meta", KlarnaReference: "K4MADNY",
		Customer:       &omclient.Customer{DateOfBirth: "1981-09-06", NationalIdentificationNumber: "198109060000", Type: "organization", OrganizationEntityType: "LIMITED_COMPANY", OrganizationRegistrationID: "556000-0000", VatID: "SE556000000001"},
		BillingAddress: sampleAddress(), ShippingAddress: sampleAddress(),
		CreatedAt: omclient.Time{Time: time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)}, ExpiresAt: omclient.Time{Time: time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)},
		Captures: []omclient.Capture{sampleCapture()}, Refunds: []omclient.Refund{sampleRefund()}, ShippingInfo: []omclient.ShippingInfo{sampleShipping()},
		InitialPaymentMethod: &omclient.InitialPaymentMethod{Type: "INVOICE", Description: "Pay later", NumberOfInstallments: 1},
		SelectedShippingOption: &omclient.SelectedShippingOption{ID: "pp-1", Name: "Pick-up point", Carrier: "PostNord",
			CarrierProduct: &omclient.CarrierProduct{Identifier: "PN-MYPACK", Name: "MyPack"}, Class: "standard", Method: "PickUpPoint", Type: "pickup",
			Price: 4900, TaxAmount: 980, TaxRate: 2500,
			Location:       &omclient.ShippingLocation{ID: "loc-1", Name: "ICA Vetlanda", Price: 0, Address: &omclient.LocationAddress{StreetAddress: "Storgatan 1", PostalCode: "57431", City: "Vetlanda", Country: "SE"}},
			Timeslot:       &omclient.Timeslot{ID: "ts-1", Start: "2026-11-05T08:00:00Z", End: "2026-11-05T12:00:00Z", Cutoff: "2026-11-04T16:00:00Z", Price: 0},
			SelectedAddons: []omclient.Addon{{Type: "sms", Price: 500, ExternalID: "sms-1", UserInput: "+46700000000"}},
			TMSReference:   "tms-1"}}
}

// fakeAPI answers every operation with a plausible success.
func fakeAPI() http.Handler {
	enc := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Klarna-Correlation-Id", "corr-fake")
		_ = json.NewEncoder(w).Encode(v)
	}
	base := "/ordermanagement/v1/orders/" + ctOrderID
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case r.Method == http.MethodGet && p == base:
			enc(w, sampleOrder())
		case r.Method == http.MethodGet && p == base+"/captures":
			enc(w, []omclient.Capture{sampleCapture()})
		case r.Method == http.MethodGet && p == base+"/captures/"+ctCaptureID:
			enc(w, sampleCapture())
		case r.Method == http.MethodGet && p == base+"/captures/"+ctCaptureID+"/extend-due-date-options":
			enc(w, omclient.ExtendDueDateOptions{Currency: "SEK", Options: []omclient.DueDateOption{{Amount: 1900, NumberOfDays: 14}, {Amount: 2900, NumberOfDays: 28}}})
		case r.Method == http.MethodGet && p == base+"/refunds/"+ctRefundID:
			enc(w, sampleRefund())
		case r.Method == http.MethodPost && p == base+"/captures":
			w.Header().Set("Capture-Id", ctCaptureID)
			w.Header().Set("Location", "https://api.kustom.co"+base+"/captures/"+ctCaptureID)
			w.WriteHeader(http.StatusCreated)
		case r.Method == http.MethodPost && p == base+"/refunds":
			w.Header().Set("Refund-Id", ctRefundID)
			w.Header().Set("Location", "https://api.kustom.co"+base+"/refunds/"+ctRefundID)
			w.WriteHeader(http.StatusCreated)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
}

// runAllOperations drives every client method once against base.
func runAllOperations(t *testing.T, c *omclient.Client, orderID, captureID string, key func(string) string) (refundID string) {
	t.Helper()
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	o, err := c.GetOrder(ctx, orderID)
	must("get order", err)
	if o.OrderID != orderID {
		t.Fatalf("got order %q", o.OrderID)
	}
	must("acknowledge", omclienttest.Exec(ctx, c, orderID, "", key("ack"), omclient.AcknowledgeRequest{}))
	must("merchant references", omclienttest.Exec(ctx, c, orderID, "", key("refs"), &omclient.UpdateMerchantReferencesRequest{MerchantReference1: ptr("10002"), MerchantReference2: ptr("")}))
	must("customer details", omclienttest.Exec(ctx, c, orderID, "", key("addr"), &omclient.UpdateCustomerDetailsRequest{ShippingAddress: sampleAddress()}))
	// An optional field cleared: sent as "".
	cleared := sampleAddress()
	cleared.Attention = ""
	must("customer details, attention cleared", omclienttest.Exec(ctx, c, orderID, "", key("addr-clear"), &omclient.UpdateCustomerDetailsRequest{ShippingAddress: cleared, Clear: []string{"attention"}}))
	must("order shipping info", omclienttest.Exec(ctx, c, orderID, "", key("ship"), &omclient.ShippingInfoRequest{ShippingInfo: []omclient.ShippingInfo{sampleShipping()}}))
	must("extend authorization", omclienttest.Exec(ctx, c, orderID, "", key("extend"), omclient.ExtendAuthorizationTimeRequest{}))
	must("update authorization", omclienttest.Exec(ctx, c, orderID, "", key("auth"), &omclient.UpdateAuthorizationRequest{OrderAmount: 50000, Description: "Two mugs",
		OrderLines: []omclient.OrderLine{sampleLine(), sampleLine()}}))
	capID, err := omclienttest.Created(ctx, c, orderID, key("capture"), &omclient.CaptureRequest{CapturedAmount: 25000, Description: "Parcel 1", Reference: "INV-1",
		OrderLines: []omclient.OrderLine{sampleLine()}, ShippingInfo: []omclient.ShippingInfo{sampleShipping()}})
	must("capture", err)
	if captureID == "" {
		captureID = capID
	}
	caps, err := c.ListCaptures(ctx, orderID)
	must("list captures", err)
	if len(caps) == 0 {
		t.Fatal("no captures listed")
	}
	_, err = c.GetCapture(ctx, orderID, captureID)
	must("get capture", err)
	must("capture shipping info", omclienttest.Exec(ctx, c, orderID, captureID, key("capship"), omclient.CaptureShippingInfoRequest(omclient.ShippingInfoRequest{ShippingInfo: []omclient.ShippingInfo{sampleShipping()}})))
	if c.Supports(omclient.OpTriggerSendOut) {
		must("trigger send-out", omclienttest.Exec(ctx, c, orderID, captureID, key("sendout"), omclient.TriggerSendOutRequest{}))
		opts, err := c.GetExtendDueDateOptions(ctx, orderID, captureID)
		must("due date options", err)
		days := int64(14)
		if len(opts.Options) > 0 {
			days = opts.Options[0].NumberOfDays
		}
		must("extend due date", omclienttest.Exec(ctx, c, orderID, captureID, key("duedate"), &omclient.ExtendDueDateRequest{NumberOfDays: days}))
	}
	refundID, err = omclienttest.Created(ctx, c, orderID, key("refund"), &omclient.RefundRequest{RefundedAmount: 5000, Description: "Returned", Reference: "RMA-1",
		OrderLines: []omclient.OrderLine{{Type: "physical", Name: "Mug", Quantity: 1, UnitPrice: 5000, TaxRate: 2500, TotalAmount: 5000, TotalTaxAmount: 1000}}})
	must("refund", err)
	r, err := c.GetRefund(ctx, orderID, refundID)
	must("get refund", err)
	if r.RefundID == "" {
		t.Error("refund without id")
	}
	must("release remaining", omclienttest.Exec(ctx, c, orderID, "", key("release"), omclient.ReleaseRemainingRequest{}))
	return refundID
}

func ptr(s string) *string { return &s }

// allOperationIDs lists the document's operations.
func allOperationIDs(doc *openapi3.T) []string {
	var ids []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			ids = append(ids, op.OperationID)
		}
	}
	slices.Sort(ids)
	return ids
}

func TestContractAgainstFake(t *testing.T) {
	doc, router := loadSpec(t)
	cr := &contractRecorder{t: t, router: router, user: ctUser, pass: ctPass, seen: map[string]int{}}
	srv := httptest.NewServer(cr.wrap(fakeAPI()))
	defer srv.Close()
	c, err := omclient.New(omclient.Config{BaseURL: srv.URL, Provider: omclient.ProviderKlarna, Username: ctUser, Password: ctPass})
	if err != nil {
		t.Fatal(err)
	}
	runAllOperations(t, c, ctOrderID, ctCaptureID, func(s string) string { return "key-" + s })
	// A refund with a return fee (negative line) is also a valid body.
	if _, err := omclienttest.Created(context.Background(), c, ctOrderID, "key-fee", &omclient.RefundRequest{RefundedAmount: 5000,
		OrderLines: []omclient.OrderLine{{Type: "physical", Name: "Mug", Quantity: 1, UnitPrice: 5500, TaxRate: 2500, TotalAmount: 5500, TotalTaxAmount: 1100},
			{Type: "return_fee", Name: "Return fee", Quantity: 1, UnitPrice: -500, TaxRate: 2500, TotalAmount: -500, TotalTaxAmount: -100}}}); err != nil {
		t.Fatal(err)
	}
	// Cancel last (it would end the order on a real server).
	if err := omclienttest.Exec(context.Background(), c, ctOrderID, "", "key-cancel", omclient.CancelRequest{}); err != nil {
		t.Fatal(err)
	}
	seen := cr.operations()
	for _, id := range allOperationIDs(doc) {
		if seen[id] == 0 {
			t.Errorf("operation %s of the document was never exercised", id)
		}
	}
	if len(allOperationIDs(doc)) != 18 {
		t.Errorf("document has %d operations, the API reference's list of operations lists 18", len(allOperationIDs(doc)))
	}
}

// TestContractCatchesViolations proves the validator is not a rubber stamp:
// requests that break the document are reported.
func TestContractCatchesViolations(t *testing.T) {
	_, router := loadSpec(t)
	tests := []struct {
		name, method, path, body string
		auth                     bool
	}{
		{"string amount", "POST", "/captures", `{"captured_amount":"100"}`, true},
		{"over the amount limit", "POST", "/refunds", `{"refunded_amount":200000001}`, true},
		{"missing required field", "PATCH", "/authorization", `{"description":"x"}`, true},
		{"too many shipping entries", "POST", "/shipping-info", `{"shipping_info":[]}`, true},
		{"no credentials", "POST", "/cancel", ``, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "/ordermanagement/v1/orders/"+ctOrderID+tt.path, strings.NewReader(tt.body))
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			if tt.auth {
				req.SetBasicAuth(ctUser, ctPass)
			}
			cr := &contractRecorder{t: t, router: router, user: ctUser, pass: ctPass}
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatal(err)
			}
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: cr.authenticate}}
			if err := openapi3filter.ValidateRequest(context.Background(), in); err == nil {
				t.Errorf("the document accepted %s %s", tt.method, tt.body)
			}
		})
	}
}
