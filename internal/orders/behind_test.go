package orders

import (
	"context"
	"testing"
	"time"

	"ordercare/internal/db/dbtest"
	"ordercare/internal/omclient"
)

// TestUpsertLaterWritesBehindThePage: the order page's read of an order
// makes no write before the page answers, yet the next search sees the
// values read, and Close writes a read still waiting.
func TestUpsertLaterWritesBehindThePage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ix, commits := openCountedIndex(t)
	id := "66666666-6666-4666-8666-666666666666"
	o := order(id, base, omclient.StatusAuthorized)
	o.MerchantReference1 = "ORD-OLD"
	if err := ix.Upsert(ctx, o, base); err != nil {
		t.Fatal(err)
	}
	read := order(id, base, omclient.StatusAuthorized)
	read.MerchantReference1 = "ORD-NEW"
	before := commits()
	if err := ix.UpsertLater(ctx, read, base.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if n := commits() - before; n != 0 {
		t.Fatalf("UpsertLater made %d write transactions before returning, want none", n)
	}
	for q, want := range map[string]int{"ord-new": 1, "ord-old": 0} {
		if page, err := ix.Search(ctx, SearchQuery{Q: q}); err != nil || len(page.Orders) != want {
			t.Fatalf("search %q right after the read: %d orders, %v; want %d", q, len(page.Orders), err, want)
		}
	}

	changed := order(id, base, omclient.StatusCaptured)
	changed.MerchantReference1 = "ORD-NEW"
	if err := ix.UpsertLater(ctx, changed, base.Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	var status string
	if err := ix.db.R.QueryRowContext(ctx, `SELECT status FROM order_index WHERE order_id = ?`, id).Scan(&status); err != nil || status != string(omclient.StatusCaptured) {
		t.Fatalf("status after Close: %q, %v; want the read noted just before Close", status, err)
	}
}

// TestAnOlderReadNeverReplacesALaterOne: two reads of one order written
// out of order (one behind a page, one by a change's re-read) leave the
// later read's values and keys, whichever is written last.
func TestAnOlderReadNeverReplacesALaterOne(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		ix := openIndexOn(t, be)
		id := "77777777-7777-4777-8777-777777777777"
		at := func(ref string, st omclient.Status) *omclient.Order {
			o := order(id, base, st)
			o.MerchantReference1 = omclient.Text(ref)
			return o
		}
		check := func(step string, wantRead time.Time) {
			t.Helper()
			got, ok, err := ix.Get(ctx, id)
			if err != nil || !ok || got.MerchantReference1 != "ORD-LATE" || !got.LastReadAt.Equal(wantRead) {
				t.Fatalf("%s: row %+v %v %v; want ORD-LATE read at %v", step, got, ok, err, wantRead)
			}
			for q, want := range map[string]int{"ord-late": 1, "ord-early": 0} {
				if page, err := ix.Search(ctx, SearchQuery{Q: q}); err != nil || len(page.Orders) != want {
					t.Fatalf("%s: search %q found %d, %v; want %d", step, q, len(page.Orders), err, want)
				}
			}
		}
		if err := ix.Upsert(ctx, at("ORD-LATE", omclient.StatusCaptured), base.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := ix.Upsert(ctx, at("ORD-EARLY", omclient.StatusAuthorized), base); err != nil {
			t.Fatal(err)
		}
		check("an earlier read written after a later one", base.Add(time.Minute))

		// Behind the page: of two reads waiting, the later is written, in
		// whatever order they were noted.
		if err := ix.UpsertLater(ctx, at("ORD-EARLY", omclient.StatusAuthorized), base.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := ix.UpsertLater(ctx, at("ORD-LATE", omclient.StatusCaptured), base.Add(3*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := ix.UpsertLater(ctx, at("ORD-EARLY", omclient.StatusAuthorized), base.Add(150*time.Second)); err != nil {
			t.Fatal(err)
		}
		check("reads noted out of order", base.Add(3*time.Minute))
	})
}
