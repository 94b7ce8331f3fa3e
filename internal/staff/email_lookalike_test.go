package staff

import (
	"errors"
	"ordercare/internal/db/dbtest"
	"testing"
)

// TestLookalikeAddressesAreRefused: the addresses an admin could add to
// pass a puppet account off as a colleague are refused, with why; honest
// addresses, in any one script, are not.
func TestLookalikeAddressesAreRefused(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testLookalikeAddressesAreRefused)
}

func testLookalikeAddressesAreRefused(t *testing.T, b dbtest.Backend) {
	s, _, _ := newStore(t, b)
	ctx := t.Context()
	for _, e := range []string{"supervisor@example.com", "admin@example.com", "jürgen@example.com"} {
		if _, err := s.Add(ctx, e, RoleSupervisor, "correct horse"); err != nil {
			t.Fatalf("add %s: %v", e, err)
		}
	}
	for _, c := range []struct {
		email string
		want  error
	}{
		{"supervisor@exаmple.com", ErrEmailScripts},         // Cyrillic а in a Latin address
		{"sυpervisor@example.com", ErrEmailScripts},         // Greek upsilon
		{"super\u200bvisor@example.com", ErrEmailInvisible}, // zero-width space
		{"\u202esupervisor@example.com", ErrEmailInvisible}, // right-to-left override
		{"super\u2066visor@example.com", ErrEmailInvisible}, // left-to-right isolate
		{"supervisor\u00ad@example.com", ErrEmailInvisible}, // soft hyphen
		{"supervis0r@example.com", ErrEmailLookalike},       // digit zero for o
		{"adrnin@example.com", ErrEmailLookalike},           // r n for m
		{"superv1sor@example.com", nil},                     // 1 is l, not i: a different address
		{"jürgen@example.com", ErrExists},                   // the same (precomposed)
		{"ju\u0308rgen@example.com", ErrEmailLookalike},     // the same, decomposed
		{"sup2@example.com", nil},
		{"иван@пример.рф", nil}, // one script throughout
	} {
		_, err := s.Add(ctx, c.email, RoleSupervisor, "correct horse")
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("Add(%q) = %v, want %v", c.email, err, c.want)
		}
	}
	var like *LookalikeError
	if _, err := s.Add(ctx, "SUPERVIS0R@example.com", RoleAgent, "correct horse"); !errors.As(err, &like) || like.Existing != "supervisor@example.com" {
		t.Fatalf("look-alike not named: %v", err)
	}
}

// TestSkeletonTable: every entry of the prototypes table maps a character
// to Latin letters only, and the skeleton makes the well-known pairs equal.
func TestSkeletonTable(t *testing.T) {
	t.Parallel()
	for r, p := range prototypes {
		for _, c := range p {
			if c < 'a' || c > 'z' {
				t.Errorf("prototype of %q is %q: not lower-case Latin", r, p)
			}
		}
		if skeleton(string(r)) != skeleton(p) {
			t.Errorf("skeleton(%q) = %q, want %q", r, skeleton(string(r)), skeleton(p))
		}
	}
	for a, b := range map[string]string{"раураl": "paypal", "mоdern": "rnodern", "ѕоѕ": "sos", "ΑΡΙ": "api", "é": "e\u0301"} {
		if skeleton(a) != skeleton(b) {
			t.Errorf("skeleton(%q) = %q, skeleton(%q) = %q: want equal", a, skeleton(a), b, skeleton(b))
		}
	}
	if skeleton("example") == skeleton("exarnple1") {
		t.Error("different addresses have one skeleton")
	}
}
