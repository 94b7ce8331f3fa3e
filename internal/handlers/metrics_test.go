package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"ordercare/internal/metrics"
)

// /metrics does not exist without a token; with one it answers only the
// bearer of exactly that token.
func TestMetricsTokenRules(t *testing.T) {
	t.Parallel()
	const token = "scrape-token-0123456789"
	off := newProbeServer(t, metrics.New("test"), "")
	if code, _, _ := off.do(t, http.MethodGet, "/metrics", "Bearer "+token); code != http.StatusNotFound {
		t.Fatalf("no token configured: %d, want 404", code)
	}

	p := newProbeServer(t, metrics.New("web-1"), token)
	for name, auth := range map[string]string{
		"missing":      "",
		"wrong":        "Bearer " + strings.Repeat("x", len(token)),
		"prefix":       "Bearer " + token[:len(token)-1],
		"basic scheme": "Basic " + token,
	} {
		code, body, hdr := p.do(t, http.MethodGet, "/metrics", auth)
		if code != http.StatusUnauthorized || strings.Contains(body, "ordercare_") || hdr.Get("WWW-Authenticate") == "" {
			t.Errorf("%s token: %d (WWW-Authenticate %q), want 401 without metrics", name, code, hdr.Get("WWW-Authenticate"))
		}
	}
	p.do(t, http.MethodGet, "/readyz", "")
	p.do(t, http.MethodGet, "/no/such/page/4c1fd4ae", "")
	code, body, _ := p.do(t, http.MethodGet, "/metrics", "Bearer "+token)
	if code != http.StatusOK {
		t.Fatalf("right token: %d", code)
	}
	for _, want := range []string{
		`ordercare_http_requests_total{code="2xx",ordercare_instance="web-1",route="readyz"} 1`,
		`ordercare_http_requests_total{code="4xx",ordercare_instance="web-1",route="unmatched"} 1`,
		`ordercare_http_request_duration_seconds_bucket{ordercare_instance="web-1",route="readyz",le="+Inf"} 1`,
		`go_goroutines{ordercare_instance="web-1"}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("exposition lacks %s", want)
		}
	}
	if strings.Contains(body, "4c1fd4ae") || strings.Contains(body, "/no/such") {
		t.Error("a request path reached the metrics")
	}
}
