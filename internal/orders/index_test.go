package orders

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"ordercare/internal/db"
	"ordercare/internal/db/dbtest"
	"ordercare/internal/dbwatch"
	"ordercare/internal/omclient"
)

var base = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// openIndexOn opens an index on the backend's database (dbtest.Each).
func openIndexOn(t testing.TB, be dbtest.Backend) *Index {
	t.Helper()
	ix, err := OpenIndex(context.Background(), be.Open(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() }) // before the database: it writes the views still waiting
	return ix
}

func order(id string, created time.Time, status omclient.Status) *omclient.Order {
	return &omclient.Order{
		OrderID: id, Status: status, OrderAmount: 14997, RemainingAuthorizedAmount: 14997, PurchaseCurrency: "EUR",
		CreatedAt: omclient.Time{Time: created}, ExpiresAt: omclient.Time{Time: created.Add(28 * 24 * time.Hour)},
	}
}

func seedSearch(t *testing.T, ix *Index) {
	t.Helper()
	a := order("11111111-1111-4111-8111-111111111111", base, omclient.StatusAuthorized)
	a.MerchantReference1, a.MerchantReference2, a.KlarnaReference = "ORD-1001", "CRM-77", "KR9X2"
	a.BillingAddress = &omclient.Address{GivenName: "Anna", FamilyName: "Svensson", Email: "Anna.Svensson@Example.com"}
	a.ShippingAddress = &omclient.Address{GivenName: "Björn", FamilyName: "Müller", OrganizationName: "Acme AB", Email: "ship@acme.example"}
	b := order("22222222-2222-4222-8222-222222222222", base.Add(time.Hour), omclient.StatusCaptured)
	b.MerchantReference1 = "ORD-1002"
	b.BillingAddress = &omclient.Address{GivenName: "Anders", FamilyName: "Berg", Email: "anders@example.org"}
	for _, o := range []*omclient.Order{a, b} {
		if err := ix.Upsert(context.Background(), o, base); err != nil {
			t.Fatal(err)
		}
	}
}

func ids(os []IndexedOrder) []string {
	var out []string
	for _, o := range os {
		out = append(out, o.OrderID[:1])
	}
	return out
}

func TestSearchMatchesEachKeyByPrefixIgnoringCase(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ix := openIndexOn(t, be)
		seedSearch(t, ix)
		cases := []struct {
			name, q, status string
			want            []string // first digit of the order ids, newest first
		}{
			{"merchant reference 1", "ORD-1001", "", []string{"1"}},
			{"merchant reference 1 prefix", "ord-100", "", []string{"2", "1"}},
			{"merchant reference 2", "crm-7", "", []string{"1"}},
			{"klarna reference", "kr9", "", []string{"1"}},
			{"billing e-mail, other case", "ANNA.SVENSSON@", "", []string{"1"}},
			{"shipping e-mail", "ship@", "", []string{"1"}},
			{"given name", "an", "", []string{"2", "1"}},
			{"family name", "svens", "", []string{"1"}},
			{"full name", "anna  SVENSSON", "", []string{"1"}},
			{"shipping name non-ASCII, other case", "MÜLL", "", []string{"1"}},
			{"organisation", "acme", "", []string{"1"}},
			{"order id prefix", "2222", "", []string{"2"}},
			{"no match", "zzz", "", nil},
			{"not the start of a word", "vensson", "", nil},
			{"status filter", "an", "CAPTURED", []string{"2"}},
			{"status filter lower-case", "", "authorized", []string{"1"}},
			{"empty query lists all", "", "", []string{"2", "1"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				page, err := ix.Search(context.Background(), SearchQuery{Q: tc.q, Status: tc.status})
				if err != nil {
					t.Fatal(err)
				}
				if got := ids(page.Orders); !slices.Equal(got, tc.want) {
					t.Fatalf("Search(%q, %q) = %v, want %v", tc.q, tc.status, got, tc.want)
				}
				if page.NextCursor != "" {
					t.Fatalf("cursor on a short page: %q", page.NextCursor)
				}
			})
		}
	})
}

