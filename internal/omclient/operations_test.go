package omclient

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func strp(s string) *string { return &s }

func TestEveryOperationSendsTheDocumentedRequest(t *testing.T) {
	t.Parallel()
	orders := "/ordermanagement/v1/orders/" + testOrderID
	ship := ShippingInfoRequest{ShippingInfo: []ShippingInfo{{ShippingCompany: "DHL US", ShippingMethod: "Home",
		TrackingNumber: "63456415674545679874", TrackingURI: "http://shipping.example/findmypackage?63456415674545679874"}}}
	shipJSON := `{"shipping_info":[{"shipping_company":"DHL US","shipping_method":"Home","tracking_number":"63456415674545679874","tracking_uri":"http://shipping.example/findmypackage?63456415674545679874"}]}`
	line := OrderLine{Type: "physical", Reference: "123050", Name: "Tomatoes", Quantity: 10, QuantityUnit: "kg", UnitPrice: 600, TaxRate: 2500, TotalAmount: 6000, TotalTaxAmount: 1200}
	lineJSON := `{"type":"physical","reference":"123050","name":"Tomatoes","quantity":10,"quantity_unit":"kg","unit_price":600,"tax_rate":2500,"total_amount":6000,"total_discount_amount":0,"total_tax_amount":1200}`

	tests := []struct {
		name     string
		run      func(c *Client) error
		method   string
		path     string
		body     string // exact JSON, "" = no body
		status   int
		header   map[string]string
		respBody string
	}{
		{name: "acknowledge", run: func(c *Client) error {
			return c.exec(context.Background(), testOrderID, "", testKey, AcknowledgeRequest{})
		},
			method: "POST", path: orders + "/acknowledge"},
		{name: "update authorization", run: func(c *Client) error {
			return c.exec(context.Background(), testOrderID, "", testKey, &UpdateAuthorizationRequest{OrderAmount: 6000, Description: "Added <tomatoes> & more", OrderLines: []OrderLine{line}})
		}, method: "PATCH", path: orders + "/authorization",
			body: `{"order_amount":6000,"description":"Added <tomatoes> & more","order_lines":[` + lineJSON + `]}`},
		{name: "cancel", run: func(c *Client) error { return c.exec(context.Background(), testOrderID, "", testKey, CancelRequest{}) },
			method: "POST", path: orders + "/cancel"},
		{name: "update customer details", run: func(c *Client) error {
			return c.exec(context.Background(), testOrderID, "", testKey, &UpdateCustomerDetailsRequest{ShippingAddress: &Address{
				StreetAddress: "123 Fake St", PostalCode: "12345", City: "New York", Region: "NY", Country: "US"}})
		}, method: "PATCH", path: orders + "/customer-details",
			body: `{"shipping_address":{"street_address":"123 Fake St","postal_code":"12345","city":"New York","region":"NY","country":"US"}}`},
		{name: "extend authorization time", run: func(c *Client) error {
			return c.exec(context.Background(), testOrderID, "", testKey, ExtendAuthorizationTimeRequest{})
		},
			method: "POST", path: orders + "/extend-authorization-time"},
		{name: "update merchant references", run: func(c *Client) error {
			return c.exec(context.Background(), testOrderID, "", testKey, &UpdateMerchantReferencesRequest{MerchantReference1: strp("15632423"), MerchantReference2: strp("")})
		}, method: "PATCH", path: orders + "/merchant-references", body: `{"merchant_reference1":"15632423","merchant_reference2":""}`},
		{name: "release remaining authorization", run: func(c *Client) error {
			return c.exec(context.Background(), testOrderID, "", testKey, ReleaseRemainingRequest{})
		}, method: "POST", path: orders + "/release-remaining-authorization"},
		{name: "add order shipping info", run: func(c *Client) error { return c.exec(context.Background(), testOrderID, "", testKey, ship) },
			method: "POST", path: orders + "/shipping-info", body: shipJSON},
		{name: "create capture", run: func(c *Client) error {
			id, err := c.created(context.Background(), testOrderID, testKey, &CaptureRequest{CapturedAmount: 6000, Description: "Parcel 1", Reference: "INV-1", OrderLines: []OrderLine{line}, ShippingInfo: ship.ShippingInfo})
			if err == nil && id != testCaptureID {
				err = errors.New("capture id " + id)
			}
			return err
		}, method: "POST", path: orders + "/captures", status: 201, header: map[string]string{"Capture-Id": testCaptureID, "Location": "https://x/" + testCaptureID},
			body: `{"captured_amount":6000,"description":"Parcel 1","reference":"INV-1","order_lines":[` + lineJSON + `],"shipping_info":` + strings.TrimSuffix(strings.TrimPrefix(shipJSON, `{"shipping_info":`), `}`) + `}`},
		{name: "add capture shipping info", run: func(c *Client) error {
			return c.exec(context.Background(), testOrderID, testCaptureID, testKey, CaptureShippingInfoRequest(ship))
		}, method: "POST", path: orders + "/captures/" + testCaptureID + "/shipping-info", body: shipJSON},
		{name: "trigger send-out", run: func(c *Client) error {
			return c.exec(context.Background(), testOrderID, testCaptureID, testKey, TriggerSendOutRequest{})
		},
			method: "POST", path: orders + "/captures/" + testCaptureID + "/trigger-send-out"},
		{name: "extend due date", run: func(c *Client) error {
			return c.exec(context.Background(), testOrderID, testCaptureID, testKey, &ExtendDueDateRequest{NumberOfDays: 14})
		}, method: "PATCH", path: orders + "/captures/" + testCaptureID + "/extend-due-date", body: `{"number_of_days":14}`},
		{name: "create refund", run: func(c *Client) error {
			id, err := c.created(context.Background(), testOrderID, testKey, &RefundRequest{RefundedAmount: 9500, Description: "Returned", Reference: "RMA-7",
				OrderLines: []OrderLine{{Type: "physical", Name: "Dress", Quantity: 1, UnitPrice: 10000, TotalAmount: 10000},
					{Type: "return_fee", Name: "Return fee", Quantity: 1, UnitPrice: -500, TotalAmount: -500}}})
			if err == nil && id != testRefundID {
				err = errors.New("refund id " + id)
			}
			return err
		}, method: "POST", path: orders + "/refunds", status: 201, header: map[string]string{"Refund-Id": testRefundID},
			body: `{"refunded_amount":9500,"description":"Returned","reference":"RMA-7","order_lines":[` +
				`{"type":"physical","name":"Dress","quantity":1,"unit_price":10000,"tax_rate":0,"total_amount":10000,"total_discount_amount":0,"total_tax_amount":0},` +
				`{"type":"return_fee","name":"Return fee","quantity":1,"unit_price":-500,"tax_rate":0,"total_amount":-500,"total_discount_amount":0,"total_tax_amount":0}]}`},
		{name: "get order", run: func(c *Client) error {
			o, err := c.GetOrder(context.Background(), testOrderID)
			if err == nil && o.OrderID != testOrderID {
				err = errors.New("wrong order")
			}
			return err
		}, method: "GET", path: orders, status: 200, respBody: `{"order_id":"` + testOrderID + `"}`},
		{name: "list captures", run: func(c *Client) error {
			cs, err := c.ListCaptures(context.Background(), testOrderID)
			if err == nil && (len(cs) != 1 || cs[0].CaptureID != testCaptureID) {
				err = errors.New("wrong captures")
			}
			return err
		}, method: "GET", path: orders + "/captures", status: 200, respBody: `[{"capture_id":"` + testCaptureID + `","captured_amount":100}]`},
		{name: "get capture", run: func(c *Client) error {
			cp, err := c.GetCapture(context.Background(), testOrderID, testCaptureID)
			if err == nil && cp.CapturedAmount != 100 {
				err = errors.New("wrong capture")
			}
			return err
		}, method: "GET", path: orders + "/captures/" + testCaptureID, status: 200, respBody: `{"capture_id":"` + testCaptureID + `","captured_amount":100}`},
		{name: "get extend due date options", run: func(c *Client) error {
			o, err := c.GetExtendDueDateOptions(context.Background(), testOrderID, testCaptureID)
			if err == nil && (o.Currency != "SEK" || len(o.Options) != 2 || o.Options[1].NumberOfDays != 28) {
				err = errors.New("wrong options")
			}
			return err
		}, method: "GET", path: orders + "/captures/" + testCaptureID + "/extend-due-date-options", status: 200,
			respBody: `{"currency":"sek","options":[{"amount":1900,"number_of_days":14},{"amount":2900,"number_of_days":28}]}`},
		{name: "get refund", run: func(c *Client) error {
			r, err := c.GetRefund(context.Background(), testOrderID, testRefundID)
			if err == nil && (r.RefundID != testRefundID || !r.CreditInvoice) {
				err = errors.New("wrong refund")
			}
			return err
		}, method: "GET", path: orders + "/refunds/" + testRefundID, status: 200, respBody: `{"refund_id":"` + testRefundID + `","refunded_amount":500,"credit_invoice":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := newFakeServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				status := tt.status
				if status == 0 {
					status = 204
				}
				if tt.respBody != "" {
					writeJSON(w, status, tt.respBody)
					return
				}
				w.WriteHeader(status)
			})
			c, _ := newTestClient(t, fs.URL, func(cfg *Config) { cfg.Provider = ProviderKlarna })
			if err := tt.run(c); err != nil {
				t.Fatalf("call: %v", err)
			}
			reqs := fs.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			r := reqs[0]
			if r.Method != tt.method || r.Path != tt.path {
				t.Errorf("sent %s %s, want %s %s", r.Method, r.Path, tt.method, tt.path)
			}
			if string(r.Body) != tt.body {
				t.Errorf("body\n got %s\nwant %s", r.Body, tt.body)
			}
			wantCT := ""
			if tt.body != "" {
				wantCT = "application/json"
			}
			if ct := r.Header.Get("Content-Type"); ct != wantCT {
				t.Errorf("Content-Type %q, want %q", ct, wantCT)
			}
			wantKey := testKey
			if tt.method == "GET" {
				wantKey = ""
			}
			if k := r.Header.Get("Klarna-Idempotency-Key"); k != wantKey {
				t.Errorf("idempotency key %q, want %q", k, wantKey)
			}
			if r.Header.Get("Authorization") == "" || r.Header.Get("Accept") != "application/json" || !strings.HasPrefix(r.Header.Get("User-Agent"), "ordercare/") {
				t.Errorf("headers %v", r.Header)
			}
		})
	}
}

func TestCreatedResourceIDs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		header  map[string]string
		want    string
		wantErr bool
	}{
		{"Capture-Id header", map[string]string{"Capture-Id": "cap-1", "Location": "https://api.kustom.co/ordermanagement/v1/orders/o/captures/other"}, "cap-1", false},
		{"absolute Location", map[string]string{"Location": "https://api.kustom.co/ordermanagement/v1/orders/" + testOrderID + "/captures/" + testCaptureID}, testCaptureID, false},
		{"relative Location with slash", map[string]string{"Location": "/ordermanagement/v1/orders/" + testOrderID + "/captures/" + testCaptureID + "/"}, testCaptureID, false},
		{"Location with query", map[string]string{"Location": "/captures/abc?x=1"}, "abc", false},
		{"neither", nil, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := newFakeServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.Header().Set("Klarna-Correlation-Id", "corr-ok")
				w.WriteHeader(201)
			})
			c, _ := newTestClient(t, fs.URL, nil)
			call, err := c.Prepare(testOrderID, "", testKey, &CaptureRequest{CapturedAmount: 100})
			if err != nil {
				t.Fatal(err)
			}
			res, err := c.Send(context.Background(), call)
			if tt.wantErr {
				if !errors.Is(err, ErrMissingResourceID) || res == nil || res.Status != 201 {
					t.Fatalf("res %+v err %v, want ErrMissingResourceID with the result", res, err)
				}
				return
			}
			if err != nil || res.ResourceID != tt.want || res.Status != 201 || res.CorrelationID != "corr-ok" || res.Attempts != 1 {
				t.Fatalf("res %+v err %v, want id %q", res, err, tt.want)
			}
		})
	}
	if got := resourceID("", "/refunds/"+testRefundID); got != testRefundID {
		t.Errorf("refund Location gives %q", got)
	}
}

func TestKustomLacksSendOutAndDueDates(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t, noContent)
	kustom, _ := newTestClient(t, fs.URL, nil)
	klarna, _ := newTestClient(t, fs.URL, func(cfg *Config) { cfg.Provider = ProviderKlarna })
	for _, op := range []Operation{OpTriggerSendOut, OpExtendDueDate, OpGetExtendDueDateOptions} {
		if kustom.Supports(op) || !klarna.Supports(op) {
			t.Errorf("%s: kustom %v klarna %v", op, kustom.Supports(op), klarna.Supports(op))
		}
	}
	for _, op := range Operations {
		if op != OpTriggerSendOut && op != OpExtendDueDate && !kustom.Supports(op) {
			t.Errorf("kustom must support %s", op)
		}
	}
	ctx := context.Background()
	errs := []error{
		kustom.exec(ctx, testOrderID, testCaptureID, testKey, TriggerSendOutRequest{}),
		kustom.exec(ctx, testOrderID, testCaptureID, testKey, &ExtendDueDateRequest{NumberOfDays: 14}),
	}
	_, err := kustom.GetExtendDueDateOptions(ctx, testOrderID, testCaptureID)
	errs = append(errs, err)
	_, err = kustom.Prepare(testOrderID, testCaptureID, testKey, TriggerSendOutRequest{})
	errs = append(errs, err)
	for i, err := range errs {
		if !errors.Is(err, ErrNotSupported) || !strings.Contains(err.Error(), "kustom") || !strings.Contains(err.Error(), "no request was sent") {
			t.Errorf("%d: err = %v", i, err)
		}
	}
	if n := len(fs.requests()); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
}

func TestPrepareRefusesBadCalls(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t, noContent)
	c, _ := newTestClient(t, fs.URL, nil)
	tests := []struct {
		name                string
		order, capture, key string
		body                Request
		wantIs              error
		wantField           string
		wantText            string
	}{
		{name: "no key", body: CancelRequest{}, order: testOrderID, wantIs: ErrNoIdempotencyKey},
		{name: "bad order id", body: CancelRequest{}, order: "7849fd84-47dc-4919-a7ce-xxxxxxxxxx", key: testKey, wantField: "order_id"},
		{name: "order id with path", body: CancelRequest{}, order: "../../admin", key: testKey, wantField: "order_id"},
		{name: "capture id with slash", order: testOrderID, capture: "a/b", key: testKey,
			body: &CaptureShippingInfoRequest{ShippingInfo: []ShippingInfo{{ShippingMethod: "Home"}}}, wantField: "capture_id"},
		{name: "missing capture id", order: testOrderID, key: testKey,
			body: &CaptureShippingInfoRequest{ShippingInfo: []ShippingInfo{{ShippingMethod: "Home"}}}, wantField: "capture_id"},
		{name: "capture id on order op", body: CancelRequest{}, order: testOrderID, capture: testCaptureID, key: testKey, wantField: "capture_id"},
		{name: "key with newline", body: CancelRequest{}, order: testOrderID, key: "a\nb", wantField: "idempotency_key"},
		// A body of another operation's type, a body on a body-less
		// operation and a read operation cannot be written any more (the
		// request's type names its operation); Send still refuses them in
		// calls rebuilt from stored bytes (TestSendRefusesForeignCalls).
		{name: "missing body", order: testOrderID, key: testKey, wantText: "no request"},
		{name: "nil body", order: testOrderID, key: testKey, body: (*RefundRequest)(nil), wantText: "no request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			call, err := c.Prepare(tt.order, tt.capture, tt.key, tt.body)
			if call != nil || err == nil {
				t.Fatalf("call %+v err %v", call, err)
			}
			switch {
			case tt.wantIs != nil && !errors.Is(err, tt.wantIs):
				t.Errorf("err = %v, want %v", err, tt.wantIs)
			case tt.wantField != "":
				var ve *ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("err = %v, want ValidationError", err)
				}
				if _, ok := ve.Field(tt.wantField); !ok {
					t.Errorf("fields %v lack %s", ve.Fields, tt.wantField)
				}
			case tt.wantText != "" && !strings.Contains(err.Error(), tt.wantText):
				t.Errorf("err = %v, want %q", err, tt.wantText)
			}
		})
	}
	// Reads validate ids too, before any request.
	if _, err := c.GetOrder(context.Background(), "nope"); !isValidation(err, "order_id") {
		t.Errorf("GetOrder: %v", err)
	}
	if _, err := c.GetRefund(context.Background(), testOrderID, "x y"); !isValidation(err, "refund_id") {
		t.Errorf("GetRefund: %v", err)
	}
	if n := len(fs.requests()); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
}

func isValidation(err error, field string) bool {
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	_, ok := ve.Field(field)
	return ok
}

func TestPrepareAcceptsValueOrPointerAndEncodesOnce(t *testing.T) {
	t.Parallel()
	c, _ := newTestClient(t, "http://127.0.0.1:1", nil)
	req := CaptureRequest{CapturedAmount: 100, Description: "a & b"}
	byVal, err := c.Prepare(testOrderID, "", testKey, req)
	if err != nil {
		t.Fatal(err)
	}
	byPtr, err := c.Prepare(testOrderID, "", testKey, &req)
	if err != nil {
		t.Fatal(err)
	}
	if string(byVal.Body) != string(byPtr.Body) || string(byVal.Body) != `{"captured_amount":100,"description":"a & b"}` {
		t.Errorf("bodies %s / %s", byVal.Body, byPtr.Body)
	}
	if byVal.Method != "POST" || byVal.Path != "/ordermanagement/v1/orders/"+testOrderID+"/captures" || byVal.IdempotencyKey != testKey || byVal.Op != OpCreateCapture {
		t.Errorf("call %+v", byVal)
	}
	req.CapturedAmount = 999 // changing the request later must not change the prepared bytes
	if !strings.Contains(string(byVal.Body), `"captured_amount":100`) {
		t.Error("prepared body changed")
	}
}

func TestSendAcceptsARebuiltCallAndRefusesTamperedOnes(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Capture-Id", testCaptureID)
		w.WriteHeader(201)
	})
	c, _ := newTestClient(t, fs.URL, nil)
	path := "/ordermanagement/v1/orders/" + testOrderID + "/captures"
	// As if read back from the audit log after a restart: the same bytes go out.
	stored := []byte(`{"captured_amount":100, "description":"kept as stored"}`)
	res, err := c.Send(context.Background(), &Call{Op: OpCreateCapture, OrderID: testOrderID, Method: "POST", Path: path, Body: stored, IdempotencyKey: testKey})
	if err != nil || res.ResourceID != testCaptureID {
		t.Fatalf("rebuilt call: %+v %v", res, err)
	}
	if got := fs.requests()[0].Body; string(got) != string(stored) {
		t.Errorf("sent %s, want the stored bytes", got)
	}
	for name, call := range map[string]*Call{
		"invalid body":      {Op: OpCreateCapture, OrderID: testOrderID, Method: "POST", Path: path, Body: []byte(`{"captured_amount":-1}`), IdempotencyKey: testKey},
		"unknown field":     {Op: OpCreateCapture, OrderID: testOrderID, Method: "POST", Path: path, Body: []byte(`{"captured_amount":1,"amount":5}`), IdempotencyKey: testKey},
		"trailing data":     {Op: OpCreateCapture, OrderID: testOrderID, Method: "POST", Path: path, Body: []byte(`{"captured_amount":1}{}`), IdempotencyKey: testKey},
		"not JSON":          {Op: OpCreateCapture, OrderID: testOrderID, Method: "POST", Path: path, Body: []byte(`captured_amount=1`), IdempotencyKey: testKey},
		"path of another":   {Op: OpCreateCapture, OrderID: testOrderID, Method: "POST", Path: path + "/../refunds", Body: stored, IdempotencyKey: testKey},
		"body on cancel":    {Op: OpCancel, OrderID: testOrderID, Method: "POST", Path: "/ordermanagement/v1/orders/" + testOrderID + "/cancel", Body: []byte(`{}`), IdempotencyKey: testKey},
		"bad order id":      {Op: OpCancel, OrderID: "x", Method: "POST", Path: "/ordermanagement/v1/orders/x/cancel", IdempotencyKey: testKey},
		"method of another": {Op: OpCancel, OrderID: testOrderID, Method: "PATCH", Path: "/ordermanagement/v1/orders/" + testOrderID + "/cancel", IdempotencyKey: testKey},
	} {
		if _, err := c.Send(context.Background(), call); err == nil {
			t.Errorf("%s: sent", name)
		}
	}
	if n := len(fs.requests()); n != 1 {
		t.Errorf("%d requests, want only the valid one", n)
	}
}

func TestBaseURLWithPathPrefix(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t, noContent)
	c, _ := newTestClient(t, fs.URL+"/proxy/om/", nil)
	if err := c.exec(context.Background(), testOrderID, "", testKey, AcknowledgeRequest{}); err != nil {
		t.Fatal(err)
	}
	if got := fs.requests()[0].Path; got != "/proxy/om/ordermanagement/v1/orders/"+testOrderID+"/acknowledge" {
		t.Errorf("path %s", got)
	}
}

func TestSendRefusesForeignCalls(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t, noContent)
	c, _ := newTestClient(t, fs.URL, nil)
	for _, call := range []*Call{nil, {Op: OpCancel, Method: "DELETE", Path: "/ordermanagement/v1/orders/x/cancel", IdempotencyKey: testKey},
		{Op: OpCancel, Method: "POST", Path: "/admin", IdempotencyKey: testKey},
		{Op: OpCancel, Method: "POST", Path: "/ordermanagement/v1/orders/" + testOrderID + "/cancel"},
		{Op: OpCreateCapture, OrderID: testOrderID, Method: "POST", Path: "/ordermanagement/v1/orders/" + testOrderID + "/captures",
			Body: []byte(`{"refunded_amount":100}`), IdempotencyKey: testKey},
		{Op: OpGetOrder, OrderID: testOrderID, Method: "GET", Path: "/ordermanagement/v1/orders/" + testOrderID, IdempotencyKey: testKey},
		{Op: "refund_everything", OrderID: testOrderID, Method: "POST", Path: "/ordermanagement/v1/orders/" + testOrderID, IdempotencyKey: testKey}} {
		if _, err := c.Send(context.Background(), call); err == nil {
			t.Errorf("Send(%+v) succeeded", call)
		}
	}
	if n := len(fs.requests()); n != 0 {
		t.Errorf("%d requests", n)
	}
}
