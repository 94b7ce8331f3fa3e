package staff

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/webauthn"
)

// FactorPasskey names a passkey or security key (WebAuthn) in the audit log
// and the session.
const FactorPasskey = "passkey"

// Passkey limits: a name people recognise in a list, and a list that fits
// on the account page (a lost key is removed, not piled up).
const (
	MaxPasskeyNameLen = 64
	MaxPasskeys       = 10
)

// Errors of passkeys.
var (
	ErrPasskeyName = fmt.Errorf("staff: a passkey's name is 1 to %d characters", MaxPasskeyNameLen)
	// ErrTooManyPasskeys: the member has MaxPasskeys already.
	ErrTooManyPasskeys = fmt.Errorf("staff: at most %d passkeys per member", MaxPasskeys)
	// ErrPasskeyExists: this authenticator's credential is registered
	// already (to this member or, impossibly for a real key, another).
	ErrPasskeyExists = errors.New("staff: this passkey is registered already")
	// ErrPasskeyCounter: the signature counter did not move forward. The
	// key may have been cloned, or the assertion is replayed
	// (https://www.w3.org/TR/webauthn-3/#sctn-sign-counter); the sign-in
	// is refused.
	ErrPasskeyCounter = errors.New("staff: the passkey's signature counter went backwards")
	// ErrNoPasskey: no such passkey of this member, or no member with
	// this user handle (or a disabled one).
	ErrNoPasskey = errors.New("staff: no such passkey")
)

// Passkey is one of a member's registered passkeys, as the account page
// lists it.
type Passkey struct {
	ID         int64
	Name       string
	CreatedAt  time.Time
	LastUsedAt time.Time // zero when never used to sign in
}

// PasskeyUser is a member as the WebAuthn library sees them
// (webauthn.User): a random user handle, the e-mail as the account name,
// and their credentials.
type PasskeyUser struct {
	Member *Member
	handle []byte
	creds  []webauthn.Credential
}

// WebAuthnID is the member's random user handle.
func (u *PasskeyUser) WebAuthnID() []byte { return u.handle }

// WebAuthnName is the e-mail, which the browser shows in its passkey list.
func (u *PasskeyUser) WebAuthnName() string { return u.Member.Email }

// WebAuthnDisplayName is the e-mail too: members have no other name here.
func (u *PasskeyUser) WebAuthnDisplayName() string { return u.Member.Email }

// WebAuthnCredentials are the member's registered credentials.
func (u *PasskeyUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// passkeyHandleLen is the user handle's length: 32 random bytes (the
// specification allows up to 64).
const passkeyHandleLen = 32

// PasskeyUser is member m with their user handle (made on first use) and
// credentials.
func (s *Store) PasskeyUser(ctx context.Context, m *Member) (*PasskeyUser, error) {
	h := make([]byte, passkeyHandleLen)
	if _, err := rand.Read(h); err != nil {
		return nil, fmt.Errorf("staff: passkey handle: %w", err)
	}
	if _, err := s.db.W.ExecContext(ctx, `INSERT INTO staff_passkey_users (member_id, handle) VALUES (?, ?) ON CONFLICT DO NOTHING`, m.ID, h); err != nil {
		return nil, fmt.Errorf("staff: passkey handle: %w", err)
	}
	u := &PasskeyUser{Member: m}
	if err := s.db.W.QueryRowContext(ctx, `SELECT handle FROM staff_passkey_users WHERE member_id = ?`, m.ID).Scan(&u.handle); err != nil {
		return nil, fmt.Errorf("staff: passkey handle: %w", err)
	}
	return u, s.loadCredentials(ctx, u)
}

// PasskeyUserByHandle is the member a discoverable credential names by its
// user handle, with their credentials; ErrNoPasskey for an unknown handle
// or a disabled member.
func (s *Store) PasskeyUserByHandle(ctx context.Context, handle []byte) (*PasskeyUser, error) {
	var id int64
	err := s.db.R.QueryRowContext(ctx, `SELECT member_id FROM staff_passkey_users WHERE handle = ?`, handle).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoPasskey
	}
	if err != nil {
		return nil, fmt.Errorf("staff: passkey user: %w", err)
	}
	m, err := s.Get(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && m.Disabled) {
		return nil, ErrNoPasskey
	}
	if err != nil {
		return nil, err
	}
	u := &PasskeyUser{Member: m, handle: handle}
	return u, s.loadCredentials(ctx, u)
}

func (s *Store) loadCredentials(ctx context.Context, u *PasskeyUser) error {
	rows, err := s.db.R.QueryContext(ctx, `SELECT credential, sign_count FROM staff_passkeys WHERE member_id = ? ORDER BY id`, u.Member.ID)
	if err != nil {
		return fmt.Errorf("staff: passkeys: %w", err)
	}
	defer rows.Close()
	u.creds = nil
	for rows.Next() {
		var raw string
		var count int64
		if err := rows.Scan(&raw, &count); err != nil {
			return fmt.Errorf("staff: passkeys: %w", err)
		}
		var c webauthn.Credential
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			return fmt.Errorf("staff: passkey: %w", err)
		}
		c.Authenticator.SignCount = uint32(count) // #nosec G115 -- stored from a uint32
		u.creds = append(u.creds, c)
	}
	return rows.Err()
}

// checkPasskeyName trims a passkey's name and checks its length.
func checkPasskeyName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > MaxPasskeyNameLen || !utf8.ValidString(name) {
		return "", ErrPasskeyName
	}
	return name, nil
}

