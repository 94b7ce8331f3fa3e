package crashtest

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ordercare/internal/apptest"
	"ordercare/internal/audit"
	"ordercare/internal/db"
	"ordercare/internal/omsim"
	"ordercare/internal/proctest"
)

const (
	agents       = 50
	demoPassword = "crash-test-demo-password"
	agentPass    = "crash-test-agent-password"
	// killAfter: SIGKILL once this many changes were acknowledged, or
	// after killDeadline, whichever comes first.
	killAfter    = 150
	killDeadline = 20 * time.Second
)

// TestSIGKILLUnderLoadLosesNoAuditTruth starts the real back office
// (cmd/admin, built-in sandbox whose state lives in sandbox.db beside
// admin.db) as a separate process, signs in 50 agent accounts created
// with `admin user add`, lets them change merchant references of the
// sandbox's orders concurrently through the real forms, kills the process
// with SIGKILL mid-run, restarts it (start-up recovery closes attempts the
// crash cut as outcome unknown), stops it, and checks the files:
//   - every change the sandbox applied has its `requested` event (by
//     idempotency key);
//   - every `requested` event has a `completed` event (unknown where the
//     crash cut it);
//   - every change an agent saw confirmed is recorded as succeeded;
//   - the sandbox applied no change without a key (applied counts match);
//   - the audit chain verifies; integrity_check is ok for admin.db,
//     audit.db and sandbox.db.
func TestSIGKILLUnderLoadLosesNoAuditTruth(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: builds and runs the server (skipped with -short)")
	}
	// Build first, outside the deadline: the deadline bounds the server's
	// liveness, and a cold -race build on a busy machine can take minutes
	// on its own.
	start := time.Now()
	phase := func(what string) { t.Logf("%6.1fs %s", time.Since(start).Seconds(), what) }
	bin := proctest.BuildAdmin(t)
	phase("built cmd/admin")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dataDir := filepath.Join(t.TempDir(), "data")
	addr := proctest.FreeAddr(t)
	adm := newAdmin(t, bin, dataDir, addr, demoPassword)

	// 50 agent accounts, made the way an admin makes them.
	// (Ten at a time: each is its own process, SQLite serialises them.)
	var adds sync.WaitGroup
	sem := make(chan struct{}, 10)
	for i := range agents {
		adds.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			adm.command(agentPass+"\n", "user", "add", "--email", agentEmail(i), "--role", "agent")
		})
	}
	adds.Wait()
	if t.Failed() {
		t.FailNow()
	}

	phase("added the agent accounts")
	srv := adm.serve(ctx)
	phase("server up")
	base := "http://" + addr
	ids := openOrderIDs(t, filepath.Join(dataDir, "sandbox.db"))
	if len(ids) == 0 {
		t.Fatal("the sandbox has no open orders")
	}

	browsers := make([]*apptest.Browser, agents)
	for i := range browsers {
		browsers[i] = apptest.NewBrowser(base, 30*time.Second)
		if err := browsers[i].SignIn(agentEmail(i), agentPass); err != nil {
			t.Fatal(err)
		}
	}

	phase("agents signed in")
	var (
		mu           sync.Mutex
		acknowledged []string // keys of changes an agent saw confirmed
		statuses     = map[int]int{}
		cut          int64 // submits the crash cut (no answer)
		confirmed    atomic.Int64
		stop         atomic.Bool
	)
	var wg sync.WaitGroup
	for n, b := range browsers {
		wg.Go(func() {
			rnd := rand.New(rand.NewPCG(uint64(n), 7))
			for i := 0; !stop.Load(); i++ {
				id := ids[rnd.IntN(len(ids))]
				path := "/orders/" + id + "/references"
				p, err := b.Do(http.MethodGet, path, nil, nil)
				if err != nil {
					return // the server is gone
				}
				if p.Status() != http.StatusOK {
					mu.Lock()
					statuses[-p.Status()]++ // a form that did not open
					mu.Unlock()
					continue
				}
				form := apptest.FormValues(p, `form[data-testid="change-form"]`)
				key := form.Get("idempotency_key")
				form.Set("reason", "data_correction")
				form.Set("merchant_reference1", fmt.Sprintf("crash-%02d-%05d", n, i))
				r, err := b.Do(http.MethodPost, path, url.Values(form), nil)
				if err != nil {
					mu.Lock()
					cut++
					mu.Unlock()
					return
				}
				mu.Lock()
				statuses[r.Status()]++
				if r.Status() == http.StatusSeeOther {
					acknowledged = append(acknowledged, key)
					confirmed.Add(1)
				}
				mu.Unlock()
			}
		})
	}
	deadline := time.After(killDeadline)
