package approvals

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/pipelinetest"
)

// BenchmarkDecidable is the navigation's count for a supervisor, run on
// every page they open: 200 waiting requests (the most a list returns)
// from 20 requesters, and 100 staff changes this month (a busy month: an
// admin adding, promoting or resetting someone every working hour) in a
// log of 20,000 events. PendingCount, the count it replaced, is beside it
// for scale.
func BenchmarkDecidable(b *testing.B) {
	clock := omsim.NewFakeClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	pe := pipelinetest.New(b, pipelinetest.Options{Now: clock.Now})
	ctx := context.Background()
	svc, err := Open(ctx, pe.Admin, pe.Log, pe.Orders, Policy{Thresholds: map[string]int64{"EUR": 100}}, clock.Now)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 20000 {
		ev := audit.Event{Kind: audit.KindSignIn, Actor: audit.Actor{StaffID: int64(100 + i%40), Email: "x@example.com"}}
		if i%200 == 0 {
			ev.Kind, ev.Detail = audit.KindStaff, map[string]string{"change": "role", "target_id": fmt.Sprint(9000 + i)}
		}
		if _, err := pe.Log.Append(ctx, ev); err != nil {
			b.Fatal(err)
		}
	}
	tx, err := pe.Admin.W.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	now := clock.Now()
	for i := range 200 {
		who := int64(100 + i%20)
		r := Request{ID: uuid.NewString(), CreatedAt: now, ExpiresAt: now.Add(72 * time.Hour), OrderID: uuid.NewString(),
			Op: omclient.OpCreateRefund, Currency: "EUR", Amount: 60000, IdempotencyKey: uuid.NewString(),
			RequestedBy: Person{StaffID: who, Email: fmt.Sprintf("agent%d@example.com", who), Role: "agent"}, Status: StatusPending}
		if err := insert(ctx, tx, r); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	sup := audit.Actor{StaffID: 4, Email: "super@example.com", Role: "supervisor"}
	b.Run("Decidable", func(b *testing.B) {
		for b.Loop() {
			rs, err := svc.Decidable(ctx, sup)
			if err != nil || len(rs) != 200 {
				b.Fatalf("%d %v", len(rs), err)
			}
		}
	})
	b.Run("PendingCount", func(b *testing.B) {
		for b.Loop() {
			if n, err := svc.PendingCount(ctx); err != nil || n != 200 {
				b.Fatalf("%d %v", n, err)
			}
		}
	})
}
