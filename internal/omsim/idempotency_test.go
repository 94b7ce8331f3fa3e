package omsim

import (
	"context"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"ordercare/internal/omclient"
)

func TestIdempotentReplay(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	id := f.create(nil)
	k := key()
	first := f.do(http.MethodPost, path(id, "captures"), k, omclient.CaptureRequest{CapturedAmount: 1000})
	f.expect(first, 201, "")
	// Same key, different body: the first response, nothing applied.
	second := f.do(http.MethodPost, path(id, "captures"), k, omclient.CaptureRequest{CapturedAmount: 2000})
	if second.status != first.status || !sameJSON(first.header, second.header) || string(first.body) != string(second.body) {
		t.Fatalf("replay differs:\n%d %v\n%d %v", first.status, first.header, second.status, second.header)
	}
	o := f.order(id)
	if len(o.Captures) != 1 || o.CapturedAmount != 1000 {
		t.Fatalf("captures %d, captured %d; want one capture of 1000", len(o.Captures), o.CapturedAmount)
	}
	if n, _ := f.sb.Applied(t.Context(), id); n != 1 {
		t.Fatalf("applied %d", n)
	}
	// Only the key counts: even another path replays the first answer.
	third := f.do(http.MethodPost, path(id, "cancel"), k, nil)
	if third.status != 201 || third.header.Get("Capture-Id") != first.header.Get("Capture-Id") {
		t.Fatalf("key reused on another path: %d %v", third.status, third.header)
	}
	// Refusals are replayed too.
	k2 := key()
	r1 := f.do(http.MethodPost, path(id, "captures"), k2, omclient.CaptureRequest{CapturedAmount: 999999})
	f.expect(r1, 403, codeCaptureNotAllowed)
	r2 := f.do(http.MethodPost, path(id, "captures"), k2, omclient.CaptureRequest{CapturedAmount: 100})
	if r2.status != 403 || string(r2.body) != string(r1.body) {
		t.Fatalf("refusal not replayed: %d %s", r2.status, r2.body)
	}
	// Validation failures do not bind the key: the corrected request runs.
	k3 := key()
	f.expect(f.do(http.MethodPost, path(id, "captures"), k3, `{"captured_amount": "x"}`), 400, codeBadValue)
	f.expect(f.do(http.MethodPost, path(id, "captures"), k3, omclient.CaptureRequest{CapturedAmount: 100}), 201, "")
	// Without a key every request applies.
	f.expect(f.do(http.MethodPost, path(id, "captures"), "", omclient.CaptureRequest{CapturedAmount: 100}), 201, "")
	f.expect(f.do(http.MethodPost, path(id, "captures"), "", omclient.CaptureRequest{CapturedAmount: 100}), 201, "")
	if o := f.order(id); len(o.Captures) != 4 {
		t.Fatalf("%d captures, want 4", len(o.Captures))
	}
}

func TestIdempotencyWindowIs24Hours(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	id := f.create(nil)
	k := key()
	f.expect(f.do(http.MethodPost, path(id, "captures"), k, omclient.CaptureRequest{CapturedAmount: 1000}), 201, "")
	f.clock.Advance(24*time.Hour - time.Second)
	f.do(http.MethodPost, path(id, "captures"), k, omclient.CaptureRequest{CapturedAmount: 1000})
	if o := f.order(id); len(o.Captures) != 1 {
		t.Fatalf("applied again within 24 h: %d captures", len(o.Captures))
	}
	f.clock.Advance(2 * time.Second)
	f.expect(f.do(http.MethodPost, path(id, "captures"), k, omclient.CaptureRequest{CapturedAmount: 1000}), 201, "")
	if o := f.order(id); len(o.Captures) != 2 {
		t.Fatalf("%d captures after 24 h, want 2", len(o.Captures))
	}
}

func TestIdempotencyKeyInFlightConflicts(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	id := f.create(nil)
	k := key()
	// Simulate a first request still being processed.
	f.sb.inflightMu.Lock()
	f.sb.inflight[[2]string{testUser, k}] = true
	f.sb.inflightMu.Unlock()
	f.expect(f.do(http.MethodPost, path(id, "captures"), k, omclient.CaptureRequest{CapturedAmount: 1000}), 409, codeConflict)
	f.sb.inflightMu.Lock()
	delete(f.sb.inflight, [2]string{testUser, k})
	f.sb.inflightMu.Unlock()
	f.expect(f.do(http.MethodPost, path(id, "captures"), k, omclient.CaptureRequest{CapturedAmount: 1000}), 201, "")
	if o := f.order(id); len(o.Captures) != 1 {
		t.Fatalf("%d captures", len(o.Captures))
	}
}

