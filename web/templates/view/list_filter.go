package view

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"ordercare/internal/money"
	"ordercare/internal/orders"
)

// ListFilter is the order list's filters as the agent typed them, kept in
// the URL (bookmarks, the back button, the pager and the CSV export carry
// them), with a message per field that could not be read.
type ListFilter struct {
	From, To             string // dates YYYY-MM-DD in the agent's zone, both days included
	AmountMin, AmountMax string // order amount in major units ("49.95")
	Currency             string
	ExpiresWithin        string // days
	Unknown              bool   // only orders with an unchecked unknown outcome
	// OutOfStep: only orders whose shop twin, as last read, disagrees
	// with the payment order while money is authorized.
	OutOfStep bool
	// Errors maps a field's URL name to the message shown beside it.
	Errors map[string]string
}

// MaxExpiresWithinDays bounds "authorization expires within N days"; the
// providers' authorizations last at most a few months.
const MaxExpiresWithinDays = 365

const filterDate = "2006-01-02"

// ListFilterFrom reads the filters from a request's query.
func ListFilterFrom(v url.Values) ListFilter {
	get := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	return ListFilter{From: get("from"), To: get("to"), AmountMin: get("amount_min"), AmountMax: get("amount_max"),
		Currency: strings.ToUpper(get("currency")), ExpiresWithin: get("expires_within"), Unknown: get("unknown") == "1",
		OutOfStep: get("out_of_step") == "1"}
}

// Values is the filters as URL parameters, empty ones left out.
func (f ListFilter) Values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"from": f.From, "to": f.To, "amount_min": f.AmountMin, "amount_max": f.AmountMax,
		"currency": f.Currency, "expires_within": f.ExpiresWithin} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.Unknown {
		v.Set("unknown", "1")
	}
	if f.OutOfStep {
		v.Set("out_of_step", "1")
	}
	return v
}

// Active reports whether any filter is set.
func (f ListFilter) Active() bool { return len(f.Values()) > 0 }

// Apply puts the filters into q, the dates read in loc and "within N
// days" counted from now. A value that cannot be read gets a message in
// f.Errors and filters nothing; the caller shows the messages and no
// results rather than a list that ignores what was typed.
func (f *ListFilter) Apply(q *orders.SearchQuery, loc *time.Location, now time.Time) {
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

// ListHrefValues is the query, status and filters as URL parameters.
func ListHrefValues(q, status string, f ListFilter) url.Values {
	vals := f.Values()
	if q != "" {
		vals.Set("q", q)
	}
	if status != "" {
		vals.Set("status", status)
	}
	return vals
}

// ListHref is the URL of a list page with its query, status and filters.
func ListHref(path, q, status string, f ListFilter, cursor string) string {
	vals := ListHrefValues(q, status, f)
	if cursor != "" {
		vals.Set("cursor", cursor)
	}
	if len(vals) == 0 {
		return path
	}
	return path + "?" + vals.Encode()
}
