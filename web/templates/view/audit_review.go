package view

import (
	"net/url"
	"time"

	"ordercare/internal/audit"
)

// ReviewQueueItem is one line of the to-review view.
type ReviewQueueItem struct {
	Row    AuditRow
	Amount string
	Reason string
	Ticket string
	Hints  []string
	// Checked is true for an unknown outcome that someone checked.
	Checked bool
}

// ReviewQueueView is the to-review page.
type ReviewQueueView struct {
	Unknown     []ReviewQueueItem
	Items       []ReviewQueueItem
	PendingText string
	NextHref    string
	FirstHref   string
	Zone        string
	OfficeHours string
	CanReview   bool
	CSRF        string
}

// NewReviewQueueView builds the to-review page.
func NewReviewQueueView(q audit.ReviewQueue, cursor string, loc *time.Location, office, numbers string) ReviewQueueView {
	v := ReviewQueueView{Zone: loc.String(), OfficeHours: office}
	item := func(it audit.ReviewItem) ReviewQueueItem {
		out := ReviewQueueItem{Row: NewAuditRow(it.AttemptRow, loc), Reason: it.Reason, Ticket: it.Ticket,
			Checked: it.ReconciledSeq != 0}
		if it.Amount != 0 && it.Currency != "" {
			out.Amount = newMoney(it.Amount, it.Currency, numbers).Text
		}
		for _, h := range it.Hints {
			out.Hints = append(out.Hints, MoneyIn(h.Text, numbers))
		}
		return out
	}
	for _, it := range q.Unknown {
		v.Unknown = append(v.Unknown, item(it))
	}
	for _, it := range q.Items {
		v.Items = append(v.Items, item(it))
	}
	noun := "money changes"
	if q.Pending == 1 {
		noun = "money change"
	}
	v.PendingText = groupDigits(q.Pending) + " " + noun + " not reviewed yet"
	if q.Next != "" {
		v.NextHref = "/audit/review?cursor=" + url.QueryEscape(string(q.Next))
	}
	if cursor != "" {
		v.FirstHref = "/audit/review"
	}
	return v
}
