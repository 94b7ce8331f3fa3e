package orders

import (
	"context"
	"errors"
	"fmt"
)

// RebuildWords gives every indexed order its search words again from the
// fields the index keeps beside it (search_fields, under its sort key
// search_rowid), and returns how many orders it gave words. It is for an
// index whose rows were copied from the other database (admin
// migrate-to-postgres): each database keeps the words in a table of its
// own (FTS5's order_search on SQLite, order_terms on PostgreSQL) that
// cannot be copied across, while the fields and sort keys mean the same
// on both. The word table must be empty: on SQLite the words would be
// added a second time. Orders without a sort key yet are left to
// OpenIndex's backfill.
func (ix *Index) RebuildWords(ctx context.Context) (int, error) {
	var last int64 = -1 << 63
	n := 0
	for {
		rows, err := ix.db.W.QueryContext(ctx, `SELECT search_rowid, search_fields FROM order_index
			WHERE search_rowid IS NOT NULL AND search_rowid > ? ORDER BY search_rowid LIMIT 500`, last)
		if err != nil {
			return n, fmt.Errorf("orders: rebuilding the search words: %w", err)
		}
		type keyed struct {
			key    int64
			fields string
		}
		var batch []keyed
		for rows.Next() {
			var k keyed
			if err := rows.Scan(&k.key, &k.fields); err != nil {
				_ = rows.Close() // the scan error is the one to report
				return n, fmt.Errorf("orders: rebuilding the search words: %w", err)
			}
			batch = append(batch, k)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return n, fmt.Errorf("orders: rebuilding the search words: %w", err)
		}
		if len(batch) == 0 {
			return n, nil
		}
		tx, err := ix.db.W.BeginTx(ctx, nil)
		if err != nil {
			return n, fmt.Errorf("orders: rebuilding the search words: %w", err)
		}
		for _, k := range batch {
			if err := ix.words.put(ctx, tx, k.key, decodeFields(k.fields)); err != nil {
				_ = tx.Rollback() // the insert's error is the one to report
				return n, fmt.Errorf("orders: rebuilding the search words: %w", err)
			}
		}
		if err := tx.Commit(); err != nil {
			return n, fmt.Errorf("orders: rebuilding the search words: %w", err)
		}
		n += len(batch)
		last = batch[len(batch)-1].key
	}
}
