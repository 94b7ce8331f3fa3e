package staff

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
)

// TOTP settings: RFC 6238's defaults, the only ones every authenticator app
// reads (30-second steps, 6 digits, HMAC-SHA1), and one step of clock skew
// either way.
const (
	totpPeriod = 30
	totpSkew   = 1
	// RecoveryCodeCount is how many single-use recovery codes a member gets.
	RecoveryCodeCount = 10
)

var totpOpts = hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Errors of the second factor.
var (
	// ErrBadCode is the one answer for a wrong, expired or already used
	// code: the person is not told which.
	ErrBadCode = errors.New("staff: wrong or already used code")
	// ErrNoEnrolment: there is no TOTP set-up waiting for confirmation.
	ErrNoEnrolment = errors.New("staff: no authenticator set-up is waiting for confirmation")
	// ErrEnrolled: the member already has a confirmed authenticator.
	ErrEnrolled = errors.New("staff: an authenticator is already set up")
)

// TOTPEnrolment is what a member needs to add the account to an
// authenticator app: the otpauth:// URI (RFC 6238 key URI format, as
// Google Authenticator defines it), the same as a QR code (PNG), and the
// base32 secret to type by hand.
type TOTPEnrolment struct {
	URI    string
	Secret string
	QRPNG  []byte
}

// BeginTOTP starts (or restarts) a member's authenticator set-up: a new
// random secret, stored sealed and unconfirmed until ConfirmTOTP. A member
// with a confirmed authenticator gets ErrEnrolled (remove it first).
func (s *Store) BeginTOTP(ctx context.Context, m *Member, issuer string) (*TOTPEnrolment, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: m.Email, Period: totpPeriod,
		Digits: totpOpts.Digits, Algorithm: totpOpts.Algorithm})
	if err != nil {
		return nil, fmt.Errorf("staff: totp key: %w", err)
	}
	sealed, err := s.seal.seal(m.ID, []byte(key.URL()))
	if err != nil {
		return nil, fmt.Errorf("staff: seal totp key: %w", err)
	}
	res, err := s.db.W.ExecContext(ctx, `INSERT INTO staff_totp (member_id, secret, created_at) VALUES (?, ?, ?)
		ON CONFLICT (member_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at, last_step = 0
		WHERE staff_totp.confirmed_at IS NULL`, m.ID, sealed, s.now().UTC().UnixNano())
	if err != nil {
		return nil, fmt.Errorf("staff: begin totp: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, ErrEnrolled
	}
	return enrolmentOf(key)
}

// PendingTOTP is the set-up waiting for confirmation (the same secret as
// BeginTOTP gave, so the page can be shown again after a mistyped code),
// or ErrNoEnrolment.
func (s *Store) PendingTOTP(ctx context.Context, id int64) (*TOTPEnrolment, error) {
	key, confirmed, _, err := s.totpKey(ctx, id)
	if err != nil {
		return nil, err
	}
	if confirmed {
		return nil, ErrEnrolled
	}
	return enrolmentOf(key)
}

func enrolmentOf(key *otp.Key) (*TOTPEnrolment, error) {
	img, err := key.Image(240, 240)
	if err != nil {
		return nil, fmt.Errorf("staff: qr code: %w", err)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("staff: qr code: %w", err)
	}
	return &TOTPEnrolment{URI: key.URL(), Secret: key.Secret(), QRPNG: b.Bytes()}, nil
}

// totpKey reads and opens a member's stored key; ErrNoEnrolment when none.
func (s *Store) totpKey(ctx context.Context, id int64) (key *otp.Key, confirmed bool, lastStep int64, err error) {
	var sealed []byte
	var conf sql.NullInt64
	err = s.db.R.QueryRowContext(ctx, `SELECT secret, confirmed_at, last_step FROM staff_totp WHERE member_id = ?`, id).Scan(&sealed, &conf, &lastStep)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, 0, ErrNoEnrolment
	}
	if err != nil {
		return nil, false, 0, fmt.Errorf("staff: totp: %w", err)
	}
	uri, err := s.seal.open(id, sealed)
	if err != nil {
		return nil, false, 0, err
	}
	key, err = otp.NewKeyFromURL(string(uri))
	if err != nil {
		return nil, false, 0, fmt.Errorf("staff: totp: %w", err)
	}
	return key, conf.Valid, lastStep, nil
}