// AddPasskey stores a credential the library verified at registration
// under the member's name for it, and returns its id.
func (s *Store) AddPasskey(ctx context.Context, memberID int64, name string, c *webauthn.Credential) (int64, error) {
	name, err := checkPasskeyName(name)
	if err != nil {
		return 0, err
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return 0, fmt.Errorf("staff: passkey: %w", err)
	}
	// The count and the insert in one statement, so two registrations
	// at once cannot pass the limit together.
	// The new id by RETURNING (PostgreSQL's driver has no LastInsertId);
	// no row back: the credential was taken or the limit reached.
	var id int64
	err = s.db.W.QueryRowContext(ctx, `INSERT INTO staff_passkeys (member_id, credential_id, name, credential, sign_count, created_at)
		SELECT ?, ?, ?, ?, ?, ?
		WHERE (SELECT count(*) FROM staff_passkeys WHERE member_id = ?) < ?
		ON CONFLICT (credential_id) DO NOTHING RETURNING id`,
		memberID, c.ID, name, string(raw), int64(c.Authenticator.SignCount), s.now().UTC().UnixNano(), memberID, MaxPasskeys).Scan(&id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("staff: add passkey: %w", err)
	}
	if err != nil {
		var taken int
		if err := s.db.W.QueryRowContext(ctx, `SELECT count(*) FROM staff_passkeys WHERE credential_id = ?`, c.ID).Scan(&taken); err != nil {
			return 0, fmt.Errorf("staff: add passkey: %w", err)
		}
		if taken > 0 {
			return 0, ErrPasskeyExists
		}
		return 0, ErrTooManyPasskeys
	}
	return id, nil
}

// Passkeys lists the member's passkeys, oldest first.
func (s *Store) Passkeys(ctx context.Context, memberID int64) ([]Passkey, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, name, created_at, last_used_at FROM staff_passkeys WHERE member_id = ? ORDER BY id`, memberID)
	if err != nil {
		return nil, fmt.Errorf("staff: passkeys: %w", err)
	}
	defer rows.Close()
	var out []Passkey
	for rows.Next() {
		var p Passkey
		var created int64
		var used sql.NullInt64
		if err := rows.Scan(&p.ID, &p.Name, &created, &used); err != nil {
			return nil, fmt.Errorf("staff: passkeys: %w", err)
		}
		p.CreatedAt = time.Unix(0, created).UTC()
		if used.Valid {
			p.LastUsedAt = time.Unix(0, used.Int64).UTC()
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// RenamePasskey gives the member's passkey id a new name.
func (s *Store) RenamePasskey(ctx context.Context, memberID, id int64, name string) error {
	name, err := checkPasskeyName(name)
	if err != nil {
		return err
	}
	res, err := s.db.W.ExecContext(ctx, `UPDATE staff_passkeys SET name = ? WHERE id = ? AND member_id = ?`, name, id, memberID)
	if err != nil {
		return fmt.Errorf("staff: rename passkey: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNoPasskey
	}
	return nil
}

// RemovePasskey deletes the member's passkey id and returns its name; a
// member removes only their own.
func (s *Store) RemovePasskey(ctx context.Context, memberID, id int64) (string, error) {
	var name string
	err := s.db.W.QueryRowContext(ctx, `DELETE FROM staff_passkeys WHERE id = ? AND member_id = ? RETURNING name`, id, memberID).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNoPasskey
	}
	if err != nil {
		return "", fmt.Errorf("staff: remove passkey: %w", err)
	}
	return name, nil
}

// UsePasskey records a sign-in with credential c, which the library has
// just verified (its Authenticator.SignCount is the counter the assertion
// carried). The counter must move forward from the stored one, checked and
// stored in one statement, so neither a cloned key nor an assertion played
// twice gets in; authenticators that keep no counter send 0 every time,
// which is allowed while the stored one is 0 too (WebAuthn §6.1.1,
// https://www.w3.org/TR/webauthn-3/#sctn-sign-counter). The member's last
// sign-in is stamped, as a password's is. It returns the passkey's name.
func (s *Store) UsePasskey(ctx context.Context, memberID int64, c *webauthn.Credential) (string, error) {
	if c.Authenticator.CloneWarning {
		return "", ErrPasskeyCounter
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("staff: passkey: %w", err)
	}
	count := int64(c.Authenticator.SignCount)
	now := s.now().UTC().UnixNano()
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("staff: use passkey: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	var name string
	err = tx.QueryRowContext(ctx, `UPDATE staff_passkeys SET sign_count = ?, credential = ?, last_used_at = ?
		WHERE member_id = ? AND credential_id = ? AND (sign_count < ? OR (? = 0 AND sign_count = 0)) RETURNING name`,
		count, string(raw), now, memberID, c.ID, count, count).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrPasskeyCounter
	}
	if err != nil {
		return "", fmt.Errorf("staff: use passkey: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE staff_members SET last_sign_in_at = ? WHERE id = ?`, now, memberID); err != nil {
		return "", fmt.Errorf("staff: use passkey: %w", err)
	}
	return name, tx.Commit()
}

// HasPasskey reports whether the member has a registered passkey.
func (s *Store) HasPasskey(ctx context.Context, id int64) (bool, error) {
	var n int
	if err := s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM staff_passkeys WHERE member_id = ?`, id).Scan(&n); err != nil {
		return false, fmt.Errorf("staff: passkeys: %w", err)
	}
	return n > 0, nil
}

// HasSecondFactor reports whether the member has any second factor: a
// confirmed authenticator app or a passkey.
func (s *Store) HasSecondFactor(ctx context.Context, id int64) (bool, error) {
	has, err := s.HasTOTP(ctx, id)
	if err != nil || has {
		return has, err
	}
	return s.HasPasskey(ctx, id)
}
