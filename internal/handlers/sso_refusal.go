package handlers

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/sso"
	"ordercare/internal/staff"
	"ordercare/web/templates/view"
)

// ssoRefusal is a single sign-on that did not sign anyone in: the reason
// for the audit log and the server log, the status and the message for
// the person.
type ssoRefusal struct {
	reason  string
	status  int
	message string
}

// memberRefusal is the refusal for an error of staff.SignInExternal.
func (h *Handlers) memberRefusal(err error) (ssoRefusal, bool) {
	var le *staff.LookalikeError
	switch {
	case errors.Is(err, staff.ErrMemberDisabled):
		return ssoRefusal{"sso_disabled", http.StatusForbidden,
			"Your account is disabled in this back office, whatever " + h.SSO.Name() + " says. Ask an admin here if you need it back."}, true
	case errors.As(err, &le), errors.Is(err, staff.ErrEmailScripts), errors.Is(err, staff.ErrEmailInvisible):
		return ssoRefusal{"sso_lookalike", http.StatusForbidden,
			"Your e-mail address looks like another member's or mixes alphabets, so no account is made for it. Ask an admin here."}, true
	case errors.Is(err, staff.ErrOtherSubject):
		return ssoRefusal{"sso_other_account", http.StatusForbidden,
			"The member with your e-mail address signs in with another account at " + h.SSO.Name() + ". Ask an admin here."}, true
	case errors.Is(err, staff.ErrBadEmail):
		return ssoRefusal{"sso_bad_email", http.StatusForbidden,
			h.SSO.Name() + " sent an e-mail address this back office cannot use. Ask an admin here."}, true
	case errors.Is(err, staff.ErrLastAdmin):
		return ssoRefusal{"sso_last_admin", http.StatusForbidden,
			h.SSO.Name() + "'s groups would take the admin role from the last admin here. Make another member admin first, or sign in with your password."}, true
	}
	return ssoRefusal{}, false
}

// refuseSSO records a refused single sign-on and shows why on the
// sign-in page. The address is recorded as the provider sent it (id is
// nil when the provider's answer was not read).
func (h *Handlers) refuseSSO(c echo.Context, id *sso.Identity, next string, r ssoRefusal) error {
	who := audit.Actor{ClientIP: c.RealIP(), UserAgent: userAgent(c)}
	if id != nil {
		who.Email = auditEmail(id.Email)
	}
	h.Log.Warn("single sign-on refused", slog.String("reason", r.reason), slog.String("request_id", requestIDOf(c)))
	h.appendAudit(c, audit.Event{Kind: audit.KindSignInFailed, Actor: who, Reason: r.reason,
		Detail: map[string]string{"method": methodSSO, "issuer": h.SSO.Issuer()}})
	return h.renderLogin(c, r.status, view.LoginForm{Next: nextField(next), Error: r.message})
}

// auditSSOChanges records what the provider's word changed: a member made
// just in time, the provider's account linked to a member (its first
// sign-in), a role changed. The actor is the member signing in, as
// the provider's administrator has no account here; Detail["by"] says who
// decided. These are not the staff page's "add" and "role" changes, which
// bar their author from deciding the member's requests.
func (h *Handlers) auditSSOChanges(c echo.Context, id *sso.Identity, res *staff.ExternalSignIn) error {
	m := res.Member
	who := audit.Actor{StaffID: m.ID, Email: m.Email, Role: string(m.Role), ClientIP: c.RealIP(), UserAgent: userAgent(c)}
	base := map[string]string{"target_id": strconv.FormatInt(m.ID, 10), "target_email": m.Email, "by": "identity_provider",
		"issuer": h.SSO.Issuer(), "claim_value": id.Matched}
	var events []map[string]string
	if res.Created {
		events = append(events, with(base, map[string]string{"change": "sso_created", "role": string(m.Role)}))
	}
	if res.Linked {
		// The provider's account is this member from now on, whatever
		// address it carries later.
		events = append(events, with(base, map[string]string{"change": "sso_linked", "subject": id.Subject}))
	}
	if res.OldRole != "" {
		events = append(events, with(base, map[string]string{"change": "sso_role", "from": string(res.OldRole), "to": string(m.Role)}))
	}
	// Not the request's context: the change is made, its record must be.
	ctx := context.WithoutCancel(c.Request().Context())
	for _, d := range events {
		if _, err := h.Audit.Append(ctx, audit.Event{Kind: audit.KindStaff, Actor: who, Outcome: audit.OutcomeSucceeded, Detail: d}); err != nil {
			h.Log.Error("single sign-on change not recorded in the audit log", slog.String("change", d["change"]), slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
			return err
		}
	}
	return nil
}

// with is base and more in a new map.
func with(base, more map[string]string) map[string]string {
	out := maps.Clone(base)
	maps.Copy(out, more)
	return out
}

// truncate cuts s to n bytes of valid UTF-8.
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "")
	}
	return s
}
