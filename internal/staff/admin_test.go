package staff

import (
	"context"
	"errors"
	"ordercare/internal/db/dbtest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLastActiveAdminIsKept(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testLastActiveAdminIsKept)
}

func testLastActiveAdminIsKept(t *testing.T, b dbtest.Backend) {
	ctx := context.Background()
	s, clk, _ := newStore(t, b)
	admin, err := s.Add(ctx, "admin@example.com", RoleAdmin, "long enough pw")
	if err != nil {
		t.Fatal(err)
	}
	agent, _ := s.Add(ctx, "agent@example.com", RoleAgent, "long enough pw")

	if _, err := s.ChangeRole(ctx, admin.ID, RoleSupervisor); !errors.Is(err, ErrLastAdmin) {
		t.Fatalf("demoting the last admin: %v", err)
	}
	if err := s.DisableMember(ctx, admin.ID); !errors.Is(err, ErrLastAdmin) {
		t.Fatalf("disabling the last admin: %v", err)
	}
	if m, _ := s.Get(ctx, admin.ID); m.Role != RoleAdmin || m.Disabled {
		t.Fatalf("last admin changed: %+v", m)
	}
	// Staying admin is always allowed.
	if old, err := s.ChangeRole(ctx, admin.ID, RoleAdmin); err != nil || old != RoleAdmin {
		t.Fatalf("admin to admin: %v %v", old, err)
	}
	// With a second active admin the first may step down.
	if old, err := s.ChangeRole(ctx, agent.ID, RoleAdmin); err != nil || old != RoleAgent {
		t.Fatalf("promote: %v %v", old, err)
	}
	clk.Advance(time.Minute)
	if err := s.DisableMember(ctx, admin.ID); err != nil {
		t.Fatal(err)
	}
	m, _ := s.Get(ctx, admin.ID)
	if !m.Disabled || !m.SessionsValidAfter.Equal(clk.Now().UTC()) {
		t.Fatalf("disabled member = %+v: sessions must end now", m)
	}
	// A disabled admin does not count: the other one is now the last.
	if _, err := s.ChangeRole(ctx, agent.ID, RoleAuditor); !errors.Is(err, ErrLastAdmin) {
		t.Fatalf("demoting the only active admin: %v", err)
	}
	// Demoting a disabled admin is fine.
	if _, err := s.ChangeRole(ctx, admin.ID, RoleAgent); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ChangeRole(ctx, 999, RoleAgent); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown member: %v", err)
	}
	if _, err := s.ChangeRole(ctx, agent.ID, "boss"); err == nil {
		t.Fatal("unknown role accepted")
	}
}

// Two admins demoting each other at once, through two instances on one
// database: exactly one may succeed.
func TestConcurrentDemotionsKeepAnAdmin(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testConcurrentDemotionsKeepAnAdmin)
}

func testConcurrentDemotionsKeepAnAdmin(t *testing.T, be dbtest.Backend) {
	ctx := context.Background()
	s, _, _ := newStore(t, be)
	other, _, _ := newStore(t, be)
	a, _ := s.Add(ctx, "a@example.com", RoleAdmin, "long enough pw")
	b, _ := s.Add(ctx, "b@example.com", RoleAdmin, "long enough pw")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, id := range []int64{a.ID, b.ID} {
		instance := []*Store{s, other}[i]
		wg.Go(func() { _, errs[i] = instance.ChangeRole(ctx, id, RoleAgent) })
	}
	wg.Wait()
	failed := 0
	for _, err := range errs {
		if errors.Is(err, ErrLastAdmin) {
			failed++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if failed != 1 {
		t.Fatalf("%d demotions refused, want exactly 1 (%v)", failed, errs)
	}
}

func TestGeneratePassword(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 200 {
		p, err := GeneratePassword()
		if err != nil {
			t.Fatal(err)
		}
		if len(p) != 20 || checkPassword(p) != nil || strings.ContainsAny(p, "0O1lI") || seen[p] {
			t.Fatalf("password %q", p)
		}
		seen[p] = true
	}
}
