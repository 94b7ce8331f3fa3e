package staff

import (
	"bytes"
	"errors"
	"ordercare/internal/db/dbtest"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// enrolled is a member with a confirmed authenticator, its secret and its
// recovery codes.
func enrolled(t *testing.T, s *Store, c *clock, email string) (*Member, string, []string) {
	t.Helper()
	m, err := s.Add(t.Context(), email, RoleSupervisor, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.BeginTOTP(t.Context(), m, "ordercare")
	if err != nil {
		t.Fatal(err)
	}
	codes, err := s.ConfirmTOTP(t.Context(), m, code(t, e.Secret, c.Now()), "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	return m, e.Secret, codes
}

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	k, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestTOTPEnrolmentGivesQRURIAndSecret(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testTOTPEnrolmentGivesQRURIAndSecret)
}

func testTOTPEnrolmentGivesQRURIAndSecret(t *testing.T, b dbtest.Backend) {
	s, c, _ := newStore(t, b)
	m, _ := s.Add(t.Context(), "sup@example.com", RoleSupervisor, "correct horse")
	e, err := s.BeginTOTP(t.Context(), m, "ordercare")
	if err != nil {
		t.Fatal(err)
	}
	k, err := otp.NewKeyFromURL(e.URI)
	if err != nil || k.Secret() != e.Secret || k.AccountName() != m.Email || k.Issuer() != "ordercare" {
		t.Fatalf("uri %q: %v", e.URI, err)
	}
	if !bytes.HasPrefix(e.QRPNG, []byte("\x89PNG")) {
		t.Fatal("QR code is not a PNG")
	}
	// Not confirmed yet: no second factor, and the same set-up shows again.
	if has, _ := s.HasTOTP(t.Context(), m.ID); has {
		t.Fatal("unconfirmed authenticator counts")
	}
	if again, err := s.PendingTOTP(t.Context(), m.ID); err != nil || again.Secret != e.Secret {
		t.Fatalf("pending: %v", err)
	}
	if _, err := s.ConfirmTOTP(t.Context(), m, "000000", "192.0.2.1"); !errors.Is(err, ErrBadCode) && code(t, e.Secret, c.Now()) != "000000" {
		t.Fatalf("wrong first code: %v", err)
	}
	codes, err := s.ConfirmTOTP(t.Context(), m, code(t, e.Secret, c.Now()), "192.0.2.1")
	if err != nil || len(codes) != RecoveryCodeCount {
		t.Fatalf("confirm: %d codes, %v", len(codes), err)
	}
	if has, _ := s.HasTOTP(t.Context(), m.ID); !has {
		t.Fatal("confirmed authenticator does not count")
	}
	if _, err := s.BeginTOTP(t.Context(), m, "ordercare"); !errors.Is(err, ErrEnrolled) {
		t.Fatalf("second set-up over a confirmed one: %v", err)
	}
}

func TestTOTPSecretIsSealedInTheDatabase(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testTOTPSecretIsSealedInTheDatabase)
}

func testTOTPSecretIsSealedInTheDatabase(t *testing.T, b dbtest.Backend) {
	s, c, _ := newStore(t, b)
	m, secret, codes := enrolled(t, s, c, "sup@example.com")
	raw := b.Open(t)
	var blob []byte
	if err := raw.R.QueryRow(`SELECT secret FROM staff_totp WHERE member_id = ?`, m.ID).Scan(&blob); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(blob, []byte(secret)) {
		t.Fatal("the TOTP secret is stored in the clear")
	}
	rows, err := raw.R.Query(`SELECT code_hash FROM staff_recovery_codes WHERE member_id = ?`, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var hashes []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, h)
	}
	if len(hashes) == 0 || strings.Contains(strings.Join(hashes, ","), normalizeRecoveryCode(codes[0])) {
		t.Fatalf("recovery codes stored in the clear, or none stored: %d", len(hashes))
	}
}

func TestTOTPCodeAcceptedOnceWithinOneStep(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testTOTPCodeAcceptedOnceWithinOneStep)
}

