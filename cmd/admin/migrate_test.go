package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/jackc/pgx/v5"
	"github.com/pquerna/otp/totp"

	"ordercare/internal/app"
	"ordercare/internal/approvals"
	"ordercare/internal/audit"
	"ordercare/internal/bulk"
	"ordercare/internal/config"
	"ordercare/internal/datalock"
	"ordercare/internal/db"
	"ordercare/internal/db/dbtest"
	"ordercare/internal/intake"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/internal/outbox"
	"ordercare/internal/session"
	"ordercare/internal/shop/ucommerce"
	"ordercare/internal/staff"
)

const migratePassword = "correct horse battery staple"

// installed is what populatedInstall put into the SQLite install, to be
// found again on PostgreSQL.
type installed struct {
	dir        string
	approvalID string
	sessionTok string
	session    []byte
	maxStaffID int64
	orderQuery string // finds the indexed order by its phone number
	events     int64
	head       string
	attempts   int // the audit log's attempts on order-1, as its search finds them
	totpSecret string
	recovery   string // one of the admin's recovery codes
	agentID    int64
}

// ucKey seals the Ucommerce token in the test installs, and sealKey the
// second factors (the app's staff.key): both stay outside the databases
// and go along with the data folder.
var (
	ucKey       = bytes.Repeat([]byte{7}, 32)
	sealKey     = bytes.Repeat([]byte{9}, staff.SealKeySize)
	sealedStaff = staff.Options{Params: cheapStaff.Params, SealKey: sealKey}
)

