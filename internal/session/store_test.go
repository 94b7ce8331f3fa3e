package session

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"ordercare/internal/db/dbtest"
)

func newStore(t *testing.T, kind dbtest.Backend) *Store {
	t.Helper()
	s, _ := newCountedStore(t, kind)
	return s
}

func TestStoreCommitFindDeleteExpire(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testStoreCommitFindDeleteExpire)
}

func testStoreCommitFindDeleteExpire(t *testing.T, kind dbtest.Backend) {
	s := newStore(t, kind)
	ctx := t.Context()
	future := time.Now().Add(time.Hour)
	if err := s.CommitCtx(ctx, "tok1", []byte("one"), future); err != nil {
		t.Fatal(err)
	}
	if err := s.CommitCtx(ctx, "tok1", []byte("uno"), future); err != nil {
		t.Fatal(err)
	}
	b, found, err := s.FindCtx(ctx, "tok1")
	if err != nil || !found || !bytes.Equal(b, []byte("uno")) {
		t.Fatalf("Find after overwrite: %q %v %v", b, found, err)
	}
	if _, found, err := s.Find("missing"); found || err != nil {
		t.Fatalf("missing token: %v %v", found, err)
	}
	if err := s.Commit("old", []byte("x"), time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := s.Find("old"); found {
		t.Fatal("expired session found")
	}
	all, err := s.All()
	if err != nil || len(all) != 1 || string(all["tok1"]) != "uno" {
		t.Fatalf("All: %v %v", all, err)
	}
	n, err := s.DeleteExpired(ctx)
	if err != nil || n != 1 {
		t.Fatalf("DeleteExpired: %d %v", n, err)
	}
	if err := s.Delete("tok1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("tok1"); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	if _, found, _ := s.Find("tok1"); found {
		t.Fatal("deleted session found")
	}
}

// TestManagerRoundTripAndRenew drives the manager over the store: the cookie
// carries the settings, the value survives requests, and RenewToken replaces
// the token so the old one no longer finds the session (fixation).
func TestManagerRoundTripAndRenew(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testManagerRoundTripAndRenew)
}

func testManagerRoundTripAndRenew(t *testing.T, kind dbtest.Backend) {
	for _, secure := range []bool{false, true} {
		sm := NewManager(newStore(t, kind), secure)
		mux := http.NewServeMux()
		mux.HandleFunc("/put", func(w http.ResponseWriter, r *http.Request) {
			sm.Put(r.Context(), KeyStaffID, int64(42))
		})
		mux.HandleFunc("/renew", func(w http.ResponseWriter, r *http.Request) {
			if err := sm.RenewToken(r.Context()); err != nil {
				t.Error(err)
			}
		})
		mux.HandleFunc("/get", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, sm.GetInt64(r.Context(), KeyStaffID))
		})
		h := sm.LoadAndSave(mux)
		do := func(path string, c *http.Cookie) *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			if c != nil {
				req.AddCookie(c)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec
		}
		put := do("/put", nil)
		cookies := put.Result().Cookies()
		if len(cookies) != 1 {
			t.Fatalf("want one cookie, got %v", put.Header()["Set-Cookie"])
		}
		c := cookies[0]
		if c.Name != CookieName(secure) || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != secure || c.Path != "/" {
			t.Fatalf("cookie settings (secure=%v): %+v", secure, c)
		}
		if got := do("/get", c).Body.String(); got != "42" {
			t.Fatalf("value not round-tripped: %q", got)
		}
		renew := do("/renew", c)
		nc := renew.Result().Cookies()
		if len(nc) != 1 || nc[0].Value == c.Value {
			t.Fatalf("RenewToken did not issue a new token: %v", renew.Header()["Set-Cookie"])
		}
		if got := do("/get", c).Body.String(); got != "0" {
			t.Fatalf("old token still finds the session: %q", got)
		}
		if got := do("/get", nc[0]).Body.String(); got != "42" {
			t.Fatalf("new token lost the session: %q", got)
		}
	}
}
