package audit

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"ordercare/internal/db/dbtest"
)

// TestEventsRecordTheirInstance: events appended by a named instance carry
// its name, hashed; the events from before names were recorded keep their
// hashes, so one chain holds both and verifies; and editing a name, giving
// an old event one or blanking a new one's, is found at that event.
func TestEventsRecordTheirInstance(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		// fill appends one event as each instance in turn, reopening the
		// log for each, as instances started one after the other.
		fill := func(t *testing.T, be dbtest.Backend) (string, []Event) {
			path := filepath.Join(t.TempDir(), "audit.db")
			var stored []Event
			for _, instance := range []string{"", "", "web-1", "web-2"} {
				l, err := OpenWith(ctx, path, Options{Now: func() time.Time { return t0 }, Instance: instance, DatabaseURL: be.URL})
				if err != nil {
					t.Fatal(err)
				}
				e, err := l.Append(ctx, sampleEvent(len(stored)+1))
				if err != nil {
					t.Fatal(err)
				}
				if e.Instance != instance {
					t.Fatalf("event %d: instance %q, want %q", e.Seq, e.Instance, instance)
				}
				stored = append(stored, e)
				if err := l.Close(); err != nil {
					t.Fatal(err)
				}
			}
			return path, stored
		}
		path, stored := fill(t, be)
		// The first event hashes as it did before instances were recorded.
		old, err := encodeRow(sampleEvent(1))
		if err != nil {
			t.Fatal(err)
		}
		old.Time, old.Seq, old.PrevHash = formatTime(t0), 1, GenesisHash
		if stored[0].Hash != old.computeHash() {
			t.Fatal("an event without an instance no longer hashes as before")
		}
		if res, err := verifyOn(ctx, be, path); err != nil || !res.OK {
			t.Fatalf("verify the mixed chain: %+v %v", res, err)
		}
		for _, tc := range []struct {
			name  string
			stmt  string
			first int64
		}{
			{"name edited", `UPDATE events SET instance = 'web-1' WHERE seq = 4`, 4},
			{"name blanked", `UPDATE events SET instance = '' WHERE seq = 3`, 3},
			{"old event given a name", `UPDATE events SET instance = 'web-1' WHERE seq = 2`, 2},
		} {
			t.Run(tc.name, func(t *testing.T) {
				be := be.Fresh(t)
				copyPath, _ := fill(t, be)
				tamperOn(t, be, copyPath, tc.stmt)
				res, err := verifyOn(ctx, be, copyPath)
				if err != nil {
					t.Fatal(err)
				}
				if res.OK || res.FirstBad != tc.first {
					t.Fatalf("verify = %+v, want first bad %d", res, tc.first)
				}
			})
		}
	})
}
