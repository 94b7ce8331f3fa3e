package view

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"ordercare/internal/money"
)

// humanize turns "SHIPPING_FEE" or "shipping_fee" into "Shipping fee".
func humanize(s string) string {
	s = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "_", " "))
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// relative says when t is from now's point of view, counting calendar days
// in the agent's zone: "today at 14:05", "tomorrow at 09:00", "in 3 days",
// "yesterday at 17:30", "2 days ago". Minutes and hours are used within
// the hour around now.
func relative(t, now time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	t, now = t.In(loc), now.In(loc)
	d := t.Sub(now)
	switch {
	case d >= 0 && d < time.Hour:
		return "in " + plural(int(d/time.Minute), "minute")
	case d < 0 && d > -time.Hour:
		return plural(int(-d/time.Minute), "minute") + " ago"
	}
	days := calendarDays(now, t)
	switch {
	case days == 0:
		return "today at " + t.Format("15:04")
	case days == 1:
		return "tomorrow at " + t.Format("15:04")
	case days == -1:
		return "yesterday at " + t.Format("15:04")
	case days > 1:
		return "in " + plural(days, "day")
	default:
		return plural(-days, "day") + " ago"
	}
}

// calendarDays is the number of calendar days from a's date to b's date,
// both already in the same zone; DST days of 23 or 25 hours count as one.
func calendarDays(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	da := time.Date(ay, am, ad, 12, 0, 0, 0, time.UTC)
	db := time.Date(by, bm, bd, 12, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Round(24*time.Hour) / (24 * time.Hour))
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// TaxRate writes basis points as a percentage: 2500 -> "25 %", 1250 ->
// "12.5 %", 0 -> "0 %".
func TaxRate(bp int64) string {
	s := money.FormatPlain(bp, "") // two decimals: 2500 -> "25.00"
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + " %"
}

// safeHref returns s when it is an absolute http(s) URL with a host, else
// "": only such links are rendered, anything else (javascript:, data:,
// relative paths) is shown as plain text.
func safeHref(s string) string {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return ""
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return u.String()
	}
	return ""
}

// maskID hides all but the last four characters of an identity number:
// agents can compare it with what a caller reads out without the page
// showing the whole number to every passer-by.
func maskID(s string) string {
	s = strings.TrimSpace(s)
	r := []rune(s)
	if len(r) <= 4 {
		return strings.Repeat("•", len(r))
	}
	return strings.Repeat("•", len(r)-4) + string(r[len(r)-4:])
}

// joinNonEmpty joins the non-blank parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "–"
	}
	return s
}

// quantity writes "2 pcs" or "2".
func quantity(q int64, unit string) string {
	return joinNonEmpty(" ", strconv.FormatInt(q, 10), unit)
}
