package view

import (
	"encoding/json"
	"sort"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
)

// HistoryItem is one line of an order's history: a change made through
// ordercare (from the audit trail), or a capture or refund the provider
// shows that no ordercare attempt accounts for (made in the provider's
// portal, by the shop, ...).
type HistoryItem struct {
	Time Time
	at   time.Time
	// Source is "ordercare" or "provider".
	Source  string
	Title   string // "Capture 10.00 EUR", "Refund made outside ordercare"
	Staff   string // who, for ordercare changes
	Outcome Badge  // for ordercare changes
	// Detail adds the reason, the error or the provider's reference.
	Detail string
	// Href opens the attempt in the audit trail ("" when the viewer may
	// not see the audit trail, or for provider items).
	Href string
	// ResourceID is the capture or refund id.
	ResourceID string
}

// BuildSettledHistory merges the order's attempts with the provider's
// captures and refunds into one timeline, newest first. A capture or
// refund whose id an attempt recorded is shown once, on the attempt.
// settled are the checks that settled unknown outcomes: such an attempt
// shows what the check proved, and the capture or refund the check found
// is shown on it, not as made outside ordercare. linkAudit adds the links
// to the attempts' detail pages.
func BuildSettledHistory(o *omclient.Order, attempts []audit.Attempt, settled map[string]audit.Settlement, loc *time.Location, linkAudit bool, numbers string) []HistoryItem {
	if loc == nil {
		loc = time.UTC
	}
	cur := ""
	if o != nil {
		cur = o.PurchaseCurrency.String()
	}
	amountText := func(v int64) string {
		if cur == "" {
			return ""
		}
		return newMoney(v, cur, numbers).Text
	}
	recorded := map[string]bool{}
	var items []HistoryItem
	for _, a := range attempts {
		r := a.Requested
		it := HistoryItem{Time: newTime(r.Time, loc), at: r.Time, Source: "ordercare", Title: auditActionName(r.Action),
			Staff: orDash(r.Actor.Email), Outcome: outcomeBadge(a.Outcome()), Detail: r.Reason}
		if amt := requestAmount(r.Request); amt > 0 && amountText(amt) != "" {
			it.Title += " " + amountText(amt)
		}
		if c := a.Completed; c != nil {
			it.ResourceID = c.ResourceID
			if c.ResourceID != "" {
				recorded[c.ResourceID] = true
			}
			if c.ErrorCode != "" {
				it.Detail = joinNonEmpty(" · ", it.Detail, c.ErrorCode)
			}
		}
		if st, ok := settled[a.AttemptID]; ok {
			it.Outcome = settledBadge(st.Outcome)
			if st.ResourceID != "" {
				it.ResourceID = st.ResourceID
				recorded[st.ResourceID] = true
			}
		}
		if linkAudit {
			it.Href = AttemptHref(a.AttemptID)
		}
		items = append(items, it)
	}
	if o != nil {
		for _, c := range o.Captures {
			if recorded[c.CaptureID] {
				continue
			}
			items = append(items, HistoryItem{Time: newTime(c.CapturedAt.Time, loc), at: c.CapturedAt.Time, Source: "provider",
				Title:  joinNonEmpty(" ", "Capture", amountText(c.CapturedAmount)) + " made outside ordercare",
				Detail: joinNonEmpty(" · ", string(c.KlarnaReference), string(c.Reference)), ResourceID: c.CaptureID})
		}
		for _, r := range o.Refunds {
			if recorded[r.RefundID] {
				continue
			}
			items = append(items, HistoryItem{Time: newTime(r.RefundedAt.Time, loc), at: r.RefundedAt.Time, Source: "provider",
				Title:  joinNonEmpty(" ", "Refund", amountText(r.RefundedAmount)) + " made outside ordercare",
				Detail: joinNonEmpty(" · ", string(r.Reference), string(r.Description)), ResourceID: r.RefundID})
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].at.After(items[j].at) })
	return items
}

// requestAmount is the amount a capture, refund or amount change asked for.
func requestAmount(body []byte) int64 {
	if len(body) == 0 {
		return 0
	}
	var b struct {
		Captured *int64 `json:"captured_amount"`
		Refunded *int64 `json:"refunded_amount"`
		Order    *int64 `json:"order_amount"`
	}
	if err := json.Unmarshal(body, &b); err != nil {
		return 0
	}
	for _, p := range []*int64{b.Captured, b.Refunded, b.Order} {
		if p != nil {
			return *p
		}
	}
	return 0
}

// settledBadge is the outcome of an unknown attempt as a check settled it.
func settledBadge(outcome string) Badge {
	if outcome == audit.SettledApplied {
		return Badge{Text: "Succeeded (checked)", Class: "badge badge-succeeded", Value: outcome}
	}
	return Badge{Text: "Not applied (checked)", Class: "badge badge-refused", Value: outcome}
}
