package session

import (
	"bytes"
	"context"
	"encoding/binary"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"

	"ordercare/internal/dbwatch"

	"ordercare/internal/db/dbtest"
)

// newCountedStore is a store on a fresh database of kind's kind, with a
// count of its write transactions: what a session commit costs beyond
// reads. On SQLite dbwatch counts the file's commits; on PostgreSQL the
// store counts the statements it sends to the writer.
func newCountedStore(t testing.TB, kind dbtest.Backend) (*Store, func() int64) {
	t.Helper()
	b := kind.Fresh(t)
	var c *dbwatch.Counter
	if b.Dir != "" {
		c = dbwatch.Watch(b.Dir)
	}
	s, err := NewStore(t.Context(), b.Open(t))
	if err != nil {
		t.Fatal(err)
	}
	if c == nil {
		return s, s.writes.Load
	}
	return s, func() int64 { return c.Commits("admin.db") }
}

func TestCodecEncodesTheSameSessionToTheSameBytes(t *testing.T) {
	t.Parallel()
	deadline := time.Now().Add(Lifetime).UTC()
	values := map[string]any{KeyStaffID: int64(7), KeyAuthTime: int64(1700000000), KeyFlash: "Saved.", "a": true, "z": "last"}
	first, err := sortedCodec{}.Encode(deadline, values)
	if err != nil {
		t.Fatal(err)
	}
	for range 50 { // map iteration order differs from run to run
		b, err := sortedCodec{}.Encode(deadline, values)
		if err != nil || !bytes.Equal(b, first) {
			t.Fatalf("the same session encoded differently (%v)", err)
		}
	}
	gotDeadline, got, err := sortedCodec{}.Decode(first)
	if err != nil || !gotDeadline.Equal(deadline) || len(got) != len(values) || got[KeyStaffID] != int64(7) || got[KeyFlash] != "Saved." {
		t.Fatalf("round trip: %v %v %v", gotDeadline, got, err)
	}
	// Sessions written before this codec (scs.GobCodec) still load.
	old, err := scs.GobCodec{}.Encode(deadline, values)
	if err != nil {
		t.Fatal(err)
	}
	if _, got, err := (sortedCodec{}).Decode(old); err != nil || got[KeyAuthTime] != int64(1700000000) {
		t.Fatalf("old session: %v %v", got, err)
	}
	if _, _, err := (sortedCodec{}).Decode(append(append([]byte{}, sortedMagic...), "garbage"...)); err == nil {
		t.Fatal("garbage after the marker decoded")
	}
}

func TestCommitSkipsOnlyAnUnchangedSessionWithinAMinute(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testCommitSkipsOnlyAnUnchangedSessionWithinAMinute)
}

func testCommitSkipsOnlyAnUnchangedSessionWithinAMinute(t *testing.T, kind dbtest.Backend) {
	expiry := time.Now().Add(IdleTimeout)
	cases := []struct {
		name   string
		data   string
		expiry time.Time
		write  bool
	}{
		{"same data, same expiry", "one", expiry, false},
		{"same data, expiry 58 s later", "one", expiry.Add(58 * time.Second), false},
		{"same data, expiry 61 s later", "one", expiry.Add(61 * time.Second), true},
		{"same data, earlier expiry", "one", expiry.Add(-time.Second), true},
		{"changed data", "two", expiry, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, commits := newCountedStore(t, kind)
			ctx := t.Context()
			if err := s.CommitCtx(ctx, "tok", []byte("one"), expiry); err != nil {
				t.Fatal(err)
			}
			before := commits()
			if err := s.CommitCtx(ctx, "tok", []byte(tc.data), tc.expiry); err != nil {
				t.Fatal(err)
			}
			if wrote := commits() > before; wrote != tc.write {
				t.Fatalf("wrote %v, want %v", wrote, tc.write)
			}
			b, found, err := s.FindCtx(ctx, "tok")
			if err != nil || !found || string(b) != tc.data {
				t.Fatalf("stored %q %v %v, want %q", b, found, err, tc.data)
			}
		})
	}
	t.Run("expired row is written again", func(t *testing.T) {
		t.Parallel()
		s, commits := newCountedStore(t, kind)
		ctx := t.Context()
		if err := s.CommitCtx(ctx, "tok", []byte("one"), time.Now().Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		before := commits()
		if err := s.CommitCtx(ctx, "tok", []byte("one"), time.Now().Add(-time.Second+30*time.Second)); err != nil {
			t.Fatal(err)
		}
		if commits() == before {
			t.Fatal("an expired session was not written again")
		}
		if _, found, _ := s.FindCtx(ctx, "tok"); !found {
			t.Fatal("session revived by the commit not found")
		}
	})
}

