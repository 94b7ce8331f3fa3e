package apptest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// FormValues returns what the first form matching sel on p would submit.
func FormValues(p Page, sel string) url.Values {
	return Submitted(p.Doc.Find(sel).First())
}

// Submitted returns what form would submit as rendered, as a browser does
// without a click on a button: hidden fields, text inputs, checked boxes
// and radios, the selected option of each select (else its first), and
// textareas; never the submit buttons.
func Submitted(form *goquery.Selection) url.Values {
	v := url.Values{}
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

// CSRF is the token of the first form on p that carries one ("" if
// none): a browser posts what the page it rendered holds.
func CSRF(p Page) string {
	return p.Doc.Find(`input[name="_csrf"]`).First().AttrOr("value", "")
}

// Token opens the page at from and returns its CSRF token, as a browser
// posts only what a page it rendered holds; the test fails if the page
// has none.
func (b *Browser) Token(t testing.TB, from string) string {
	t.Helper()
	p := b.MustDo(t, http.MethodGet, from, nil, nil)
	tok := CSRF(p)
	if tok == "" {
		t.Fatalf("no CSRF field on %s (status %d)", from, p.Status())
	}
	return tok
}

// Submit posts form (nil: empty) to path with the CSRF token of the page
// at from, as a member who opened that page and sent one of its forms.
func (b *Browser) Submit(t testing.TB, from, path string, form url.Values) Page {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", b.Token(t, from))
	return b.MustDo(t, http.MethodPost, path, form, nil)
}
