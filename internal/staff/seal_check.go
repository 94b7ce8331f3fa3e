package staff

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"ordercare/internal/db"
)

// sealCheckMigrations hold the fingerprint of the seal key the database's
// second factors are sealed with. Only PostgreSQL's is filled (one
// instance on SQLite makes its staff.key once, beside its own admin.db);
// SQLite's exists because a component's versions are the same on both.
var sealCheckMigrations = []string{`CREATE TABLE staff_seal_check (
	id          INTEGER PRIMARY KEY CHECK (id = 1),
	fingerprint TEXT    NOT NULL
) STRICT`}

var pgSealCheckMigrations = []string{`CREATE TABLE staff_seal_check (
	id          INTEGER PRIMARY KEY CHECK (id = 1),
	fingerprint TEXT    NOT NULL
)`}

// checkSealKey refuses a seal key other than the one the shared database
// first saw. Several instances share one database, each given the key by
// configuration (ORDERCARE_STAFF_KEY or a copied staff.key); one given
// another key would seal and open second factors that the others cannot,
// and its members' codes would fail one sign-in in N. The fingerprint is
// an HMAC of a fixed label under the key: it tells keys apart and reveals
// nothing of them.
func checkSealKey(ctx context.Context, d *db.DB, key []byte) error {
	if !d.Postgres {
		return nil
	}
	fp := hex.EncodeToString(derive(key, "ordercare staff key check v1"))
	if _, err := d.W.ExecContext(ctx, `INSERT INTO staff_seal_check (id, fingerprint) VALUES (1, ?) ON CONFLICT (id) DO NOTHING`, fp); err != nil {
		return fmt.Errorf("staff: seal key check: %w", err)
	}
	var stored string
	err := d.R.QueryRowContext(ctx, `SELECT fingerprint FROM staff_seal_check WHERE id = 1`).Scan(&stored)
	if errors.Is(err, sql.ErrNoRows) || err != nil {
		return fmt.Errorf("staff: seal key check: %w", err)
	}
	if stored != fp {
		return errors.New("staff: the seal key (ORDERCARE_STAFF_KEY or staff.key) is not the one the shared database's second factors are sealed with: give this instance the key the other instances use (if that key is lost, every second factor must be reset, and the row of staff_seal_check deleted)")
	}
	return nil
}
