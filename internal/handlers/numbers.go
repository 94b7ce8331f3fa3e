package handlers

import (
	"log/slog"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/language"

	"ordercare/internal/omclient"
)

// numbersKey caches the request's number format in the echo context.
const numbersKey = "numbers"

// numbers is how this person reads amounts (money.Show): the number
// format they chose on /account, else their browser's first language
// (Accept-Language), else "" (English). One person sees one format on
// every page, whatever each order's market.
func (h *Handlers) numbers(c echo.Context) string {
	if f, ok := c.Get(numbersKey).(string); ok {
		return f
	}
	f := ""
	if m := h.currentStaff(c); m != nil {
		var err error
		if f, err = h.Staff.NumberFormat(c.Request().Context(), m.ID); err != nil {
			// The format is a nicety: amounts still show, in the browser's way.
			h.Log.Error("number format not read", slog.Int64("staff_id", m.ID), slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
			f = ""
		}
	}
	if f == "" {
		f = browserLanguage(c)
	}
	c.Set(numbersKey, f)
	return f
}

// browserLanguage is the first language of the request's Accept-Language
// ("de-DE"), or "" when it sends none.
func browserLanguage(c echo.Context) string {
	tags, _, err := language.ParseAcceptLanguage(c.Request().Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 || tags[0] == language.Und {
		return ""
	}
	return tags[0].String()
}

// orderNumbers is numbers on a page about order o. A client that neither
// chose a format nor sends a language (a script, not a browser) gets the
// order's own locale, as before per-person formats.
func (h *Handlers) orderNumbers(c echo.Context, o *omclient.Order) string {
	if f := h.numbers(c); f != "" {
		return f
	}
	return string(o.Locale)
}
