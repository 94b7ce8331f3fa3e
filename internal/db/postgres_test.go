package db_test

import (
	"strings"
	"sync"
	"testing"

	"ordercare/internal/db/dbtest"
)

// TestWriteTransactionsRunOneAtATime: read-decide-write transactions on W
// lose no update on either database, across two connections to the same
// database (two instances), as the stores' rules assume.
func TestWriteTransactionsRunOneAtATime(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, b dbtest.Backend) {
		ctx := t.Context()
		one, two := b.Open(t), b.Open(t)
		if err := one.MigrateDialects(ctx, "counter",
			[]string{`CREATE TABLE counter (n INTEGER NOT NULL)`},
			[]string{`CREATE TABLE counter (n BIGINT NOT NULL)`}); err != nil {
			t.Fatal(err)
		}
		if _, err := one.W.ExecContext(ctx, `INSERT INTO counter (n) VALUES (?)`, 0); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for i := range 40 {
			d := one
			if i%2 == 1 {
				d = two
			}
			wg.Go(func() {
				tx, err := d.W.BeginTx(ctx, nil)
				if err != nil {
					errs <- err
					return
				}
				defer tx.Rollback() //nolint:errcheck // no-op after commit
				var n int
				if err := tx.QueryRowContext(ctx, `SELECT n FROM counter`).Scan(&n); err != nil {
					errs <- err
					return
				}
				if _, err := tx.ExecContext(ctx, `UPDATE counter SET n = ?`, n+1); err != nil {
					errs <- err
					return
				}
				errs <- tx.Commit()
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		var n int
		if err := two.R.QueryRowContext(ctx, `SELECT n FROM counter`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 40 {
			t.Fatalf("counter %d after 40 increments: updates were lost", n)
		}
		// Readers cannot write, as on SQLite.
		if _, err := one.R.ExecContext(ctx, `UPDATE counter SET n = 0`); err == nil {
			t.Fatal("a reader wrote")
		}
	})
}

// TestUnportedStoreIsRefusedOnPostgres: a component with SQLite's tables
// only is not created on PostgreSQL.
func TestUnportedStoreIsRefusedOnPostgres(t *testing.T) {
	t.Parallel()
	d := dbtest.Postgres(t).Open(t)
	err := d.Migrate(t.Context(), "outbox", []string{`CREATE TABLE x (id INTEGER PRIMARY KEY)`})
	if err == nil || !strings.Contains(err.Error(), "not yet available on PostgreSQL") {
		t.Fatalf("Migrate on PostgreSQL: %v", err)
	}
}
