package omsim_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
)

// Contract test of the sandbox: every response it gives to the client —
// demo orders, captures, refunds, due-date options, created resources and
// error bodies — must validate against the provider's OpenAPI document
// (shared/openapi/order-management-api-openapi.yml, read in place). The
// document's loader and artefact repairs mirror omclient's contract test
// (test helpers cannot be shared between packages).

const specFile = "order-management-api-openapi.yml"

func findSpec(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "openapi", specFile)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("shared/openapi/%s not found above the working directory; contract tests must run in CI", specFile)
	}
	t.Skipf("shared/openapi/%s not found above the working directory; skipping the sandbox contract test (it runs when ../shared is present, and must under CI=true)", specFile)
	return ""
}

func loadSpec(t *testing.T) (*openapi3.T, routers.Router) {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile(findSpec(t))
	if err != nil {
		t.Fatal(err)
	}
	fixArtefacts(doc)
	r, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return doc, r
}

// fixArtefacts repairs the third-party conversion (om-api.md §7): `enum:
// [null]` on price fields, regex alternations rendered as one-value enums,
// component names with spaces, the `basicAuth`/`Basic-authorization`
// mismatch, JSON string bodies declared on 201/204, header schemas
// missing, and a server list that would pin the host.
func fixArtefacts(doc *openapi3.T) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(s *openapi3.SchemaRef)
	walk = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		if slices.ContainsFunc(s.Enum, func(v any) bool { return v == nil }) {
			s.Enum = slices.DeleteFunc(s.Enum, func(v any) bool { return v == nil })
			if len(s.Enum) == 0 {
				s.Enum = nil
			}
		}
		if len(s.Enum) == 1 {
			if v, ok := s.Enum[0].(string); ok && strings.Contains(v, "|") {
				s.Enum = nil
				for _, alt := range strings.Split(v, "|") {
					s.Enum = append(s.Enum, alt)
				}
			}
		}
		for _, p := range s.Properties {
			walk(p)
		}
		walk(s.Items)
		walk(s.AdditionalProperties.Schema)
		for _, l := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
			for _, x := range l {
				walk(x)
			}
		}
	}
	for _, s := range doc.Components.Schemas {
		walk(s)
	}
	for name, s := range doc.Components.Schemas {
		clean := strings.Map(func(r rune) rune {
			if r == '.' || r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
				return r
			}
			return '_'
		}, name)
		if clean != name {
			delete(doc.Components.Schemas, name)
			doc.Components.Schemas[clean] = s
		}
	}
	if sch, ok := doc.Components.SecuritySchemes["Basic-authorization"]; ok {
		doc.Components.SecuritySchemes["basicAuth"] = sch
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for code, resp := range op.Responses.Map() {
				if resp.Value == nil {
					continue
				}
				for _, h := range resp.Value.Headers {
					if h.Value != nil && h.Value.Schema == nil && len(h.Value.Content) == 0 {
						h.Value.Schema = openapi3.NewStringSchema().NewRef()
					}
				}
				if code == "201" || code == "204" {
					resp.Value.Content = nil
				}
				for _, mt := range resp.Value.Content {
					walk(mt.Schema)
				}
			}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for _, mt := range op.RequestBody.Value.Content {
					walk(mt.Schema)
				}
			}
		}
	}
	doc.Servers = nil
}

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
		_ = c.Acknowledge(ctx, id, key())
		_ = c.UpdateMerchantReferences(ctx, id, key(), omclient.UpdateMerchantReferencesRequest{MerchantReference1: &ref})
		_ = c.UpdateCustomerDetails(ctx, id, key(), omclient.UpdateCustomerDetailsRequest{ShippingAddress: &omclient.Address{Attention: "Reception"}})
		_ = c.AddOrderShippingInfo(ctx, id, key(), shipping)
		_ = c.ExtendAuthorizationTime(ctx, id, key())
		_ = c.AddCaptureShippingInfo(ctx, id, capID, key(), shipping)
		_ = c.TriggerSendOut(ctx, id, capID, key())
		_ = c.ExtendDueDate(ctx, id, capID, key(), omclient.ExtendDueDateRequest{NumberOfDays: 14})
		if o.RemainingAuthorizedAmount > 1 {
			_, _ = c.CreateCapture(ctx, id, key(), omclient.CaptureRequest{CapturedAmount: o.RemainingAuthorizedAmount / 2})
		} else {
			_, _ = c.CreateCapture(ctx, id, key(), omclient.CaptureRequest{CapturedAmount: 1})
		}
		_, _ = c.CreateRefund(ctx, id, key(), omclient.RefundRequest{RefundedAmount: 1})
		_ = c.ReleaseRemainingAuthorization(ctx, id, key())
		_ = c.UpdateAuthorization(ctx, id, key(), omclient.UpdateAuthorizationRequest{OrderAmount: o.OrderAmount})
		_ = c.Cancel(ctx, id, key())
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