func testTOTPCodeAcceptedOnceWithinOneStep(t *testing.T, b dbtest.Backend) {
	s, c, _ := newStore(t, b)
	m, secret, _ := enrolled(t, s, c, "sup@example.com")
	c.Advance(2 * time.Minute)
	now := c.Now()
	// The code of the step before is accepted (clock skew)...
	if f, err := s.VerifySecondFactor(t.Context(), m, code(t, secret, now.Add(-30*time.Second)), "192.0.2.1"); err != nil || f != FactorTOTP {
		t.Fatalf("code of the previous step: %q %v", f, err)
	}
	// ...and then the current one, but no code twice, and no step at or
	// before the last accepted one.
	cur := code(t, secret, now)
	if _, err := s.VerifySecondFactor(t.Context(), m, cur, "192.0.2.1"); err != nil {
		t.Fatalf("current code: %v", err)
	}
	if _, err := s.VerifySecondFactor(t.Context(), m, cur, "192.0.2.1"); !errors.Is(err, ErrBadCode) {
		t.Fatalf("replayed code: %v", err)
	}
	// Two steps off is refused.
	c.Advance(30 * time.Second)
	if _, err := s.VerifySecondFactor(t.Context(), m, code(t, secret, c.Now().Add(-90*time.Second)), "192.0.2.1"); !errors.Is(err, ErrBadCode) {
		t.Fatalf("code two steps old: %v", err)
	}
	if _, err := s.VerifySecondFactor(t.Context(), m, code(t, secret, c.Now().Add(60*time.Second)), "192.0.2.1"); !errors.Is(err, ErrBadCode) {
		t.Fatalf("code two steps ahead: %v", err)
	}
	if _, err := s.VerifySecondFactor(t.Context(), m, code(t, secret, c.Now().Add(30*time.Second)), "192.0.2.1"); err != nil {
		t.Fatalf("code of the next step: %v", err)
	}
}

func TestRecoveryCodeWorksOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testRecoveryCodeWorksOnce)
}

func testRecoveryCodeWorksOnce(t *testing.T, b dbtest.Backend) {
	s, c, _ := newStore(t, b)
	m, _, codes := enrolled(t, s, c, "sup@example.com")
	typed := strings.ToUpper(strings.ReplaceAll(codes[3], "-", " "))
	if f, err := s.VerifySecondFactor(t.Context(), m, typed, "192.0.2.1"); err != nil || f != FactorRecovery {
		t.Fatalf("recovery code: %q %v", f, err)
	}
	if _, err := s.VerifySecondFactor(t.Context(), m, codes[3], "192.0.2.1"); !errors.Is(err, ErrBadCode) {
		t.Fatalf("used recovery code again: %v", err)
	}
	if n, _ := s.RecoveryCodesLeft(t.Context(), m.ID); n != RecoveryCodeCount-1 {
		t.Fatalf("%d codes left", n)
	}
	// Another member's code does not open this account.
	o, _, other := enrolled(t, s, c, "other@example.com")
	if _, err := s.VerifySecondFactor(t.Context(), m, other[0], "192.0.2.1"); !errors.Is(err, ErrBadCode) {
		t.Fatalf("another member's code: %v", err)
	}
	if _, err := s.VerifySecondFactor(t.Context(), o, other[0], "192.0.2.1"); err != nil {
		t.Fatalf("own code: %v", err)
	}
}

func TestWrongCodesLockLikePasswords(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testWrongCodesLockLikePasswords)
}

func testWrongCodesLockLikePasswords(t *testing.T, b dbtest.Backend) {
	s, c, _ := newStore(t, b)
	m, secret, _ := enrolled(t, s, c, "sup@example.com")
	wrong := "000000"
	if wrong == code(t, secret, c.Now()) {
		wrong = "000001"
	}
	var err error
	for range DefaultLimits.MaxPerAccount {
		_, err = s.VerifySecondFactor(t.Context(), m, wrong, "192.0.2.9")
	}
	var le *LockedError
	if !errors.As(err, &le) || !le.JustLocked || le.Scope != ScopeAccount {
		t.Fatalf("after %d wrong codes: %v", DefaultLimits.MaxPerAccount, err)
	}
	// Locked: even the right code is refused, and the password too.
	c.Advance(30 * time.Second)
	if _, err := s.VerifySecondFactor(t.Context(), m, code(t, secret, c.Now()), "192.0.2.9"); !errors.As(err, &le) {
		t.Fatalf("right code while locked: %v", err)
	}
	if _, err := s.Authenticate(t.Context(), m.Email, "correct horse", "192.0.2.10"); !errors.As(err, &le) {
		t.Fatalf("password while locked: %v", err)
	}
}

// Guessing recovery codes is throttled like guessing passwords and app
// codes: wrong ones lock the account, and then even a right one is
// refused (and not spent).
func TestWrongRecoveryCodesLock(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testWrongRecoveryCodesLock)
}

func testWrongRecoveryCodesLock(t *testing.T, b dbtest.Backend) {
	s, c, _ := newStore(t, b)
	m, _, codes := enrolled(t, s, c, "sup@example.com")
	wrong := "zzzz-zzzz-zzzz-zzzz"
	for _, rc := range codes {
		if normalizeRecoveryCode(rc) == normalizeRecoveryCode(wrong) {
			t.Skip("the one-in-10^23 chance: a real code is the wrong one")
		}
	}
	var err error
	for range DefaultLimits.MaxPerAccount {
		_, err = s.VerifySecondFactor(t.Context(), m, wrong, "192.0.2.9")
	}
	var le *LockedError
	if !errors.As(err, &le) || !le.JustLocked || le.Scope != ScopeAccount {
		t.Fatalf("after %d wrong recovery codes: %v", DefaultLimits.MaxPerAccount, err)
	}
	if _, err := s.VerifySecondFactor(t.Context(), m, codes[0], "192.0.2.9"); !errors.As(err, &le) {
		t.Fatalf("right recovery code while locked: %v", err)
	}
	if n, _ := s.RecoveryCodesLeft(t.Context(), m.ID); n != RecoveryCodeCount {
		t.Fatalf("%d codes left after a refused one, want all %d", n, RecoveryCodeCount)
	}
}

