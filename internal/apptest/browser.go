package apptest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// Browser is one member's browser against a back office: a cookie jar,
// and no redirect followed, so a test sees every answer as it came.
type Browser struct {
	Base   string
	Client *http.Client
	// Header is sent with every request, as a real browser sends its
	// User-Agent, or a proxy in front of it X-Forwarded-For; nil: none.
	Header http.Header
}

// NewBrowser is a browser for base whose requests give up after timeout
// (a liveness bound; 0: none).
func NewBrowser(base string, timeout time.Duration) *Browser {
	jar, _ := cookiejar.New(nil) // New never fails without options
	return &Browser{Base: base, Client: &http.Client{Jar: jar, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Page is one answer: the response (its body already read and closed),
// the body as text, and the body parsed as HTML.
type Page struct {
	Resp *http.Response
	Body string
	Doc  *goquery.Document
}

// Status is the answer's status code; 0 for the empty Page that comes
// with a transport error, so a failure message can still print it.
func (p Page) Status() int {
	if p.Resp == nil {
		return 0
	}
	return p.Resp.StatusCode
}

// Header is the answer's headers (none for the empty Page).
func (p Page) Header() http.Header {
	if p.Resp == nil {
		return http.Header{}
	}
	return p.Resp.Header
}

// Location is where a redirect sends the browser.
func (p Page) Location() string { return p.Header().Get("Location") }

// TestID selects the elements marked data-testid=id, the tests' handle on
// a page that survives changes of its markup.
func (p Page) TestID(id string) *goquery.Selection {
	return p.Doc.Find(`[data-testid="` + id + `"]`)
}

// Do sends one request, form-encoded when form is given, with the extra
// headers hdr (htmx's, say) over the browser's own. It returns errors
// rather than failing a test, so it may run in a test's goroutines.
func (b *Browser) Do(method, path string, form url.Values, hdr http.Header) (Page, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.Base+path, body)
	if err != nil {
		return Page{}, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range b.Header {
		req.Header[k] = v
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := b.Client.Do(req)
	if err != nil {
		return Page{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return Page{}, err
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(raw))
	if err != nil {
		return Page{}, err
	}
	return Page{Resp: resp, Body: string(raw), Doc: doc}, nil
}

// MustDo is Do that fails the test on a transport error; call it from the
// test's own goroutine.
func (b *Browser) MustDo(t testing.TB, method, path string, form url.Values, hdr http.Header) Page {
	t.Helper()
	p, err := b.Do(method, path, form, hdr)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return p
}

// Cookie is the value of the browser's cookie name for its base ("" if
// none).
func (b *Browser) Cookie(name string) string {
	u, err := url.Parse(b.Base)
	if err != nil {
		return ""
	}
	for _, c := range b.Client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}
