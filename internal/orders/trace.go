package orders

import (
	"context"
	"time"
)

// A Trace times the phases of one Apply, for the load test's breakdown
// of a change's own time (cmd/loadtest, `changes`). Nothing in the
// product sets one: without it Apply only looks it up once in its
// context, and every mark is a nil check.

// Phase is a step of Apply, in the order they run.
type Phase uint8

const (
	// PhaseLock is the wait for the order's lock (another change to the
	// same order).
	PhaseLock Phase = iota
	// PhaseReplay reads the idempotency key's earlier attempts (audit log
	// reader).
	PhaseReplay
	// PhaseReadBefore re-reads the order from the provider and notes the
	// index write behind the change.
	PhaseReadBefore
	// PhaseChecks is the stale-form, state and intent checks and the
	// four-eyes guard.
	PhaseChecks
	// PhaseRequested appends `requested`: the wait for its group commit.
	PhaseRequested
	// PhaseSend is the provider call of the change itself.
	PhaseSend
	// PhaseReadAfter is the fresh read after the change (provider call and
	// the index note).
	PhaseReadAfter
	// PhaseCompleted appends `completed`: the wait for its group commit.
	PhaseCompleted
	// PhaseAfter is what follows the commit (the outbox's hook).
	PhaseAfter
	// NumPhases counts the phases.
	NumPhases
)

var phaseNames = [NumPhases]string{"lock wait", "replay read", "read before", "checks", "append requested",
	"send", "read after", "append completed", "after hook"}

func (p Phase) String() string {
	if p < NumPhases {
		return phaseNames[p]
	}
	return "phase?"
}

// Trace holds when Apply started and when each of its phases ended. A
// phase that did not run (Apply returned before it) has a zero end.
type Trace struct {
	Start time.Time
	Ends  [NumPhases]time.Time
}

type traceKey struct{}

// WithTrace returns a context in which Apply records its phases in t.
func WithTrace(ctx context.Context, t *Trace) context.Context {
	return context.WithValue(ctx, traceKey{}, t)
}

func traceFrom(ctx context.Context) *Trace {
	t, _ := ctx.Value(traceKey{}).(*Trace)
	return t
}

func (t *Trace) start() {
	if t != nil {
		t.Start = time.Now()
	}
}

// mark ends phase p now.
func (t *Trace) mark(p Phase) {
	if t != nil {
		t.Ends[p] = time.Now()
	}
}
