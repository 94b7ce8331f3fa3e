package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/mod/sumdb/note"

	"ordercare/internal/app"
	"ordercare/internal/audit"
	"ordercare/internal/config"
	"ordercare/internal/db/dbtest"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/orders"
	"ordercare/web/templates/view"
)

// TestTwoInstancesShareOnePostgreSQL builds two instances at once in
// sandbox mode on one PostgreSQL schema (each with its own name and data
// folder, as two machines behind a load balancer) and shows through their
// web servers that they are one back office: a session made on A is valid
// on B and a sign-out on A ends it there; an approval requested on A is
// listed and decided on B; a change made through A is in the order
// history B serves; five wrong passwords on A lock the member on B; and
// the audit chain both appended to verifies.
func TestTwoInstancesShareOnePostgreSQL(t *testing.T) {
	t.Parallel()
	pg := dbtest.Postgres(t) // skips without a server, fails under CI=true
	const pw = "fleet demo password"
	staffKey := strings.Repeat("5a", 32)
	cfgFor := func(name string) (c config.Config) {
		c = testConfig(t) // a data folder of its own
		c.DatabaseURL, c.Metrics.Instance, c.DemoPassword, c.StaffKey = pg.URL, name, pw, staffKey
		// Every cancellation needs a second person.
		c.ApprovalThresholds = "*:1"
		return c
	}

	// Both start at once: the demo accounts and the demo orders' index
	// entries are made by whichever gets there first, and the other copes.
	var apps [2]*app.App
	var errs [2]error
	var wg sync.WaitGroup
	for i, name := range []string{"fleet-a", "fleet-b"} {
		wg.Go(func() {
			apps[i], errs[i] = app.Build(t.Context(), cfgFor(name), app.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
				app.WithOutput(io.Discard), app.WithStaffOptions(cheap))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
		serve(t, apps[i])
	}
	A, B := apps[0].URL(), apps[1].URL()
	if list, err := apps[1].Staff().List(t.Context()); err != nil || len(list) != len(app.DemoAccounts) {
		t.Fatalf("demo accounts after both started: %d (%v), want %d", len(list), err, len(app.DemoAccounts))
	}

	// A session made on A is valid on B: the cookie jar sends A's
	// cookies to B (same host, another port).
	if r := get(t, newClient(), B+"/"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("B's start page without a session: %d, want 303 to the sign-in", r.StatusCode)
	}
	agent := signIn(t, A, "agent@example.com", pw)
	if r := get(t, agent, B+"/"); r.StatusCode != http.StatusOK {
		t.Fatalf("B's start page with A's session: %d (%s), want 200", r.StatusCode, r.Header.Get("Location"))
	}

	// Signing out on A ends the session on B: the cookie of the ended
	// session, kept aside, no longer opens B.
	bu, _ := url.Parse(B)
	ended := agent.Jar.Cookies(bu)
	submit(t, agent, A+"/", `form[action="/logout"]`, nil)
	old := newClient()
	old.Jar.SetCookies(bu, ended)
	if r := get(t, old, B+"/"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Fatalf("B's start page with the session signed out on A: %d (%s), want 303 to the sign-in", r.StatusCode, r.Header.Get("Location"))
	}

	// Two authorized demo orders nothing was captured from (the demo
	// orders are the same on every instance's built-in sandbox).
	var picked []string
	ids, err := apps[0].Sandbox().OrderIDs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		o, err := apps[0].Sandbox().Order(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if o.Status == omclient.StatusAuthorized && o.FraudStatus == omclient.FraudAccepted && len(o.Captures) == 0 {
			picked = append(picked, id)
		}
	}
	if len(picked) < 2 {
		t.Fatalf("%d authorized demo orders without captures, want 2", len(picked))
	}
	toCancel, toExtend := picked[0], picked[1]

	// An approval requested on A is listed and decided on B.
	agent = signIn(t, A, "agent@example.com", pw)
	cancelForm := A + view.ActionPath(toCancel, omclient.OpCancel, "")
	reason := url.Values{"reason": {"customer_request"}, "submit": {"save"}}
	submit(t, agent, cancelForm, `form[method="post"][action$="/cancel"]`, reason)
	supervisor := signIn(t, B, "supervisor@example.com", pw)
	list := page(t, supervisor, B+"/approvals")
	row := list.Find(`[data-testid="approval-row"][data-status="pending"]`)
	if row.Length() != 1 {
		t.Fatalf("B lists %d pending approvals, want the one requested on A", row.Length())
	}
	href, _ := row.Find(`[data-testid="approval-link"]`).Attr("href")
	submit(t, supervisor, B+href, `form[action$="/approve"]`, url.Values{"comment": {"approved on the other instance"}})
	detail := page(t, supervisor, A+href)
	if st := strings.TrimSpace(detail.Find(`[data-testid="approval-status"]`).First().Text()); st != "Approved and sent" {
		t.Fatalf("the request decided on B shows %q on A", st)
	}
	if o, err := apps[1].Sandbox().Order(t.Context(), toCancel); err != nil || o.Status != omclient.StatusCancelled {
		t.Fatalf("the cancellation approved on B was not sent by B: %v %v", o.Status, err)
	}

	// A change made through A is in the history B serves.
	submit(t, agent, A+view.ActionPath(toExtend, omclient.OpExtendAuthorizationTime, ""), `form[method="post"][action$="/`+view.ActionSlug(omclient.OpExtendAuthorizationTime)+`"]`, reason)
	hist := page(t, supervisor, B+view.OrderPath(toExtend)+"/history", "HX-Request", "true") // the section the order page loads
	found := false
	hist.Find(`[data-testid="history-item"]`).Each(func(_ int, s *goquery.Selection) {
		txt := s.Text()
		found = found || (strings.Contains(txt, "Extend authorization") && strings.Contains(txt, "Succeeded") && strings.Contains(txt, "agent@example.com"))
	})
	if !found {
		t.Fatalf("B's history of %s lacks the extension made through A:\n%s", toExtend, hist.Text())
	}

	// Five wrong passwords on A lock the member on B, even with the
	// right password.
	for range 5 {
		if r := postLogin(t, newClient(), A, "admin@example.com", "wrong password!"); r.StatusCode == http.StatusSeeOther {
			t.Fatal("a wrong password signed in")
		}
	}
	if r := postLogin(t, newClient(), B, "admin@example.com", pw); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("the right password on B after five wrong ones on A: %d, want 429 (locked)", r.StatusCode)
	}

	// One hash chain holds what both appended, and it verifies.
	res, err := apps[1].Audit().Verify(t.Context())
	if err != nil || !res.OK {
		t.Fatalf("audit chain: %+v %v", res, err)
	}
	by := map[string]bool{}
	for seq := int64(1); seq <= res.Events; seq++ {
		e, err := apps[0].Audit().Event(t.Context(), seq)
		if err != nil {
			t.Fatal(err)
		}
		by[e.Instance] = true
	}
	if !by["fleet-a"] || !by["fleet-b"] {
		t.Fatalf("events by instance %v, want both fleet-a and fleet-b", by)
	}
}

// serve runs a built app until the test ends.
func serve(t *testing.T, a *app.App) {
	t.Helper()
	done := make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("Run did not return after cancel")
		}
	})
}

