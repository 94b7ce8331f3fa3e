package staff

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/alexedwards/argon2id"
)

// Limits are the sign-in throttle: MaxPerAccount failures for one e-mail, or
// MaxPerAddress from one client address, within Window lock that e-mail or
// address for LockFor.
type Limits struct {
	MaxPerAccount, MaxPerAddress int
	Window, LockFor              time.Duration
}

// DefaultLimits: 5 per account, 20 per address, within 15 minutes, lock 15 minutes.
var DefaultLimits = Limits{MaxPerAccount: 5, MaxPerAddress: 20, Window: 15 * time.Minute, LockFor: 15 * time.Minute}

// ErrInvalidCredentials is the one answer for an unknown e-mail, a wrong
// password and a disabled account, so sign-in reveals no account (ASVS 6.3.8).
var ErrInvalidCredentials = errors.New("staff: wrong e-mail or password")

// Scope of a lock-out.
const (
	ScopeAccount = "account"
	ScopeAddress = "address"
)

// LockedError says sign-in is refused without checking the password because
// an account or client address failed too often. JustLocked is set on the
// failure that caused the lock.
type LockedError struct {
	Scope      string // ScopeAccount or ScopeAddress
	Until      time.Time
	JustLocked bool
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("staff: sign-in locked for this %s until %s", e.Scope, e.Until.UTC().Format(time.RFC3339))
}

