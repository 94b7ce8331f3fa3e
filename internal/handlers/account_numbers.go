package handlers

import (
	"log/slog"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"ordercare/internal/money"
	"ordercare/web/templates/view"
)

// numberChoices are the account page's ways of writing amounts, each
// named by two examples in it, with the member's own choice selected ("":
// their browser's language).
func numberChoices(chosen, browser string) []view.NumberChoice {
	example := func(tag string) string {
		return money.Show(123456, "EUR", tag) + " · " + money.Show(396747, "NOK", tag)
	}
	auto := "As my browser’s language"
	if browser != "" {
		auto += " (" + example(browser) + ")"
	}
	out := []view.NumberChoice{{Value: "", Label: auto, Selected: chosen == ""}}
	for _, tag := range money.NumberFormats {
		out = append(out, view.NumberChoice{Value: tag, Label: example(tag), Selected: chosen == tag})
	}
	return out
}

// setNumbers saves the member's way of writing amounts; it applies to
// every page from the next one.
func (h *Handlers) setNumbers(c echo.Context) error {
	m := h.currentStaff(c)
	f := c.FormValue("numbers")
	if f != "" && !slices.Contains(money.NumberFormats, f) {
		return publicError(http.StatusUnprocessableEntity, "Choose one of the listed ways of writing amounts.")
	}
	if err := h.Staff.SetNumberFormat(c.Request().Context(), m.ID, f); err != nil {
		return err
	}
	h.Log.Info("number format set", slog.Int64("staff_id", m.ID), slog.String("request_id", requestIDOf(c)))
	h.flash(c, "Amounts are now written like "+money.Show(123456, "EUR", h.chosenOrBrowser(c, f))+".")
	return redirect(c, "/account")
}

// chosenOrBrowser is f, or the browser's language when f is "".
func (h *Handlers) chosenOrBrowser(c echo.Context, f string) string {
	if f == "" {
		return browserLanguage(c)
	}
	return f
}
