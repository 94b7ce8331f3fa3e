package config

import (
	"encoding/hex"
	"errors"
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

// validateDatabase checks ORDERCARE_DATABASE_URL and what several
// instances on one database need. The URL is never echoed: it may hold a
// password.
func (c Config) validateDatabase() error {
	if err := checkDatabaseURL(c.DatabaseURL); err != nil || c.DatabaseURL == "" {
		return err
	}
	if c.Sandbox() && c.DemoPassword == "" {
		// Each instance would make a password of its own at its start and
		// set it on the shared demo accounts, replacing the one another
		// instance printed.
		return fmt.Errorf("ORDERCARE_DEMO_PASSWORD: required in sandbox mode with %s: the demo accounts are shared by every instance on the database",
			EnvDatabaseURL)
	}
	return nil
}

func checkDatabaseURL(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return fmt.Errorf("%s: not a postgres:// URL", EnvDatabaseURL)
	}
	return nil
}

// StorageDatabaseURL is ORDERCARE_DATABASE_URL for the commands that
// change the shared tables themselves (admin user add, list, disable,
// enable): "" when unset, an error when it is not a postgres:// URL.
func StorageDatabaseURL(getenv func(string) string) (string, error) {
	v, _ := lookup(getenv, EnvDatabaseURL)
	v = strings.TrimSpace(v)
	return v, checkDatabaseURL(v)
}

// errStorageOnPostgres refuses the storage commands with
// ORDERCARE_DATABASE_URL set: they open the SQLite files, which the
// instances on PostgreSQL do not use.
var errStorageOnPostgres = errors.New(EnvDatabaseURL + ": this command works on the SQLite files only, and the instances use PostgreSQL; unset it to work on SQLite files")