// TestRacingCaptures: 20 concurrent captures of 60 % each; exactly one may
// succeed, in memory and in SQLite.
func TestRacingCaptures(t *testing.T) {
	t.Parallel()
	for _, store := range []string{"memory", "sqlite"} {
		t.Run(store, func(t *testing.T) {
			t.Parallel()
			opts := Options{}
			if store == "sqlite" {
				opts.DBPath = filepath.Join(t.TempDir(), "sandbox.db")
			}
			f := newFixture(t, opts)
			id := f.create(nil)
			var wg sync.WaitGroup
			statuses := make([]int, 20)
			for i := range statuses {
				wg.Add(1)
				go func() {
					defer wg.Done()
					statuses[i] = f.do(http.MethodPost, path(id, "captures"), key(), omclient.CaptureRequest{CapturedAmount: 6000}).status
				}()
			}
			wg.Wait()
			ok := 0
			for _, s := range statuses {
				switch s {
				case 201:
					ok++
				case 403:
				default:
					t.Errorf("unexpected status %d", s)
				}
			}
			o := f.order(id)
			if ok != 1 || o.CapturedAmount != 6000 || len(o.Captures) != 1 {
				t.Fatalf("%d captures succeeded, captured %d; want exactly one", ok, o.CapturedAmount)
			}
		})
	}
}

// TestSameKeyConcurrently: the same key sent by 10 goroutines applies once;
// each answer is the capture's 201 replay or 409 CONFLICT.
func TestSameKeyConcurrently(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{DBPath: filepath.Join(t.TempDir(), "sandbox.db")})
	id := f.create(nil)
	k := key()
	var wg sync.WaitGroup
	results := make([]result, 10)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = f.do(http.MethodPost, path(id, "captures"), k, omclient.CaptureRequest{CapturedAmount: 1000})
		}()
	}
	wg.Wait()
	capID := ""
	for _, r := range results {
		switch r.status {
		case 201:
			if capID != "" && r.header.Get("Capture-Id") != capID {
				t.Fatalf("two capture ids for one key: %s, %s", capID, r.header.Get("Capture-Id"))
			}
			capID = r.header.Get("Capture-Id")
		case 409:
		default:
			t.Fatalf("status %d", r.status)
		}
	}
	if o := f.order(id); len(o.Captures) != 1 || o.Captures[0].CaptureID != capID {
		t.Fatalf("%d captures", len(o.Captures))
	}
}

func TestSQLitePersistsAcrossReopen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "data", "sandbox.db")
	clock := NewFakeClock(testStart)
	open := func() *fixture {
		sb, err := New(ctx, Options{Username: testUser, Password: testPass, DBPath: dbPath, Clock: clock, Demo: true})
		if err != nil {
			t.Fatal(err)
		}
		return &fixture{t: t, sb: sb, clock: clock}
	}
	f := open()
	ids, _ := f.sb.OrderIDs(ctx)
	id := f.create(nil)
	k := key()
	first := f.do(http.MethodPost, path(id, "captures"), k, omclient.CaptureRequest{CapturedAmount: 4000})
	f.expect(first, 201, "")
	f.expect(f.do(http.MethodPatch, path(id, "merchant-references"), key(), `{"merchant_reference2":"kept"}`), 204, "")
	if err := f.sb.Close(); err != nil {
		t.Fatal(err)
	}

	g := open()
	defer g.sb.Close()
	again, _ := g.sb.OrderIDs(ctx)
	if len(again) != len(ids)+1 {
		t.Fatalf("%d orders after reopen, want %d (demo not seeded twice)", len(again), len(ids)+1)
	}
	o := g.order(id)
	if o.Status != omclient.StatusPartCaptured || o.CapturedAmount != 4000 || o.MerchantReference2 != "kept" {
		t.Fatalf("after reopen: %+v", o)
	}
	if n, _ := g.sb.Applied(ctx, id); n != 2 {
		t.Fatalf("applied %d after reopen", n)
	}
	// The idempotency record survived too.
	replay := g.do(http.MethodPost, path(id, "captures"), k, omclient.CaptureRequest{CapturedAmount: 4000})
	if replay.status != 201 || replay.header.Get("Capture-Id") != first.header.Get("Capture-Id") {
		t.Fatalf("replay after reopen: %d %v", replay.status, replay.header)
	}
	if o := g.order(id); len(o.Captures) != 1 {
		t.Fatalf("%d captures after replay", len(o.Captures))
	}
}