// Message is the text for the person signing in.
func (e *LockedError) Message(now time.Time) string {
	mins := int(e.Until.Sub(now).Round(time.Minute) / time.Minute)
	if mins < 1 {
		mins = 1
	}
	what := "this account"
	if e.Scope == ScopeAddress {
		what = "your network address"
	}
	return fmt.Sprintf("Too many failed sign-ins for %s. Sign-in is locked for %d minute%s; try again later.", what, mins, plural(mins))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// FailureReason says why a sign-in failed, for the audit log and the server
// log only; the person signing in sees ErrInvalidCredentials.
func FailureReason(err error) string {
	var le *LockedError
	switch {
	case errors.As(err, &le):
		return "locked_" + le.Scope
	case errors.Is(err, errUnknown):
		return "unknown_account"
	case errors.Is(err, errDisabled):
		return "disabled"
	case errors.Is(err, errWrongPassword):
		return "wrong_password"
	}
	return "error"
}

var (
	errUnknown       = fmt.Errorf("%w (unknown account)", ErrInvalidCredentials)
	errDisabled      = fmt.Errorf("%w (account disabled)", ErrInvalidCredentials)
	errWrongPassword = fmt.Errorf("%w (wrong password)", ErrInvalidCredentials)
)

// Authenticate checks e-mail and password for a sign-in from clientAddr (the
// connection's address, or the trusted proxy's X-Forwarded-For). It returns
// the member, an error wrapping ErrInvalidCredentials, or a *LockedError
// (also on the failure that triggers the lock, with JustLocked set).
func (s *Store) Authenticate(ctx context.Context, email, password, clientAddr string) (*Member, error) {
	now := s.now().UTC()
	account, err := NormalizeEmail(email)
	if err != nil {
		account = "invalid:" + truncate(email, 254)
	}
	if le, err := s.lockedOut(ctx, account, clientAddr, now); err != nil || le != nil {
		if err != nil {
			return nil, err
		}
		return nil, le
	}

	var hash string
	var m *Member
	row := s.db.R.QueryRowContext(ctx, `SELECT `+memberCols+`, password_hash FROM staff_members WHERE email = ?`, account)
	var role string
	var created, valid int64
	var last sql.NullInt64
	var mm Member
	switch err := row.Scan(&mm.ID, &mm.Email, &role, &mm.Disabled, &created, &last, &valid, &hash); {
	case errors.Is(err, sql.ErrNoRows):
		hash = s.dummyHash
	case err != nil:
		return nil, fmt.Errorf("staff: authenticate: %w", err)
	default:
		m = &mm
	}
	ok, err := argon2id.ComparePasswordAndHash(truncate(password, MaxPasswordLen), hash)
	if err != nil {
		return nil, fmt.Errorf("staff: authenticate: %w", err)
	}
	var fail error
	switch {
	case m == nil:
		fail = errUnknown
	case !ok:
		fail = errWrongPassword
	case m.Disabled:
		fail = errDisabled
	}
	if fail != nil {
		le, err := s.recordFailure(ctx, account, clientAddr, now)
		if err != nil {
			return nil, err
		}
		if le != nil {
			return nil, le
		}
		return nil, fail
	}
	if err := s.recordSuccess(ctx, m.ID, account, now); err != nil {
		return nil, err
	}
	return s.Get(ctx, m.ID)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// lockedOut returns the lock-out that applies now, if any (account first).
func (s *Store) lockedOut(ctx context.Context, account, addr string, now time.Time) (*LockedError, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT scope, until FROM staff_lockouts
		WHERE until > ? AND ((scope = 'account' AND key = ?) OR (scope = 'address' AND key = ?))
		ORDER BY scope`, now.UnixNano(), account, addr)
	if err != nil {
		return nil, fmt.Errorf("staff: lock-out check: %w", err)
	}
	defer rows.Close()
	if rows.Next() {
		var le LockedError
		var until int64
		if err := rows.Scan(&le.Scope, &until); err != nil {
			return nil, fmt.Errorf("staff: lock-out check: %w", err)
		}
		le.Until = time.Unix(0, until).UTC()
		return &le, nil
	}
	return nil, rows.Err()
}

// recordFailure counts one failure against the account and the address in
// one write transaction, and locks whichever reached its limit. The counted
// failures of a scope are cleared when it locks, so after the lock ends the
// next failures start a fresh count.
func (s *Store) recordFailure(ctx context.Context, account, addr string, now time.Time) (*LockedError, error) {
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("staff: record failure: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	since := now.Add(-s.limits.Window).UnixNano()
	if _, err := tx.ExecContext(ctx, `DELETE FROM staff_signin_failures WHERE at <= ?`, since); err != nil {
		return nil, fmt.Errorf("staff: record failure: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM staff_lockouts WHERE until <= ?`, now.UnixNano()); err != nil {
		return nil, fmt.Errorf("staff: record failure: %w", err)
	}
	var locked *LockedError
	for _, sc := range []struct {
		scope, key string
		max        int
	}{{ScopeAccount, account, s.limits.MaxPerAccount}, {ScopeAddress, addr, s.limits.MaxPerAddress}} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO staff_signin_failures (scope, key, at) VALUES (?, ?, ?)`, sc.scope, sc.key, now.UnixNano()); err != nil {
			return nil, fmt.Errorf("staff: record failure: %w", err)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM staff_signin_failures WHERE scope = ? AND key = ? AND at > ?`, sc.scope, sc.key, since).Scan(&n); err != nil {
			return nil, fmt.Errorf("staff: record failure: %w", err)
		}
		if n < sc.max {
			continue
		}
		until := now.Add(s.limits.LockFor)
		if _, err := tx.ExecContext(ctx, `INSERT INTO staff_lockouts (scope, key, until) VALUES (?, ?, ?)
			ON CONFLICT (scope, key) DO UPDATE SET until = excluded.until`, sc.scope, sc.key, until.UnixNano()); err != nil {
			return nil, fmt.Errorf("staff: lock: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM staff_signin_failures WHERE scope = ? AND key = ?`, sc.scope, sc.key); err != nil {
			return nil, fmt.Errorf("staff: lock: %w", err)
		}
		if locked == nil {
			locked = &LockedError{Scope: sc.scope, Until: until, JustLocked: true}
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("staff: record failure: %w", err)
	}
	return locked, nil
}

// recordSuccess clears the account's failure count (not the address's: one
// valid account must not reset a stuffing run) and stamps the sign-in.
func (s *Store) recordSuccess(ctx context.Context, id int64, account string, now time.Time) error {
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("staff: record sign-in: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	if _, err := tx.ExecContext(ctx, `DELETE FROM staff_signin_failures WHERE scope = 'account' AND key = ?`, account); err != nil {
		return fmt.Errorf("staff: record sign-in: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE staff_members SET last_sign_in_at = ? WHERE id = ?`, now.UnixNano(), id); err != nil {
		return fmt.Errorf("staff: record sign-in: %w", err)
	}
	return tx.Commit()
}
