package templates

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"

	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates/view"
)

var tplNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func renderDoc(t *testing.T, c templ.Component) (*goquery.Document, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(context.Background(), &buf); err != nil {
		t.Fatalf("render: %v", err)
	}
	html := buf.String()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return doc, html
}

func tid(doc *goquery.Document, id string) *goquery.Selection {
	return doc.Find(`[data-testid="` + id + `"]`)
}

func hostileOrder() *omclient.Order {
	return &omclient.Order{
		OrderID: "0b0d9c34-5a5c-4b5e-9f27-2a6a3a7f2c11", Status: omclient.StatusCaptured, FraudStatus: omclient.FraudAccepted,
		OrderAmount: 12000, OriginalOrderAmount: 12000, CapturedAmount: 12000, PurchaseCurrency: "JPY", Locale: "ja-JP",
		KlarnaReference: "K1", MerchantReference1: `<img src=x onerror=alert(1)>`,
		CreatedAt: omclient.Time{Time: tplNow.Add(-48 * time.Hour)}, ExpiresAt: omclient.Time{Time: tplNow.Add(26 * 24 * time.Hour)},
		OrderLines: []omclient.OrderLine{{Type: "physical", Name: `<script>alert("x")</script>`, Quantity: 3, UnitPrice: 4000,
			TaxRate: 1000, TotalAmount: 12000, TotalTaxAmount: 1091}},
		BillingAddress: &omclient.Address{GivenName: `<b>Bo</b>`, FamilyName: "Tanaka", Country: "JP"},
		ShippingInfo: []omclient.ShippingInfo{{ShippingCompany: "Yamato", TrackingURI: `javascript:alert(1)`},
			{ShippingCompany: "Sagawa", TrackingURI: `https://track.example/?a=1&b="2"`}},
		Captures: []omclient.Capture{{CaptureID: "cap-1", KlarnaReference: "K1-1", CapturedAmount: 12000,
			CapturedAt: omclient.Time{Time: tplNow.Add(-time.Hour)}}},
	}
}

func TestOrderPageSectionsAndEscaping(t *testing.T) {
	t.Parallel()
	v := orderView(hostileOrder(), omclient.ProviderKustom, tplNow, time.UTC, "ja-JP")
	doc, html := renderDoc(t, OrderPage(v))

	for _, id := range []string{"order-header", "order-amounts", "order-lines", "order-addresses", "order-shipping",
		"order-captures", "order-refunds", "order-actions"} {
		sec := doc.Find("section#" + id)
		if sec.Length() != 1 || sec.AttrOr("data-testid", "") != id {
			t.Errorf("section #%s with data-testid: found %d", id, sec.Length())
		}
	}
	if strings.Contains(html, "<script>") || strings.Contains(html, "<img src=x") || strings.Contains(html, "<b>Bo</b>") {
		t.Error("customer data reached the page as markup")
	}
	if got := tid(doc, "line-name").Text(); got != `<script>alert("x")</script>` {
		t.Errorf("line name shown as %q, want the literal text", got)
	}
	if got := tid(doc, "merchant-reference1").Text(); got != `<img src=x onerror=alert(1)>` {
		t.Errorf("merchant reference shown as %q", got)
	}
	if got := tid(doc, "amount-current").Text(); got != "¥12,000" {
		t.Errorf("JPY amount %q, want ¥12,000", got)
	}
	if got := tid(doc, "lines-total").Text(); got != "¥12,000" {
		t.Errorf("lines total %q", got)
	}
	if got := tid(doc, "order-status").Text(); !strings.Contains(got, "Captured") {
		t.Errorf("status badge text %q", got)
	}
	links := tid(doc, "tracking-link")
	if links.Length() != 1 || links.AttrOr("href", "") != `https://track.example/?a=1&b="2"` {
		t.Errorf("tracking links: %d, href %q", links.Length(), links.AttrOr("href", ""))
	}
	if got := tid(doc, "tracking-text").Text(); got != "javascript:alert(1)" {
		t.Errorf("unsafe tracking URI shown as %q, want plain text", got)
	}
	doc.Find("a").Each(func(_ int, a *goquery.Selection) {
		if strings.HasPrefix(strings.ToLower(a.AttrOr("href", "")), "javascript") {
			t.Errorf("javascript link rendered: %s", a.AttrOr("href", ""))
		}
	})
	doc.Find("th").Each(func(_ int, th *goquery.Selection) {
		if _, ok := th.Attr("scope"); !ok {
			t.Errorf("th %q without scope", th.Text())
		}
	})
}

