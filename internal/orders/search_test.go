package orders

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"ordercare/internal/db"
	"ordercare/internal/db/dbtest"
	"ordercare/internal/omclient"
)

// seedPeople indexes three orders whose names need folding, with a phone,
// a capture and a refund, newest last.
func seedPeople(t *testing.T, ix *Index) {
	t.Helper()
	a := order("aaaaaaaa-1111-4111-8111-111111111111", base, omclient.StatusCaptured)
	a.BillingAddress = &omclient.Address{GivenName: "Søren", FamilyName: "Strauß", Email: "soren@example.dk", Phone: "+45 20 12 34 56"}
	a.Captures = []omclient.Capture{{CaptureID: "cccccccc-1111-4111-8111-111111111111", Reference: "DN-855912"}}
	b := order("bbbbbbbb-2222-4222-8222-222222222222", base.Add(time.Hour), omclient.StatusCaptured)
	b.BillingAddress = &omclient.Address{GivenName: "Hélène", FamilyName: "Lefèvre", Email: "helene.lefevre@example.fr", Phone: "0612345678"}
	b.Refunds = []omclient.Refund{{RefundID: "dddddddd-2222-4222-8222-222222222222", Reference: "RMA-123"}}
	c := order("cccccccc-3333-4333-8333-333333333333", base.Add(2*time.Hour), omclient.StatusAuthorized)
	c.BillingAddress = &omclient.Address{GivenName: "Lars-Göran", FamilyName: "Åkesson", Email: "lg@example.se"}
	c.ShippingAddress = &omclient.Address{OrganizationName: "Ærø Æble ApS"}
	for _, o := range []*omclient.Order{a, b, c} {
		if err := ix.Upsert(context.Background(), o, base); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSearchFoldsAccentsAndMatchesWordsInAnyOrder(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ix := openIndexOn(t, be)
		seedPeople(t, ix)
		cases := []struct {
			q       string
			want    []string // first letter of the order ids, newest first
			matched FieldKind
		}{
			{"strauss", []string{"a"}, KindName},
			{"STRAUß", []string{"a"}, KindName},
			{"soren", []string{"a"}, KindName},
			{"strauss soren", []string{"a"}, KindName},
			{"lefevre helene", []string{"b"}, KindName},
			{"akesson", []string{"c"}, KindName},
			{"goran", []string{"c"}, KindName},
			{"lars-göran", []string{"c"}, KindName},
			{"aero", []string{"c"}, KindOrganization},
			{"example.fr", []string{"b"}, KindEmail},
			{"example", []string{"c", "b", "a"}, KindEmail},
			{"helene.lefevre@example.fr", []string{"b"}, KindEmail},
			{"dn-855912", []string{"a"}, KindCaptureRef},
			{"DN-855", []string{"a"}, KindCaptureRef},
			{"cccccccc-1111-4111-8111-111111111111", []string{"a"}, KindCaptureID},
			{"dddddddd", []string{"b"}, KindRefundID},
			{"rma-123", []string{"b"}, KindRefundRef},
			{"+45 20 12 34 56", []string{"a"}, KindPhone},
			{"0045 2012 3456", []string{"a"}, KindPhone},
			{"20 12 34", []string{"a"}, KindPhone},
			{"06 12 34 56 78", []string{"b"}, KindPhone},
			{"+33 6 12 34 56 78", nil, ""}, // stored without a country code: no way to know it is +33
			{"ren", nil, ""},               // not the start of a word
			{"lefevre anna", nil, ""},      // every word must match
			{`"`, nil, ""},
			{"@@", nil, ""},
		}
		for _, tc := range cases {
			page, err := ix.Search(context.Background(), SearchQuery{Q: tc.q})
			if err != nil {
				t.Fatalf("%q: %v", tc.q, err)
			}
			if got := ids(page.Orders); !slices.Equal(got, tc.want) {
				t.Errorf("Search(%q) = %v, want %v", tc.q, got, tc.want)
				continue
			}
			for _, o := range page.Orders {
				if o.Matched.Kind != tc.matched {
					t.Errorf("Search(%q): order %s matched %q (%q), want %q", tc.q, o.OrderID[:1], o.Matched.Kind, o.Matched.Value, tc.matched)
				}
			}
		}
	})
}

