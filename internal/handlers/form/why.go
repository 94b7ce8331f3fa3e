package form

import (
	"net/http"
	"slices"
	"strings"

	"ordercare/web/templates/view"
)

// maxReasonOther and maxTicket bound the free-text reason and the helpdesk
// reference.
const (
	maxReasonOther = 255
	maxTicket      = 64
)

// Why reads the reason (one of op's, or "Other" with a text) and the
// optional helpdesk ticket into f, with a message at each field that is
// missing or wrong; ok is false then.
func Why(r *http.Request, f *view.Form, op string) (reason, ticket string, ok bool) {
	ok = true
	for _, n := range []string{view.FieldReason, view.FieldReasonOther, view.FieldTicket} {
		f.SetValue(n, Value(r, n))
	}
	if f.Labels == nil {
		f.Labels = map[string]string{}
	}
	f.Labels[view.FieldReason], f.Labels[view.FieldReasonOther], f.Labels[view.FieldTicket] = "Reason", "Other reason", "Helpdesk ticket"
	reason, other, ticket := f.Value(view.FieldReason), f.Value(view.FieldReasonOther), f.Value(view.FieldTicket)
	reasons := view.ReasonsFor(op)
	i := slices.IndexFunc(reasons, func(o view.Option) bool { return o.Value == reason })
	switch {
	case reason == "":
		f.AddError(view.FieldReason, "Choose why you are making this change")
		ok = false
	case i < 0:
		f.AddError(view.FieldReason, "Choose a reason from the list")
		ok = false
	case reason == view.ReasonOther:
		if msg := CheckText(other, true, maxReasonOther); msg != "" {
			f.AddError(view.FieldReasonOther, strings.Replace(msg, "Enter a value", "Say why (the reason is “Other”)", 1))
			ok = false
		} else {
			reason = "Other: " + other
		}
	default:
		reason = reasons[i].Label
	}
	if msg := CheckText(ticket, false, maxTicket); msg != "" {
		f.AddError(view.FieldTicket, msg)
		ok = false
	}
	return reason, ticket, ok
}
