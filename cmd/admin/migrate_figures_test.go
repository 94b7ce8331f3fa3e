package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/db/dbtest"
)

// TestMigrateFigures times the migration of an audit log of
// ORDERCARE_MIGRATE_EVENTS events (checkpoints every 1000), for the
// figures of the README; skipped without the variable.
//
//	ORDERCARE_MIGRATE_EVENTS=100000 go test -run TestMigrateFigures -v ./cmd/admin
func TestMigrateFigures(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("ORDERCARE_MIGRATE_EVENTS"))
	if n <= 0 {
		t.Skip("ORDERCARE_MIGRATE_EVENTS is not set")
	}
	ctx := t.Context()
	dir, _ := servedFolder(t)
	l := checkpointedLog(t, dir, audit.Options{}, 1000)
	start := time.Now()
	var wg sync.WaitGroup
	const writers = 64
	for w := range writers {
		wg.Go(func() {
			for i := w; i < n; i += writers {
				att := fmt.Sprintf("fig-%d", i)
				if _, err := l.Append(ctx, audit.Event{Kind: audit.KindRequested, AttemptID: att,
					Actor: audit.Actor{StaffID: 7, Email: "agent@example.com", Role: "agent"}, OrderID: fmt.Sprintf("order-%d", i%500),
					Action: "create_refund", Reason: "customer returned item " + strconv.Itoa(i), IdempotencyKey: "key-" + att}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d events appended on SQLite in %s", n, time.Since(start).Round(time.Millisecond))
	url := dbtest.Postgres(t).URL
	start = time.Now()
	out, err := migrate(t, dir, url)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	t.Logf("migrated in %s:\n%s", time.Since(start).Round(time.Millisecond), out)
}
