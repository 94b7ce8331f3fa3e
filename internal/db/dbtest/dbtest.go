// Package dbtest runs a store's tests against each database ordercare
// supports: a SQLite file in a temporary folder, and PostgreSQL in a
// schema of its own on the server named by ORDERCARE_TEST_DATABASE_URL
// (scripts/test.sh starts one). Without that variable the PostgreSQL runs
// skip, except under CI=true, where they fail: CI must not pass by
// testing one database.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"ordercare/internal/db"
)

// EnvURL names the PostgreSQL database the tests may create schemas in.
const EnvURL = "ORDERCARE_TEST_DATABASE_URL"

// Backend is one database for one test: Open connects to it (again), so
// a test can show that state outlives a restart.
type Backend struct {
	Name string
	// Dir is the SQLite file's folder (for dbwatch); empty on PostgreSQL.
	Dir string
	// URL is the PostgreSQL database's (its schema as search_path), for a
	// store that opens its own connections with a writer lock of its own
	// (the audit log); empty on SQLite.
	URL  string
	open func(ctx context.Context) (*db.DB, error)
}

// Fresh is another empty database of the same kind as b, for tests that
// need several.
func (b Backend) Fresh(t testing.TB) Backend {
	t.Helper()
	if b.Name == "postgres" {
		return Postgres(t)
	}
	return SQLite(t)
}

// Open connects to the backend's database; the connection is closed when
// the test ends.
func (b Backend) Open(t testing.TB) *db.DB {
	t.Helper()
	d, err := b.open(t.Context())
	if err != nil {
		t.Fatalf("%s: %v", b.Name, err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// Each runs fn as a subtest per backend: "sqlite", then "postgres".
func Each(t *testing.T, fn func(t *testing.T, b Backend)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// EachB is Each for benchmarks: the same figure on both databases, same
// machine, same run.
func EachB(b *testing.B, fn func(b *testing.B, be Backend)) {
	b.Helper()
	b.Run("sqlite", func(b *testing.B) { fn(b, SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, Postgres(b)) })
}

// SQLite is a fresh admin.db in the test's temporary folder.
func SQLite(t testing.TB) Backend {
	dir := t.TempDir()
	path := filepath.Join(dir, "admin.db")
	return Backend{Name: "sqlite", Dir: dir, open: func(ctx context.Context) (*db.DB, error) {
		return db.Open(ctx, path, db.SyncNormal)
	}}
}

// Postgres is a fresh schema on the test server, dropped when the test
// ends. It skips the test when no server is configured, or fails it under
// CI=true.
func Postgres(t testing.TB) Backend {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: under CI the PostgreSQL runs must run (scripts/test.sh starts a server)", EnvURL)
		}
		t.Skipf("%s is not set: no PostgreSQL run (scripts/test.sh starts a server)", EnvURL)
	}
	schema := "t_" + randomHex(t)
	ctx := context.WithoutCancel(t.Context())
	c, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u := WithSearchPath(t, base, schema)
	return Backend{Name: "postgres", URL: u, open: func(ctx context.Context) (*db.DB, error) {
		return db.OpenPostgres(ctx, u, db.AdminWriter)
	}}
}

// WithSearchPath is url with its sessions' search_path set to schema.
func WithSearchPath(t testing.TB, base, schema string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func randomHex(t testing.TB) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