func TestSearchRowShowsStatusAmountAndContact(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ix := openIndexOn(t, be)
		seedSearch(t, ix)
		page, err := ix.Search(context.Background(), SearchQuery{Q: "kr9x2"})
		if err != nil || len(page.Orders) != 1 {
			t.Fatalf("%+v %v", page, err)
		}
		o := page.Orders[0]
		if o.Status != omclient.StatusAuthorized || o.Amount != 14997 || o.Currency != "EUR" ||
			o.CustomerName != "Anna Svensson" || o.Email != "Anna.Svensson@Example.com" || !o.CreatedAt.Equal(base) {
			t.Fatalf("row = %+v", o)
		}
	})
}

func TestUpsertReplacesKeys(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		ix := openIndexOn(t, be)
		o := order("33333333-3333-4333-8333-333333333333", base, omclient.StatusAuthorized)
		o.MerchantReference1 = "OLD-REF"
		if err := ix.Upsert(ctx, o, base); err != nil {
			t.Fatal(err)
		}
		o.MerchantReference1, o.Status = "NEW-REF", omclient.StatusCaptured
		if err := ix.Upsert(ctx, o, base.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string]int{"old-ref": 0, "new-ref": 1} {
			page, err := ix.Search(ctx, SearchQuery{Q: q})
			if err != nil || len(page.Orders) != want {
				t.Fatalf("%s: %d results, %v; want %d", q, len(page.Orders), err, want)
			}
		}
		got, ok, err := ix.Get(ctx, o.OrderID)
		if err != nil || !ok || got.Status != omclient.StatusCaptured || !got.LastReadAt.Equal(base.Add(time.Minute)) {
			t.Fatalf("get = %+v %v %v", got, ok, err)
		}
	})
}

func TestSearchPagesNewestFirstWithoutGapsOrRepeats(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		ix := openIndexOn(t, be)
		const n = 60
		var want []string
		for i := range n {
			id := fmt.Sprintf("%08d-0000-4000-8000-000000000000", i)
			// Pairs share a creation time, so the order id breaks ties.
			o := order(id, base.Add(time.Duration(i/2)*time.Minute), omclient.StatusAuthorized)
			o.MerchantReference1 = omclient.Text(fmt.Sprintf("shop-%d", i))
			if err := ix.Upsert(ctx, o, base); err != nil {
				t.Fatal(err)
			}
			want = append([]string{id}, want...)
		}
		var got []string
		cursor := ""
		pages := 0
		for {
			page, err := ix.Search(ctx, SearchQuery{Q: "SHOP-", Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			if len(page.Orders) > DefaultPageSize {
				t.Fatalf("page of %d", len(page.Orders))
			}
			for _, o := range page.Orders {
				got = append(got, o.OrderID)
			}
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
			// An order added meanwhile (newer than everything) must not shift pages.
			if pages == 1 {
				if err := ix.Upsert(ctx, order("99999999-0000-4000-8000-000000000000", base.Add(time.Hour*24), omclient.StatusAuthorized), base); err != nil {
					t.Fatal(err)
				}
			}
		}
		if pages != 3 || !slices.Equal(got, want) {
			t.Fatalf("%d pages, got %d orders; want 3 pages and all %d newest first\n%v", pages, len(got), n, got)
		}
		if _, err := ix.Search(ctx, SearchQuery{Cursor: "not-a-cursor!"}); !errors.Is(err, ErrBadCursor) {
			t.Fatalf("bad cursor: %v", err)
		}
	})
}

