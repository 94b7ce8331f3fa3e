package handlers

import (
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"ordercare/internal/session"
	"ordercare/internal/staff"
	"ordercare/web/templates/view"
)

// passkeyRows fills the account page's list of the member's passkeys.
func (h *Handlers) passkeyRows(c echo.Context, m *staff.Member, v *view.AccountView) error {
	if !h.passkeysOn() {
		return nil
	}
	v.PasskeysOffered = true
	v.PasskeyProof = !h.freshSignIn(c)
	keys, err := h.Staff.Passkeys(c.Request().Context(), m.ID)
	if err != nil {
		return err
	}
	for _, k := range keys {
		r := view.PasskeyRow{ID: strconv.FormatInt(k.ID, 10), Name: k.Name, Added: k.CreatedAt.In(agentZone(c)).Format("2 Jan 2006"), LastUsed: "never"}
		if !k.LastUsedAt.IsZero() {
			r.LastUsed = h.showTime(c, k.LastUsedAt)
		}
		v.Passkeys = append(v.Passkeys, r)
	}
	return nil
}

// freshFor is how long after signing in a member adds a passkey without
// typing their password (or a code) again.
const freshFor = 10 * time.Minute

// freshSignIn reports whether this session signed in (or changed its
// password) less than freshFor ago. A passkey signs in on its own, so one
// added from a session left open on an unlocked desk would let whoever
// added it back in at will: past freshFor, adding one takes the proof
// atKeyboard checks.
func (h *Handlers) freshSignIn(c echo.Context) bool {
	at := h.Sessions.GetInt64(c.Request().Context(), session.KeyAuthTime)
	return at != 0 && h.now().Sub(time.Unix(0, at)) < freshFor
}
