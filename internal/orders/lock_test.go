package orders

import (
	"context"
	"errors"
	"testing"
)

func TestKeyedMutex(t *testing.T) {
	t.Parallel()
	var k keyedMutex
	ctx := context.Background()
	unlockA, err := k.lock(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	// Another key is independent.
	unlockB, err := k.lock(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	unlockB()
	// The same key waits: with a cancelled context it gives up.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := k.lock(cctx, "a"); !errors.Is(err, context.Canceled) {
		t.Fatalf("second lock of a held key: %v", err)
	}
	unlockA()
	unlockA2, err := k.lock(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	unlockA2()
	if len(k.locks) != 0 {
		t.Fatalf("%d lock entries left", len(k.locks))
	}
}
