package handlers_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"ordercare/internal/handlers"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/pipelinetest"
	"ordercare/internal/session"
	"ordercare/internal/staff"
	"ordercare/web/templates/view"
)

// fuzzApp is the back office with the demo sandbox, served in process
// (no socket) to one signed-in agent, for fuzz targets: newOrdersApp needs
// a *testing.T, a fuzz target has a *testing.F.
type fuzzApp struct {
	h          http.Handler
	cookies    []*http.Cookie
	token      string
	authorized *omclient.Order
	captured   *omclient.Order
	forms      []string // POST routes of the change forms, as registered
}

func newFuzzApp(tb testing.TB) *fuzzApp {
	tb.Helper()
	ctx := tb.Context()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	clock := omsim.NewFakeClock(ordersNow)
	env := pipelinetest.New(tb, pipelinetest.Options{Clock: clock, Demo: true, Now: clock.Now, Timeout: 5 * time.Second,
		Retry: omclient.RetryPolicy{MaxAttempts: 1, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}})
	sb, svc, ix := env.Sandbox, env.Orders, env.Index
	stores := withStaff(tb, env.Admin, env.Log, clock.Now)
	if _, err := stores.staff.Add(ctx, "agent@example.com", staff.RoleAgent, testPassword); err != nil {
		tb.Fatal(err)
	}
	h := &handlers.Handlers{Log: quiet, Env: view.EnvBanner{Label: "Built-in sandbox", Kind: view.EnvSandbox},
		Sessions: session.NewManager(stores.sessions, false), Staff: stores.staff, Orders: svc, Index: ix, Audit: stores.audit,
		Now: clock.Now, Provider: omclient.ProviderKustom, DB: stores.db, OMTimeout: 5 * time.Second}
	e, err := h.Echo()
	if err != nil {
		tb.Fatal(err)
	}
	a := &fuzzApp{h: e}
	ids, err := sb.OrderIDs(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	for _, id := range ids {
		o, err := svc.GetOrder(ctx, id)
		if err != nil {
			tb.Fatal(err)
		}
		if a.authorized == nil && o.Status == omclient.StatusAuthorized {
			a.authorized = o
		}
		if a.captured == nil && len(o.Captures) > 0 && o.CapturedAmount > o.RefundedAmount {
			a.captured = o
		}
	}
	if a.authorized == nil || a.captured == nil {
		tb.Fatal("the demo data lacks an authorized or a captured order")
	}
	for _, r := range e.Routes() {
		if r.Method == http.MethodPost && strings.HasPrefix(r.Path, "/orders/:id/") {
			a.forms = append(a.forms, r.Path)
		}
	}
	// Sign in like a browser.
	login := a.do(tb, http.MethodGet, "/login", nil, nil)
	a.token = login.doc.Find(`input[name="_csrf"]`).AttrOr("value", "")
	r := a.do(tb, http.MethodPost, "/login", url.Values{"email": {"agent@example.com"}, "password": {testPassword}, "_csrf": {a.token}}, nil)
	if r.status != http.StatusSeeOther {
		tb.Fatalf("sign-in: %d", r.status)
	}
	// Signing in renews the CSRF token: take the new one from the next page.
	a.token = a.do(tb, http.MethodGet, "/", nil, nil).doc.Find(`input[name="_csrf"]`).AttrOr("value", "")
	return a
}

type fuzzAnswer struct {
	status int
	doc    *goquery.Document
	body   string
}

// do serves one request in process, keeping cookies like a browser.
func (a *fuzzApp) do(tb testing.TB, method, target string, form url.Values, hdr http.Header) fuzzAnswer {
	tb.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	for _, c := range a.cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, req)
	resp := rec.Result()
	defer resp.Body.Close()
	for _, c := range resp.Cookies() {
		kept := a.cookies[:0]
		for _, old := range a.cookies {
			if old.Name != c.Name {
				kept = append(kept, old)
			}
		}
		a.cookies = append(kept, c)
	}
	raw, _ := io.ReadAll(resp.Body)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(raw)))
	if err != nil {
		tb.Fatal(err)
	}
	return fuzzAnswer{status: resp.StatusCode, doc: doc, body: string(raw)}
}