wait:
	for confirmed.Load() < killAfter {
		select {
		case <-deadline:
			break wait
		case <-time.After(20 * time.Millisecond):
		}
	}
	srv.kill(t)
	stop.Store(true)
	wg.Wait()
	t.Logf("killed after %d confirmed changes; %d submits cut by the crash; answers by status %v", confirmed.Load(), cut, statuses)
	if confirmed.Load() == 0 {
		t.Fatalf("no change was confirmed before the kill; answers %v\n%s", statuses, srv.Out)
	}
	for st, n := range statuses {
		if st >= 500 || st < 0 {
			t.Errorf("%d answers with status %d under load (negative: the form's GET)", n, st)
		}
	}

	// Restart: start-up recovery closes what the crash left open.
	again := adm.serve(ctx)
	phase("restarted")
	again.stop(t)
	phase("stopped")

	checkFiles(t, dataDir, acknowledged)
}

func agentEmail(i int) string { return fmt.Sprintf("agent%02d@crash.example", i) }

// openSQLite opens a SQLite file read-only for the checks.
func openSQLite(t *testing.T, path string) *sql.DB {
	t.Helper()
	d, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// openOrderIDs lists the sandbox's orders that take a references change
// (all but cancelled ones).
func openOrderIDs(t *testing.T, sandboxDB string) []string {
	t.Helper()
	rows, err := openSQLite(t, sandboxDB).Query(`SELECT id, doc FROM omsim_orders`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id, doc string
		if err := rows.Scan(&id, &doc); err != nil {
			t.Fatal(err)
		}
		var rec struct {
			Order struct {
				Status string `json:"status"`
			} `json:"order"`
		}
		if err := json.Unmarshal([]byte(doc), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Order.Status != "CANCELLED" {
			ids = append(ids, id)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// checkFiles checks the databases after the crash and the restart.
func checkFiles(t *testing.T, dataDir string, acknowledged []string) {
	t.Helper()
	ctx := context.Background()
	for _, name := range []string{"admin.db", "audit.db", "sandbox.db"} {
		if err := db.CheckFile(ctx, filepath.Join(dataDir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	v, err := audit.VerifyFile(ctx, filepath.Join(dataDir, "audit.db"))
	if err != nil || !v.OK {
		t.Fatalf("audit chain after the crash: %+v %v", v, err)
	}

	// What the sandbox applied: one saved 2xx answer per applied change,
	// under its idempotency key; and the per-order applied counters.
	sb := openSQLite(t, filepath.Join(dataDir, "sandbox.db"))
	appliedKeys, err := omsim.AppliedKeys(ctx, sb)
	if err != nil {
		t.Fatal(err)
	}
	var appliedTotal int
	if err := sb.QueryRow(`SELECT coalesce(sum(json_extract(doc, '$.applied')), 0) FROM omsim_orders`).Scan(&appliedTotal); err != nil {
		t.Fatal(err)
	}
	if appliedTotal != len(appliedKeys) {
		t.Errorf("the sandbox applied %d changes but holds %d answered keys: a change without a key", appliedTotal, len(appliedKeys))
	}

	log, err := audit.Open(ctx, filepath.Join(dataDir, "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	for _, key := range appliedKeys {
		as, err := log.AttemptsByKey(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if len(as) == 0 {
			t.Errorf("the sandbox applied key %s but the audit log has no requested event for it", key)
		}
		for _, a := range as {
			if a.Completed == nil {
				t.Errorf("attempt %s (key %s) has no completed event after the restart", a.AttemptID, key)
			} else if o := a.Outcome(); o != audit.OutcomeSucceeded && o != audit.OutcomeUnknown {
				t.Errorf("applied key %s recorded as %s", key, o)
			}
		}
	}
	for _, key := range acknowledged {
		as, err := log.AttemptsByKey(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if len(as) == 0 || as[0].Outcome() != audit.OutcomeSucceeded {
			t.Errorf("a change the agent saw confirmed (key %s) is not recorded as succeeded: %d attempts", key, len(as))
		}
	}

	// Every requested event has its completed event: walk every order the
	// sandbox holds.
	var orderIDs []string
	idRows, err := sb.Query(`SELECT id FROM omsim_orders`)
	if err != nil {
		t.Fatal(err)
	}
	for idRows.Next() {
		var id string
		if err := idRows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		orderIDs = append(orderIDs, id)
	}
	idRows.Close()
	attempts, recovered := 0, 0
	for _, id := range orderIDs {
		as, err := log.OrderAttempts(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			attempts++
			if a.Completed == nil {
				t.Errorf("order %s: attempt %s requested but never completed", id, a.AttemptID)
				continue
			}
			if a.Completed.Detail["recovered"] == "true" {
				recovered++
				if a.Outcome() != audit.OutcomeUnknown {
					t.Errorf("recovered attempt %s is %s, want unknown", a.AttemptID, a.Outcome())
				}
			}
		}
	}
	t.Logf("sandbox applied %d changes; audit holds %d attempts, %d closed as unknown by start-up recovery; %d confirmed to agents; chain of %d events intact",
		len(appliedKeys), attempts, recovered, len(acknowledged), v.Events)
	if attempts < len(appliedKeys) {
		t.Errorf("%d attempts in the audit log for %d applied changes", attempts, len(appliedKeys))
	}
}