func TestRecentlyViewed(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		ix := openIndexOn(t, be)
		for i := range 25 {
			id := fmt.Sprintf("%08d-0000-4000-8000-000000000000", i)
			if err := ix.Upsert(ctx, order(id, base, omclient.StatusAuthorized), base); err != nil {
				t.Fatal(err)
			}
			if err := ix.RecordView(ctx, 1, id, base.Add(time.Duration(i)*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		// Re-opening an old order moves it to the top; another agent's views stay apart.
		if err := ix.RecordView(ctx, 1, "00000003-0000-4000-8000-000000000000", base.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := ix.RecordView(ctx, 2, "00000005-0000-4000-8000-000000000000", base); err != nil {
			t.Fatal(err)
		}
		got, err := ix.RecentlyViewed(ctx, 1, 20)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 20 || got[0].OrderID[:8] != "00000003" || got[1].OrderID[:8] != "00000024" || !got[0].ViewedAt.Equal(base.Add(time.Hour)) {
			t.Fatalf("recent = %d, first %s, second %s", len(got), got[0].OrderID, got[1].OrderID)
		}
		other, err := ix.RecentlyViewed(ctx, 2, 20)
		if err != nil || len(other) != 1 || other[0].OrderID[:8] != "00000005" {
			t.Fatalf("other staff = %+v %v", other, err)
		}
	})
}

func TestExpiringSoon(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		ix := openIndexOn(t, be)
		now := base
		cases := []struct {
			id      string
			status  omclient.Status
			expires time.Duration
		}{
			{"a", omclient.StatusAuthorized, 48 * time.Hour},
			{"b", omclient.StatusPartCaptured, 2 * time.Hour},
			{"c", omclient.StatusCaptured, time.Hour},            // nothing left to capture
			{"d", omclient.StatusAuthorized, 4 * 24 * time.Hour}, // outside the window
			{"e", omclient.StatusAuthorized, -time.Hour},         // already expired
			{"f", omclient.StatusCancelled, time.Hour},
		}
		for _, c := range cases {
			o := order(c.id+"0000000-0000-4000-8000-000000000000", base.Add(-20*24*time.Hour), c.status)
			o.ExpiresAt = omclient.Time{Time: now.Add(c.expires)}
			if err := ix.Upsert(ctx, o, now); err != nil {
				t.Fatal(err)
			}
		}
		got, err := ix.ExpiringSoon(ctx, now, 3*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if ids := ids(got); !slices.Equal(ids, []string{"b", "a"}) {
			t.Fatalf("expiring = %v, want [b a]", ids)
		}
	})
}

// openCountedIndex is openIndex with a count of admin.db's write
// transactions: what Upsert and RecordView cost beyond reads.
func openCountedIndex(t testing.TB) (*Index, func() int64) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	c := dbwatch.Watch(dir)
	d, err := db.Open(ctx, filepath.Join(dir, "admin.db"), db.SyncNormal)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	ix, err := OpenIndex(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() }) // before the database: it writes the views still waiting
	return ix, func() int64 { return c.Commits("admin.db") }
}

