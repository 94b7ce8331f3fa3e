package staff

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
)

// ErrLastAdmin refuses a change that would leave no active admin: nobody
// could then manage staff from the back office.
var ErrLastAdmin = errors.New("staff: this is the last active admin; make another member admin first")

// ChangeRole sets the member's role, unless the member is the last active
// admin and the new role is not admin. The check and the change run in
// one write transaction, so two admins demoting each other at the same
// moment cannot both succeed. It returns the previous role.
func (s *Store) ChangeRole(ctx context.Context, id int64, role Role) (Role, error) {
	if !role.Valid() {
		return "", fmt.Errorf("staff: unknown role %q", role)
	}
	var old Role
	err := s.guarded(ctx, id, role != RoleAdmin, func(tx *sql.Tx, was Role) error {
		old = was
		_, err := tx.ExecContext(ctx, `UPDATE staff_members SET role = ? WHERE id = ?`, string(role), id)
		return err
	})
	return old, err
}

// DisableMember blocks sign-in and ends the member's sessions at once,
// unless the member is the last active admin (see ChangeRole).
func (s *Store) DisableMember(ctx context.Context, id int64) error {
	return s.guarded(ctx, id, true, func(tx *sql.Tx, _ Role) error {
		_, err := tx.ExecContext(ctx, `UPDATE staff_members SET disabled = 1, sessions_valid_after = ? WHERE id = ?`,
			s.now().UTC().UnixNano(), id)
		return err
	})
}

// guarded runs change on member id inside one write transaction. When
// removesAdmin is set and the member is an active admin, it first checks
// that another active admin remains.
func (s *Store) guarded(ctx context.Context, id int64, removesAdmin bool, change func(*sql.Tx, Role) error) error {
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("staff: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	var role string
	var disabled bool
	err = tx.QueryRowContext(ctx, `SELECT role, disabled FROM staff_members WHERE id = ?`, id).Scan(&role, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("staff: %w", err)
	}
	if removesAdmin && Role(role) == RoleAdmin && !disabled {
		var others int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM staff_members WHERE role = 'admin' AND disabled = 0 AND id <> ?`, id).Scan(&others); err != nil {
			return fmt.Errorf("staff: %w", err)
		}
		if others == 0 {
			return ErrLastAdmin
		}
	}
	if err := change(tx, Role(role)); err != nil {
		return fmt.Errorf("staff: update member: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("staff: %w", err)
	}
	return nil
}

// passwordAlphabet leaves out characters that are easy to misread
// (0/O, 1/l/I) so a password shown once can be typed from the screen.
const passwordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// GeneratePassword returns a random password of 20 characters (about 115
// bits), for a new member or a reset, shown once to the admin.
func GeneratePassword() (string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("staff: random password: %w", err)
	}
	out := make([]byte, len(b))
	for i, v := range b {
		// 256 is not a multiple of the alphabet's 56 letters: draw again
		// for the values that would favour the first letters.
		for int(v) >= 256-256%len(passwordAlphabet) {
			var one [1]byte
			if _, err := rand.Read(one[:]); err != nil {
				return "", fmt.Errorf("staff: random password: %w", err)
			}
			v = one[0]
		}
		out[i] = passwordAlphabet[int(v)%len(passwordAlphabet)]
	}
	return string(out), nil
}
