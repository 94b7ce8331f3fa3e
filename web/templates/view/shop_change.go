package view

import (
	"ordercare/internal/omclient"
	"ordercare/internal/shop/shopaction"
)

// ShopChangeForm is one change of the shop's order the panel offers.
type ShopChangeForm struct {
	Kind, Label, Path string
	Allowed           bool
	Why               string // why not, when not allowed
	Error             string // the message by the reason field after a refused submit
	Reasons           []Option
}

// ShopChoice is one change of the shop's order the panel offers, as the
// handler judged it on the twin's current state.
type ShopChoice struct {
	Kind    string // the form's path segment: cancel, fulfil
	Action  string // the shop change it sends (shopaction's code)
	Allowed bool
	Why     string // why not, when not allowed
	Error   string // the message by the reason field after a refused submit
}

// ShopChangeForms are the panel's forms for the choices the handler made.
func ShopChangeForms(orderID string, choices []ShopChoice) []ShopChangeForm {
	var out []ShopChangeForm
	for _, ch := range choices {
		out = append(out, ShopChangeForm{Kind: ch.Kind, Label: shopActionNames[ch.Action], Path: OrderPath(orderID) + "/shop/" + ch.Kind,
			Allowed: ch.Allowed, Why: ch.Why, Error: ch.Error, Reasons: ShopReasons(ch.Action)})
	}
	return out
}

// ShopReasons are the reasons offered for a change in the shop, without
// "Other" (the shop's small forms have no free text): a cancel's, and for
// marking fulfilled those of a capture (the goods shipped).
func ShopReasons(action string) []Option {
	op := omclient.OpCancel
	if action == shopaction.Fulfil || action == shopaction.CaptureFulfil {
		op = omclient.OpCreateCapture
	}
	var out []Option
	for _, r := range ReasonsFor(string(op)) {
		if r.Value != ReasonOther {
			out = append(out, r)
		}
	}
	return out
}
