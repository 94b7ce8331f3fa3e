package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"ordercare/web/templates/view"
)

// A resubmit after an unknown outcome must send the bytes of the first try:
// the provider dedups by key and answers a known key with its saved
// response, and the pipeline refuses the same key with other bytes. Forms
// whose request depends on the order as it is now (capture or refund
// "everything that is left", chosen lines up to what is open) would derive
// a different request once the lost try has been applied: nothing left,
// so the form refuses locally and the outcome stays unknown. So every
// attempt records a digest of the values the agent posted, and a resubmit
// with the same key and the same values resends the recorded request.

// detailFormDigest is the audit detail holding the digest of the posted form.
const detailFormDigest = "form_digest"

// formDigest is a digest of what the agent posted: every non-empty field
// but the CSRF token, sorted by name. Values the server derives from the
// order are not part of it, so it is the same for a resubmit of the same
// form whatever happened to the order since.
func formDigest(c echo.Context) string {
	form, err := c.FormParams()
	if err != nil {
		return ""
	}
	names := make([]string, 0, len(form))
	for n := range form {
		if n != "_csrf" {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	h := sha256.New()
	for _, n := range names {
		for _, v := range form[n] {
			if v = strings.TrimSpace(v); v != "" {
				h.Write([]byte(n + "=" + v + "\n"))
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// sameFormAgain returns, for a form whose common fields are valid, the
// request body recorded for the posted idempotency key when the agent
// posted the same values as then (the digest matches), decoded into a new
// T, and clears the messages the derivation from the order as it is now
// may have put on the form (they are about a request that will not be
// sent). It returns nil when the form is not such a resubmit, and the form
// derives its request as usual.
func sameFormAgain[T any](h *Handlers, c echo.Context, cf *changeForm, commonOK bool) *T {
	key := formValue(c, view.FieldKey)
	if !commonOK || key == "" || h.Audit == nil {
		return nil
	}
	as, err := h.attemptsByKey(c, key)
	if err != nil || len(as) == 0 {
		return nil
	}
	first := as[len(as)-1].Requested
	if d := first.Detail[detailFormDigest]; d == "" || d != formDigest(c) || len(first.Request) == 0 {
		return nil
	}
	body := new(T)
	if err := json.Unmarshal(first.Request, body); err != nil {
		return nil
	}
	cf.Form.Errors = nil
	return body
}

// attemptDetail is the audit detail every form adds to its attempts.
func attemptDetail(c echo.Context) map[string]string {
	return map[string]string{detailFormDigest: formDigest(c)}
}
