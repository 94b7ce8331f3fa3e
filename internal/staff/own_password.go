package staff

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/alexedwards/argon2id"
)

// Errors of a member's own password change.
var (
	ErrWrongCurrentPassword = errors.New("staff: the current password is wrong")
	ErrCommonPassword       = errors.New("staff: this password is on the list of common passwords")
	ErrSamePassword         = errors.New("staff: the new password is the current one")
)

// VerifyOwnPassword checks a signed-in member's current password before
// a change that needs it; wrong ones count against the sign-in throttle.
// It returns ErrWrongCurrentPassword or a *LockedError.
func (s *Store) VerifyOwnPassword(ctx context.Context, m *Member, password, clientAddr string) error {
	hash, err := s.storedHash(ctx, m.ID)
	if err != nil {
		return err
	}
	err = s.throttled(ctx, m, clientAddr, func(time.Time) (bool, error) {
		return argon2id.ComparePasswordAndHash(truncate(password, MaxPasswordLen), hash)
	})
	if errors.Is(err, ErrBadCode) {
		return ErrWrongCurrentPassword
	}
	return err
}

// ChangeOwnPassword replaces a member's password after checking their
// current one (wrong ones count against the sign-in throttle, so the form
// cannot be used to guess it). The new one must have the right length,
// differ from the current one and not be a common password. Like an
// admin's reset, it ends the member's sessions: the caller keeps the one
// the change was made in.
func (s *Store) ChangeOwnPassword(ctx context.Context, m *Member, current, next, clientAddr string) error {
	if err := checkPassword(next); err != nil {
		return err
	}
	if isCommonPassword(next) {
		return ErrCommonPassword
	}
	if current == next {
		return ErrSamePassword
	}
	if err := s.VerifyOwnPassword(ctx, m, current, clientAddr); err != nil {
		return err
	}
	if err := s.SetPassword(ctx, m.ID, next); err != nil {
		return fmt.Errorf("staff: change password: %w", err)
	}
	return nil
}
