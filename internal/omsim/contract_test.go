package omsim_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"ordercare/internal/omclient"
	"ordercare/internal/omclient/omclienttest"
	"ordercare/internal/omsim"
	"ordercare/internal/openapitest"
)

// Contract test of the sandbox: every response it gives to the client —
// demo orders, captures, refunds, due-date options, created resources and
// error bodies — must validate against the provider's OpenAPI document
// (shared/openapi/order-management-api-openapi.yml, read in place through
// internal/openapitest, which the client's contract test shares).

func loadSpec(t *testing.T) (*openapi3.T, routers.Router) { return openapitest.Spec(t) }

// validating wraps the sandbox and checks every API exchange.
type validating struct {
	t      *testing.T
	router routers.Router
	h      http.Handler
	mu     sync.Mutex
	seen   map[string]int // "operationId status"
	checks int
}

func (v *validating) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := v.router.FindRoute(r)
	if err != nil {
		v.t.Errorf("%s %s is not an operation of the document: %v", r.Method, r.URL.Path, err)
	}
	rec := httptest.NewRecorder()
	v.h.ServeHTTP(rec, r)
	if route != nil {
		in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, ExcludeRequestBody: true}}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.Code, Header: rec.Header(),
			Body: io.NopCloser(bytes.NewReader(rec.Body.Bytes())), Options: &openapi3filter.Options{MultiError: true}}
		if err := openapi3filter.ValidateResponse(r.Context(), out); err != nil {
			v.t.Errorf("response %d to %s %s does not match the document: %v\nbody: %s", rec.Code, r.Method, r.URL.Path, err, rec.Body.Bytes())
		}
		v.mu.Lock()
		v.seen[fmt.Sprintf("%s %d", route.Operation.OperationID, rec.Code)]++
		v.checks++
		v.mu.Unlock()
	}
	for k, vals := range rec.Header() {
		w.Header()[k] = vals
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func TestSandboxResponsesMatchTheDocument(t *testing.T) {
	t.Parallel()
	doc, router := loadSpec(t)
	ctx := context.Background()
	sb, err := omsim.New(ctx, omsim.Options{Provider: omclient.ProviderKlarna, Username: "M1-test", Password: "kco_test_api_x",
		Clock: omsim.NewFakeClock(start), Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	v := &validating{t: t, router: router, h: sb, seen: map[string]int{}}
	srv := httptest.NewServer(v)
	defer srv.Close()
	c, err := omclient.New(omclient.Config{BaseURL: srv.URL, Provider: omclient.ProviderKlarna, Username: "M1-test", Password: "kco_test_api_x",
		Retry: omclient.RetryPolicy{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := sb.OrderIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Reads of every demo order, capture and refund.
	for _, id := range ids {
		o, err := c.GetOrder(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.ListCaptures(ctx, id); err != nil {
			t.Fatal(err)
		}
		for _, cp := range o.Captures {
			if _, err := c.GetCapture(ctx, id, cp.CaptureID); err != nil {
				t.Fatal(err)
			}
			_, _ = c.GetExtendDueDateOptions(ctx, id, cp.CaptureID) // 200 or 403, both validated
		}
		for _, rf := range o.Refunds {
			if _, err := c.GetRefund(ctx, id, rf.RefundID); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Every change on every demo order: successes and refusals alike.
	for _, id := range ids {
		o, _ := c.GetOrder(ctx, id)
		capID := unknownCapture
		if len(o.Captures) > 0 {
			capID = o.Captures[0].CaptureID
		}
		ref := "SO-200001"
		_ = omclienttest.Exec(ctx, c, id, "", key(), omclient.AcknowledgeRequest{})
		_ = omclienttest.Exec(ctx, c, id, "", key(), &omclient.UpdateMerchantReferencesRequest{MerchantReference1: &ref})
		_ = omclienttest.Exec(ctx, c, id, "", key(), &omclient.UpdateCustomerDetailsRequest{ShippingAddress: &omclient.Address{Attention: "Reception"}})
		_ = omclienttest.Exec(ctx, c, id, "", key(), shipping)
		_ = omclienttest.Exec(ctx, c, id, "", key(), omclient.ExtendAuthorizationTimeRequest{})
		_ = omclienttest.Exec(ctx, c, id, capID, key(), omclient.CaptureShippingInfoRequest(shipping))
		_ = omclienttest.Exec(ctx, c, id, capID, key(), omclient.TriggerSendOutRequest{})
		_ = omclienttest.Exec(ctx, c, id, capID, key(), &omclient.ExtendDueDateRequest{NumberOfDays: 14})
		if o.RemainingAuthorizedAmount > 1 {
			_, _ = omclienttest.Created(ctx, c, id, key(), &omclient.CaptureRequest{CapturedAmount: o.RemainingAuthorizedAmount / 2})
		} else {
			_, _ = omclienttest.Created(ctx, c, id, key(), &omclient.CaptureRequest{CapturedAmount: 1})
		}
		_, _ = omclienttest.Created(ctx, c, id, key(), &omclient.RefundRequest{RefundedAmount: 1})
		_ = omclienttest.Exec(ctx, c, id, "", key(), omclient.ReleaseRemainingRequest{})
		_ = omclienttest.Exec(ctx, c, id, "", key(), &omclient.UpdateAuthorizationRequest{OrderAmount: o.OrderAmount})
		_ = omclienttest.Exec(ctx, c, id, "", key(), omclient.CancelRequest{})
		if _, err := c.GetOrder(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	// Every operation of the document was answered at least once.
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			found := false
			for k := range v.seen {
				if strings.HasPrefix(k, op.OperationID+" 2") {
					found = true
				}
			}
			if !found {
				t.Errorf("operation %s never answered with success", op.OperationID)
			}
		}
	}
	if v.checks < 1000 {
		t.Errorf("only %d exchanges validated", v.checks)
	}
}
