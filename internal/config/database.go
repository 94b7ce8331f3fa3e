package config

import (
	"fmt"
	"net/url"
	"strings"
)

// EnvDatabaseURL names the PostgreSQL database several instances share.
const EnvDatabaseURL = "ORDERCARE_DATABASE_URL"

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
