package fleettest

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"ordercare/internal/apptest"
	"ordercare/internal/audit"
	"ordercare/internal/bulk"
	"ordercare/internal/db"
	"ordercare/internal/db/dbtest"
	"ordercare/internal/money"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/proctest"
)

const (
	instances      = 3
	agents         = 50
	ordersPerAgent = 4
	bulkOrders     = 40
	agentPass      = "fleet-test-agent-password"
	sandboxUser    = "fleet"
	// killAfter: SIGKILL once this many changes were acknowledged and the
	// bulk job has sent some orders, or killDeadline after the load began.
	killAfter    = 100
	killDeadline = 20 * time.Second
	// downFor: the survivors alone carry the load this long before the
	// killed instance is started again; afterRestart: all carry it this
	// long after.
	downFor      = 3 * time.Second
	afterRestart = 5 * time.Second
	// providerLatency: how long the provider takes for a change.
	providerLatency = 150 * time.Millisecond
)

// change is one submit of an agent's form.
type change struct {
	agent        int
	order, op    string
	key          string
	Status       int
	acknowledged bool // the success answer: 303 to the order page
	cut          bool // no instance answered (the proxy's 502, or none at all)
}

// TestFleetOfInstancesSurvivesSIGKILLOfOne runs three instances of the
// real back office (cmd/admin serve) as processes on one PostgreSQL
// schema, each with its own name and data folder, all against one
// provider sandbox (`admin sandbox` in a process of its own, so a change
// through any instance changes the same provider order), behind a
// round-robin reverse proxy. It checks first that a session made on one
// instance is valid on the others and that a sign-out on one is honoured
// by all; then 50 agents change orders of their own through the proxy
// (extend, references, capture, references; the success answer
// remembered per idempotency key) while a bulk capture job runs, and the
// instance running the job is killed with SIGKILL mid-run, left down
// (the proxy skips it) until a survivor has taken up the job, and started
// again. The provider is reached through a link that holds each change
// 150 ms, so attempts are in flight everywhere at the kill and at the
// restart. After the job has finished and every process has stopped, it
// checks:
//   - no acknowledged change is lost: each has exactly one attempt,
//     completed as succeeded, in the shared audit log, and the provider
//     applied its key;
//   - every change the provider applied has its attempt, and the provider
//     applied nothing without a key (its applied counters match);
//   - every requested event of the log has its completed event; the
//     ones start-up recovery closed (as unknown) are the killed
//     instance's only;
//   - the bulk job finished, each of its orders sent once (one attempt,
//     one capture at the provider), its sends in one block per instance:
//     it did not run on two instances at once when its lease moved;
//   - the audit log every instance appended to is one chain that
//     verifies.
func TestFleetOfInstancesSurvivesSIGKILLOfOne(t *testing.T) {
	if testing.Short() {
		t.Skip("fleet test: builds and runs the server (skipped with -short)")
	}
	pg := dbtest.Postgres(t) // skips without a server, fails under CI=true
	begin := time.Now()
	phase := func(what string) { t.Logf("%6.1fs %s", time.Since(begin).Seconds(), what) }
	// Build first, outside the deadline: it bounds the processes'
	// liveness, and a cold build on a busy machine can take minutes alone.
	bin := proctest.BuildAdmin(t)
	phase("built cmd/admin")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := t.TempDir()

	// One provider sandbox for all instances.
	sbAddr, sbPass := proctest.FreeAddr(t), randomHex(t)
	sbURL := "http://" + sbAddr
	sandbox := proctest.Start(ctx, t, "sandbox", bin, proctest.Environ(), func() bool { return proctest.Answers200(sbURL+"/sandbox/orders", sandboxUser, sbPass) },
		"sandbox", "-addr", sbAddr, "-user", sandboxUser, "-password", sbPass, "-db", filepath.Join(dir, "sandbox.db"))
	own := make([][]string, agents)
	ids := createOrders(ctx, t, sbURL, sbPass, agents*ordersPerAgent+bulkOrders)
	for n := range own {
		own[n] = ids[n*ordersPerAgent : (n+1)*ordersPerAgent]
	}
	bulkIDs := ids[agents*ordersPerAgent:]
	phase("sandbox up with the test's orders")

	// The instances reach it across a link that holds every change a
	// while, as a remote provider's does: the attempts stay open long
	// enough that some are in flight on every instance at any moment,
	// the kill's and the restart's included.
	target, _ := url.Parse(sbURL)
	slow := httputil.NewSingleHostReverseProxy(target)
	slow.ErrorLog = log.New(io.Discard, "", 0) // the killed instance's calls end mid-way
	remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			time.Sleep(providerLatency)
		}
		slow.ServeHTTP(w, r)
	}))
	defer remote.Close()

	// One checkpoint key for the fleet: the instances sign the shared
	// log's checkpoints into the database, and the kill must leave them
	// consistent with the chain.
	signingKey, verifierKey, err := audit.GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	common := []string{"ORDERCARE_AUDIT_SIGNING_KEY=" + signingKey, "ORDERCARE_AUDIT_VERIFIER_KEY=" + verifierKey,
		"ORDERCARE_DATABASE_URL=" + pg.URL, "ORDERCARE_OM_URL=" + remote.URL, "ORDERCARE_OM_USER=" + sandboxUser,
		"ORDERCARE_OM_PASSWORD=" + sbPass, "ORDERCARE_STAFF_KEY=" + strings.Repeat("5a", 32),
		// The members are made with `admin user add`; this test is about
		// the fleet, not their second factor (tested in handlers and e2e).
		"ORDERCARE_MFA=off",
		// A slow job, so that the kill lands in its middle.
		"ORDERCARE_BULK_RATE=2"}
	instanceEnv := func(name, addr string) []string {
		return proctest.Environ(append(slices.Clone(common), "ORDERCARE_INSTANCE="+name, "ORDERCARE_ADDR="+addr,
			"ORDERCARE_DB="+filepath.Join(dir, name, "admin.db"))...)
	}

	// The members, made the way an admin makes a fleet's: the first alone
	// (it makes the tables), then a few at a time.
	userEnv := proctest.Environ("ORDERCARE_DATABASE_URL=" + pg.URL)
	proctest.Run(t, bin, userEnv, agentPass+"\n", "user", "add", "--email", "supervisor@fleet.example", "--role", "supervisor")
	var adds sync.WaitGroup
	sem := make(chan struct{}, 4)
	for n := range agents {
		adds.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			proctest.Run(t, bin, userEnv, agentPass+"\n", "user", "add", "--email", agentEmail(n), "--role", "agent")
		})
	}
	adds.Wait()
	// The bulk job's orders in the order index, where the job reads them.
	csv := filepath.Join(dir, "bulk.csv")
	if err := os.WriteFile(csv, []byte("order_id\n"+strings.Join(bulkIDs, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	proctest.Run(t, bin, instanceEnv("fleet-indexer", proctest.FreeAddr(t)), "", "index", "import", csv)
	if t.Failed() {
		t.FailNow()
	}
	phase("members added, bulk orders indexed")

	names := []string{"fleet-a", "fleet-b", "fleet-c"}[:instances]
	procs := make([]*proctest.Process, instances)
	backends := make([]*backend, instances)
	serve := func(i int) *proctest.Process {
		b := backends[i]
		return proctest.Start(ctx, t, b.name, bin, instanceEnv(b.name, b.host), func() bool { return proctest.Answers200("http://"+b.host+"/healthz", "", "") }, "serve")
	}
	for i, name := range names {
		backends[i] = &backend{name: name, host: proctest.FreeAddr(t)}
		procs[i] = serve(i)
	}
	lb := newProxy(backends)
	front := httptest.NewServer(lb.handler)
	defer front.Close()
	phase(fmt.Sprintf("%d instances up behind the proxy", instances))

	checkSessionsShared(t, backends)
	phase("sessions shared by the instances")

	// While the instances run, the test reads their tables with plain
	// queries (read-only sessions): an audit log or bulk service opened
	// here would write to the shared tables too (its search index).
	shared, err := sql.Open("pgx", pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Close()

	// Everyone signs in through the proxy.
	browsers := make([]*apptest.Browser, agents)
	var signIns sync.WaitGroup
	for n := range browsers {
		browsers[n] = apptest.NewBrowser(front.URL, 2*time.Minute)
		signIns.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := browsers[n].SignIn(agentEmail(n), agentPass); err != nil {
				t.Error(err)
			}
		})
	}
	signIns.Wait()
	supervisor := apptest.NewBrowser(front.URL, 2*time.Minute)
	if err := supervisor.SignIn("supervisor@fleet.example", agentPass); err != nil {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}
	phase("agents signed in through the proxy")

	// The job starts before the load: it is running when the kill comes.
	jobID := startBulkCapture(t, supervisor, bulkIDs)
	phase("bulk capture job " + jobID + " started")

	var (
		mu        sync.Mutex
		changes   []change
		statuses  = map[int]int{}
		signedOut atomic.Int64
		acked     atomic.Int64
		stop      atomic.Bool
		load      sync.WaitGroup
	)
	defer stop.Store(true) // a failure below ends the agents too
	for n, b := range browsers {
		load.Go(func() {
			agentLoop(b, n, own[n], &stop, &signedOut, func(c change) {
				mu.Lock()
				defer mu.Unlock()
				changes = append(changes, c)
				statuses[c.Status]++
				if c.acknowledged {
					acked.Add(1)
				}
			})
		})
	}
	phase("load started")

	// The victim is the instance running the job (the bulk lease's
	// holder), once it has sent some of it and the agents have had a
	// number of changes acknowledged; at the deadline, whichever runs it.
	victim, runnerKilled := -1, false
	deadline := time.Now().Add(killDeadline)
	for victim < 0 || (acked.Load() < killAfter && time.Now().Before(deadline)) {
		if who := bulkRunner(ctx, t, shared, jobID); who != "" {
			victim, runnerKilled = slices.Index(names, who), true
		} else if !time.Now().Before(deadline) {
			victim = 1 // the job has not sent anything yet: any instance will do
		}
		time.Sleep(100 * time.Millisecond)
	}
	runnerKilled = runnerKilled && !bulkFinished(ctx, t, shared, jobID)
	procs[victim].Kill(t)
	backends[victim].down.Store(true)
	killedAt, downUntil := acked.Load(), time.Now().Add(downFor)
	phase(fmt.Sprintf("killed %s (SIGKILL) after %d acknowledged changes", names[victim], killedAt))
	// The killed instance stays down until a survivor has taken the job's
	// lease and sent an order of it (the lease is free once the server
	// sees the dead connection; a survivor asks every 5 s and waits 5 s
	// more before it starts), so the lease is seen to move.
	for runnerKilled {
		who := bulkRunner(ctx, t, shared, jobID)
		if who != names[victim] || bulkFinished(ctx, t, shared, jobID) {
			phase("the bulk job taken up by " + who)
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no survivor took up the bulk job of the killed %s", names[victim])
		case <-time.After(100 * time.Millisecond):
		}
	}
	time.Sleep(time.Until(downUntil))
	procs[victim] = serve(victim)
	backends[victim].down.Store(false)
	restartedAt := time.Now()
	phase(fmt.Sprintf("restarted %s; %d acknowledged changes so far", names[victim], acked.Load()))
	time.Sleep(afterRestart)
	stop.Store(true)
	load.Wait()
	phase("load stopped")

	for !bulkFinished(ctx, t, shared, jobID) {
		select {
		case <-ctx.Done():
			t.Fatalf("the bulk job did not finish in time\n%s", procs[victim].Out)
		case <-time.After(250 * time.Millisecond):
		}
	}
	phase("bulk job finished")

	var stops sync.WaitGroup
	for _, p := range procs {
		stops.Go(func() { stopProcess(t, p) })
	}
	stops.Wait()
	stopProcess(t, sandbox)
	phase("stopped")

	// No attempt is left open anywhere in the log, whatever its order.
	var requested, open int
	if err := shared.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM events c
		WHERE c.kind = 'completed' AND c.attempt_id = r.attempt_id)) FROM events r WHERE r.kind = 'requested'`).Scan(&requested, &open); err != nil {
		t.Fatal(err)
	}
	if open != 0 {
		t.Errorf("%d of the log's %d requested events have no completed event after the restart", open, requested)
	}

	// Nothing else writes now: the checks open the audit log and the bulk
	// jobs as a store would.
	checker, err := audit.OpenWith(ctx, filepath.Join(dir, "checker", "audit.db"), audit.Options{DatabaseURL: pg.URL, Instance: "fleet-checker"})
	if err != nil {
		t.Fatal(err)
	}
	defer checker.Close()
	adminDB, err := db.OpenPostgres(ctx, pg.URL, db.AdminWriter)
	if err != nil {
		t.Fatal(err)
	}
	defer adminDB.Close()
	jobs, err := bulk.Open(ctx, adminDB, checker, nil, bulk.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, items, err := jobs.Job(ctx, jobID)
	if err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	for st, n := range statuses {
		if st >= 500 || st < 0 {
			// Only the proxy's 502 (no instance answered) is expected.
			cut := 0
			for _, c := range changes {
				if c.Status == st && c.cut {
					cut++
				}
			}
			if cut != n {
				t.Errorf("%d answers with status %d from an instance under load", n-cut, st)
			}
		}
	}
	if n := signedOut.Load(); n > 0 {
		t.Errorf("%d requests of signed-in agents were sent to the sign-in: a session not valid on every instance", n)
	}
	check(ctx, t, checkInput{
		url: pg.URL, verifierKey: verifierKey, sandboxDB: filepath.Join(dir, "sandbox.db"), log: checker, changes: changes,
		victim: names[victim], bulkIDs: bulkIDs, items: items, statuses: statuses, killedAt: killedAt,
		restartedAt: restartedAt,
	})
	phase("checked")
}

// agentLoop is one agent changing its own orders until stop: for each
// order in turn an extension, a references change, a full capture and a
// references change; once its orders are used up, references changes on
// the last one. A change not acknowledged moves it to its next order
// (where the last one stands is then unknown to it).
func agentLoop(b *apptest.Browser, n int, own []string, stop *atomic.Bool, signedOut *atomic.Int64, record func(change)) {
	type step struct {
		slug, op string
		set      func(v url.Values, i int)
	}
	refs := step{"references", "update_merchant_references", func(v url.Values, i int) {
		v.Set("reason", "data_correction")
		v.Set("merchant_reference1", fmt.Sprintf("fleet-%02d-%05d", n, i))
	}}
	steps := []step{
		{"extend", "extend_authorization_time", func(v url.Values, _ int) { v.Set("reason", "delivery_delayed") }},
		refs,
		{"capture", "create_capture", func(v url.Values, _ int) { v.Set("mode", "full"); v.Set("reason", "shipped") }},
		refs,
	}
	oi, si := 0, 0
	next := func() { oi, si = oi+1, 0 }
	for i := 0; !stop.Load(); i++ {
		id, st := own[min(oi, len(own)-1)], refs
		if oi < len(own) {
			st = steps[si]
		}
		path := "/orders/" + id + "/" + st.slug
		p, err := b.Do(http.MethodGet, path, nil, nil)
		if err != nil || p.Header().Get(proxyHeader) != "" {
			time.Sleep(50 * time.Millisecond) // the instance died under the GET: read the form again
			continue
		}
		if p.Status() == http.StatusSeeOther && strings.HasPrefix(p.Location(), "/login") {
			signedOut.Add(1)
			return
		}
		form := apptest.FormValues(p, `form[data-testid="change-form"]`)
		key := form.Get("idempotency_key")
		if p.Status() != http.StatusOK || key == "" {
			next() // the form is not offered for this order as it stands
			continue
		}
		st.set(form, i)
		c := change{agent: n, order: id, op: st.op, key: key}
		r, err := b.Do(http.MethodPost, path, form, nil)
		switch {
		case err != nil:
			c.cut, c.Status = true, -1
		case r.Header().Get(proxyHeader) != "":
			c.cut, c.Status = true, r.Status()
		default:
			c.Status = r.Status()
			c.acknowledged = r.Status() == http.StatusSeeOther && r.Location() == "/orders/"+id
			if r.Status() == http.StatusSeeOther && strings.HasPrefix(r.Location(), "/login") {
				signedOut.Add(1)
			}
		}
		record(c)
		if c.acknowledged && oi < len(own) {
			if si++; si == len(steps) {
				next()
			}
		} else if !c.acknowledged {
			next()
		}
	}
}

// startBulkCapture starts a capture of the orders ids as a supervisor
// does on the order list (tick, review, confirm) and returns the job's id.
func startBulkCapture(t *testing.T, sup *apptest.Browser, ids []string) string {
	t.Helper()
	list, err := sup.Do(http.MethodGet, "/orders", nil, nil)
	if err != nil || list.Status() != http.StatusOK {
		t.Fatalf("order list: %v %d", err, list.Status())
	}
	review := url.Values{"_csrf": {list.Doc.Find(`input[name="_csrf"]`).First().AttrOr("value", "")},
		"op": {string(omclient.OpCreateCapture)}, "scope": {"ticked"}, "list": {""}, "order": ids}
	conf, err := sup.Do(http.MethodPost, "/orders/bulk", review, nil)
	if err != nil || conf.Status() != http.StatusOK {
		t.Fatalf("bulk review: %v %d", err, conf.Status())
	}
	form := apptest.FormValues(conf, `form[data-testid="bulk-start-form"]`)
	form.Set("reason", "shipped")
	job := form.Get("job")
	r, err := sup.Do(http.MethodPost, "/bulk", form, nil)
	if err != nil || r.Status() != http.StatusSeeOther || r.Location() != "/bulk/"+job {
		t.Fatalf("bulk start: %v %d %q", err, r.Status(), r.Location())
	}
	return job
}

// bulkRunner names the instance that sent the job's orders so far, once
// it has sent two ("" before).
func bulkRunner(ctx context.Context, t *testing.T, shared *sql.DB, jobID string) string {
	t.Helper()
	var sent int
	var who sql.NullString
	err := shared.QueryRowContext(ctx, `SELECT count(*), (array_agg(e.instance ORDER BY e.seq DESC))[1] FROM bulk_items i
		JOIN events e ON e.kind = 'requested' AND e.idempotency_key = 'bulk-' || i.job_id || '-' || i.order_id
		WHERE i.job_id = $1 AND i.state = 'sent'`, jobID).Scan(&sent, &who)
	if err != nil {
		t.Fatal(err)
	}
	if sent < 2 {
		return ""
	}
	return who.String
}

// bulkFinished reports whether the job has its outcome for every order.
func bulkFinished(ctx context.Context, t *testing.T, shared *sql.DB, jobID string) bool {
	t.Helper()
	var finished string
	if err := shared.QueryRowContext(ctx, `SELECT finished_at FROM bulk_jobs WHERE id = $1`, jobID).Scan(&finished); err != nil {
		t.Fatal(err)
	}
	return finished != ""
}

// checkSessionsShared signs in directly on the first instance, shows the
// session is valid directly on the others, signs out on the first and
// shows the ended session opens none of them.
func checkSessionsShared(t *testing.T, backends []*backend) {
	t.Helper()
	on := func(b *backend, c *http.Client) *apptest.Browser {
		return &apptest.Browser{Base: "http://" + b.host, Client: c}
	}
	home := apptest.NewBrowser("http://"+backends[0].host, 2*time.Minute)
	if err := home.SignIn("supervisor@fleet.example", agentPass); err != nil {
		t.Fatal(err)
	}
	for _, b := range backends[1:] {
		p, err := on(b, home.Client).Do(http.MethodGet, "/", nil, nil)
		if err != nil || p.Status() != http.StatusOK {
			t.Fatalf("%s's start page with a session made on %s: %v %d (%s), want 200", b.name, backends[0].name, err, p.Status(), p.Location())
		}
	}
	// Cookies are per host, not per port: the jar sent them to every
	// instance; keep them aside, then sign out on the first.
	u, _ := url.Parse("http://" + backends[0].host)
	kept := home.Client.Jar.Cookies(u)
	p, err := home.Do(http.MethodGet, "/", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := apptest.FormValues(p, `form[action="/logout"]`)
	if r, err := home.Do(http.MethodPost, "/logout", out, nil); err != nil || r.Status() != http.StatusSeeOther {
		t.Fatalf("sign-out on %s: %v %d", backends[0].name, err, r.Status())
	}
	for _, b := range backends {
		old := apptest.NewBrowser("http://"+b.host, 2*time.Minute)
		old.Client.Jar.SetCookies(u, kept)
		p, err := old.Do(http.MethodGet, "/", nil, nil)
		if err != nil || p.Status() != http.StatusSeeOther || !strings.HasPrefix(p.Location(), "/login") {
			t.Fatalf("%s's start page with the session signed out on %s: %v %d (%s), want 303 to the sign-in", b.name, backends[0].name, err, p.Status(), p.Location())
		}
	}
}

type checkInput struct {
	url, sandboxDB string
	verifierKey    string // the fleet's checkpoint key
	log            *audit.Log
	changes        []change
	victim         string
	bulkIDs        []string
	items          []bulk.Item
	statuses       map[int]int
	killedAt       int64
	restartedAt    time.Time
}

// sandboxOrder is what the checks read of an order the sandbox stored.
type sandboxOrder struct {
	Order struct {
		Status   string            `json:"status"`
		Captures []json.RawMessage `json:"captures"`
	} `json:"order"`
	Applied int `json:"applied"`
}

// check reads the shared audit log and the sandbox's file after every
// process stopped.
func check(ctx context.Context, t *testing.T, in checkInput) {
	t.Helper()
	v, err := audit.VerifyFile(ctx, in.url)
	if err != nil || !v.OK {
		t.Fatalf("audit chain after the kill: %+v %v", v, err)
	}
	// The checkpoints the instances signed, the killed one's included,
	// all match the chain, and the newest covers it to its end (the last
	// instance to stop signed at its close).
	notes, err := audit.CheckpointNotes(ctx, in.url)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := note.NewVerifier(in.verifierKey)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := audit.VerifySources(ctx, in.url, []audit.CheckpointSource{{Name: audit.CheckpointTable, Notes: notes}}, verifier)
	if err != nil || !rep.OK() || rep.Checkpoints < 2 || rep.Matched != rep.Checkpoints || rep.Latest.Count != v.Events {
		t.Fatalf("the fleet's checkpoints after the kill: %+v %v (chain of %d events)", rep, err, v.Events)
	}
	t.Logf("checkpoints: %d signed by the fleet, all matching the chain of %d events", rep.Checkpoints, v.Events)

	// What the provider applied: one saved 2xx answer per applied change,
	// under its idempotency key; the orders with their applied counters.
	sb, err := sql.Open("sqlite", "file:"+(&url.URL{Path: in.sandboxDB}).EscapedPath()+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	keys, err := omsim.AppliedKeys(ctx, sb)
	if err != nil {
		t.Fatal(err)
	}
	applied := map[string]bool{}
	for _, key := range keys {
		applied[key] = true
	}
	orderRows, err := sb.QueryContext(ctx, `SELECT id, doc FROM omsim_orders`)
	if err != nil {
		t.Fatal(err)
	}
	provider := map[string]sandboxOrder{}
	appliedTotal := 0
	for orderRows.Next() {
		var id, doc string
		if err := orderRows.Scan(&id, &doc); err != nil {
			t.Fatal(err)
		}
		var o sandboxOrder
		if err := json.Unmarshal([]byte(doc), &o); err != nil {
			t.Fatal(err)
		}
		provider[id] = o
		appliedTotal += o.Applied
	}
	if err := orderRows.Close(); err != nil {
		t.Fatal(err)
	}
	if appliedTotal != len(applied) {
		t.Errorf("the provider applied %d changes but holds %d answered keys: a change without a key, or one applied twice", appliedTotal, len(applied))
	}

	// No acknowledged change lost: one attempt, succeeded, applied.
	made, acked, lost, cut := len(in.changes), 0, 0, 0
	for _, c := range in.changes {
		if c.cut {
			cut++
		}
		if !c.acknowledged {
			continue
		}
		acked++
		as, err := in.log.AttemptsByKey(ctx, c.key)
		if err != nil {
			t.Fatal(err)
		}
		if len(as) != 1 || as[0].Outcome() != audit.OutcomeSucceeded || !applied[c.key] {
			lost++
			t.Errorf("acknowledged %s of order %s (key %s): %d attempts, applied %v", c.op, c.order, c.key, len(as), applied[c.key])
		}
	}
	// Every applied change has its attempt, completed.
	for key := range applied {
		as, err := in.log.AttemptsByKey(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if len(as) == 0 {
			t.Errorf("the provider applied key %s but the audit log has no attempt for it", key)
		}
		for _, a := range as {
			if o := a.Outcome(); o != audit.OutcomeSucceeded && o != audit.OutcomeUnknown {
				t.Errorf("applied key %s recorded as %q", key, o)
			}
		}
	}

	// Every attempt of every order is completed; recovery closed the
	// killed instance's only.
	attempts, unknown, recovered, afterRestart := 0, 0, 0, 0
	byInstance := map[string]int{}
	for id := range provider {
		as, err := in.log.OrderAttempts(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			attempts++
			byInstance[a.Requested.Instance]++
			if a.Requested.Instance == in.victim && a.Requested.Time.After(in.restartedAt) {
				afterRestart++
			}
			if a.Completed == nil {
				t.Errorf("order %s: attempt %s (instance %s) requested but never completed", id, a.AttemptID, a.Requested.Instance)
				continue
			}
			if a.Outcome() == audit.OutcomeUnknown {
				unknown++
			}
			if a.Completed.Detail["recovered"] == "true" {
				recovered++
				if a.Requested.Instance != in.victim || a.Completed.Instance != in.victim {
					t.Errorf("attempt %s requested by %s was closed by %s's recovery: a survivor's attempt touched", a.AttemptID, a.Requested.Instance, a.Completed.Instance)
				}
				if a.Outcome() != audit.OutcomeUnknown {
					t.Errorf("recovered attempt %s is %s, want unknown", a.AttemptID, a.Outcome())
				}
			}
		}
	}
	if attempts < len(applied) {
		t.Errorf("%d attempts in the audit log for %d applied changes", attempts, len(applied))
	}

	// The bulk job: each order sent once, captured once.
	counts := bulk.Count(in.items)
	bulkBy := map[string]int{}
	var sends []audit.Event // the job's requested events
	for _, it := range in.items {
		o := provider[it.OrderID]
		as, err := in.log.OrderAttempts(ctx, it.OrderID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			bulkBy[a.Requested.Instance]++
			sends = append(sends, a.Requested)
		}
		switch it.State {
		case bulk.StateSent:
			if len(as) != 1 || len(o.Order.Captures) != 1 || o.Applied != 1 {
				t.Errorf("bulk order %s sent: %d attempts, %d captures, %d applied; want 1 each", it.OrderID, len(as), len(o.Order.Captures), o.Applied)
			}
		case bulk.StateUnknown:
			// Cut by the kill: sent at most once.
			if len(as) > 1 || len(o.Order.Captures) > 1 || o.Applied > 1 {
				t.Errorf("bulk order %s unknown: %d attempts, %d captures, %d applied; want at most 1 each", it.OrderID, len(as), len(o.Order.Captures), o.Applied)
			}
			t.Logf("fleet: bulk order %s cut by the kill (unknown): %d capture(s) at the provider", it.OrderID, len(o.Order.Captures))
		default:
			t.Errorf("bulk order %s ended %s: %s", it.OrderID, it.State, it.Message)
		}
	}
	// One runner at a time: in chain order the job's sends come in one
	// block per instance (the killed one's, then the next lease holder's).
	// Runners without the lease would each take orders, interleaved.
	slices.SortFunc(sends, func(a, b audit.Event) int { return cmp.Compare(a.Seq, b.Seq) })
	var blocks []string
	for _, e := range sends {
		if len(blocks) == 0 || blocks[len(blocks)-1] != e.Instance {
			blocks = append(blocks, e.Instance)
		}
	}
	if len(blocks) != len(bulkBy) {
		t.Errorf("the bulk job's orders were sent by instances in turns %v: more than one runner at a time", blocks)
	}
	if counts.Unknown > 1 {
		t.Errorf("%d bulk orders unknown; one runner has at most one in flight when killed", counts.Unknown)
	}
	if len(in.items) != len(in.bulkIDs) {
		t.Errorf("the job holds %d orders, want %d", len(in.items), len(in.bulkIDs))
	}

	t.Logf("fleet: %d changes made, %d acknowledged, %d lost, %d unknown (%d closed by %s's start-up recovery), %d without an answer (cut by the kill); kill after %d acknowledged",
		made, acked, lost, unknown, recovered, in.victim, cut, in.killedAt)
	t.Logf("fleet: answers by status %v; attempts by instance %v (%d through %s after its restart); provider applied %d keyed changes; chain of %d events intact",
		in.statuses, byInstance, afterRestart, in.victim, len(applied), v.Events)
	t.Logf("fleet: bulk capture of %d orders: %d sent, %d unknown, %d refused, %d held; sent by instance %v, in turns %v",
		counts.Total, counts.Sent, counts.Unknown, counts.Refused, counts.Held, bulkBy, blocks)
}

func agentEmail(n int) string { return fmt.Sprintf("agent%02d@fleet.example", n) }

func randomHex(t *testing.T) string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// createOrders creates n authorized orders at the sandbox (POST
// /sandbox/orders, a few at a time) and returns their ids.
func createOrders(ctx context.Context, t *testing.T, base, pass string, n int) []string {
	t.Helper()
	const amount = 10000
	addr := &omclient.Address{GivenName: "Erika", FamilyName: "Mustermann", StreetAddress: "Heidestraße 17",
		PostalCode: "51147", City: "Köln", Country: "DE", Email: "erika@example.com"}
	line := omclient.OrderLine{Type: omclient.LineTypePhysical, Reference: "SKU-1", Name: "Lamp", Quantity: 1,
		UnitPrice: amount, TotalAmount: amount, TaxRate: 1900, TotalTaxAmount: money.TaxIncluded(amount, 1900)}
	ids := make([]string, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			body, _ := json.Marshal(omsim.NewOrder{PurchaseCountry: "DE", PurchaseCurrency: "EUR", Locale: "de-DE",
				OrderAmount: amount, OrderLines: []omclient.OrderLine{line}, BillingAddress: addr, ShippingAddress: addr,
				MerchantReference1:   fmt.Sprintf("FLEET-%04d", i),
				InitialPaymentMethod: &omclient.InitialPaymentMethod{Type: "INVOICE", Description: "Pay later"}})
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/sandbox/orders", bytes.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			req.SetBasicAuth(sandboxUser, pass)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			var created struct {
				OrderID string `json:"order_id"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&created); err != nil || resp.StatusCode != http.StatusCreated {
				t.Errorf("creating an order: %d %v", resp.StatusCode, err)
				return
			}
			ids[i] = created.OrderID
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return ids
}
