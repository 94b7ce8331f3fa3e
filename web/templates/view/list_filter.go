package view

import "net/url"

// ListFilter is the order list's filters as the agent typed them, kept in
// the URL (bookmarks, the back button, the pager and the CSV export carry
// them), with a message per field that could not be read. handlers/form
// reads them from the URL and checks them.
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
