package orders

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"ordercare/internal/db/dbtest"
)

// flagTwins gives every third of the newest orders a twin, flagged for
// one in seven: open orders (listed by the filter) and some whose money
// is no longer authorized (a stale flag the filter must not list). It
// returns the ids the filter keeps, newest first. (Orders are picked by
// their sort key: both databases hold it.)
func flagTwins(t *testing.T, ix *Index) []string {
	t.Helper()
	ctx := context.Background()
	if _, err := ix.db.W.ExecContext(ctx, `INSERT INTO order_shop (order_id, shop_order_id, cancelled, fulfilled, address_differs, flagged, read_at)
		SELECT order_id, 'shop-' || order_id, f, 0, 0, f, '2026-12-01T00:00:00.000000000Z'
		FROM (SELECT order_id, CASE WHEN search_rowid % 7 = 0 THEN 1 ELSE 0 END AS f FROM order_index WHERE search_rowid % 3 = 0) t`); err != nil {
		t.Fatal(err)
	}
	rows, err := ix.db.R.QueryContext(ctx, `SELECT o.order_id FROM order_index o JOIN order_shop s ON s.order_id = o.order_id
		WHERE s.flagged = 1 AND o.status IN ('AUTHORIZED', 'PART_CAPTURED') AND o.remaining_authorized_amount > 0
		ORDER BY o.created_at DESC, o.order_id DESC`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// The out-of-step filter keeps exactly the orders whose twin is flagged
// while money is authorized, combined with every other filter and with
// words, page after page: each query pages to its end as the same query
// restricted to those orders by id does, through the flagged twins'
// plan and through the walk (the plan turned off), on both databases.
func TestOutOfStepFilterPagesAsTheOrdersItNames(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		ix := openIndexOn(t, be)
		gen := newOrderGen()
		if err := writeBatch(ctx, ix.db, gen, benchOrders-12_000, 12_000); err != nil {
			t.Fatal(err)
		}
		flagged := flagTwins(t, ix)
		if len(flagged) < 50 {
			t.Fatalf("only %d orders out of step", len(flagged))
		}
		last := gen.order(benchOrders - 1).CreatedAt.Time
		var queries []SearchQuery
		for _, words := range []string{"", "anna", "a", "andersson", "lefevre", "so-0999"} {
			base := SearchQuery{Q: words, Limit: 10}
			queries = append(queries, base)
			for _, f := range []func(*SearchQuery){
				func(q *SearchQuery) { q.Status = "PART_CAPTURED" },
				func(q *SearchQuery) { q.Status = "CAPTURED" },
				func(q *SearchQuery) { q.Currency = "SEK" },
				func(q *SearchQuery) { q.Currency, q.AmountMin, q.AmountMax = "EUR", ptr(0), ptr(150_000) },
				func(q *SearchQuery) {
					q.CreatedFrom, q.CreatedBefore = last.Add(-10*24*time.Hour), last.Add(-2*24*time.Hour)
				},
				func(q *SearchQuery) { q.Now, q.ExpiringBy = last.Add(20*24*time.Hour), last.Add(24*24*time.Hour) },
			} {
				q := base
				f(&q)
				queries = append(queries, q)
			}
		}
		pages := func(q SearchQuery) [][]string {
			var out [][]string
			for {
				page, err := ix.Search(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, o := range page.Orders {
					got = append(got, o.OrderID)
				}
				out = append(out, got)
				if page.NextCursor == "" || len(out) == 40 {
					return out
				}
				q.Cursor = page.NextCursor
			}
		}
		nonEmpty := 0
		for _, q := range queries {
			byIDs := q
			byIDs.OrderIDs = flagged
			want := pages(byIDs)
			if len(want[0]) > 0 {
				nonEmpty++
			}
			q.ShopOutOfStep = true
			for _, budget := range []int{outOfStepBudget, -1} {
				ix.flaggedBudget = budget
				if got := pages(q); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%+v (budget %d):\nfilter %v\nby ids %v", q, budget, got, want)
				}
			}
			ix.flaggedBudget = outOfStepBudget
		}
		if nonEmpty < len(queries)/2 {
			t.Fatalf("only %d of %d queries found orders out of step: the test proves little", nonEmpty, len(queries))
		}
		// The export's reading of the whole list holds the same orders.
		var all []string
		if err := ix.Each(ctx, SearchQuery{ShopOutOfStep: true}, func(o IndexedOrder) error {
			all = append(all, o.OrderID)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(all, flagged) {
			t.Errorf("Each listed %d orders, want the %d out of step", len(all), len(flagged))
		}
	})
}

// The filter's cost is the flagged twins', not the index's: both of its
// statements start from order_shop_flagged and read order_index only by
// key, whatever else is filtered; the whole index is never scanned, and
// only the keys are sorted. (The time it takes over a million orders is
// BenchmarkOrderSearch's.)
func TestOutOfStepFilterReadsOnlyTheFlaggedTwins(t *testing.T) {
	ctx := context.Background()
	ix := openIndexOn(t, dbtest.SQLite(t)) // EXPLAIN QUERY PLAN is SQLite's
	if err := writeBatch(ctx, ix.db, newOrderGen(), benchOrders-2000, 2000); err != nil {
		t.Fatal(err)
	}
	flagTwins(t, ix)
	if _, err := ix.db.W.ExecContext(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	for _, q := range []SearchQuery{
		{ShopOutOfStep: true},
		{ShopOutOfStep: true, Status: "AUTHORIZED", Currency: "SEK", AmountMin: ptr(100), AmountMax: ptr(200_000)},
		{ShopOutOfStep: true, Now: benchNow, ExpiringBy: benchNow.AddDate(0, 0, 21)},
		{ShopOutOfStep: true, Q: "a"},
		{ShopOutOfStep: true, Q: "anna", Currency: "EUR", AmountMin: ptr(100), AmountMax: ptr(200_000)},
	} {
		query, args, ok := "", []any(nil), false
		var err error
		if q.Q == "" {
			query, args, ok, err = ix.listSQL(q)
			args = append(args, 26)
		} else {
			query, args, ok, err = ix.outOfStepSQL(ctx, q)
		}
		if err != nil || !ok {
			t.Fatalf("%+v: %v %v", q, ok, err)
		}
		got := dbtest.QueryPlan(t, ix.db.R, query, args...)
		// The partial index holds only the flagged twins: scanning it
		// reads those. Their keys are sorted (the only temporary tree);
		// then the rows are read by key in that order, as many as the
		// page takes.
		const want = "CO-ROUTINE k; SCAN s USING COVERING INDEX order_shop_flagged; " +
			"SEARCH o USING INDEX sqlite_autoindex_order_index_1 (order_id=?); USE TEMP B-TREE FOR ORDER BY; " +
			"SCAN k; SEARCH o USING INDEX sqlite_autoindex_order_index_1 (order_id=?)"
		if got != want {
			t.Errorf("%+v reads more than the flagged twins: %s", q, got)
		}
	}
}