// TestManagerWritesOnlyChangedSessions drives scs with IdleTimeout over the
// store: requests that only read the session write nothing; a flash, its
// display, a renewed token and a sign-out are all written.
func TestManagerWritesOnlyChangedSessions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testManagerWritesOnlyChangedSessions)
}

func testManagerWritesOnlyChangedSessions(t *testing.T, kind dbtest.Backend) {
	store, commits := newCountedStore(t, kind)
	sm := NewManager(store, false)
	mux := http.NewServeMux()
	mux.HandleFunc("/signin", func(w http.ResponseWriter, r *http.Request) {
		if err := sm.RenewToken(r.Context()); err != nil {
			t.Error(err)
		}
		sm.Put(r.Context(), KeyStaffID, int64(42))
		sm.Put(r.Context(), KeyAuthTime, time.Now().UnixNano())
	})
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(sm.PopString(r.Context(), KeyFlash)))
	})
	mux.HandleFunc("/change", func(w http.ResponseWriter, r *http.Request) {
		sm.Put(r.Context(), KeyFlash, "Reference changed.")
	})
	mux.HandleFunc("/signout", func(w http.ResponseWriter, r *http.Request) {
		if err := sm.Destroy(r.Context()); err != nil {
			t.Error(err)
		}
	})
	h := sm.LoadAndSave(mux)
	cookie := (*http.Cookie)(nil)
	do := func(path string) string {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		for _, c := range rec.Result().Cookies() {
			if c.Value != "" {
				cookie = c
			}
		}
		return rec.Body.String()
	}
	steps := []struct {
		path  string
		write bool
		body  string
	}{
		{"/signin", true, ""},
		{"/page", false, ""},
		{"/page", false, ""},
		{"/change", true, ""},
		{"/page", true, "Reference changed."}, // the flash is gone from the stored session
		{"/page", false, ""},
		{"/signin", true, ""}, // a new token
		{"/page", false, ""},
	}
	for i, s := range steps {
		before := commits()
		if body := do(s.path); body != s.body {
			t.Fatalf("step %d %s: body %q, want %q", i, s.path, body, s.body)
		}
		if wrote := commits() > before; wrote != s.write {
			t.Fatalf("step %d %s: wrote %v, want %v", i, s.path, wrote, s.write)
		}
	}
	// Many reads in a row: with a codec that encodes the map in iteration
	// order (scs.GobCodec), some of these would look changed and write.
	before := commits()
	for range 100 {
		do("/page")
	}
	if n := commits() - before; n != 0 {
		t.Fatalf("100 requests that only read the session wrote %d times", n)
	}
	tok := cookie.Value
	do("/signout")
	if _, found, err := store.Find(tok); found || err != nil {
		t.Fatalf("signed-out session still stored: %v %v", found, err)
	}
}

// BenchmarkCommitUnchanged is scs's commit of an unchanged session on
// every request: answered from what the store last read or wrote, with
// neither a read nor a write of admin.db.
func BenchmarkCommitUnchanged(b *testing.B) {
	s, _ := newCountedStore(b, dbtest.SQLite(b))
	data, err := sortedCodec{}.Encode(time.Now().Add(Lifetime), map[string]any{KeyStaffID: int64(1), KeyAuthTime: int64(2)})
	if err != nil {
		b.Fatal(err)
	}
	expiry := time.Now().Add(IdleTimeout)
	if err := s.CommitCtx(b.Context(), "tok", data, expiry); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := s.CommitCtx(b.Context(), "tok", data, expiry); err != nil {
			b.Fatal(err)
		}
	}
}

// TestUnchangedCommitDoesNotBringBackADeletedSession: a request that only
// read its session ends with scs's commit. When the row was deleted while
// the request ran (a sign-out in another tab, `admin user disable` from
// another process), that commit must not store the session again.
func TestUnchangedCommitDoesNotBringBackADeletedSession(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testUnchangedCommitDoesNotBringBackADeletedSession)
}

func testUnchangedCommitDoesNotBringBackADeletedSession(t *testing.T, kind dbtest.Backend) {
	// Deleted behind the store's back, as another process does.
	behindItsBack := func(ctx context.Context, s *Store) error {
		_, err := s.db.W.ExecContext(ctx, `DELETE FROM sessions WHERE token = 'tok'`)
		return err
	}
	if found, writes := commitAfterDelete(t, kind, behindItsBack, time.Second); found || writes != 0 {
		t.Fatalf("deleted session stored again by an unchanged commit (found %v, %d writes)", found, writes)
	}
}

