package staff

import (
	"testing"

	"ordercare/internal/db/dbtest"
)

// TestNumberFormatIsKeptPerMember: a member's way of writing amounts is
// theirs alone, replaced when they choose again and cleared by "", on
// both databases.
func TestNumberFormatIsKeptPerMember(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, b dbtest.Backend) {
		s, _, _ := newStore(t, b)
		ctx := t.Context()
		a, _ := s.Add(ctx, "a@example.com", RoleAgent, "correct horse")
		o, _ := s.Add(ctx, "o@example.com", RoleAgent, "correct horse")
		for _, f := range []string{"de-DE", "en-GB", ""} {
			if err := s.SetNumberFormat(ctx, a.ID, f); err != nil {
				t.Fatal(err)
			}
			if got, err := s.NumberFormat(ctx, a.ID); err != nil || got != f {
				t.Fatalf("after choosing %q: %q, %v", f, got, err)
			}
		}
		if err := s.SetNumberFormat(ctx, a.ID, "fr-FR"); err != nil {
			t.Fatal(err)
		}
		if got, err := s.NumberFormat(ctx, o.ID); err != nil || got != "" {
			t.Errorf("another member's format: %q, %v", got, err)
		}
	})
}
