package epsim_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"ordercare/internal/openapitest"
	ep "ordercare/internal/shop/elasticpath"
	"ordercare/internal/shop/elasticpath/epsim"
)

// Contract test: every request the client sends and every successful
// answer the sandbox gives must match the platform's own documents
// (elasticpath-cartsorders.yaml, elasticpath-authentication.yaml, read in
// place from shared/openapi). Error answers are checked for the error
// shape separately: the document types its 401 body as an array while
// its own example is an object, so it cannot judge them.

type recorder struct {
	t            *testing.T
	orders, auth routers.Router
	mu           sync.Mutex
	seen         map[string]int
}

func (cr *recorder) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		router := cr.orders
		if r.URL.Path == "/oauth/access_token" {
			router = cr.auth
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		route, params, err := router.FindRoute(r)
		var in *openapi3filter.RequestValidationInput
		if err != nil {
			cr.t.Errorf("%s %s is not an operation of the document: %v", r.Method, r.URL.Path, err)
		} else {
			cr.mu.Lock()
			cr.seen[route.Operation.OperationID]++
			cr.mu.Unlock()
			in = &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route,
				Options: &openapi3filter.Options{MultiError: true, AuthenticationFunc: bearer}}
			if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
				cr.t.Errorf("request %s %s does not match the document: %v\nbody: %s", r.Method, r.URL.Path, err, body)
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if in != nil && rec.Code == http.StatusOK {
			out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.Code, Header: rec.Header(),
				Body: io.NopCloser(bytes.NewReader(rec.Body.Bytes())), Options: &openapi3filter.Options{MultiError: true}}
			if err := openapi3filter.ValidateResponse(r.Context(), out); err != nil {
				cr.t.Errorf("answer %d to %s %s does not match the document: %v\nbody: %s", rec.Code, r.Method, r.URL.Path, err, rec.Body.Bytes())
			}
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

func bearer(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if !strings.HasPrefix(in.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer ") {
		return errors.New("no bearer token")
	}
	return nil
}

func TestContractClientAndSandbox(t *testing.T) {
	orders, auth := openapitest.ElasticPath(t)
	cr := &recorder{t: t, orders: orders, auth: auth, seen: map[string]int{}}
	e := newEnv(t, cr.wrap)
	paid := e.order(t, epsim.NewOrder{OrderNumber: "SO-1", ExternalRef: "pay-1", Payment: ep.PaymentPaid})
	open := e.order(t, epsim.NewOrder{OrderNumber: "SO-2"})

	found, err := e.client.FindByNumber(ctx(t), "SO-1")
	if err != nil || len(found) != 1 || found[0].ID != paid {
		t.Fatalf("FindByNumber(SO-1) = %+v, %v; want the one order %s", found, err, paid)
	}
	o, err := e.client.GetOrder(ctx(t), paid)
	if err != nil {
		t.Fatal(err)
	}
	if o.Total() == nil || o.Total().Amount != 2500 || o.Total().Currency != "EUR" {
		t.Errorf("total = %+v, want 2500 EUR", o.Total())
	}
	items, err := e.client.GetItems(ctx(t), paid)
	if err != nil || len(items) != 1 || items[0].Quantity != 2 || items[0].UnitPrice.Amount != 1250 {
		t.Fatalf("items = %+v, %v", items, err)
	}
	addr := *o.ShippingAddress
	addr.Line1 = "Storgatan 1"
	if o, err = e.client.UpdateOrder(ctx(t), paid, ep.UpdateAddress(o, addr)); err != nil || o.ShippingAddress.Line1 != "Storgatan 1" {
		t.Fatalf("address update = %+v, %v", o, err)
	}
	if o, err = e.client.UpdateOrder(ctx(t), paid, ep.UpdateReferences("SO-1b", "pay-1b", *o.ShippingAddress)); err != nil || o.OrderNumber != "SO-1b" || o.ExternalRef != "pay-1b" {
		t.Fatalf("references update = %+v, %v", o, err)
	}
	if o, err = e.client.UpdateOrder(ctx(t), paid, ep.Fulfil()); err != nil || o.Shipping != ep.ShippingFulfilled {
		t.Fatalf("fulfil = %+v, %v", o, err)
	}
	txs, err := e.client.Transactions(ctx(t), open)
	if err != nil || len(txs) != 1 {
		t.Fatalf("transactions = %+v, %v", txs, err)
	}
	if tx, err := e.client.CaptureTransaction(ctx(t), open, txs[0].ID); err != nil || tx.TransactionType != ep.TransactionCapture {
		t.Fatalf("capture = %+v, %v", tx, err)
	}
	if o, err = e.client.UpdateOrder(ctx(t), open, ep.Cancel()); err != nil || o.Status != ep.StatusCancelled {
		t.Fatalf("cancel = %+v, %v", o, err)
	}
	for _, op := range []string{"post-oauth-access_token", "getCustomerOrders", "getAnOrder", "getOrderItems", "updateAnOrder",
		"getOrderTransactions", "captureATransaction"} {
		if cr.seen[op] == 0 {
			t.Errorf("operation %s never exercised", op)
		}
	}
}
