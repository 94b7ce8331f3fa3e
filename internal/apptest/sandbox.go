package apptest

import (
	"context"
	"testing"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
)

// A test checks what reached the provider and the audit log, not only
// what the pages say. These read both and fail the test on an error.
// They read with a context of their own, so a cleanup may call them too.

// OrderWhere is the first order of sb (in the sandbox's order) that match
// accepts; what names the wanted shape in a failure. The demo data is
// deterministic, so the choice is too.
func OrderWhere(t testing.TB, sb *omsim.Sandbox, what string, match func(*omclient.Order) bool) *omclient.Order {
	t.Helper()
	ids, err := sb.OrderIDs(context.Background())
	if err != nil {
		t.Fatalf("sandbox orders: %v", err)
	}
	for _, id := range ids {
		if o := SandboxOrder(t, sb, id); match(o) {
			return o
		}
	}
	t.Fatalf("no demo order is %s", what)
	return nil
}

// SandboxOrder is the order as sb holds it now.
func SandboxOrder(t testing.TB, sb *omsim.Sandbox, id string) *omclient.Order {
	t.Helper()
	o, err := sb.Order(context.Background(), id)
	if err != nil {
		t.Fatalf("sandbox order %s: %v", id, err)
	}
	return o
}

// Applied is how many changes sb applied to the order.
func Applied(t testing.TB, sb *omsim.Sandbox, id string) int {
	t.Helper()
	n, err := sb.Applied(context.Background(), id)
	if err != nil {
		t.Fatalf("sandbox applied %s: %v", id, err)
	}
	return n
}

// AttemptLog is the part of the audit log Attempts reads (the log itself,
// or the handlers' view of it).
type AttemptLog interface {
	OrderAttempts(ctx context.Context, orderID string) ([]audit.Attempt, error)
}

// Attempts are the audit log's change attempts on an order, newest first.
func Attempts(t testing.TB, log AttemptLog, orderID string) []audit.Attempt {
	t.Helper()
	as, err := log.OrderAttempts(context.Background(), orderID)
	if err != nil {
		t.Fatalf("audit attempts of %s: %v", orderID, err)
	}
	return as
}
