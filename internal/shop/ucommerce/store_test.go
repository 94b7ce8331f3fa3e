package ucommerce

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"ordercare/internal/db/dbtest"
)

// TestSQLStoreKeepsTheRefreshTokenSealed: the token round-trips on each
// database, is not stored in the clear, is seen by another instance on the
// same database, counts as lost under another key, and is gone after
// Forget.
func TestSQLStoreKeepsTheRefreshTokenSealed(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, b dbtest.Backend) {
		ctx := t.Context()
		key := bytes.Repeat([]byte{1}, 32)
		s, err := NewSQLStore(ctx, b.Open(t), key)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Load(ctx); !errors.Is(err, ErrNotConnected) {
			t.Fatalf("empty store: %v", err)
		}
		exp := time.Unix(1_900_000_000, 0)
		if err := s.Save(ctx, "refresh-token-secret", exp); err != nil {
			t.Fatal(err)
		}
		other, err := NewSQLStore(ctx, b.Open(t), key)
		if err != nil {
			t.Fatal(err)
		}
		if tok, at, err := other.Load(ctx); err != nil || tok != "refresh-token-secret" || !at.Equal(exp) {
			t.Fatalf("another instance loads %q %v %v", tok, at, err)
		}
		var sealed []byte
		if err := b.Open(t).R.QueryRow(`SELECT sealed FROM shop_tokens`).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(sealed, []byte("refresh-token-secret")) {
			t.Fatal("the refresh token is stored in the clear")
		}
		wrongKey, err := NewSQLStore(ctx, b.Open(t), bytes.Repeat([]byte{2}, 32))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := wrongKey.Load(ctx); !errors.Is(err, ErrNotConnected) {
			t.Fatalf("another key: %v", err)
		}
		if err := s.Forget(ctx); err != nil {
			t.Fatal(err)
		}
		if _, _, err := other.Load(ctx); !errors.Is(err, ErrNotConnected) {
			t.Fatalf("after Forget: %v", err)
		}
	})
}