// newClient is a browser without a session that does not follow redirects.
func newClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func get(t *testing.T, c *http.Client, u string) *http.Response {
	t.Helper()
	r, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, r.Body)
	r.Body.Close()
	return r
}

// page is the document at u, which must answer 200; header is pairs of
// request header names and values.
func page(t *testing.T, c *http.Client, u string, header ...string) *goquery.Document {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	r, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d (%s)", u, r.StatusCode, r.Header.Get("Location"))
	}
	doc, err := goquery.NewDocumentFromReader(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// submit posts the form sel of the page at pageURL as a browser would,
// with set's values in place of the form's own (a text area left empty
// gets a line of text), and expects a redirect or a page, not an error.
func submit(t *testing.T, c *http.Client, pageURL, sel string, set url.Values) {
	t.Helper()
	doc := page(t, c, pageURL)
	f := doc.Find(sel).First()
	if f.Length() == 0 {
		t.Fatalf("%s has no form %s", pageURL, sel)
	}
	vals := url.Values{}
	f.Find("input[name]").Each(func(_ int, s *goquery.Selection) {
		typ, _ := s.Attr("type")
		if (typ == "checkbox" || typ == "radio") && s.AttrOr("checked", "-") == "-" {
			return
		}
		if typ == "submit" || typ == "button" {
			return
		}
		vals.Add(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	f.Find("textarea[name]").Each(func(_ int, s *goquery.Selection) {
		v := s.Text()
		if strings.TrimSpace(v) == "" {
			v = "a reason given in the fleet test"
		}
		vals.Set(s.AttrOr("name", ""), v)
	})
	for k, v := range set {
		vals[k] = v
	}
	u, _ := url.Parse(pageURL)
	action, _ := u.Parse(f.AttrOr("action", ""))
	r, err := c.PostForm(action.String(), vals)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != http.StatusSeeOther && r.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %d\n%s", action, r.StatusCode, body)
	}
}

// postLogin submits the sign-in form at base with a fresh token.
func postLogin(t *testing.T, c *http.Client, base, email, pw string) *http.Response {
	t.Helper()
	doc := page(t, c, base+"/login")
	tok, _ := doc.Find(`input[name="_csrf"]`).Attr("value")
	r, err := c.PostForm(base+"/login", url.Values{"_csrf": {tok}, "email": {email}, "password": {pw}})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, r.Body)
	r.Body.Close()
	return r
}

// admin index import (OpenIndexer) run beside a fleet indexes into the
// database the instances share, not into an admin.db of its own.
func TestIndexerUsesTheSharedDatabase(t *testing.T) {
	t.Parallel()
	pg := dbtest.Postgres(t)
	cfg := testConfig(t)
	cfg.DatabaseURL, cfg.DemoPassword, cfg.StaffKey = pg.URL, "fleet demo password", strings.Repeat("5a", 32)
	ix, err := app.OpenIndexer(t.Context(), cfg, app.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))), app.WithOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	sb, err := omsim.New(t.Context(), omsim.Options{Username: "u", Password: "p", Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := sb.OrderIDs(t.Context()) // the demo orders are the same in every sandbox
	if err != nil || len(ids) == 0 {
		t.Fatalf("demo orders: %d %v", len(ids), err)
	}
	if _, err := ix.Service.GetOrder(t.Context(), ids[0]); err != nil {
		t.Fatal(err)
	}
	index, err := orders.OpenIndex(t.Context(), pg.Open(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := index.Get(t.Context(), ids[0]); err != nil || !ok {
		t.Fatalf("the order the indexer read is not in the shared index: %v %v", ok, err)
	}
}

// TestFleetSignsCheckpoints: instances on one PostgreSQL database sign
// the shared log's checkpoints with the one key they are given
// (ORDERCARE_AUDIT_SIGNING_KEY) into the database, never making a key of
// their own. One stopping stops nothing: an instance started after it,
// while another goes on, accepts the log; the notes verify; and an
// instance without the key is refused, the log having been signed.
func TestFleetSignsCheckpoints(t *testing.T) {
	t.Parallel()
	pg := dbtest.Postgres(t)
	skey, vkey, err := audit.GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	cfgFor := func(name, key string) (c config.Config) {
		c = testConfig(t)
		c.DatabaseURL, c.Metrics.Instance, c.DemoPassword, c.StaffKey = pg.URL, name, "fleet demo password", strings.Repeat("5a", 32)
		c.AuditSigningKey, c.AuditVerifierKey = key, vkey
		return c
	}
	a, stopA := start(t, cfgFor("fleet-a", skey), io.Discard)
	b, stopB := start(t, cfgFor("fleet-b", skey), io.Discard)
	for i, x := range []*app.App{a, b} {
		if st := x.Audit().CheckpointStatus(); !st.Enabled || st.File != audit.CheckpointTable {
			t.Fatalf("instance %d: checkpoints %+v", i, st)
		}
	}
	if err := stopA(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Audit().Append(t.Context(), audit.Event{Kind: audit.KindStaff, Reason: "after a stopped"}); err != nil {
		t.Fatal(err)
	}
	_, stopC := start(t, cfgFor("fleet-c", skey), io.Discard)
	for _, stop := range []func() error{stopB, stopC} {
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	}
	notes, err := audit.CheckpointNotes(t.Context(), pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := audit.VerifySources(t.Context(), pg.URL, []audit.CheckpointSource{{Name: audit.CheckpointTable, Notes: notes}}, v)
	if err != nil || !rep.OK() || rep.Matched == 0 || rep.Uncovered != 0 {
		t.Fatalf("the fleet's checkpoints: %+v %v", rep, err)
	}
	for _, c := range []config.Config{cfgFor("fleet-a", skey)} {
		if _, err := os.Stat(filepath.Join(filepath.Dir(c.DBPath), audit.KeyFileName)); !os.IsNotExist(err) {
			t.Fatalf("a fleet instance made a key of its own: %v", err)
		}
	}
	// Not even pinned: the table shows that the log was signed.
	d := cfgFor("fleet-d", "")
	d.AuditVerifierKey = ""
	_, err = app.Build(t.Context(), d, app.WithLogger(slog.New(slog.DiscardHandler)), app.WithOutput(io.Discard), app.WithStaffOptions(cheap))
	if err == nil || !strings.Contains(err.Error(), "ORDERCARE_AUDIT_SIGNING_KEY") {
		t.Fatalf("an instance without the fleet's key: %v", err)
	}
}