// commitAfterDelete is a request in flight across a delete: the session
// is stored, the request loads it, del deletes the row, and the request
// ends with scs's commit of what it loaded, its idle expiry moved by
// moved. It reports whether the session is stored afterwards and how many
// writes that commit made.
func commitAfterDelete(t *testing.T, kind dbtest.Backend, del func(context.Context, *Store) error, moved time.Duration) (found bool, writes int64) {
	t.Helper()
	s, commits := newCountedStore(t, kind)
	ctx := t.Context()
	expiry := time.Now().Add(IdleTimeout)
	if err := s.CommitCtx(ctx, "tok", []byte("one"), expiry); err != nil {
		t.Fatal(err)
	}
	b, found, err := s.FindCtx(ctx, "tok") // the request starts
	if err != nil || !found {
		t.Fatalf("find: %v %v", found, err)
	}
	if err := del(ctx, s); err != nil {
		t.Fatal(err)
	}
	before := commits()
	if err := s.CommitCtx(ctx, "tok", b, expiry.Add(moved)); err != nil { // the request ends
		t.Fatal(err)
	}
	if _, found, err = s.FindCtx(ctx, "tok"); err != nil {
		t.Fatal(err)
	}
	return found, commits() - before
}

// TestCodecWritesTheSessionsOfTheBackOfficeCompactly: staff id, sign-in
// time and flash (int64s and strings) are written in format 2 and read
// back exactly; every cut of such an encoding, and an unknown tag, is an
// error rather than a wrong session or a panic.
func TestCodecWritesTheSessionsOfTheBackOfficeCompactly(t *testing.T) {
	t.Parallel()
	deadline := time.Now().Add(Lifetime)
	values := map[string]any{KeyStaffID: int64(42), KeyAuthTime: int64(-1), KeyFlash: "Refund of 12,50 € sent — ticket “T-1”."}
	b, err := sortedCodec{}.Encode(deadline, values)
	if err != nil || !bytes.HasPrefix(b, compactMagic) {
		t.Fatalf("encoded %q, %v; want format 2", b, err)
	}
	gotDeadline, got, err := sortedCodec{}.Decode(b)
	if err != nil || !gotDeadline.Equal(deadline) || len(got) != len(values) {
		t.Fatalf("round trip: %v %v %v", gotDeadline, got, err)
	}
	for k, v := range values {
		if got[k] != v {
			t.Fatalf("%s = %#v, want %#v", k, got[k], v)
		}
	}
	for n := len(compactMagic); n < len(b); n++ {
		if _, v, err := (sortedCodec{}).Decode(b[:n]); err == nil && len(v) == len(values) {
			t.Fatalf("a session cut to %d of %d bytes decoded whole: %v", n, len(b), v)
		} else if err == nil && n < len(compactMagic)+8 {
			t.Fatalf("a session cut inside its deadline (%d bytes) decoded", n)
		}
	}
	bad := append(append([]byte{}, compactMagic...), make([]byte, 8)...)
	bad = append(bad, 1, 'k', 'x', 0)
	if _, _, err := (sortedCodec{}).Decode(bad); err == nil {
		t.Fatal("an unknown value tag decoded")
	}
}

// TestCodecBoundsStringLengths: a length that names more than the record
// holds, or more than an int, is an error and not a panic; a string longer
// than format 2 allows is still kept whole (in gob).
func TestCodecBoundsStringLengths(t *testing.T) {
	t.Parallel()
	for _, n := range []uint64{maxCompactString + 1, 1 << 63, ^uint64(0)} {
		bad := append(append([]byte{}, compactMagic...), make([]byte, 8)...)
		bad = binary.AppendUvarint(bad, n)
		bad = append(bad, "key"...)
		if _, _, err := (sortedCodec{}).Decode(bad); err == nil {
			t.Fatalf("a key length of %d decoded", n)
		}
	}
	long := strings.Repeat("x", maxCompactString+1)
	b, err := sortedCodec{}.Encode(time.Now().Add(Lifetime), map[string]any{KeyFlash: long})
	if err != nil || bytes.HasPrefix(b, compactMagic) {
		t.Fatalf("a %d-byte flash: format 2 or error (%v)", len(long), err)
	}
	if _, got, err := (sortedCodec{}).Decode(b); err != nil || got[KeyFlash] != long {
		t.Fatalf("a %d-byte flash did not come back whole: %v", len(long), err)
	}
}

