package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/session"
	"ordercare/internal/staff"
)

// ownPasskeyID is the :id of a passkey route.
func ownPasskeyID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, publicError(http.StatusNotFound, "No such passkey.")
	}
	return id, nil
}

// renamePasskey gives one of the member's passkeys a new name.
func (h *Handlers) renamePasskey(c echo.Context) error {
	if !h.passkeysOn() {
		return h.passkeysOff()
	}
	id, err := ownPasskeyID(c)
	if err != nil {
		return err
	}
	m := h.currentStaff(c)
	name, problem := passkeyName(c.FormValue("name"))
	if problem != "" {
		v, verr := h.accountView(c, m)
		if verr != nil {
			return verr
		}
		v.RenameID, v.RenameError = c.Param("id"), problem
		return h.renderAccount(c, http.StatusUnprocessableEntity, v)
	}
	if err := h.Staff.RenamePasskey(c.Request().Context(), m.ID, id, name); errors.Is(err, staff.ErrNoPasskey) {
		return publicError(http.StatusNotFound, "No such passkey.")
	} else if err != nil {
		return err
	}
	h.flash(c, "Passkey renamed to \u201c"+name+"\u201d.")
	return redirect(c, "/account")
}

// removePasskey removes one of the member's own passkeys, after their
// current password or a code proves it is them at the keyboard (as for
// the authenticator app: a session left open does not give away the
// second factor). When it was their last second factor the session no
// longer counts as having one, so a policy that requires it sends them to
// set up another.
func (h *Handlers) removePasskey(c echo.Context) error {
	if !h.passkeysOn() {
		return h.passkeysOff()
	}
	id, err := ownPasskeyID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	m := h.currentStaff(c)
	if byCode, err := h.atKeyboard(c, m); err != nil {
		status, msg, ok := h.proofRefusal(c, m, byCode, err)
		if !ok {
			return err
		}
		v, verr := h.accountView(c, m)
		if verr != nil {
			return verr
		}
		v.RemoveID, v.RemoveError = c.Param("id"), msg
		return h.renderAccount(c, status, v)
	}
	name, err := h.Staff.RemovePasskey(ctx, m.ID, id)
	if errors.Is(err, staff.ErrNoPasskey) {
		return publicError(http.StatusNotFound, "No such passkey.")
	}
	if err != nil {
		return err
	}
	if _, err := h.Audit.Append(ctx, audit.Event{Kind: audit.KindSecondFactor, Actor: h.actor(c),
		Detail: map[string]string{"step": audit.FactorRemoved, "factor": staff.FactorPasskey, "passkey_id": strconv.FormatInt(id, 10),
			"passkey_name": name, "target_id": strconv.FormatInt(m.ID, 10)}}); err != nil {
		return err
	}
	has, err := h.Staff.HasSecondFactor(ctx, m.ID)
	if err != nil {
		return err
	}
	if !has {
		h.Sessions.Remove(ctx, session.KeySecondFactor)
	}
	h.flash(c, "Passkey \u201c"+name+"\u201d removed. It no longer signs you in.")
	return redirect(c, "/account")
}

const tooManyPasskeys = "You have as many passkeys as one member may have. Remove one you no longer use first."

// passkeyName is a passkey's name trimmed, or what is wrong with it in
// words for the field (the store checks it again).
func passkeyName(name string) (trimmed, problem string) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", "Give the passkey a name you will recognise, such as the device it is on."
	}
	if len([]rune(name)) > staff.MaxPasskeyNameLen {
		return "", "The name is longer than " + strconv.Itoa(staff.MaxPasskeyNameLen) + " characters."
	}
	return name, ""
}
