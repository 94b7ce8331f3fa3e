package staff

import (
	"context"
	"fmt"
	"time"
)

// AccountLocks are the accounts locked out of sign-in now, by e-mail, with
// when each lock ends: the staff page shows them so an admin can help.
func (s *Store) AccountLocks(ctx context.Context) (map[string]time.Time, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT key, until FROM staff_lockouts WHERE scope = 'account' AND until > ?`,
		s.now().UTC().UnixNano())
	if err != nil {
		return nil, fmt.Errorf("staff: lock-outs: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var key string
		var until int64
		if err := rows.Scan(&key, &until); err != nil {
			return nil, fmt.Errorf("staff: lock-outs: %w", err)
		}
		out[key] = time.Unix(0, until).UTC()
	}
	return out, rows.Err()
}

// Unlock lifts the account lock-out of the member with e-mail and forgets
// their counted failures, so the next wrong password starts a fresh count.
// A lock on a client address stays: it guards against a run over many
// accounts, which helping one member must not end.
func (s *Store) Unlock(ctx context.Context, email string) error {
	account, err := NormalizeEmail(email)
	if err != nil {
		return err
	}
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("staff: unlock: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	for _, q := range []string{`DELETE FROM staff_lockouts WHERE scope = 'account' AND key = ?`,
		`DELETE FROM staff_signin_failures WHERE scope = 'account' AND key = ?`} {
		if _, err := tx.ExecContext(ctx, q, account); err != nil {
			return fmt.Errorf("staff: unlock: %w", err)
		}
	}
	return tx.Commit()
}
