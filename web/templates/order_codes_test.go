package templates

import (
	"strings"
	"testing"
	"time"

	"ordercare/internal/omclient"
	"ordercare/web/templates/view"
)

// Provider codes read as words on the order page; the code itself stays
// at hand as the tooltip (title), for talking to the provider's support.
func TestOrderPageShowsCodesAsWordsWithTheCodeAsTooltip(t *testing.T) {
	t.Parallel()
	o := hostileOrder()
	o.FraudStatus = omclient.FraudAccepted
	o.PurchaseCountry = "jp"
	o.InitialPaymentMethod = &omclient.InitialPaymentMethod{Type: "PAY_LATER_IN_PARTS", NumberOfInstallments: 3}
	o.ShippingInfo = []omclient.ShippingInfo{{ShippingCompany: "PostNord", ShippingMethod: "BoxReg", TrackingNumber: "PN1"}}
	doc, _ := renderDoc(t, OrderPage(orderView(o, omclient.ProviderKustom, tplNow, time.UTC, "ja-JP")))

	for _, c := range []struct{ id, text, code string }{
		{"payment-method", "Pay later in parts", "PAY_LATER_IN_PARTS"},
		{"shipping-method", "Parcel locker (registered)", "BoxReg"},
		{"order-status", "Captured", string(omclient.StatusCaptured)},
		{"order-fraud", "accepted", string(omclient.FraudAccepted)},
		{"country", "Japan", "JP"},
	} {
		el := tid(doc, c.id)
		if got := strings.TrimSpace(el.Text()); !strings.Contains(strings.ToLower(got), strings.ToLower(c.text)) || strings.Contains(got, c.code) {
			t.Errorf("%s reads %q, want words (%q) and not the code %s", c.id, got, c.text, c.code)
		}
		if got := el.AttrOr("title", ""); got != c.code {
			t.Errorf("%s tooltip %q, want the code %s", c.id, got, c.code)
		}
	}
}

// The shipping-method selects name the methods in words and send the code.
func TestShippingMethodOptionsInWords(t *testing.T) {
	t.Parallel()
	for _, opts := range [][]view.Option{view.ShippingMethodChoices(), view.ShippingMethodOptions(omclient.ShippingMethods)} {
		for _, o := range opts {
			if o.Value == "BoxReg" && o.Label != "Parcel locker (registered)" {
				t.Errorf("BoxReg labelled %q", o.Label)
			}
			if o.Value == "PickUpPoint" && o.Label != "Pick-up point" {
				t.Errorf("PickUpPoint labelled %q", o.Label)
			}
		}
	}
}
