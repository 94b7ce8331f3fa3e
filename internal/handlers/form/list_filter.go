package form

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"ordercare/internal/money"
	"ordercare/internal/orders"
	"ordercare/web/templates/view"
)

// MaxExpiresWithinDays bounds "authorization expires within N days"; the
// providers' authorizations last at most a few months.
const MaxExpiresWithinDays = 365

const filterDate = "2006-01-02"

// ListFilter reads the order list's filters from a request's query.
func ListFilter(v url.Values) view.ListFilter {
	get := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	return view.ListFilter{From: get("from"), To: get("to"), AmountMin: get("amount_min"), AmountMax: get("amount_max"),
		Currency: strings.ToUpper(get("currency")), ExpiresWithin: get("expires_within"), Unknown: get("unknown") == "1",
		OutOfStep: get("out_of_step") == "1"}
}

// ApplyListFilter puts the filters f into q, the dates read in loc and
// "within N days" counted from now. A value that cannot be read gets a
// message in f.Errors and filters nothing; the caller shows the messages
// and no results rather than a list that ignores what was typed.
func ApplyListFilter(f *view.ListFilter, q *orders.SearchQuery, loc *time.Location, now time.Time) {
	f.Errors = map[string]string{}
	q.ShopOutOfStep = f.OutOfStep
	if f.From != "" {
		if t, err := time.ParseInLocation(filterDate, f.From, loc); err != nil {
			f.Errors["from"] = "Type a date as YYYY-MM-DD."
		} else {
			q.CreatedFrom = t
		}
	}
	if f.To != "" {
		if t, err := time.ParseInLocation(filterDate, f.To, loc); err != nil {
			f.Errors["to"] = "Type a date as YYYY-MM-DD."
		} else {
			q.CreatedBefore = t.AddDate(0, 0, 1)
		}
	}
	if !q.CreatedFrom.IsZero() && !q.CreatedBefore.IsZero() && !q.CreatedFrom.Before(q.CreatedBefore) {
		f.Errors["to"] = "The range ends before it starts."
	}
	if f.Currency != "" {
		if !money.Known(f.Currency) {
			f.Errors["currency"] = "Type a currency code such as EUR or SEK."
		} else {
			q.Currency = f.Currency
		}
	}
	// Amounts are read with the currency's decimals (two when none is
	// chosen: most currencies have two).
	cur := q.Currency
	if cur == "" {
		cur = "EUR"
	}
	for _, a := range []struct {
		name, text string
		dst        **int64
	}{{"amount_min", f.AmountMin, &q.AmountMin}, {"amount_max", f.AmountMax, &q.AmountMax}} {
		if a.text == "" {
			continue
		}
		n, err := money.Parse(a.text, cur)
		if err != nil || n < 0 {
			f.Errors[a.name] = "Type an amount such as 49.95."
			continue
		}
		*a.dst = &n
	}
	if q.AmountMin != nil && q.AmountMax != nil && *q.AmountMin > *q.AmountMax {
		f.Errors["amount_max"] = "The largest amount is below the smallest."
	}
	if f.ExpiresWithin != "" {
		n, err := strconv.Atoi(f.ExpiresWithin)
		if err != nil || n < 1 || n > MaxExpiresWithinDays {
			f.Errors["expires_within"] = "Type a number of days from 1 to " + strconv.Itoa(MaxExpiresWithinDays) + "."
		} else {
			q.Now, q.ExpiringBy = now, now.AddDate(0, 0, n)
		}
	}
}

// AuditQuery reads the audit trail's filters from URL values.
func AuditQuery(v url.Values) view.AuditQuery {
	get := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	return view.AuditQuery{Staff: get("staff"), Order: get("order"), Action: get("action"), Outcome: get("outcome"),
		From: get("from"), To: get("to"), Text: get("text")}
}
