package handlers_test

import (
	"path/filepath"
	"testing"
	"time"

	"ordercare/internal/apptest"
	"ordercare/internal/audit"
	"ordercare/internal/db"
	"ordercare/internal/session"
	"ordercare/internal/staff"
)

// These tests wire the handlers by hand rather than start the app
// (apptest.Start): they need what the app's construction does not offer,
// such as a fake clock shared with the sandbox, routes that exist only for
// a test, a sandbox a test can act on mid-request, or a stand-in
// pipeline. What every such back office stands on is opened here once.

// testPassword is every test member's password.
const testPassword = "correct horse battery"

// stores are a hand-wired back office's stores in the test's temp folder,
// closed when the test ends.
type stores struct {
	db       *db.DB
	audit    *audit.Log
	staff    *staff.Store
	sessions *session.Store
}

// openStores opens admin.db and the audit log, then the rest
// (withStaff).
func openStores(t testing.TB, now func() time.Time) stores {
	t.Helper()
	dir := t.TempDir()
	d, err := db.Open(t.Context(), filepath.Join(dir, "admin.db"), db.SyncNormal)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	al, err := audit.Open(t.Context(), filepath.Join(dir, "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { al.Close() })
	return withStaff(t, d, al, now)
}

// withStaff opens the staff store (cheap hashing; its clock is now, or
// the real one when nil) and the sessions over d, beside al.
func withStaff(t testing.TB, d *db.DB, al *audit.Log, now func() time.Time) stores {
	t.Helper()
	so := apptest.CheapHashing()
	so.Now = now
	st, err := staff.Open(t.Context(), d, so)
	if err != nil {
		t.Fatal(err)
	}
	ss, err := session.NewStore(t.Context(), d)
	if err != nil {
		t.Fatal(err)
	}
	return stores{db: d, audit: al, staff: st, sessions: ss}
}

// addMembers adds one member of each role (apptest.Email, testPassword)
// and returns their ids.
func (s stores) addMembers(t testing.TB) map[staff.Role]int64 {
	t.Helper()
	ids := map[staff.Role]int64{}
	for _, r := range staff.Roles {
		m, err := s.staff.Add(t.Context(), apptest.Email(r), r, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		ids[r] = m.ID
	}
	return ids
}
