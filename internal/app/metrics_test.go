package app_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"ordercare/internal/app"
	"ordercare/internal/omclient"
	"ordercare/web/templates/view"
)

const scrapeToken = "scrape-token-0123456789abcdef"

// scrape reads /metrics with the token.
func scrape(t *testing.T, a *app.App) string {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, a.URL()+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+scrapeToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, b)
	}
	return string(b)
}

// submitForm fills the first POST form of the page at path as it stands
// (hidden fields, the first reason offered), with the values in set, and
// posts it.
func submitForm(t *testing.T, c *http.Client, base, path string, set map[string]string) *http.Response {
	t.Helper()
	r, err := c.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(r.Body)
	r.Body.Close()
	if err != nil || r.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", path, r.StatusCode, err)
	}
	form := doc.Find(`form[method="post"]`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.Find(`[name="`+view.FieldReason+`"]`).Length() > 0
	}).First()
	vals := url.Values{}
	form.Find("input").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		typ, _ := s.Attr("type")
		v, _ := s.Attr("value")
		if name == "" || ((typ == "radio" || typ == "checkbox") && vals.Has(name)) {
			return
		}
		vals.Set(name, v)
	})
	form.Find("select").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		s.Find("option").EachWithBreak(func(_ int, o *goquery.Selection) bool {
			v, _ := o.Attr("value")
			if v != "" {
				vals.Set(name, v)
			}
			return v == ""
		})
	})
	for k, v := range set {
		vals.Set(k, v)
	}
	action, _ := form.Attr("action")
	if action == "" {
		action = path
	}
	resp, err := c.PostForm(base+action, vals)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// After a few pages and a change in the sandbox, /metrics holds the
// series an operator needs (route names, the provider operation, the
// audit appends) and nothing that identifies an order or a person.
func TestMetricsAfterPagesAndAChange(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.Metrics.Token = scrapeToken
	cfg.Metrics.Instance = "web-1"
	a, _ := start(t, cfg, io.Discard)
	ids, err := a.Sandbox().OrderIDs(t.Context())
	if err != nil || len(ids) == 0 {
		t.Fatalf("sandbox orders: %v", err)
	}
	agent := signIn(t, a.URL(), "agent@example.com", a.DemoPassword())
	for _, p := range []string{"/", "/orders?q=" + url.QueryEscape("customer@example.com"), "/orders/" + ids[0], "/orders/" + ids[1]} {
		r, err := agent.Get(a.URL() + p)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", p, r.StatusCode)
		}
	}
	const ref = "REF-SECRET-9137"
	resp := submitForm(t, agent, a.URL(), "/orders/"+ids[0]+"/"+view.ActionSlug(omclient.OpUpdateMerchantReferences),
		map[string]string{view.FieldReference1: ref})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusOK {
		t.Fatalf("references change: %d", resp.StatusCode)
	}
	if o, err := a.Client().GetOrder(t.Context(), ids[0]); err != nil || string(o.MerchantReference1) != ref {
		t.Fatalf("the change did not reach the sandbox: %v", err)
	}

	body := scrape(t, a)
	for _, want := range []string{
		`ordercare_http_requests_total{code="2xx",ordercare_instance="web-1",route="orders.show"} 2`,
		`ordercare_http_requests_total{code="2xx",ordercare_instance="web-1",route="orders.search"} 1`,
		`ordercare_http_requests_total{code="3xx",ordercare_instance="web-1",route="orders.references.submit"} 1`,
		`ordercare_http_request_duration_seconds_count{ordercare_instance="web-1",route="home"} 1`,
		`ordercare_provider_calls_total{operation="update_merchant_references",ordercare_instance="web-1",outcome="2xx"} 1`,
		`ordercare_provider_calls_total{operation="get_order",ordercare_instance="web-1",outcome="2xx"}`,
		`ordercare_provider_call_duration_seconds_count{operation="update_merchant_references",ordercare_instance="web-1"} 1`,
		`ordercare_audit_append_duration_seconds_count{ordercare_instance="web-1",outcome="ok"}`,
		`ordercare_audit_commit_events_count{ordercare_instance="web-1"}`,
		`ordercare_approvals_waiting{ordercare_instance="web-1"} 0`,
		`ordercare_bulk_job_orders{ordercare_instance="web-1",state="pending"} 0`,
		`go_goroutines{ordercare_instance="web-1"}`,
		`process_resident_memory_bytes{ordercare_instance="web-1"}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("exposition lacks %s", want)
		}
	}
	// Nothing that names an order or a person: no order id, no e-mail
	// (every e-mail has an @), no merchant reference typed in.
	for _, id := range ids {
		if strings.Contains(body, id) {
			t.Errorf("order id %s in the metrics", id)
		}
	}
	for _, bad := range []string{"@", ref, "customer"} {
		if strings.Contains(body, bad) {
			t.Errorf("%q in the metrics", bad)
		}
	}
}

// /readyz is ready in a running back office, GET and HEAD alike: the app
// wires the provider check to the client's transport (the parts failing
// one by one are tested in internal/handlers and internal/metrics).
func TestReadyzInTheApp(t *testing.T) {
	t.Parallel()
	a, _ := start(t, testConfig(t), io.Discard)
	for _, m := range []string{http.MethodGet, http.MethodHead} {
		req, _ := http.NewRequestWithContext(t.Context(), m, a.URL()+"/readyz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s /readyz: %d", m, resp.StatusCode)
		}
	}
}