func TestOrderPageActions(t *testing.T) {
	t.Parallel()
	v := orderView(hostileOrder(), omclient.ProviderKustom, tplNow, time.UTC, "ja-JP")
	doc, _ := renderDoc(t, OrderPage(v))

	actions := doc.Find(`#order-actions [data-testid="action"]`)
	if want := len(orders.Actions(hostileOrder(), omclient.ProviderKustom, tplNow)); actions.Length() != want {
		t.Fatalf("%d actions shown, want %d", actions.Length(), want)
	}
	cancel := doc.Find(`#order-actions [data-action="cancel"][data-testid="action"]`)
	if cancel.AttrOr("data-allowed", "") != "false" {
		t.Errorf("cancel on a captured order is not disabled")
	}
	btn := cancel.Find("button")
	if _, disabled := btn.Attr("disabled"); !disabled {
		t.Error("cancel button not disabled")
	}
	reason := cancel.Find(`[data-testid="action-reason"]`)
	if reason.Text() != "Cancel: not possible, the order has captures" {
		t.Errorf("cancel reason %q", reason.Text())
	}
	if id, _ := reason.Attr("id"); id == "" || btn.AttrOr("aria-describedby", "") != id {
		t.Errorf("reason %q not linked from the button (%q)", id, btn.AttrOr("aria-describedby", ""))
	}
	refund := doc.Find(`#order-actions a[data-action="create_refund"]`)
	if refund.AttrOr("href", "") != "/orders/0b0d9c34-5a5c-4b5e-9f27-2a6a3a7f2c11/refund" {
		t.Errorf("refund of a captured order: link %q", refund.AttrOr("href", ""))
	}
	ship := doc.Find(`#order-actions a[data-action="add_order_shipping_info"]`)
	if ship.AttrOr("href", "") != "/orders/0b0d9c34-5a5c-4b5e-9f27-2a6a3a7f2c11/shipping-info" {
		t.Errorf("shipping info link %q", ship.AttrOr("href", ""))
	}
	capActions := doc.Find(`[data-testid="capture"] [data-testid="action"]`)
	if capActions.Length() != 1 {
		t.Errorf("kustom capture shows %d actions, want only shipping info", capActions.Length())
	}
	ids := map[string]bool{}
	doc.Find("[id]").Each(func(_ int, s *goquery.Selection) {
		id := s.AttrOr("id", "")
		if ids[id] {
			t.Errorf("duplicate id %q", id)
		}
		ids[id] = true
	})
}

func TestOrderErrorPage(t *testing.T) {
	t.Parallel()
	err := &omclient.APIError{StatusCode: 404, ErrorCode: omclient.CodeNoSuchOrder, CorrelationID: "corr-42"}
	v := view.FromProviderError(omclient.FailureOf(err), "0b0d9c34-5a5c-4b5e-9f27-2a6a3a7f2c11", omclient.ProviderKlarna)
	doc, _ := renderDoc(t, OrderError(v))
	if got := tid(doc, "provider-error-message").Text(); got != "No order 0b0d9c34-5a5c-4b5e-9f27-2a6a3a7f2c11 at Klarna." {
		t.Errorf("message %q", got)
	}
	if got := tid(doc, "correlation-id").Text(); got != "corr-42" {
		t.Errorf("correlation id %q", got)
	}
	if got := tid(doc, "provider-error-code").Text(); got != "NO_SUCH_ORDER" {
		t.Errorf("code %q", got)
	}
}

func TestSearchResultsPartial(t *testing.T) {
	t.Parallel()
	page := orders.SearchPage{Orders: []orders.IndexedOrder{{OrderID: "id-1", KlarnaReference: "K9", Status: omclient.StatusAuthorized,
		Amount: 1250, Currency: "EUR", CustomerName: "<i>Eve</i>", Email: "eve@example.com"}}, NextCursor: "c2"}
	v := view.NewListView("eve", "AUTHORIZED", view.ListFilter{}, "", page, time.UTC, "en-US")

	doc, html := renderDoc(t, SearchResults(v, true, true))
	if strings.Contains(html, "<html") || strings.Contains(html, `id="results"`) {
		t.Error("the partial contains the page shell or the results container itself")
	}
	if strings.Contains(html, "<i>Eve</i>") {
		t.Error("customer name rendered as markup")
	}
	if got := tid(doc, "result").Length(); got != 1 {
		t.Fatalf("%d result rows", got)
	}
	if got := tid(doc, "result-amount").Text(); got != "€12.50" {
		t.Errorf("amount %q", got)
	}
	next := tid(doc, "next-page")
	if next.AttrOr("href", "") != "/orders?cursor=c2&q=eve&status=AUTHORIZED" || next.AttrOr("hx-get", "") != next.AttrOr("href", "") {
		t.Errorf("next link href %q hx-get %q", next.AttrOr("href", ""), next.AttrOr("hx-get", ""))
	}
	if doc.Find(`#filter-q[hx-swap-oob="true"]`).AttrOr("value", "") != "eve" {
		t.Error("query field not refreshed out of band")
	}
	if doc.Find(`#status-filter[hx-swap-oob="true"] option[selected]`).AttrOr("value", "") != "AUTHORIZED" {
		t.Error("status filter not refreshed out of band")
	}

	full, _ := renderDoc(t, SearchPage(v))
	if full.Find(`[hx-swap-oob]`).Length() != 0 {
		t.Error("the full page carries out-of-band elements")
	}
	if full.Find("#results").Length() != 1 || full.Find(`label[for="status-filter"]`).Length() != 1 {
		t.Error("full page lacks #results or the status filter's label")
	}
}

func TestHomePage(t *testing.T) {
	t.Parallel()
	exp := []orders.IndexedOrder{{OrderID: "a", KlarnaReference: "KA", Status: omclient.StatusAuthorized, RemainingAuthorized: 5000,
		Currency: "SEK", ExpiresAt: tplNow.Add(50 * time.Hour)}}
	v := view.NewHomeView(nil, exp, tplNow, time.UTC, "en-US")
	doc, _ := renderDoc(t, HomePage(v))
	if tid(doc, "expiring").Length() != 1 || !strings.Contains(tid(doc, "expiring").Text(), "in 2 days") {
		t.Errorf("expiring row: %q", tid(doc, "expiring").Text())
	}
	if tid(doc, "recent-empty").Length() != 1 {
		t.Error("no empty message for recently opened")
	}
}
