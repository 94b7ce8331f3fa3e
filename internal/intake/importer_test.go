package intake

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ordercare/internal/db/dbtest"
	"ordercare/internal/omclient"
)

// A CSV as a shop exports it: a header with order_id in the second column,
// good rows, an id the provider does not know, and malformed rows. The
// first run is stopped after three reads; the second run goes on from
// there without reading a handled row again and ends with the summary of
// the whole file; a third run reads nothing.
func TestImportSummaryAndResume(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testImportSummaryAndResume)
}

func testImportSummaryAndResume(t *testing.T, be dbtest.Backend) {
	e := newEnvOn(t, be)
	st := e.store(t)
	good := []string{e.newOrder(t, "SHOP-1"), e.newOrder(t, "SHOP-2"), e.newOrder(t, "SHOP-3"), e.newOrder(t, "SHOP-4")}
	unknown := "0b9e7a40-1111-4c2e-9f0e-6c1f2a3b4c5d"
	csv := strings.Join([]string{
		"shop_ref,order_id,amount",         // 1 header
		"SHOP-1," + good[0] + ",50.00",     // 2
		"SHOP-2," + good[1] + ",50.00",     // 3
		"SHOP-X,not-an-order,1.00",         // 4 malformed
		"SHOP-U," + unknown + ",9.99",      // 5 unknown
		"SHOP-3," + good[2] + ",50.00",     // 6
		"SHOP-short",                       // 7 malformed: no second column
		`"SHOP-4",` + good[3] + `,"50.00"`, // 8
	}, "\n") + "\n"
	path := filepath.Join(t.TempDir(), "orders.csv")
	if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := &countingFetcher{f: e.svc, reads: map[string]int{}, stopAt: 2, stop: cancel}
	im := NewImporter(st, f, 1000, e.clock.Now)
	var out bytes.Buffer
	im.Progress = NewProgress(&out, false)
	s, err := im.Import(ctx, path, false)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("first run: want it stopped, got %v", err)
	}
	if s.Done || s.Indexed != 2 || s.Malformed != 1 {
		t.Fatalf("after the stop: %+v", s)
	}

	f2 := &countingFetcher{f: e.svc, reads: map[string]int{}}
	im2 := NewImporter(st, f2, 1000, e.clock.Now)
	out.Reset()
	im2.Progress = NewProgress(&out, false)
	s, err = im2.Import(context.Background(), path, false)
	if err != nil {
		t.Fatal(err)
	}
	if f2.reads[good[0]] != 0 || f2.reads[good[1]] != 0 {
		t.Errorf("resume read handled rows again: %v", f2.reads)
	}
	if !strings.Contains(out.String(), "resuming after") {
		t.Errorf("no resume notice in progress output:\n%s", out.String())
	}
	if !s.Done || s.Rows != 7 || s.Indexed != 4 || s.Unknown != 1 || s.Malformed != 2 || s.Failed != 0 {
		t.Fatalf("summary: %+v", s)
	}
	wantIssues := map[int]string{4: IssueMalformed, 5: IssueUnknown, 7: IssueMalformed}
	for _, is := range s.Issues {
		if wantIssues[is.Line] != is.Kind {
			t.Errorf("issue at line %d: %+v", is.Line, is)
		}
		delete(wantIssues, is.Line)
	}
	if len(wantIssues) > 0 {
		t.Errorf("issues missing: %v (got %+v)", wantIssues, s.Issues)
	}
	for _, id := range good {
		if o, ok := e.indexed(t, id); !ok || o.LastReadAt.IsZero() {
			t.Errorf("order %s not searchable after the import", id)
		}
	}
	if got := e.search(t, "shop-3"); len(got) != 1 || got[0] != good[2] {
		t.Errorf("search for SHOP-3 after the import: %v", got)
	}

	f3 := &countingFetcher{f: e.svc, reads: map[string]int{}}
	s, err = NewImporter(st, f3, 1000, e.clock.Now).Import(context.Background(), path, false)
	if err != nil || !s.AlreadyDone || f3.total != 0 || s.Indexed != 4 {
		t.Fatalf("third run should read nothing: %+v reads %d err %v", s, f3.total, err)
	}
	s, err = NewImporter(st, f3, 1000, e.clock.Now).Import(context.Background(), path, true)
	if err != nil || !s.Done || f3.total != 5 || s.Indexed != 4 {
		t.Fatalf("restart should read every id again: %+v reads %d err %v", s, f3.total, err)
	}
}

func TestParseCSV(t *testing.T) {
	t.Parallel()
	id1, id2 := "5b1c7f2e-0a1b-4c2d-8e3f-112233445566", "A1B2C3D4-0A1B-4C2D-8E3F-112233445566"
	cases := []struct {
		name string
		in   string
		want []row
	}{
		{"bare ids, no header", id1 + "\n" + id2 + "\n", []row{{line: 1, orderID: id1}, {line: 2, orderID: id2}}},
		{"uuid in the second column, no header", "x," + id1 + "\ny," + id2, []row{{line: 1, orderID: id1}, {line: 2, orderID: id2}}},
		{"header without order_id", "ref,klarna_id\nx," + id1, []row{{line: 2, orderID: id1}}},
		{"order_id header wins over an earlier uuid column", "other,ORDER_ID\n" + id2 + "," + id1, []row{{line: 2, orderID: id1}}},
		{"semicolons and a BOM", "\xef\xbb\xbforder_id;amount\n" + id1 + ";12,50", []row{{line: 2, orderID: id1}}},
		{"blank lines skipped", "order_id\n\n" + id1 + "\n\n", []row{{line: 3, orderID: id1}}},
		{"malformed id", "order_id\nnope", []row{{line: 2, problem: `"nope" is not an order id`}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := parseCSV([]byte(tc.in))
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("row %d: got %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

type refusingFetcher struct{ reads int }

func (r *refusingFetcher) GetOrder(context.Context, string) (*omclient.Order, error) {
	r.reads++
	return nil, &omclient.APIError{StatusCode: http.StatusUnauthorized, ErrorCode: "UNAUTHORIZED"}
}

// Wrong API credentials stop the import at the first row instead of
// marking every row failed; the next run starts at that row.
func TestImportStopsOnRefusedCredentials(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testImportStopsOnRefusedCredentials)
}

func testImportStopsOnRefusedCredentials(t *testing.T, be dbtest.Backend) {
	e := newEnvOn(t, be)
	st := e.store(t)
	path := filepath.Join(t.TempDir(), "ids.csv")
	ids := "5b1c7f2e-0a1b-4c2d-8e3f-112233445566\n6c2d8a3f-1b2c-4d3e-9f40-223344556677\n"
	if err := os.WriteFile(path, []byte(ids), 0o600); err != nil {
		t.Fatal(err)
	}
	f := &refusingFetcher{}
	s, err := NewImporter(st, f, 1000, e.clock.Now).Import(context.Background(), path, false)
	if err == nil || !strings.Contains(err.Error(), "credentials") || f.reads != 1 || s.Failed != 0 || s.Done {
		t.Fatalf("reads %d, summary %+v, err %v", f.reads, s, err)
	}
	f2 := &countingFetcher{f: e.svc, reads: map[string]int{}}
	s, err = NewImporter(st, f2, 1000, e.clock.Now).Import(context.Background(), path, false)
	if err != nil || f2.total != 2 || s.Unknown != 2 {
		t.Fatalf("second run: reads %d, summary %+v, err %v", f2.total, s, err)
	}
}