func BenchmarkCodec(b *testing.B) {
	values := map[string]any{KeyStaffID: int64(7), KeyAuthTime: time.Now().UnixNano()}
	deadline := time.Now().Add(Lifetime)
	enc, err := sortedCodec{}.Encode(deadline, values)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("encode", func(b *testing.B) {
		for b.Loop() {
			if _, err := (sortedCodec{}).Encode(deadline, values); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := (sortedCodec{}).Decode(enc); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestSignOutHoldsAgainstARequestInFlight: a request of the session that
// started before the sign-out and ends after it commits the session as it
// loaded it. That commit must not store it again, whether its idle expiry
// moved a little or past ExpiryPrecision.
func TestSignOutHoldsAgainstARequestInFlight(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testSignOutHoldsAgainstARequestInFlight)
}

func testSignOutHoldsAgainstARequestInFlight(t *testing.T, kind dbtest.Backend) {
	signOut := func(ctx context.Context, s *Store) error { return s.DeleteCtx(ctx, "tok") } // in another tab
	for _, moved := range []time.Duration{time.Second, 2 * ExpiryPrecision} {
		if found, writes := commitAfterDelete(t, kind, signOut, moved); found || writes != 0 {
			t.Fatalf("expiry moved %v: signed-out session stored again by a request in flight (found %v, %d writes)",
				moved, found, writes)
		}
	}
}

// TestManagerSignOutHoldsAgainstAPageStillLoading drives scs: a page is
// still loading in one tab (it waits for the provider) when the agent
// signs out in another. When the page finishes, its response carries the
// session cookie again, but the session is gone: that cookie signs no one
// in.
func TestManagerSignOutHoldsAgainstAPageStillLoading(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testManagerSignOutHoldsAgainstAPageStillLoading)
}

func testManagerSignOutHoldsAgainstAPageStillLoading(t *testing.T, kind dbtest.Backend) {
	store, _ := newCountedStore(t, kind)
	sm := NewManager(store, false)
	loading, release := make(chan struct{}), make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/signin", func(w http.ResponseWriter, r *http.Request) {
		if err := sm.RenewToken(r.Context()); err != nil {
			t.Error(err)
		}
		sm.Put(r.Context(), KeyStaffID, int64(42))
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		_ = sm.GetInt64(r.Context(), KeyStaffID)
		close(loading)
		<-release
	})
	mux.HandleFunc("/whoami", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(strconv.FormatInt(sm.GetInt64(r.Context(), KeyStaffID), 10)))
	})
	mux.HandleFunc("/signout", func(w http.ResponseWriter, r *http.Request) {
		if err := sm.Destroy(r.Context()); err != nil {
			t.Error(err)
		}
	})
	h := sm.LoadAndSave(mux)
	do := func(path string, c *http.Cookie) (*httptest.ResponseRecorder, *http.Cookie) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if c != nil {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		for _, set := range rec.Result().Cookies() {
			if set.Name == CookieName(false) {
				return rec, set
			}
		}
		return rec, nil
	}
	_, cookie := do("/signin", nil)
	if cookie == nil || cookie.Value == "" {
		t.Fatal("no session cookie after sign-in")
	}
	slow := make(chan *http.Cookie)
	go func() {
		_, set := do("/slow", cookie)
		slow <- set
	}()
	<-loading
	if _, cleared := do("/signout", cookie); cleared == nil || cleared.Value != "" {
		t.Fatalf("sign-out did not clear the cookie: %v", cleared)
	}
	close(release)
	resent := <-slow
	if resent == nil || resent.Value != cookie.Value {
		t.Fatalf("the page that was loading answered with cookie %v; this test expects scs to re-send the old token", resent)
	}
	if rec, _ := do("/whoami", resent); rec.Body.String() != "0" {
		t.Fatalf("the cookie of a signed-out session still signs in staff %s", rec.Body.String())
	}
}

// TestSignOutOnOneInstanceHoldsOnAnother: two instances share one
// database. A page still loading on one when the agent signs out through
// the other must not store the session again when it finishes, whether
// its idle expiry moved a little or past ExpiryPrecision.
func TestSignOutOnOneInstanceHoldsOnAnother(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testSignOutOnOneInstanceHoldsOnAnother)
}

func testSignOutOnOneInstanceHoldsOnAnother(t *testing.T, kind dbtest.Backend) {
	for _, moved := range []time.Duration{time.Second, 2 * ExpiryPrecision} {
		b := kind.Fresh(t)
		ctx := t.Context()
		one, err := NewStore(ctx, b.Open(t))
		if err != nil {
			t.Fatal(err)
		}
		other, err := NewStore(ctx, b.Open(t))
		if err != nil {
			t.Fatal(err)
		}
		expiry := time.Now().Add(IdleTimeout)
		if err := one.CommitCtx(ctx, "tok", []byte("signed in"), expiry); err != nil {
			t.Fatal(err)
		}
		loaded, found, err := one.FindCtx(ctx, "tok") // the page starts loading
		if err != nil || !found {
			t.Fatalf("find: %v %v", found, err)
		}
		if err := other.DeleteCtx(ctx, "tok"); err != nil { // signed out elsewhere
			t.Fatal(err)
		}
		if err := one.CommitCtx(ctx, "tok", loaded, expiry.Add(moved)); err != nil { // the page finishes
			t.Fatal(err)
		}
		for _, s := range []*Store{one, other} {
			if _, found, err := s.FindCtx(ctx, "tok"); found || err != nil {
				t.Fatalf("expiry moved %v: the session signed out on one instance was stored again by the other (%v)", moved, err)
			}
		}
	}
}
