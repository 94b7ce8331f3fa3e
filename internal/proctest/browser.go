package proctest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// Browser is one member's browser against a back office: a cookie jar,
// and no redirect followed, so a test sees every answer as it came.
type Browser struct {
	Base   string
	Client *http.Client
}

// NewBrowser is a browser for base whose requests give up after timeout
// (a liveness bound).
func NewBrowser(base string, timeout time.Duration) *Browser {
	jar, _ := cookiejar.New(nil) // New never fails without options
	return &Browser{Base: base, Client: &http.Client{Jar: jar, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Page is one answer: its status, its headers and its body, parsed.
type Page struct {
	Status int
	Header http.Header
	Doc    *goquery.Document
	Body   string
}

// Location is where a redirect sends the browser.
func (p Page) Location() string { return p.Header.Get("Location") }

// Do sends one request, form-encoded when form is given.
func (b *Browser) Do(method, path string, form url.Values) (Page, error) {
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
	return Page{Status: resp.StatusCode, Header: resp.Header, Doc: doc, Body: string(raw)}, nil
}

// SignIn signs in with a password through the sign-in form, as a person
// does: the form's CSRF token, then the post, which must redirect
// somewhere other than the sign-in page.
func (b *Browser) SignIn(email, password string) error {
	p, err := b.Do(http.MethodGet, "/login", nil)
	if err != nil {
		return err
	}
	tok := p.Doc.Find(`input[name="_csrf"]`).AttrOr("value", "")
	p, err = b.Do(http.MethodPost, "/login", url.Values{"email": {email}, "password": {password}, "_csrf": {tok}})
	if err != nil {
		return err
	}
	if p.Status != http.StatusSeeOther || strings.HasPrefix(p.Location(), "/login") {
		return fmt.Errorf("sign-in of %s: status %d to %q", email, p.Status, p.Location())
	}
	return nil
}

// FormValues returns what the first form matching sel on p would submit.
func FormValues(p Page, sel string) url.Values {
	v := url.Values{}
	form := p.Doc.Find(sel).First()
	form.Find("input[name]").Each(func(_ int, s *goquery.Selection) {
		switch strings.ToLower(s.AttrOr("type", "text")) {
		case "submit", "button", "reset", "image":
			return
		case "checkbox", "radio":
			if _, on := s.Attr("checked"); !on {
				return
			}
		}
		v.Add(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	form.Find("select[name]").Each(func(_ int, s *goquery.Selection) {
		opt := s.Find("option[selected]").First()
		if opt.Length() == 0 {
			opt = s.Find("option").First()
		}
		v.Add(s.AttrOr("name", ""), opt.AttrOr("value", ""))
	})
	form.Find("textarea[name]").Each(func(_ int, s *goquery.Selection) {
		v.Add(s.AttrOr("name", ""), s.Text())
	})
	return v
}