func TestUpsertWritesOnlyChangesOrStaleReadTimes(t *testing.T) {
	t.Parallel()
	id := "44444444-4444-4444-8444-444444444444"
	fresh := func() *omclient.Order {
		o := order(id, base, omclient.StatusAuthorized)
		o.MerchantReference1 = "ORD-7"
		o.BillingAddress = &omclient.Address{GivenName: "Anna", FamilyName: "Berg", Email: "anna@example.org"}
		o.ShippingAddress = &omclient.Address{GivenName: "Anna", FamilyName: "Berg", Email: "anna@example.org", OrganizationName: "Acme AB"}
		return o
	}
	cases := []struct {
		name   string
		change func(o *omclient.Order)
		after  time.Duration // since the first read
		write  bool
		search string // a query that must find the order afterwards ("" = none)
	}{
		{"unchanged, read again at once", nil, 0, false, "ord-7"},
		{"unchanged, 59 s later", nil, 59 * time.Second, false, "ord-7"},
		{"unchanged, a minute later: read time refreshed", nil, time.Minute, true, "ord-7"},
		{"status changed", func(o *omclient.Order) { o.Status = omclient.StatusCaptured }, time.Second, true, ""},
		{"remaining amount changed", func(o *omclient.Order) { o.RemainingAuthorizedAmount = 0 }, time.Second, true, ""},
		{"reference changed", func(o *omclient.Order) { o.MerchantReference1 = "ORD-8" }, time.Second, true, "ord-8"},
		{"only a search key changed (shipping e-mail)", func(o *omclient.Order) {
			o.ShippingAddress.Email = "depot@example.org"
		}, time.Second, true, "depot@"},
		{"shipping address dropped", func(o *omclient.Order) { o.ShippingAddress = nil }, time.Second, true, ""},
		{"same keys in another order (names swapped between addresses)", func(o *omclient.Order) {
			o.BillingAddress.OrganizationName, o.ShippingAddress.OrganizationName = "Acme AB", ""
		}, time.Second, false, "acme"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			ix, commits := openCountedIndex(t)
			if err := ix.Upsert(ctx, fresh(), base); err != nil {
				t.Fatal(err)
			}
			before := commits()
			if before == 0 {
				t.Fatal("the first read of an order wrote nothing")
			}
			o := fresh()
			if tc.change != nil {
				tc.change(o)
			}
			if err := ix.Upsert(ctx, o, base.Add(tc.after)); err != nil {
				t.Fatal(err)
			}
			if wrote := commits() > before; wrote != tc.write {
				t.Fatalf("second read wrote %v, want %v", wrote, tc.write)
			}
			got, ok, err := ix.Get(ctx, id)
			if err != nil || !ok {
				t.Fatalf("get: %v %v", ok, err)
			}
			wantRead := base
			if tc.write {
				wantRead = base.Add(tc.after)
			}
			if !got.LastReadAt.Equal(wantRead) || got.Status != o.Status || got.RemainingAuthorized != o.RemainingAuthorizedAmount ||
				got.MerchantReference1 != string(o.MerchantReference1) {
				t.Fatalf("index row = %+v, want last read %v and the order's values", got, wantRead)
			}
			if tc.search != "" {
				page, err := ix.Search(ctx, SearchQuery{Q: tc.search})
				if err != nil || len(page.Orders) != 1 {
					t.Fatalf("search %q: %+v %v", tc.search, page.Orders, err)
				}
			}
			if tc.name == "shipping address dropped" {
				// The billing keys stay, the shipping organisation goes.
				for q, want := range map[string]int{"berg": 1, "acme": 0} {
					if page, err := ix.Search(ctx, SearchQuery{Q: q}); err != nil || len(page.Orders) != want {
						t.Fatalf("search %q after the shipping address went: %+v %v", q, page.Orders, err)
					}
				}
			}
		})
	}
}

