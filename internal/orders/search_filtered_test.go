package orders

import (
	"context"
	"fmt"
	"testing"
	"time"

	"ordercare/internal/db/dbtest"
)

// The filter-first plan answers every page as the newest-first walk does:
// the same orders in the same order, page after page, for words or none,
// with every other filter. Each query is paged to the end through both
// plans (the walk by turning the plan off).
func TestFilterFirstPagesAsTheWalkDoes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		ix := openIndexOn(t, be)
		gen := newOrderGen()
		if err := writeBatch(ctx, ix.db, gen, benchOrders-3000, 3000); err != nil {
			t.Fatal(err)
		}
		last := gen.order(benchOrders - 1).CreatedAt.Time
		var queries []SearchQuery
		for _, words := range []string{"", "anna", "andersson"} {
			for _, band := range [][2]int64{{0, 300_000}, {250_000, 300_000}, {1, 2}} {
				for _, cur := range []string{"SEK", "usd"} {
					q := SearchQuery{Q: words, Currency: cur, AmountMin: ptr(band[0]), AmountMax: ptr(band[1]), Limit: 25}
					queries = append(queries, q)
					withStatus := q
					withStatus.Status = "AUTHORIZED"
					queries = append(queries, withStatus)
					withDates := q
					withDates.CreatedFrom, withDates.CreatedBefore = last.Add(-48*time.Hour), last.Add(-12*time.Hour)
					queries = append(queries, withDates)
					expiring := q
					expiring.Now, expiring.ExpiringBy = last.Add(26*24*time.Hour), last.Add(27*24*time.Hour)
					queries = append(queries, expiring)
				}
			}
		}
		onlyMax := SearchQuery{Currency: "SEK", AmountMax: ptr(2_000), Limit: 5}
		queries = append(queries, onlyMax)

		pages := func(q SearchQuery, budget int) ([][]string, int) {
			ix.filterBudget = budget
			var out [][]string
			firstPlan := 0
			for {
				if budget > 0 {
					if _, ok, err := ix.filterFirst(ctx, q, q.Limit); err != nil {
						t.Fatal(err)
					} else if ok {
						firstPlan++
					}
				}
				page, err := ix.Search(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, ids(page.Orders))
				if page.NextCursor == "" || len(out) == 4 {
					return out, firstPlan
				}
				q.Cursor = page.NextCursor
			}
		}
		taken := 0
		for _, q := range queries {
			want, _ := pages(q, -1)
			got, n := pages(q, filterFirstBudget)
			taken += n
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%+v:\nfilter first %v\nwalk         %v", q, got, want)
			}
		}
		if taken == 0 {
			t.Fatal("the filter-first plan was never taken")
		}
		ix.filterBudget = filterFirstBudget
		// A band holding more orders than the budget is walked.
		ix.filterBudget = 10
		if _, ok, _ := ix.filterFirst(ctx, SearchQuery{Currency: "SEK", AmountMin: ptr(0), AmountMax: ptr(300_000)}, 25); ok {
			t.Error("a band over the budget was read filter first")
		}
	})
}
