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

// actionSlugs are the URL segments of the action forms under
// /orders/<order_id>/ (and /orders/<order_id>/captures/<capture_id>/ for
// the per-capture ones). The forms' routes use the
// same table (ActionSlug).
var actionSlugs = map[omclient.Operation]string{
	omclient.OpCreateCapture:            "capture",
	omclient.OpCreateRefund:             "refund",
	omclient.OpUpdateAuthorization:      "amount",
	omclient.OpUpdateCustomerDetails:    "address",
	omclient.OpAddOrderShippingInfo:     "shipping-info",
	omclient.OpUpdateMerchantReferences: "references",
	omclient.OpExtendAuthorizationTime:  "extend",
	omclient.OpReleaseRemaining:         "release",
	omclient.OpAcknowledge:              "acknowledge",
	omclient.OpCancel:                   "cancel",
	omclient.OpAddCaptureShippingInfo:   "shipping-info",
	omclient.OpTriggerSendOut:           "send-out",
	omclient.OpExtendDueDate:            "due-date",
}

// ActionSlug is the URL segment of op's form ("cancel").
func ActionSlug(op omclient.Operation) string { return actionSlugs[op] }

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

var dangerOps = map[omclient.Operation]bool{
	omclient.OpCancel: true, omclient.OpCreateRefund: true, omclient.OpReleaseRemaining: true,
}

func actionViews(orderID string, list []orders.Action) []ActionView {
	out := make([]ActionView, 0, len(list))
	for _, a := range list {
		v := ActionView{Op: string(a.Op), Label: a.Label, Allowed: a.Allowed, Reason: a.Reason, Danger: dangerOps[a.Op]}
		if a.Allowed {
			v.Href = ActionPath(orderID, a.Op, a.CaptureID)
		}
		out = append(out, v)
	}
	return out
}