// populatedInstall is a data folder a back office served and stopped:
// every admin table created by a start of the app (sandbox mode), then
// staff with passwords, a sign-in failure, a live session, an approval
// request, an outbox item, an indexed order, and audit events with signed
// checkpoints (the last ones after the approval's event).
func populatedInstall(t *testing.T) installed {
	t.Helper()
	ctx := t.Context()
	dir, pinned := servedFolder(t)
	if err := startFolder(t, dir, pinned); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(ctx, filepath.Join(dir, "admin.db"), db.SyncNormal)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	st, err := staff.Open(ctx, d, sealedStaff)
	if err != nil {
		t.Fatal(err)
	}
	boss, err := st.Add(ctx, "mig-boss@example.com", staff.RoleAdmin, migratePassword)
	if err != nil {
		t.Fatal(err)
	}
	en, err := st.BeginTOTP(ctx, boss, "ordercare")
	if err != nil {
		t.Fatal(err)
	}
	code, err := totp.GenerateCode(en.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	codes, err := st.ConfirmTOTP(ctx, boss, code, "192.0.2.7")
	if err != nil || len(codes) == 0 {
		t.Fatalf("confirm totp: %v %v", codes, err)
	}
	agent, err := st.Add(ctx, "mig-agent@example.com", staff.RoleAgent, migratePassword+" too")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddPasskey(ctx, agent.ID, "work key", &webauthn.Credential{ID: []byte{1, 2, 3, 0}, PublicKey: []byte{4, 5, 6}}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetNumberFormat(ctx, agent.ID, "1 234,56"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Authenticate(ctx, "mig-agent@example.com", "wrong", "192.0.2.7"); err == nil {
		t.Fatal("a wrong password signed in")
	}
	in := installed{dir: dir, agentID: agent.ID, totpSecret: en.Secret, recovery: codes[0], sessionTok: "session-token-1", session: []byte("\x00session\xffbytes"), maxStaffID: max(boss.ID, agent.ID)}
	ss, err := session.NewStore(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if err := ss.CommitCtx(ctx, in.sessionTok, in.session, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}

	// The log as the back office keeps it: checkpointed, one at its stop.
	l := checkpointedLog(t, dir, audit.Options{}, 10)
	ap, err := approvals.Open(ctx, d, l, nil, approvals.Policy{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := &omclient.Order{OrderID: "order-mig-1", Status: "AUTHORIZED", OrderAmount: 125000, RemainingAuthorizedAmount: 125000,
		PurchaseCurrency: "SEK", KlarnaReference: "KREF-77", CreatedAt: omclient.Time{Time: time.Now().Add(-time.Hour)},
		BillingAddress: &omclient.Address{GivenName: "Åsa", FamilyName: "Lindqvist", Email: "asa@example.com", Phone: "+46 73 555 01 99"}}
	r, _, err := ap.Submit(ctx, audit.Actor{StaffID: agent.ID, Email: "mig-agent@example.com", Role: "agent"}, o,
		orders.Change{OrderID: o.OrderID, Op: omclient.OpCancel, IdempotencyKey: "mig-key-1", Reason: "customer asked"}, "large order")
	if err != nil {
		t.Fatal(err)
	}
	in.approvalID = r.ID
	ob, err := outbox.Open(ctx, d, l, outbox.Options{URL: "https://shop.example/events", Secret: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	if err := ob.RecordCheckpoint(ctx, audit.Checkpoint{Count: 40, Head: "abc", Time: time.Now()}, []byte("note")); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	ix, err := orders.OpenIndex(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Upsert(ctx, o, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := ix.RecordView(ctx, agent.ID, o.OrderID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := ix.RecordShop(ctx, orders.ShopSnapshot{OrderID: o.OrderID, ShopOrderID: "shop-9", Number: "#1009", Fulfilled: true, ReadAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	bs, err := bulk.Open(ctx, d, nil, nil, bulk.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := bs.Start(ctx, bulk.Job{ID: "bulk-job-1", Op: omclient.OpCancel, Reason: "fraud ring", By: audit.Actor{StaffID: boss.ID, Role: "admin"}},
		[]bulk.Item{{JobID: "bulk-job-1", Seq: 1, OrderID: o.OrderID, Currency: "SEK", Amount: 125000}}); err != nil {
		t.Fatal(err)
	}
	in.orderQuery = "0735550199"
	if page, err := ix.Search(ctx, orders.SearchQuery{Q: in.orderQuery}); err != nil || len(page.Orders) != 1 || page.Orders[0].OrderID != o.OrderID {
		t.Fatalf("the source finds the order by phone: %v %v", page, err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	uc, err := ucommerce.NewSQLStore(ctx, d, ucKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := uc.Save(ctx, "uc-refresh-token", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	is, err := intake.Open(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := intake.NewQueue(is, nil, intake.QueueOptions{}).Enqueue(ctx, []string{"0b8f2b52-1f0e-4c4e-9d2a-5b1c3e6f7a81", "0b8f2b52-1f0e-4c4e-9d2a-5b1c3e6f7a82"}, "csv"); err != nil || n != 2 {
		t.Fatalf("enqueue: %d %v", n, err)
	}
	appendServed(t, dir, 12)
	in.events, in.head = logHead(t, filepath.Join(dir, "audit.db"), "")
	in.attempts = orderAttempts(t, filepath.Join(dir, "audit.db"), "")
	if in.attempts == 0 {
		t.Fatal("no attempts found in the source")
	}
	return in
}

// orderAttempts is how many attempts on order-1 the log's search finds.
func orderAttempts(t *testing.T, path, url string) int {
	t.Helper()
	l, err := audit.OpenWith(t.Context(), path, audit.Options{DatabaseURL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.SyncIndex(t.Context()); err != nil {
		t.Fatal(err)
	}
	page, err := l.Attempts(t.Context(), audit.Filter{OrderID: "order-1"}, "")
	if err != nil {
		t.Fatal(err)
	}
	return len(page.Rows)
}

func logHead(t *testing.T, path, url string) (int64, string) {
	t.Helper()
	l, err := audit.OpenWith(t.Context(), path, audit.Options{DatabaseURL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	seq, hash, err := l.Head(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return seq, hash
}

func migrate(t *testing.T, dir, url string) (string, error) {
	t.Helper()
	e, out, errOut := testEnv(nil, nil)
	err := run(t.Context(), []string{"migrate-to-postgres", "--from", dir, "--to", url}, e)
	return out.String() + errOut.String(), err
}

// pgTables are the tables of the schema a test URL names.
func pgTables(t *testing.T, url string) []string {
	t.Helper()
	c, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.WithoutCancel(t.Context()))
	rows, err := c.Query(t.Context(), `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func TestMigrateToPostgres(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	in := populatedInstall(t)
	url := dbtest.Postgres(t).URL

	out, err := migrate(t, in.dir, url)
	if err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	t.Log(out)

	// A second run finds ordercare's tables there and copies nothing.
	before := pgTables(t, url)
	if out, err := migrate(t, in.dir, url); err == nil || !strings.Contains(err.Error(), "already holds") {
		t.Fatalf("a second migration into the same schema: %v\n%s", err, out)
	}
	if after := pgTables(t, url); strings.Join(after, ",") != strings.Join(before, ",") {
		t.Fatalf("tables changed by the refused run: %v -> %v", before, after)
	}
	if n, _ := logHead(t, filepath.Join(in.dir, "audit.db"), url); n != in.events {
		t.Fatalf("the refused run changed the log: %d events", n)
	}

	pd, err := db.OpenPostgres(ctx, url, "admin")
	if err != nil {
		t.Fatal(err)
	}
	defer pd.Close()
	st, err := staff.Open(ctx, pd, sealedStaff)
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.Authenticate(ctx, "mig-boss@example.com", migratePassword, "192.0.2.1")
	if err != nil || m.Role != staff.RoleAdmin {
		t.Fatalf("the admin signs in on PostgreSQL: %v %v", m, err)
	}
	// Their authenticator still opens with the same staff.key: a code of
	// the next period (the set-up's was used), and a recovery code.
	next, err := totp.GenerateCode(in.totpSecret, time.Now().Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if f, err := st.VerifySecondFactor(ctx, m, next, "192.0.2.1"); err != nil || f != staff.FactorTOTP {
		t.Fatalf("the admin's authenticator on PostgreSQL: %v %v", f, err)
	}
	if f, err := st.VerifySecondFactor(ctx, m, in.recovery, "192.0.2.1"); err != nil || f != staff.FactorRecovery {
		t.Fatalf("the admin's recovery code on PostgreSQL: %v %v", f, err)
	}
	// The identity column goes on after the copied members.
	nm, err := st.Add(ctx, "new@example.com", staff.RoleAgent, migratePassword+" new")
	if err != nil || nm.ID <= in.maxStaffID {
		t.Fatalf("a member added after the migration: %v %v (copied up to id %d)", nm, err, in.maxStaffID)
	}
	ss, err := session.NewStore(ctx, pd)
	if err != nil {
		t.Fatal(err)
	}
	if b, found, err := ss.FindCtx(ctx, in.sessionTok); err != nil || !found || !bytes.Equal(b, in.session) {
		t.Fatalf("the session on PostgreSQL: %q %v %v", b, found, err)
	}
	ap, err := approvals.Open(ctx, pd, nil, nil, approvals.Policy{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := ap.Get(ctx, in.approvalID); err != nil || r.Status != approvals.StatusPending || r.OrderID != "order-mig-1" || r.Reason != "customer asked" {
		t.Fatalf("the approval request on PostgreSQL: %+v %v", r, err)
	}
	ob, err := outbox.Open(ctx, pd, nil, outbox.Options{URL: "https://shop.example/events", Secret: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	if items, err := ob.List(ctx, outbox.ViewPending, 10); err != nil || len(items) != 1 {
		t.Fatalf("the outbox on PostgreSQL: %+v %v", items, err)
	}
	// Its identity column goes on too.
	if err := ob.RecordCheckpoint(ctx, audit.Checkpoint{Count: 41, Head: "def", Time: time.Now()}, []byte("note")); err != nil {
		t.Fatal(err)
	}
	if items, err := ob.List(ctx, outbox.ViewPending, 10); err != nil || len(items) != 2 {
		t.Fatalf("the outbox after a new item: %+v %v", items, err)
	}
	ix, err := orders.OpenIndex(ctx, pd)
	if err != nil {
		t.Fatal(err)
	}
	if page, err := ix.Search(ctx, orders.SearchQuery{Q: in.orderQuery}); err != nil || len(page.Orders) != 1 || page.Orders[0].OrderID != "order-mig-1" {
		t.Fatalf("the order found by phone on PostgreSQL: %+v %v", page, err)
	}
	if views, err := ix.RecentlyViewed(ctx, in.agentID, 5); err != nil || len(views) != 1 || views[0].OrderID != "order-mig-1" {
		t.Fatalf("the agent's recently viewed orders on PostgreSQL: %+v %v", views, err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if keys, err := st.Passkeys(ctx, in.agentID); err != nil || len(keys) != 1 || keys[0].Name != "work key" {
		t.Fatalf("the agent's passkey on PostgreSQL: %+v %v", keys, err)
	}
	if f, err := st.NumberFormat(ctx, in.agentID); err != nil || f != "1 234,56" {
		t.Fatalf("the agent's number format on PostgreSQL: %q %v", f, err)
	}
	bs, err := bulk.Open(ctx, pd, nil, nil, bulk.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if j, items, err := bs.Job(ctx, "bulk-job-1"); err != nil || j.Reason != "fraud ring" || len(items) != 1 || items[0].Amount != 125000 {
		t.Fatalf("the bulk job on PostgreSQL: %+v %+v %v", j, items, err)
	}

	if tok, _, err := mustUC(t, pd).Load(ctx); err != nil || tok != "uc-refresh-token" {
		t.Fatalf("the Ucommerce token on PostgreSQL: %q %v", tok, err)
	}
	is, err := intake.Open(ctx, pd)
	if err != nil {
		t.Fatal(err)
	}
	if items, err := intake.NewQueue(is, nil, intake.QueueOptions{}).Items(ctx); err != nil || len(items) != 2 {
		t.Fatalf("the intake queue on PostgreSQL: %+v %v", items, err)
	}
	// The audit log's search index is rebuilt from the copied events.
	if n := orderAttempts(t, filepath.Join(in.dir, "audit.db"), url); n != in.attempts {
		t.Fatalf("PostgreSQL's audit search finds %d attempts, SQLite's %d", n, in.attempts)
	}

	// The audit log: the same chain, every checkpoint verifies against it.
	if n, head := logHead(t, filepath.Join(in.dir, "audit.db"), url); n != in.events || head != in.head {
		t.Fatalf("PostgreSQL's head %d %s, SQLite's %d %s", n, head, in.events, in.head)
	}
	e, vout, verr := testEnv(map[string]string{"ORDERCARE_DB": filepath.Join(in.dir, "admin.db")}, nil)
	if err := run(ctx, []string{"audit", "verify"}, e); err != nil {
		t.Fatal(err, vout.String(), verr.String())
	}
	rep := verifyURL(t, in.dir, url)
	if !rep.OK() || rep.Chain.Events != in.events || rep.Matched == 0 || rep.Matched != rep.Checkpoints {
		t.Fatalf("PostgreSQL's log against the checkpoints: %+v", rep)
	}
	// An append after the migration continues the chain, checkpointed.
	l := checkpointedLog(t, in.dir, audit.Options{DatabaseURL: url}, 10)
	ev, err := l.Append(ctx, audit.Event{Kind: audit.KindSignInFailed, Actor: audit.Actor{Email: "late@example.com"}})
	if err != nil || ev.Seq != in.events+1 || ev.PrevHash != in.head {
		t.Fatalf("append after the migration: %+v %v", ev, err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if rep := verifyURL(t, in.dir, url); !rep.OK() || rep.Chain.Events != in.events+1 || rep.Latest.Count != in.events+1 {
		t.Fatalf("after the append: %+v", rep)
	}
}

func mustUC(t *testing.T, d *db.DB) *ucommerce.SQLStore {
	t.Helper()
	uc, err := ucommerce.NewSQLStore(t.Context(), d, ucKey)
	if err != nil {
		t.Fatal(err)
	}
	return uc
}

func verifyURL(t *testing.T, dir, url string) audit.CheckpointReport {
	t.Helper()
	name, local, err := localCheckpoints(t.Context(), dir, url) // the fleet's table
	if err != nil {
		t.Fatal(err)
	}
	v, err := verifierFor(dir, "", func(string) string { return "" }, local)
	if err != nil {
		t.Fatal(err)
	}
	sources, err := checkpointSources(name, local, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := audit.VerifySources(t.Context(), url, sources, v)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestMigrateRefusesALiveInstall(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir, pinned := servedFolder(t)
	url := dbtest.Postgres(t).URL
	cfg := config.Config{Addr: "127.0.0.1:0", DBPath: filepath.Join(dir, "admin.db"), OMProvider: "kustom",
		OMTimeout: 10 * time.Second, AuditVerifierKey: pinned}
	a, err := app.Build(ctx, cfg, app.WithLogger(slog.New(slog.DiscardHandler)), app.WithOutput(io.Discard), app.WithStaffOptions(cheapStaff))
	if err != nil {
		t.Fatal(err)
	}
	// --from may name the admin database as well as its folder.
	out, err := migrate(t, filepath.Join(dir, "admin.db"), url)
	if err == nil || !strings.Contains(err.Error(), "is running") {
		t.Fatalf("migration of a live install: %v\n%s", err, out)
	}
	if tables := pgTables(t, url); len(tables) != 0 {
		t.Fatalf("the refused run created %v", tables)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	// And the other way round: no back office starts on a folder being
	// migrated.
	l, err := datalock.Exclusive(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if a, err := app.Build(ctx, cfg, app.WithLogger(slog.New(slog.DiscardHandler)), app.WithOutput(io.Discard), app.WithStaffOptions(cheapStaff)); err == nil {
		_ = a.Close()
		t.Fatal("a back office started on a folder being migrated")
	} else if !strings.Contains(err.Error(), "being migrated") {
		t.Fatalf("start during a migration: %v", err)
	}
}

func TestMigrateRefusesATamperedLog(t *testing.T) {
	t.Parallel()
	dir, _ := servedFolder(t)
	f := openForger(t, dir)
	f.edit(17)
	f.close()
	url := dbtest.Postgres(t).URL
	out, err := migrate(t, dir, url)
	if err == nil || !strings.Contains(err.Error(), "source audit log") || !strings.Contains(err.Error(), "nothing was copied") {
		t.Fatalf("migration of a tampered log: %v\n%s", err, out)
	}
	if tables := pgTables(t, url); len(tables) != 0 {
		t.Fatalf("the refused run created %v", tables)
	}
}

func TestMigrateRefusesATargetWithOrdercareTables(t *testing.T) {
	t.Parallel()
	dir, _ := servedFolder(t)
	url := dbtest.Postgres(t).URL
	c, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(t.Context(), `CREATE TABLE staff_members (id BIGINT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	_ = c.Close(t.Context())
	out, err := migrate(t, dir, url)
	if err == nil || !strings.Contains(err.Error(), "already holds") || !strings.Contains(err.Error(), "staff_members") {
		t.Fatalf("migration into a used schema: %v\n%s", err, out)
	}
	if tables := pgTables(t, url); strings.Join(tables, ",") != "staff_members" {
		t.Fatalf("the refused run changed the schema: %v", tables)
	}
	if _, err := os.Stat(filepath.Join(dir, "admin.db")); err != nil {
		t.Fatal(err)
	}
}

// The commands that write admin.db or audit.db hold the folder as a back
// office does: none writes behind a migration's copy.
func TestWritingCommandsWaitForAMigration(t *testing.T) {
	t.Parallel()
	dir, _ := servedFolder(t)
	vars := map[string]string{"ORDERCARE_DB": filepath.Join(dir, "admin.db")}
	csv := filepath.Join(t.TempDir(), "orders.csv")
	if err := os.WriteFile(csv, []byte("order_id\n0b8f2b52-1f0e-4c4e-9d2a-5b1c3e6f7a81\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := datalock.Exclusive(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"user", "add", "--email", "late@example.com", "--role", "agent"},
		{"user", "disable", "someone@example.com"},
		{"audit", "acknowledge", "-reason", "restored"},
		{"audit", "rotate-key"},
		{"index", "import", csv},
	} {
		e, _, _ := testEnv(vars, strings.NewReader("a long enough password\n"))
		if err := run(t.Context(), args, e); err == nil || !strings.Contains(err.Error(), "being migrated") {
			t.Errorf("%v during a migration: %v", args, err)
		}
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	e, _, _ := testEnv(vars, strings.NewReader("a long enough password\n"))
	if err := run(t.Context(), []string{"user", "add", "--email", "late@example.com", "--role", "agent"}, e); err != nil {
		t.Fatalf("after the migration: %v", err)
	}
}

// A copy that does not verify on PostgreSQL fails the command, which
// names the statement that drops the half-made target. Not parallel: it
// sets copiedHook.
func TestMigrateRefusesACopyThatDoesNotVerify(t *testing.T) {
	dir, _ := servedFolder(t)
	url := dbtest.Postgres(t).URL
	copiedHook = func(ctx context.Context, tx pgx.Tx, file string) error {
		if file != "audit.db" {
			return nil
		}
		_, err := tx.Exec(ctx, `ALTER TABLE events DISABLE TRIGGER events_no_update;
			UPDATE events SET reason = 'goodwill, approved' WHERE seq = 17;
			ALTER TABLE events ENABLE TRIGGER events_no_update`)
		return err
	}
	defer func() { copiedHook = nil }()
	out, err := migrate(t, dir, url)
	if err == nil || !strings.Contains(err.Error(), "copied to PostgreSQL does not verify") ||
		!strings.Contains(err.Error(), "incomplete: drop it (DROP SCHEMA \"t_") {
		t.Fatalf("a copy that does not verify: %v\n%s", err, out)
	}
}

func TestMigrateRefusesAMissingSchema(t *testing.T) {
	t.Parallel()
	dir, _ := servedFolder(t)
	_ = dbtest.Postgres(t) // skips without a server
	url := dbtest.WithSearchPath(t, os.Getenv(dbtest.EnvURL), "no_such_schema")
	if out, err := migrate(t, dir, url); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("a missing schema: %v\n%s", err, out)
	}
}

// A data folder last served by an older version (its tables one migration
// behind) is not copied: the copy would skip what that migration does.
func TestMigrateRefusesAnOlderSchema(t *testing.T) {
	t.Parallel()
	dir, pinned := servedFolder(t)
	if err := startFolder(t, dir, pinned); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(t.Context(), filepath.Join(dir, "admin.db"), db.SyncNormal)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.W.ExecContext(t.Context(), `DELETE FROM schema_migrations WHERE component = 'session' AND version = 2`); err != nil {
		t.Fatal(err)
	}
	_ = d.Close()
	url := dbtest.Postgres(t).URL
	out, err := migrate(t, dir, url)
	if err == nil || !strings.Contains(err.Error(), `"session"`) || !strings.Contains(err.Error(), "version 1") {
		t.Fatalf("an older schema: %v\n%s", err, out)
	}
}