func TestPasswordResetKeepsTheSecondFactor(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testPasswordResetKeepsTheSecondFactor)
}

func testPasswordResetKeepsTheSecondFactor(t *testing.T, b dbtest.Backend) {
	s, c, _ := newStore(t, b)
	m, _, _ := enrolled(t, s, c, "sup@example.com")
	if err := s.SetPassword(t.Context(), m.ID, "a new passphrase"); err != nil {
		t.Fatal(err)
	}
	if has, _ := s.HasTOTP(t.Context(), m.ID); !has {
		t.Fatal("a password reset removed the authenticator")
	}
	if n, _ := s.RecoveryCodesLeft(t.Context(), m.ID); n != RecoveryCodeCount {
		t.Fatalf("a password reset touched the recovery codes: %d left", n)
	}
}

func TestChangeOwnPassword(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testChangeOwnPassword)
}

func testChangeOwnPassword(t *testing.T, b dbtest.Backend) {
	s, _, _ := newStore(t, b)
	m, _ := s.Add(t.Context(), "sup@example.com", RoleSupervisor, "correct horse")
	if err := s.ChangeOwnPassword(t.Context(), m, "wrong horse", "a fresh passphrase", "192.0.2.1"); !errors.Is(err, ErrWrongCurrentPassword) {
		t.Fatalf("wrong current password: %v", err)
	}
	for _, common := range []string{"password1", "Iloveyou1", "QWERTYUIOP", "baseball1"} {
		if err := s.ChangeOwnPassword(t.Context(), m, "correct horse", common, "192.0.2.1"); !errors.Is(err, ErrCommonPassword) {
			t.Fatalf("common password %q: %v", common, err)
		}
	}
	if err := s.ChangeOwnPassword(t.Context(), m, "correct horse", "short", "192.0.2.1"); !errors.Is(err, ErrBadPassword) {
		t.Fatalf("short password: %v", err)
	}
	if err := s.ChangeOwnPassword(t.Context(), m, "correct horse", "a fresh passphrase", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(t.Context(), m.Email, "a fresh passphrase", "192.0.2.1"); err != nil {
		t.Fatalf("new password: %v", err)
	}
	if _, err := s.Authenticate(t.Context(), m.Email, "correct horse", "192.0.2.1"); !errors.Is(err, ErrInvalidCredentials) {
		t.Fatalf("old password: %v", err)
	}
}

func TestSecondFactorResetNeedsTwoAdmins(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testSecondFactorResetNeedsTwoAdmins)
}

func testSecondFactorResetNeedsTwoAdmins(t *testing.T, b dbtest.Backend) {
	s, c, _ := newStore(t, b)
	m, _, _ := enrolled(t, s, c, "sup@example.com")
	a1, _ := s.Add(t.Context(), "a1@example.com", RoleAdmin, "correct horse")
	a2, _ := s.Add(t.Context(), "a2@example.com", RoleAdmin, "correct horse")
	if _, err := s.RequestFactorReset(t.Context(), m.ID, m.ID); !errors.Is(err, ErrResetOwn) {
		t.Fatalf("own reset: %v", err)
	}
	if _, err := s.ApproveFactorReset(t.Context(), m.ID, a2.ID); !errors.Is(err, ErrNoReset) {
		t.Fatalf("approval without a request: %v", err)
	}
	if r, err := s.RequestFactorReset(t.Context(), m.ID, a1.ID); err != nil || r.RequestedBy != a1.ID {
		t.Fatalf("request: %+v %v", r, err)
	}
	if r, err := s.RequestFactorReset(t.Context(), m.ID, a2.ID); err != nil || r.RequestedBy != a1.ID {
		t.Fatalf("second request: %+v %v", r, err)
	}
	if _, err := s.ApproveFactorReset(t.Context(), m.ID, a1.ID); !errors.Is(err, ErrResetSameAdmin) {
		t.Fatalf("approval by the asking admin: %v", err)
	}
	if has, _ := s.HasTOTP(t.Context(), m.ID); !has {
		t.Fatal("the factor went before a second admin approved")
	}
	if _, err := s.ApproveFactorReset(t.Context(), m.ID, a2.ID); err != nil {
		t.Fatal(err)
	}
	if has, _ := s.HasTOTP(t.Context(), m.ID); has {
		t.Fatal("the factor survived the approved reset")
	}
	if open, _ := s.OpenFactorResets(t.Context()); len(open) != 0 {
		t.Fatalf("open requests after approval: %v", open)
	}
}
