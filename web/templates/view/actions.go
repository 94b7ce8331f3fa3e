package view

import (
	"net/url"

	"ordercare/internal/omclient"
	"ordercare/internal/orders"
)

// ActionView is one action on the order page: a link to its form when
// allowed, else shown disabled with the reason as visible text.
type ActionView struct {
	Op      string // the operation, for data-action
	Label   string
	Href    string // "/orders/<id>/cancel"; set only when allowed
	Allowed bool
	Reason  string // "Cancel: not possible, the order has captures"
	// Danger marks actions that give money back or end the order, styled
	// apart so they are not clicked by habit.
	Danger bool
}

// ActionSlug is the URL segment of op's form ("cancel"), from the
// operation catalogue (orders.Info); the forms' routes use it too.
func ActionSlug(op omclient.Operation) string { return orders.Slug(op) }

// ActionPath is the URL of op's form: /orders/<id>/<slug>, or
// /orders/<id>/captures/<capture_id>/<slug> for a per-capture action.
func ActionPath(orderID string, op omclient.Operation, captureID string) string {
	p := OrderPath(orderID)
	if captureID != "" {
		p += "/captures/" + url.PathEscape(captureID)
	}
	return p + "/" + ActionSlug(op)
}

// OrderPath is the order page's URL.
func OrderPath(orderID string) string { return "/orders/" + url.PathEscape(orderID) }

func actionViews(orderID string, list []orders.Action) []ActionView {
	out := make([]ActionView, 0, len(list))
	for _, a := range list {
		info, _ := orders.Info(a.Op)
		v := ActionView{Op: string(a.Op), Label: a.Label, Allowed: a.Allowed, Reason: a.Reason, Danger: info.Danger}
		if a.Allowed {
			v.Href = ActionPath(orderID, a.Op, a.CaptureID)
		}
		out = append(out, v)
	}
	return out
}
