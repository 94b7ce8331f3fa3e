package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// PublicError is an error whose message is safe and useful to show the
// person: handlers return it for failures they can explain. Everything else
// is shown with a generic text for its status; raw error text never reaches
// the page.
type PublicError struct {
	Status  int
	Message string
	Err     error // the cause, for the log only
}

func (e *PublicError) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *PublicError) Unwrap() error { return e.Err }

func publicError(status int, msg string) error { return &PublicError{Status: status, Message: msg} }

// headings and generic messages per status.
func genericText(status int) (heading, message string) {
	switch status {
	case http.StatusBadRequest:
		return "Bad request", "The request could not be understood. Go back and try again."
	case http.StatusUnauthorized:
		return "Please sign in", "Your session has ended. Sign in to continue."
	case http.StatusForbidden:
		return "Not allowed", "You do not have access to this page or action."
	case http.StatusNotFound:
		return "Page not found", "There is nothing at this address. Check the link or use the search box."
	case http.StatusMethodNotAllowed:
		return "Not allowed", "This address does not accept that kind of request."
	case http.StatusRequestEntityTooLarge:
		return "Too much data", "The form sent more data than the back office accepts (1 MiB)."
	case http.StatusTooManyRequests:
		return "Too many requests", "Please wait a moment and try again."
	case http.StatusServiceUnavailable, http.StatusGatewayTimeout, http.StatusBadGateway:
		return "Temporarily unavailable", "A service the back office depends on did not answer. Try again in a moment."
	}
	if status >= 500 {
		return "Something went wrong", "The back office could not complete this request. It has been logged; try again, and quote the reference below if it keeps happening."
	}
	return "Request failed", "The request could not be completed."
}

// handleError is echo's one HTTPErrorHandler: it logs (5xx at Error, 4xx at
// Warn) and renders a readable page, or a fragment for htmx.
func (h *Handlers) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		h.Log.Error("error after the response started", slog.String("route", c.Path()), slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
		return
	}
	status := http.StatusInternalServerError
	var msg string
	var pe *PublicError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &pe):
		status, msg = pe.Status, pe.Message
	case errors.As(err, &he):
		status = he.Code
	case errors.Is(err, context.Canceled) && c.Request().Context().Err() != nil:
		// The client went away; nobody will read an answer.
		h.Log.Info("request cancelled by the client", slog.String("route", c.Path()), slog.String("request_id", requestIDOf(c)))
		return
	case errors.Is(err, context.DeadlineExceeded):
		status = http.StatusGatewayTimeout
	}
	heading, generic := genericText(status)
	if msg == "" {
		msg = generic
	}
	attrs := []any{slog.Int("status", status), slog.String("route", c.Path()), slog.String("request_id", requestIDOf(c)), slog.Any("err", err)}
	if m := h.currentStaff(c); m != nil {
		attrs = append(attrs, slog.Int64("staff_id", m.ID))
	}
	switch {
	case status >= 500:
		h.Log.Error("request failed", attrs...)
	case status != http.StatusNotFound:
		h.Log.Warn("request refused", attrs...)
	}

	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	v := view.ErrorView{Status: status, Heading: heading, Message: msg, RequestID: requestIDOf(c)}
	var rerr error
	if isHTMX(c) {
		rerr = render(c, status, templates.ErrorFragment(v))
	} else {
		rerr = renderPage(c, status, h.page(c, heading, ""), templates.ErrorPage(v))
	}
	if rerr != nil {
		h.Log.Error("rendering the error page failed", slog.String("request_id", requestIDOf(c)), slog.Any("err", rerr))
		_ = c.String(status, heading+". "+msg)
	}
}