func TestFindExactOpensOnlyAWholeReference(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		ix := openIndexOn(t, be)
		seedPeople(t, ix)
		seedSearch(t, ix)
		for q, want := range map[string]string{
			"DN-855912": "a", "dn-855912": "a", "cccccccc-1111-4111-8111-111111111111": "a", "RMA-123": "b",
			"ORD-1001": "", "kr9x2": "1", "11111111-1111-4111-8111-111111111111": "1",
			"DN-8559": "", "ord-100": "", "anna svensson": "", "soren@example.dk": "", "": "",
		} {
			id, ok, err := ix.FindExact(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if got := map[bool]string{true: id[:min(1, len(id))], false: ""}[ok]; got != want {
				t.Errorf("FindExact(%q) = %q, want %q", q, got, want)
			}
		}
		// Two orders with one reference: a list, not a guess.
		o := order("eeeeeeee-1111-4111-8111-111111111111", base, omclient.StatusCaptured)
		o.KlarnaReference = "KR9X2"
		if err := ix.Upsert(ctx, o, base); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := ix.FindExact(ctx, "KR9X2"); ok {
			t.Error("a reference two orders share opened one of them")
		}
	})
}

// TestUpsertReplacesWords: the old words of a changed order no longer
// find it, and a read older than the stored one changes nothing.
func TestUpsertReplacesWords(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		ix := openIndexOn(t, be)
		o := order("33333333-3333-4333-8333-333333333333", base, omclient.StatusAuthorized)
		o.BillingAddress = &omclient.Address{GivenName: "Old", FamilyName: "Name"}
		if err := ix.Upsert(ctx, o, base.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		older := *o
		older.BillingAddress = &omclient.Address{GivenName: "Stale"}
		if err := ix.Upsert(ctx, &older, base); err != nil {
			t.Fatal(err)
		}
		o.BillingAddress = &omclient.Address{GivenName: "New", FamilyName: "Name"}
		if err := ix.Upsert(ctx, o, base.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string]int{"old": 0, "stale": 0, "new name": 1, "name": 1} {
			page, err := ix.Search(ctx, SearchQuery{Q: q})
			if err != nil || len(page.Orders) != want {
				t.Errorf("%q: %d results, %v; want %d", q, len(page.Orders), err, want)
			}
		}
	})
}

// TestBackfillIndexesOrdersStoredBeforeFullText: an admin.db indexed by
// the previous version finds its orders by word after the upgrade.
func TestBackfillIndexesOrdersStoredBeforeFullText(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "admin.db"), db.SyncNormal)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Migrate(ctx, "orders", indexMigrations[:1]); err != nil {
		t.Fatal(err)
	}
	if _, err := d.W.ExecContext(ctx, `INSERT INTO order_index (order_id, merchant_reference1, email, customer_name, created_at)
		VALUES ('44444444-4444-4444-8444-444444444444', 'SO-77', 'bo@example.no', 'Bø Ødegård', ?)`, fmtTime(base)); err != nil {
		t.Fatal(err)
	}
	ix, err := OpenIndex(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	for _, q := range []string{"odegard", "so-77", "example.no"} {
		page, err := ix.Search(ctx, SearchQuery{Q: q})
		if err != nil || len(page.Orders) != 1 {
			t.Errorf("%q after the upgrade: %d results, %v", q, len(page.Orders), err)
		}
	}
}

