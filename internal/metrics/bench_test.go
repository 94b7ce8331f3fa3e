package metrics

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
)

// BenchmarkMiddleware is what counting a request costs: the same echo
// route answered without and with the metrics middleware.
func BenchmarkMiddleware(b *testing.B) {
	for _, tc := range []struct {
		name string
		m    *Metrics
	}{{"off", nil}, {"on", New("bench")}} {
		b.Run(tc.name, func(b *testing.B) {
			e := echo.New()
			e.Use(tc.m.Middleware(e))
			e.GET("/orders/:id", func(c echo.Context) error { return c.NoContent(http.StatusOK) }).Name = "orders.show"
			req := httptest.NewRequest(http.MethodGet, "/orders/4c1fd4ae", nil)
			b.ReportAllocs()
			for b.Loop() {
				e.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}

// BenchmarkProviderTransport is what counting a provider call costs
// beyond the call: classifying its path and updating two series.
func BenchmarkProviderTransport(b *testing.B) {
	p := NewProvider(New("bench"), roundTripFunc(func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}, nil
	}))
	req := httptest.NewRequest(http.MethodGet, "https://api.example.com/ordermanagement/v1/orders/4c1fd4ae/captures/c-1", nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.RoundTrip(req); err != nil {
			b.Fatal(err)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
