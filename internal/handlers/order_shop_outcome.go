package handlers

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/internal/staff"
	"ordercare/web/templates/view"
)

// shopHalfSaid is what the confirmation adds about the shop's half.
func shopHalfSaid(half *orders.ShopHalf, pr orders.PairResult) string {
	if half == nil {
		return ""
	}
	switch {
	case pr.Shop != nil && pr.Shop.Outcome == audit.OutcomeSucceeded:
		return " " + shopDone[half.Action]
	case pr.Shop != nil && pr.Shop.Outcome == audit.OutcomeUnknown:
		return " The shop's answer was lost, so its order may or may not have changed: the order page offers it again and says how to check (sent again, it sends only what the shop's order does not hold yet)."
	case pr.Shop != nil && pr.Shop.Outcome == audit.OutcomeRefused:
		return " The shop refused its half (" + shopErrText(pr.Shop.Err) + "): its order is unchanged; the order page offers it again."
	case pr.Shop != nil:
		return " The shop could not be reached (" + shopErrText(pr.Shop.Err) + "): its order is unchanged; the order page offers it again."
	}
	return " Nothing was sent to the shop (it could not be recorded first); the order page offers it again."
}

// shopMissing lists the order's payment changes whose shop half has not
// succeeded, from the attempts the order page has read anyway.
func (h *Handlers) shopMissing(c echo.Context, orderID string, attempts []audit.Attempt) []view.ShopMissing {
	if h.shopChanger() == nil {
		return nil
	}
	m := h.currentStaff(c)
	may := m != nil && m.Role.Allows(staff.RoleAgent, false)
	var out []view.ShopMissing
	for _, mh := range orders.MissingHalves(attempts) {
		what := "The payment order’s change (" + orders.ActionLabel(omclient.Operation(mh.Payment.Requested.Action)) + ") on " +
			h.showTime(c, mh.Payment.Requested.Time) + " was made, but not in the shop"
		why := "It was never sent to the shop."
		if l := mh.Last; l != nil {
			switch {
			case l.Completed == nil:
				why = "The shop's half is still being sent, or its outcome was not recorded."
			case l.Outcome() == audit.OutcomeUnknown:
				why = "The shop's answer was lost (" + l.Completed.Detail["error"] + "), so the change may or may not have been made. " +
					"To check: the shop's panel on this page is read fresh; if " + view.ShopCheckHints[mh.Half.Action] + ", it was made. " +
					"Sending it again reads the shop's order first and sends only what it does not hold yet, never the same change twice."
			default:
				why = "The shop answered: " + l.Completed.Detail["error"] + "."
			}
		}
		out = append(out, view.ShopMissing{PairID: mh.PairID, What: what, Why: why, Action: mh.Half.Action,
			Label: view.ShopMissingLabels[mh.Half.Action], Path: view.OrderPath(orderID) + "/shop/pair/" + mh.PairID,
			MayResend: may, CSRF: csrfToken(c)})
	}
	return out
}

// sendMissingHalf is POST /orders/:id/shop/pair/:pair: the shop's half of
// an earlier change sent again, exactly as recorded.
func (h *Handlers) sendMissingHalf(c echo.Context) error {
	id, pair := c.Param("id"), c.Param("pair")
	if h.shopChanger() == nil || !omclient.ValidOrderID(id) || !validKey(pair) {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	res, err := h.ShopChanges.ApplyMissingHalf(c.Request().Context(), h.actor(c), id, pair)
	switch {
	case errors.Is(err, orders.ErrNoMissingHalf):
		return h.shopFlash(c, id, "Nothing to send: the shop's half of that change has already succeeded.")
	case err != nil && res.AttemptID == "":
		h.Log.Error("the shop's half not sent", slog.String("order_id", id), slog.Any("err", err))
		return h.shopFlash(c, id, "Nothing was sent to the shop: the change could not be recorded first. Try again in a moment.")
	case err != nil:
		h.Log.Error("shop change not fully recorded", slog.String("order_id", id), slog.Any("err", err))
	}
	switch res.Outcome {
	case audit.OutcomeSucceeded:
		return h.shopFlash(c, id, "Done in the shop too.")
	case audit.OutcomeRefused:
		return h.shopFlash(c, id, "The shop refused the change, nothing changed there: "+shopErrText(res.Err))
	case audit.OutcomeUnknown:
		return h.shopFlash(c, id, "The shop's answer was lost again: the change may have been made. Look at the shop's panel; sent again, it sends only what the shop's order does not hold yet.")
	}
	return h.shopFlash(c, id, "The shop could not be reached, nothing changed there: "+shopErrText(res.Err))
}
