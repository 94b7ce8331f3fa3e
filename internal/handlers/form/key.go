package form

import (
	"github.com/google/uuid"

	"ordercare/internal/audit"
)

// NewKey mints a form's idempotency key, time-ordered (audit.NewID).
func NewKey() string { return audit.NewID() }

// ValidKey accepts the canonical text of a UUID v7, the keys forms mint,
// or v4, the keys they minted before (a form still open in a browser).
func ValidKey(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && (u.Version() == 7 || u.Version() == 4) && u.String() == s
}
