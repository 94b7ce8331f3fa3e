package app

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"ordercare/internal/config"
	"ordercare/internal/staff"
	"ordercare/web/templates/view"
)

// staffKey is the key that seals second-factor secrets: ORDERCARE_STAFF_KEY
// when set, else staff.key beside admin.db (staffSealKey). On PostgreSQL
// every instance must seal with the same key (a secret sealed on one is
// opened on another), so there a missing staff.key is never made: an
// instance that made its own would lock out of it every member whose
// authenticator was set up on another.
func staffKey(cfg config.Config) ([]byte, error) {
	if cfg.StaffKey != "" {
		key, err := hex.DecodeString(cfg.StaffKey)
		if err != nil || len(key) != staff.SealKeySize {
			return nil, fmt.Errorf("%s: must be %d bytes in hex", config.EnvStaffKey, staff.SealKeySize)
		}
		return key, nil
	}
	if cfg.DatabaseURL != "" && !exists(cfg.StaffKeyPath()) {
		return nil, fmt.Errorf("staff key: with %s set %s (openssl rand -hex %d), the same on every instance, or give every instance a copy of the same staff.key beside ORDERCARE_DB; none is made, as each instance would make a different one",
			config.EnvDatabaseURL, config.EnvStaffKey, staff.SealKeySize)
	}
	return staffSealKey(cfg.StaffKeyPath())
}

// staffSealKey reads the key that seals second-factor secrets in admin.db
// from path (staff.key beside it), creating it (0600) when missing. It is
// a file of its own so that a copy of admin.db (`admin backup` copies
// admin.db and audit.db, not this file) opens no authenticator: back it up
// separately, or members must set up their authenticators again.
func staffSealKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path) // #nosec G304 -- staff.key in the operator's own configured data folder
	if errors.Is(err, fs.ErrNotExist) {
		key = make([]byte, staff.SealKeySize)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // #nosec G304 -- staff.key in the operator's own configured data folder
		if err != nil {
			return nil, fmt.Errorf("staff key: %w", err)
		}
		if _, err := f.Write(key); err != nil {
			_ = f.Close() // the write error is the one to report
			return nil, fmt.Errorf("staff key: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("staff key: %w", err)
		}
		return key, nil
	}
	if err != nil {
		return nil, fmt.Errorf("staff key: %w", err)
	}
	if len(key) != staff.SealKeySize {
		return nil, fmt.Errorf("staff key %s: %d bytes, want %d", path, len(key), staff.SealKeySize)
	}
	return key, nil
}

// demoExempt exempts the built-in sandbox's demo accounts from the MFA
// policy, so the demo (and tests through it) works with a password alone.
func demoExempt(sandbox bool) func(*staff.Member) bool {
	if !sandbox {
		return nil
	}
	return func(m *staff.Member) bool {
		for _, d := range DemoAccounts {
			if m.Email == d.Email {
				return true
			}
		}
		return false
	}
}

// demoAccountsShown are the demo accounts for the sign-in page: in the
// built-in sandbox only, where they exist.
func demoAccountsShown(sandbox bool) []view.DemoAccount {
	if !sandbox {
		return nil
	}
	out := make([]view.DemoAccount, 0, len(DemoAccounts))
	for _, d := range DemoAccounts {
		out = append(out, view.DemoAccount{Email: d.Email, Role: view.RoleName(d.Role)})
	}
	return out
}
