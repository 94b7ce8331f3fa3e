package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"ordercare/internal/omclient"
	"ordercare/internal/staff"
)

// TestSearchFindsWhatPeopleType: the demo orders are found the way a new
// agent types: a name without its accents, family name first, an e-mail
// domain, a phone number in any formatting. Every row names the field
// that matched.
func TestSearchFindsWhatPeopleType(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	family := func(name string) func(*omclient.Order) bool {
		return func(o *omclient.Order) bool {
			return o.BillingAddress != nil && string(o.BillingAddress.FamilyName) == name
		}
	}
	lefevre := a.demoOrder(family("Lefèvre"))
	akesson := a.demoOrder(family("Åkesson"))
	cases := []struct {
		name, q string
		want    *omclient.Order
		matched string // every row's matched field contains this
	}{
		{"family name without its accent", "Lefevre", lefevre, "Name: Camille Lefèvre"},
		{"family name, Å typed as a", "akesson", akesson, "Name: Lars-Göran Åkesson"},
		{"family name first, with accent", "Lefèvre Camille", lefevre, "Name: Camille Lefèvre"},
		{"one part of a hyphenated given name", "göran", akesson, "Lars-Göran Åkesson"},
		{"e-mail domain", "example.fr", lefevre, "@example.fr"},
		{"e-mail local part", "camille.lefevre", lefevre, "E-mail: camille.lefevre@example.fr"},
		{"phone with country code, spaced", "+33 6 12 34 56 78", lefevre, "Phone: +33612345678"},
		// +31 6 12345678 is dialled the same at home in the Netherlands.
		{"phone as dialled at home", "06 12 34 56 78", lefevre, "Phone: +3"},
		{"phone with 00 prefix", "0033612345678", lefevre, "Phone: +33612345678"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, mode := range []string{"full page", "htmx"} {
				path := "/orders?" + url.Values{"q": {tc.q}}.Encode()
				r := ag.get(path, nil)
				if mode == "htmx" {
					r = ag.htmx(path, "search-q")
				}
				if r.resp.StatusCode != http.StatusOK {
					t.Fatalf("%q (%s): status %d", tc.q, mode, r.resp.StatusCode)
				}
				ids := r.resultIDs()
				if len(ids) == 0 {
					t.Fatalf("%q (%s): no results", tc.q, mode)
				}
				if len(ids) < 25 && !contains(ids, tc.want.OrderID) {
					t.Errorf("%q (%s): order %s not among %d results", tc.q, mode, tc.want.OrderID, len(ids))
				}
				matched := r.testid("result-matched")
				if matched.Length() != len(ids) {
					t.Fatalf("%q (%s): %d rows, %d say what matched", tc.q, mode, len(ids), matched.Length())
				}
				matched.Each(func(_ int, m *goquery.Selection) {
					if text := m.Text(); !strings.Contains(text, tc.matched) {
						t.Errorf("%q (%s): a row says it matched %q, want %q", tc.q, mode, text, tc.matched)
					}
				})
			}
		})
	}
}

// TestSearchExactReferenceOpensTheOrder: a capture reference, a refund id,
// the provider's reference typed in full opens the order that holds it,
// from the search box (a plain GET) and as you type (htmx) when it is the
// only match. A merchant reference (the shop's own field) lists.
func TestSearchExactReferenceOpensTheOrder(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	captured := a.demoOrder(func(o *omclient.Order) bool {
		return len(o.Captures) > 0 && strings.HasPrefix(string(o.Captures[0].Reference), "DN-")
	})
	refunded := a.demoOrder(func(o *omclient.Order) bool { return len(o.Refunds) > 0 })
	cases := []struct{ name, q, id string }{
		{"capture reference", string(captured.Captures[0].Reference), captured.OrderID},
		{"capture reference, lower case", strings.ToLower(string(captured.Captures[0].Reference)), captured.OrderID},
		{"capture id", captured.Captures[0].CaptureID, captured.OrderID},
		{"refund id", refunded.Refunds[0].RefundID, refunded.OrderID},
		{"provider reference", string(captured.KlarnaReference), captured.OrderID},
	}
	if ref := refunded.Refunds[0].Reference; ref != "" {
		cases = append(cases, struct{ name, q, id string }{"refund reference", string(ref), refunded.OrderID})
	}
	for _, tc := range cases {
		path := "/orders?" + url.Values{"q": {tc.q}}.Encode()
		r := ag.get(path, nil)
		if r.resp.StatusCode != http.StatusSeeOther || r.resp.Header.Get("Location") != "/orders/"+tc.id {
			t.Errorf("%s %q: status %d location %q, want the order %s", tc.name, tc.q, r.resp.StatusCode, r.resp.Header.Get("Location"), tc.id)
		}
		r = ag.htmx(path, "search-q")
		if got := r.resp.Header.Get("HX-Redirect"); got != "/orders/"+tc.id {
			t.Errorf("%s %q as you type: HX-Redirect %q, want the order %s", tc.name, tc.q, got, tc.id)
		}
	}
	r := ag.get("/orders?"+url.Values{"q": {string(captured.MerchantReference1)}}.Encode(), nil)
	if r.resp.StatusCode != http.StatusOK || !contains(r.resultIDs(), captured.OrderID) ||
		!strings.Contains(r.testid("result-matched").First().Text(), "Merchant reference: "+string(captured.MerchantReference1)) {
		t.Errorf("merchant reference: status %d, rows %v, matched %q", r.resp.StatusCode, r.resultIDs(), r.testid("result-matched").First().Text())
	}
	// A filter keeps the list: the agent asked for a list.
	r = ag.get("/orders?"+url.Values{"q": {string(captured.KlarnaReference)}, "status": {string(captured.Status)}}.Encode(), nil)
	if r.resp.StatusCode != http.StatusOK || !contains(r.resultIDs(), captured.OrderID) {
		t.Errorf("filtered exact reference: status %d, rows %v", r.resp.StatusCode, r.resultIDs())
	}
}
