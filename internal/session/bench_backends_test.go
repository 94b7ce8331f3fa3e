package session

import (
	"strconv"
	"testing"
	"time"

	"ordercare/internal/db/dbtest"
)

// BenchmarkFindOnEachDatabase is the session read of every request, on
// SQLite and on PostgreSQL.
func BenchmarkFindOnEachDatabase(b *testing.B) {
	dbtest.EachB(b, func(b *testing.B, be dbtest.Backend) {
		s, _ := newCountedStore(b, be)
		if err := s.CommitCtx(b.Context(), "tok", []byte("signed in"), time.Now().Add(IdleTimeout)); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, found, err := s.FindCtx(b.Context(), "tok"); err != nil || !found {
				b.Fatal(found, err)
			}
		}
	})
}

// BenchmarkCommitChangedOnEachDatabase is a session write (a sign-in, a
// flash message), on SQLite and on PostgreSQL.
func BenchmarkCommitChangedOnEachDatabase(b *testing.B) {
	dbtest.EachB(b, func(b *testing.B, be dbtest.Backend) {
		s, _ := newCountedStore(b, be)
		expiry := time.Now().Add(IdleTimeout)
		i := 0
		for b.Loop() {
			i++
			if err := s.CommitCtx(b.Context(), "tok", []byte("flash "+strconv.Itoa(i)), expiry); err != nil {
				b.Fatal(err)
			}
		}
	})
}
