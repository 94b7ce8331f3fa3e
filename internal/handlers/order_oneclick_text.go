package handlers

import (
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"ordercare/internal/handlers/form"
	"ordercare/internal/money"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates/view"
)

// statusAmountChanges describes the status and remaining-amount changes of
// a cancel or release: ": status Authorized → Cancelled; remaining
// authorized 149.97 EUR → 0.00 EUR", or "" when the read-back shows none.
func statusAmountChanges(res orders.Result) string {
	pretty := func(m map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			out[k] = v
		}
		if s, ok := out["status"]; ok {
			out["status"] = view.StatusText(omclient.Status(s))
		}
		return out
	}
	d := form.DescribeChanges(pretty(res.Before), pretty(res.After), []string{"status", "remaining_authorized_amount"},
		map[string]string{"status": "status", "remaining_authorized_amount": "remaining authorized"})
	if d == "" {
		return ""
	}
	return ": " + d
}

// orderMoney writes an amount of the order in its currency and this
// person's number format.
func (h *Handlers) orderMoney(c echo.Context, o *omclient.Order, v int64) string {
	return money.Show(v, o.PurchaseCurrency.String(), h.orderNumbers(c, o))
}

// showTime writes a time in the agent's zone, like the order page.
func (h *Handlers) showTime(c echo.Context, t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.In(agentZone(c)).Format("2 Jan 2006, 15:04 MST")
}

func parseRFC3339(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func itoaDays(n int) string {
	if n == 1 {
		return "1 day"
	}
	return strconv.Itoa(n) + " days"
}