// FuzzSearchQuery: no q, status or cursor makes the search answer with a
// server error (a panic would be a 500 through Recover), as a page or as
// the htmx partial.
func FuzzSearchQuery(f *testing.F) {
	for _, s := range [][3]string{
		{"", "", ""}, {"mustermann", "AUTHORIZED", ""}, {"%", "", ""}, {`"; DROP TABLE orders; --`, "", ""},
		{"a", "NOT_A_STATUS", "garbage"}, {"x", "", "MjAyNi0wMy0xMHxhYmM="}, {strings.Repeat("é", 300), "CAPTURED", "!!"},
		{"550e8400-e29b-41d4-a716-446655440000", "", ""}, {"\x00\xff", "\n", "\x00"}, {"K4MADNY", "", "-1"},
		{"erika@example.com", "", ""}, {"*", "cancelled", ""}, {"\"", "", "eyJ"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	app := newFuzzApp(f)
	f.Fuzz(func(t *testing.T, q, status, cursor string) {
		target := "/orders?" + url.Values{"q": {q}, "status": {status}, "cursor": {cursor}}.Encode()
		for _, hdr := range []http.Header{nil, {"Hx-Request": {"true"}}} {
			r := app.do(t, http.MethodGet, target, nil, hdr)
			if r.status >= 500 {
				t.Fatalf("GET %s (htmx %v): %d", target, hdr != nil, r.status)
			}
		}
	})
}

// FuzzChangeForms: every change form, as rendered for a real order, with
// one or two of its fields replaced by arbitrary text, is answered without
// a server error: a bad value becomes a message at the field (or the form
// sends a valid change), never a 500.
func FuzzChangeForms(f *testing.F) {
	for i, s := range []string{"", "12.50", "-1", "1e309", "99999999999999999999", "12,505", "1,2,3", "<script>alert(1)</script>",
		"v1.AUTHORIZED.1.0.0.0.0", "v2.x", "other", "not-a-uuid", strings.Repeat("9", 400), "\x00", "0", " 7 ", "NaN", "¥", "1.005"} {
		f.Add(uint8(i), uint8(i*7), s, "customer_request")
	}
	app := newFuzzApp(f)
	f.Fuzz(func(t *testing.T, route, field uint8, value, value2 string) {
		if len(app.forms) == 0 {
			t.Skip("no change forms registered")
		}
		path := app.forms[int(route)%len(app.forms)]
		o := app.authorized
		if strings.Contains(path, ":capture_id") || strings.Contains(path, "/refund") {
			o = app.captured
		}
		u := strings.ReplaceAll(path, ":id", o.OrderID)
		if len(o.Captures) > 0 {
			u = strings.ReplaceAll(u, ":capture_id", o.Captures[0].CaptureID)
		}
		formPath := strings.TrimSuffix(u, "/preview")
		shown := app.do(t, http.MethodGet, formPath, nil, nil)
		if shown.status >= 500 {
			t.Fatalf("GET %s: %d", formPath, shown.status)
		}
		v := url.Values{}
		form := shown.doc.Find(`form[data-testid="change-form"]`)
		var names []string
		form.Find("input[name], select[name], textarea[name]").Each(func(_ int, s *goquery.Selection) {
			n := s.AttrOr("name", "")
			if strings.ToLower(s.AttrOr("type", "")) == "submit" {
				return
			}
			v.Set(n, s.AttrOr("value", ""))
			if n != "_csrf" {
				names = append(names, n)
			}
		})
		v.Set("_csrf", app.token)
		v.Set("reason", "customer_request")
		if len(names) > 0 {
			v.Set(names[int(field)%len(names)], value)
			v.Set(names[(int(field)+1)%len(names)], value2)
		} else {
			v.Set("amount", value)
		}
		r := app.do(t, http.MethodPost, u, v, nil)
		if r.status >= 500 {
			t.Fatalf("POST %s with %v: %d", u, v, r.status)
		}
	})
}