// ConfirmTOTP completes the set-up with a first code from the app and
// returns the member's new recovery codes (shown once: only their hashes
// are kept). Wrong codes count against the sign-in throttle.
func (s *Store) ConfirmTOTP(ctx context.Context, m *Member, code, clientAddr string) ([]string, error) {
	key, confirmed, _, err := s.totpKey(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	if confirmed {
		return nil, ErrEnrolled
	}
	if err := s.throttled(ctx, m, clientAddr, func(now time.Time) (bool, error) {
		return s.acceptTOTP(ctx, m.ID, key, code, now, `confirmed_at IS NULL`)
	}); err != nil {
		return nil, err
	}
	return s.NewRecoveryCodes(ctx, m.ID)
}

// acceptTOTP checks code against key at now (±1 step) and, when it
// matches a step later than the last accepted one, records that step in
// the same statement (with the extra where), so two requests racing with
// one code cannot both pass.
func (s *Store) acceptTOTP(ctx context.Context, id int64, key *otp.Key, code string, now time.Time, where string) (bool, error) {
	code = strings.TrimSpace(code)
	if len(code) != totpOpts.Digits.Length() {
		return false, nil
	}
	step := now.Unix() / totpPeriod
	for k := int64(-totpSkew); k <= totpSkew; k++ {
		if step+k < 0 {
			continue
		}
		ok, err := hotp.ValidateCustom(code, uint64(step+k), key.Secret(), totpOpts) // #nosec G115 -- step+k >= 0 checked above
		if err != nil || !ok {
			continue
		}
		res, err := s.db.W.ExecContext(ctx, `UPDATE staff_totp SET last_step = ?, confirmed_at = coalesce(confirmed_at, ?)
			WHERE member_id = ? AND last_step < ? AND `+where, step+k, now.UnixNano(), id, step+k) // #nosec G202 -- where is a constant of this file
		if err != nil {
			return false, fmt.Errorf("staff: totp: %w", err)
		}
		n, _ := res.RowsAffected()
		return n == 1, nil
	}
	return false, nil
}

// Factor names, for the audit log.
const (
	FactorTOTP     = "totp"
	FactorRecovery = "recovery_code"
)

// VerifySecondFactor checks a code typed at sign-in: a six-digit code from
// the member's authenticator (each accepted once) or one of their recovery
// codes (each usable once). Failures count against the same throttle as
// wrong passwords. It returns which factor passed, ErrBadCode, or a
// *LockedError.
func (s *Store) VerifySecondFactor(ctx context.Context, m *Member, code, clientAddr string) (string, error) {
	key, confirmed, _, err := s.totpKey(ctx, m.ID)
	if err != nil && !errors.Is(err, ErrNoEnrolment) {
		return "", err
	}
	factor := FactorTOTP
	if c := normalizeRecoveryCode(code); len(c) == recoveryCodeLen {
		factor = FactorRecovery
	}
	err = s.throttled(ctx, m, clientAddr, func(now time.Time) (bool, error) {
		if factor == FactorRecovery {
			return s.useRecoveryCode(ctx, m.ID, code, now)
		}
		if !confirmed {
			return false, nil
		}
		return s.acceptTOTP(ctx, m.ID, key, code, now, `confirmed_at IS NOT NULL`)
	})
	if err != nil {
		return "", err
	}
	return factor, nil
}

// throttled runs check unless the member's account or the address is
// locked, and counts a failed check like a wrong password (a second
// factor, the current password when changing it).
func (s *Store) throttled(ctx context.Context, m *Member, clientAddr string, check func(time.Time) (bool, error)) error {
	now := s.now().UTC()
	if le, err := s.lockedOut(ctx, m.Email, clientAddr, now); err != nil || le != nil {
		if err != nil {
			return err
		}
		return le
	}
	ok, err := check(now)
	if err != nil {
		return err
	}
	if !ok {
		le, err := s.recordFailure(ctx, m.Email, clientAddr, now)
		if err != nil {
			return err
		}
		if le != nil {
			return le
		}
		return ErrBadCode
	}
	// Clear the account's count (not the address's, as at sign-in).
	if _, err := s.db.W.ExecContext(ctx, `DELETE FROM staff_signin_failures WHERE scope = 'account' AND key = ?`, m.Email); err != nil {
		return fmt.Errorf("staff: clear failures: %w", err)
	}
	return nil
}

// HasTOTP reports whether the member has a confirmed authenticator.
func (s *Store) HasTOTP(ctx context.Context, id int64) (bool, error) {
	var n int
	err := s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM staff_totp WHERE member_id = ? AND confirmed_at IS NOT NULL`, id).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("staff: totp: %w", err)
	}
	return n > 0, nil
}

// RemoveTOTP deletes the member's authenticator and recovery codes. It
// reports whether there was one.
func (s *Store) RemoveTOTP(ctx context.Context, id int64) (bool, error) {
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("staff: remove totp: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	res, err := tx.ExecContext(ctx, `DELETE FROM staff_totp WHERE member_id = ?`, id)
	if err != nil {
		return false, fmt.Errorf("staff: remove totp: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM staff_recovery_codes WHERE member_id = ?`, id); err != nil {
		return false, fmt.Errorf("staff: remove totp: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, tx.Commit()
}

// randomCode is n characters of the lower-case base32 alphabet without
// the look-alikes 0/o, 1/l/i (crypto/rand).
func randomCode(n int) (string, error) {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789" // 31 symbols, about 4.95 bits each
	b := make([]byte, n)
	for i := range b {
		var r [1]byte
		for {
			if _, err := rand.Read(r[:]); err != nil {
				return "", err
			}
			if int(r[0]) < 248 { // 248 = 8*31: no modulo bias
				b[i] = alphabet[int(r[0])%len(alphabet)]
				break
			}
		}
	}
	return string(b), nil
}
