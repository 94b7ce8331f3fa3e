package orders

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"ordercare/internal/db"
	"ordercare/internal/db/dbtest"
)

// envPGBenchOrders sets how many orders the PostgreSQL search benchmark
// indexes (default benchOrders): the newest of the generated million, so
// that a smaller index holds the same recent orders and references.
const envPGBenchOrders = "ORDERCARE_BENCH_PG_ORDERS"

// openPGBenchIndex opens the PostgreSQL benchmark index, building it
// first when the server does not hold it yet. It lives in a schema named
// for the index's migrations, the data version and its size, kept between
// runs (the server is the test server, thrown away with it).
func openPGBenchIndex(b *testing.B) *Index {
	b.Helper()
	base := os.Getenv(dbtest.EnvURL)
	if base == "" {
		b.Skipf("%s is not set: no PostgreSQL run", dbtest.EnvURL)
	}
	n := benchOrders
	if v := os.Getenv(envPGBenchOrders); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 || n > benchOrders {
			b.Fatalf("%s=%q: want 1 to %d", envPGBenchOrders, v, benchOrders)
		}
	}
	ctx := context.Background()
	schema := fmt.Sprintf("bench_search_m%d_d%d_n%d", len(pgIndexMigrations), benchDataVersion, n)
	url := dbtest.WithSearchPath(b, base, schema)
	c, err := pgx.Connect(ctx, base)
	if err != nil {
		b.Fatal(err)
	}
	var done bool
	err = c.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'bench_built')`, schema).Scan(&done)
	_ = c.Close(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if !done {
		b.Logf("building %d orders into PostgreSQL schema %s (once)", n, schema)
		start := time.Now()
		if err := buildPGBenchIndex(ctx, base, url, schema, n); err != nil {
			b.Fatal(err)
		}
		b.Logf("built in %s", time.Since(start).Round(time.Second))
	}
	d, err := db.OpenPostgres(ctx, url, "admin")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = d.Close() })
	ix, err := OpenIndex(ctx, d)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = ix.Close() })
	return ix
}

// buildPGBenchIndex writes the newest n generated orders with COPY: the
// rows as writeRow writes them (indexRowValues, pgTerms), the terms'
// primary key built once after the load rather than entry by entry, then
// VACUUM ANALYZE, so that index-only scans see every page as visible.
func buildPGBenchIndex(ctx context.Context, base, url, schema string, n int) error {
	c, err := pgx.Connect(ctx, base)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	ident := pgx.Identifier{schema}.Sanitize()
	if _, err := c.Exec(ctx, `DROP SCHEMA IF EXISTS `+ident+` CASCADE; CREATE SCHEMA `+ident); err != nil {
		return err
	}
	d, err := db.OpenPostgres(ctx, url, "admin")
	if err != nil {
		return err
	}
	ix, err := OpenIndex(ctx, d)
	if err != nil {
		_ = d.Close()
		return err
	}
	_ = ix.Close()
	_ = d.Close()
	if _, err := c.Exec(ctx, `SET search_path = `+ident+`; ALTER TABLE order_terms DROP CONSTRAINT order_terms_pkey`); err != nil {
		return err
	}
	gen := newOrderGen()
	first := benchOrders - n
	keys := make([]int64, n)
	used := make(map[int64]bool, n)
	i := first
	_, err = c.CopyFrom(ctx, pgx.Identifier{"order_index"}, indexRowColumnList, pgx.CopyFromFunc(func() ([]any, error) {
		if i == benchOrders {
			return nil, nil
		}
		o := gen.order(i)
		key := sortKey(o.CreatedAt.Time, o.OrderID)
		for used[key] { // freeSortKey, in memory
			key++
		}
		used[key], keys[i-first] = true, key
		i++
		return indexRowValues(o, o.CreatedAt.Add(time.Hour), key, searchFields(o)), nil
	}))
	if err != nil {
		return fmt.Errorf("copy order_index: %w", err)
	}
	i = first
	var terms []string
	_, err = c.CopyFrom(ctx, pgx.Identifier{"order_terms"}, []string{"term", "sort_key"}, pgx.CopyFromFunc(func() ([]any, error) {
		for len(terms) == 0 {
			if i == benchOrders {
				return nil, nil
			}
			terms = pgTerms(searchFields(gen.order(i)))
			i++
		}
		t := terms[0]
		terms = terms[1:]
		return []any{t, keys[i-1-first]}, nil
	}))
	if err != nil {
		return fmt.Errorf("copy order_terms: %w", err)
	}
	for _, stmt := range []string{
		`SET maintenance_work_mem = '512MB'`,
		`ALTER TABLE order_terms ADD PRIMARY KEY (term, sort_key)`,
		`VACUUM ANALYZE order_index`,
		`VACUUM ANALYZE order_terms`,
		`CREATE TABLE bench_built ()`,
	} {
		if _, err := c.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return nil
}
