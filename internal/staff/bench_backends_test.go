package staff

import (
	"testing"
	"time"

	"ordercare/internal/db/dbtest"
)

// BenchmarkWrongPasswordOnEachDatabase is a refused sign-in: the lock-out
// check, a (cheap) password verification and the throttle's write
// transaction, which takes the writer lock on PostgreSQL. The clock moves a
// window on every try so nothing locks.
func BenchmarkWrongPasswordOnEachDatabase(b *testing.B) {
	dbtest.EachB(b, func(b *testing.B, be dbtest.Backend) {
		c := &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
		s, err := Open(b.Context(), be.Open(b), Options{Now: c.Now, Params: cheap})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Add(b.Context(), "agent@example.com", RoleAgent, "correct horse"); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			c.Advance(DefaultLimits.Window)
			if _, err := s.Authenticate(b.Context(), "agent@example.com", "wrong", "192.0.2.7"); err == nil {
				b.Fatal("wrong password accepted")
			}
		}
	})
}
