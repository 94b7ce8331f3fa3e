package templates

import (
	"strings"
	"testing"

	"ordercare/web/templates/view"
)

// TestMoneyPreviewFragment: the preview URL's answer is the effect box
// and each row's computed cell marked for an out-of-band swap; a
// confirmation checkbox is labelled and linked to its warning and error.
func TestMoneyPreviewFragment(t *testing.T) {
	t.Parallel()
	p := view.MoneyPreview{
		Effect:     view.EffectView{Ready: true, Summary: "Order amount 10,00 € → 12,00 €", Rows: []view.EffectRow{{Key: "order", Label: "Order amount", Changed: true}}},
		LineTotals: []view.LineCell{{ID: "line-0-total", Text: "12,00 €"}, {ID: "line-0-tax", Text: "<b>2,40 €</b>"}},
		SendAnyway: &view.Confirm{Name: view.FieldSendAnyway, Label: "Send the increase anyway", Text: "CARD cannot be increased", Error: "Tick it"},
	}
	doc, html := renderDoc(t, MoneyPreviewFragment(p))
	if doc.Find("#money-preview").Length() != 1 || tid(doc, "effect-summary").Text() != "Order amount 10,00 € → 12,00 €" {
		t.Fatalf("effect box: %s", html)
	}
	if doc.Find(`#line-0-total[hx-swap-oob="true"]`).Text() != "12,00 €" {
		t.Fatal("row total not marked out of band")
	}
	if doc.Find("#line-0-tax b").Length() != 0 {
		t.Fatal("a cell's text was not escaped")
	}
	box := doc.Find(`input[name="send_anyway"]`)
	if box.AttrOr("aria-invalid", "") != "true" || box.AttrOr("aria-describedby", "") != view.HintID("send_anyway")+" "+view.ErrorID("send_anyway") {
		t.Fatalf("checkbox not linked: %s", html)
	}
	if doc.Find(`label[for="`+view.FieldID("send_anyway")+`"]`).Text() == "" {
		t.Fatal("checkbox without a label")
	}
	_, html = renderDoc(t, MoneyPreviewUnavailable("Capture: not possible, the order is cancelled"))
	if !strings.Contains(html, `data-ready="false"`) || !strings.Contains(html, "the order is cancelled") {
		t.Fatalf("unavailable box: %s", html)
	}
}