// A database's match can be wider than the query (on PostgreSQL the words
// of "example.fr" need not follow each other, and a widened word stands
// for all that share its first letters): the rows it returns are checked,
// pages stay full, newest first, without repeats, and an export holds
// exactly the matches. A rare reference among many that start alike is
// found after the widened read gives way.
func TestAWiderMatchPagesOnlyTheMatches(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		ix := openIndexOn(t, be)
		want := map[string]bool{}
		for i := range 300 {
			o := order(fmt.Sprintf("%08x-0000-4000-8000-000000000000", i), base.Add(time.Duration(i)*time.Minute), omclient.StatusCaptured)
			o.MerchantReference1 = omclient.Text(fmt.Sprintf("SO-%04d", i))
			o.BillingAddress = &omclient.Address{GivenName: "Fredrik", FamilyName: "Berg", Email: omclient.Text(fmt.Sprintf("fb%d@example.se", i))}
			if i%7 == 0 {
				o.BillingAddress = &omclient.Address{GivenName: "Anna", FamilyName: "Moreau", Email: omclient.Text(fmt.Sprintf("am%d@example.fr", i))}
				want[o.OrderID] = true
			}
			if err := ix.Upsert(ctx, o, base); err != nil {
				t.Fatal(err)
			}
		}
		var paged []string
		q := SearchQuery{Q: "example.fr", Limit: 10}
		for {
			page, err := ix.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if page.NextCursor != "" && len(page.Orders) != q.Limit {
				t.Fatalf("a page of %d orders before the last", len(page.Orders))
			}
			for _, o := range page.Orders {
				paged = append(paged, o.OrderID)
			}
			if q.Cursor = page.NextCursor; q.Cursor == "" {
				break
			}
		}
		var exported []string
		if err := ix.Each(ctx, SearchQuery{Q: "example.fr"}, func(o IndexedOrder) error {
			exported = append(exported, o.OrderID)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for name, got := range map[string][]string{"paged": paged, "exported": exported} {
			if len(got) != len(want) || !slices.IsSortedFunc(got, func(a, b string) int { return strings.Compare(b, a) }) {
				t.Errorf("%s: %d orders, newest first %v; want %d", name, len(got), slices.IsSortedFunc(got, func(a, b string) int { return strings.Compare(b, a) }), len(want))
			}
			for _, id := range got {
				if !want[id] {
					t.Errorf("%s: %s has no example.fr address", name, id)
				}
			}
		}
		page, err := ix.Search(ctx, SearchQuery{Q: "so-0007"})
		if err != nil || len(page.Orders) != 1 || page.Orders[0].MerchantReference1 != "SO-0007" {
			t.Errorf("so-0007: %+v, %v; want the one order", page.Orders, err)
		}
	})
}

// A word longer than a database index entry may hold (a merchant
// reference of 3,000 characters) is indexed, found by its start and
// whole, and opens its order.
func TestAVeryLongReferenceIsIndexedAndFound(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		ix := openIndexOn(t, be)
		r := rand.New(rand.NewPCG(1, 2))
		var b strings.Builder
		b.WriteString("LR-ä")
		for b.Len() < 3000 { // random digits: a database cannot compress them into an entry
			fmt.Fprintf(&b, "%016x", r.Uint64())
		}
		long := b.String()
		o := order("eeeeeeee-1111-4111-8111-111111111111", base, omclient.StatusAuthorized)
		o.KlarnaReference = omclient.Text(long)
		other := order("eeeeeeee-2222-4222-8222-222222222222", base.Add(time.Hour), omclient.StatusAuthorized)
		other.KlarnaReference = omclient.Text(long[:len(long)-1] + "X")
		for _, x := range []*omclient.Order{o, other} {
			if err := ix.Upsert(ctx, x, base); err != nil {
				t.Fatal(err)
			}
		}
		for q, want := range map[string]int{long: 1, long[:40]: 2, strings.ToLower(long[:len(long)-1]): 2} {
			page, err := ix.Search(ctx, SearchQuery{Q: q})
			if err != nil || len(page.Orders) != want {
				t.Errorf("%d characters: %d orders, %v; want %d", len(q), len(page.Orders), err, want)
			}
		}
		if id, ok, err := ix.FindExact(ctx, long); err != nil || !ok || id != o.OrderID {
			t.Errorf("FindExact = %s, %v, %v; want the order", id, ok, err)
		}
	})
}
