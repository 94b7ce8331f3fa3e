package config

import (
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
)

// EnvDatabaseURL names the PostgreSQL database several instances share.
const EnvDatabaseURL = "ORDERCARE_DATABASE_URL"

// EnvStaffKey names the key that seals the staff's second-factor secrets,
// in hex: every instance on one database needs the same, and the
// environment gives it to all of them without a file to copy.
const EnvStaffKey = "ORDERCARE_STAFF_KEY"

// staffKeySize is the seal key's length in bytes (staff.SealKeySize; the
// settings stay a leaf that imports no store).
const staffKeySize = 32

// PostgresPending are the stores that PostgreSQL does not yet hold. While
// any is left, a configured ORDERCARE_DATABASE_URL is refused: one
// instance with some of its state in PostgreSQL and the rest in its own
// SQLite files would split what several instances must share.
var PostgresPending = []string{"order index and search", "bulk changes"}

// PostgresReady are the stores whose tables and tests exist for both.
var PostgresReady = []string{"staff", "sign-in lock-outs", "sessions", "approvals", "outbox", "order intake queue and imports", "Ucommerce connection", "audit log"}

func init() {
	options = append(options,
		option{"database-url", EnvDatabaseURL, "", "postgres://user:password@host:port/database shared by several instances (prefer the environment variable); empty: SQLite files beside ORDERCARE_DB", func(c *Config, v string) error {
			c.DatabaseURL = strings.TrimSpace(v)
			return nil
		}},
		option{"staff-key", EnvStaffKey, "", "64 hex digits sealing the staff's second-factor secrets, the same on every instance of a database (prefer the environment variable); empty: staff.key beside ORDERCARE_DB, made when missing on SQLite", func(c *Config, v string) error {
			v = strings.TrimSpace(v)
			if b, err := hex.DecodeString(v); v != "" && (err != nil || len(b) != staffKeySize) {
				return fmt.Errorf("%s: must be %d bytes in hex (%d hex digits), such as the output of openssl rand -hex %d",
					EnvStaffKey, staffKeySize, 2*staffKeySize, staffKeySize)
			}
			c.StaffKey = v
			return nil
		}},
	)
}

// validateDatabase checks the form of ORDERCARE_DATABASE_URL and refuses it
// while a store is not yet on PostgreSQL. The URL is never echoed: it may
// hold a password.
func (c Config) validateDatabase() error {
	return checkDatabaseURL(c.DatabaseURL)
}

func checkDatabaseURL(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return fmt.Errorf("%s: not a postgres:// URL", EnvDatabaseURL)
	}
	if len(PostgresPending) > 0 {
		return fmt.Errorf("%s: PostgreSQL does not yet hold the %s (only %s so far); unset it to run on SQLite",
			EnvDatabaseURL, strings.Join(PostgresPending, ", "), strings.Join(PostgresReady, ", "))
	}
	return nil
}