// TestRecordViewWritesBehindThePage: opening orders makes no write
// transaction on the page's path; the views gathered are written together,
// by the list's next read or soon after, and by Close.
func TestRecordViewWritesBehindThePage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ix, commits := openCountedIndex(t)
	ids := []string{"aaaaaaaa-0000-4000-8000-000000000000", "bbbbbbbb-0000-4000-8000-000000000000", "cccccccc-0000-4000-8000-000000000000"}
	for _, id := range ids {
		if err := ix.Upsert(ctx, order(id, base, omclient.StatusAuthorized), base); err != nil {
			t.Fatal(err)
		}
	}
	before := commits()
	for i, id := range ids {
		for staff := int64(1); staff <= 3; staff++ {
			if err := ix.RecordView(ctx, staff, id, base.Add(time.Duration(i)*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := commits() - before; n > 1 {
		t.Fatalf("9 views made %d write transactions at once, want them written together", n)
	}
	got, err := ix.RecentlyViewed(ctx, 2, 10)
	if err != nil || len(got) != 3 || got[0].OrderID != ids[2] {
		t.Fatalf("member 2's list: %+v, %v", got, err)
	}
	if n := commits() - before; n < 1 || n > 2 {
		t.Fatalf("9 views written in %d transactions, want 1 (2 if the timer fired first)", n)
	}
	// A view noted just before Close is written by Close.
	if err := ix.RecordView(ctx, 4, ids[0], base.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := ix.db.R.QueryRowContext(ctx, `SELECT count(*) FROM order_views WHERE staff_id = 4`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("views of member 4 after Close: %d, %v", n, err)
	}
}

func TestRecordViewSkipsRepeatOfTheLatestView(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ix, commits := openCountedIndex(t)
	a, b := "aaaaaaaa-0000-4000-8000-000000000000", "bbbbbbbb-0000-4000-8000-000000000000"
	for _, id := range []string{a, b} {
		if err := ix.Upsert(ctx, order(id, base, omclient.StatusAuthorized), base); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		id    string
		at    time.Duration
		write bool
		top   string
		seen  time.Duration // the top row's viewed time
	}{
		{a, 0, true, a, 0},
		{a, 30 * time.Second, false, a, 0}, // reload: same list
		{b, 40 * time.Second, true, b, 40 * time.Second},
		{a, 50 * time.Second, true, a, 50 * time.Second},   // back to a: a moves up
		{a, 110 * time.Second, true, a, 110 * time.Second}, // a minute on: time refreshed
	}
	for i, s := range steps {
		// The view is written behind the page (views.go): by the time
		// the list is read, which writes what is waiting first.
		before := commits()
		if err := ix.RecordView(ctx, 1, s.id, base.Add(s.at)); err != nil {
			t.Fatal(err)
		}
		got, err := ix.RecentlyViewed(ctx, 1, 10)
		if err != nil || len(got) == 0 || got[0].OrderID != s.top || !got[0].ViewedAt.Equal(base.Add(s.seen)) {
			t.Fatalf("step %d: recently viewed %+v %v; want %s viewed at +%s first", i, got, err, s.top, s.seen)
		}
		if wrote := commits() > before; wrote != s.write {
			t.Fatalf("step %d: wrote %v, want %v", i, wrote, s.write)
		}
	}
}

// BenchmarkUpsertUnchanged is the common order view: the order read equals
// the indexed row, so Upsert costs one read and no write.
func BenchmarkUpsertUnchanged(b *testing.B) {
	dbtest.EachB(b, func(b *testing.B, be dbtest.Backend) {
		ctx := context.Background()
		ix := openIndexOn(b, be)
		o := order("55555555-5555-4555-8555-555555555555", base, omclient.StatusAuthorized)
		o.MerchantReference1 = "ORD-9"
		o.BillingAddress = &omclient.Address{GivenName: "Anna", FamilyName: "Berg", Email: "anna@example.org"}
		if err := ix.Upsert(ctx, o, base); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if err := ix.Upsert(ctx, o, base.Add(time.Second)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestRecordViewKeepsTheNewestViews: many views keep the stored list
// bounded, and the start page's list is always the newest keepViews.
func TestRecordViewKeepsTheNewestViews(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		ix := openIndexOn(t, be)
		const views = 2*trimViewsAbove + 7
		for i := range views {
			id := fmt.Sprintf("%08d-0000-4000-8000-000000000000", i)
			if err := ix.Upsert(ctx, order(id, base, omclient.StatusAuthorized), base); err != nil {
				t.Fatal(err)
			}
			if err := ix.RecordView(ctx, 7, id, base.Add(time.Duration(i)*time.Second)); err != nil {
				t.Fatal(err)
			}
			var stored int
			if err := ix.db.R.QueryRowContext(ctx, `SELECT count(*) FROM order_views WHERE staff_id = 7`).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			if stored > trimViewsAbove+1 {
				t.Fatalf("after %d views %d are stored, more than %d", i+1, stored, trimViewsAbove+1)
			}
			got, err := ix.RecentlyViewed(ctx, 7, keepViews)
			if err != nil {
				t.Fatal(err)
			}
			if want := min(i+1, keepViews); len(got) != want || got[0].OrderID != id ||
				got[len(got)-1].OrderID != fmt.Sprintf("%08d-0000-4000-8000-000000000000", i+1-want) {
				t.Fatalf("after %d views: %d listed, first %s, last %s", i+1, len(got), got[0].OrderID, got[len(got)-1].OrderID)
			}
		}
	})
}
