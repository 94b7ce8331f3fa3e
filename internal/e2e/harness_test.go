package e2e

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"ordercare/internal/apptest"
	"ordercare/internal/audit"
	"ordercare/internal/config"
	"ordercare/internal/db"
	"ordercare/internal/money"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/session"
)

// demoPassword is the demo accounts' password in every test server.
const demoPassword = apptest.DemoPassword

// Demo accounts of the built-in sandbox (app.DemoAccounts).
const (
	agentEmail      = "agent@example.com"
	supervisorEmail = "supervisor@example.com"
	adminEmail      = "admin@example.com"
)

// server is the real back office on a loopback port (Chromium needs a
// real one) with its own folder of databases and the built-in sandbox.
type server struct {
	*apptest.Server
}

// startServer starts the app for one test (apptest.Start), which stops it
// when the test ends; a failing test saves the app's log among its
// artifacts. configure, if any, adjust the configuration first (approval
// thresholds).
func startServer(t *testing.T, configure ...func(*config.Config)) *server {
	t.Helper()
	s := &server{Server: apptest.Start(t, configure...)}
	t.Cleanup(func() {
		if t.Failed() {
			saveArtifact(t, "server.log", []byte(s.Logs.String()))
		}
	})
	return s
}

// chromiumPath finds Debian's Chromium; a missing browser skips the test,
// or fails it under CI=true (the test command installs the package).
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p, err := findChromium(); err == nil {
		return p
	}
	const msg = "chromium is not installed (Debian package chromium; scripts/test.sh installs it)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg + ": skipping the browser test")
	return ""
}

// findChromium looks for /usr/bin/chromium, then chromium on PATH.
func findChromium() (string, error) {
	if fi, err := os.Stat("/usr/bin/chromium"); err == nil && !fi.IsDir() {
		return "/usr/bin/chromium", nil
	}
	return exec.LookPath("chromium")
}

// artifacts is the folder for one test's failure artifacts: the test's
// ArtifactDir when go test keeps it (-artifacts), otherwise a folder under
// the system temp dir that outlives the test and is named in its log.
var (
	artifactMu   sync.Mutex
	artifactDirs = map[*testing.T]string{}
)

func artifactDir(t *testing.T) string {
	artifactMu.Lock()
	defer artifactMu.Unlock()
	if d, ok := artifactDirs[t]; ok {
		return d
	}
	var dir string
	if f := flag.Lookup("test.artifacts"); f != nil && f.Value.String() == "true" {
		dir = t.ArtifactDir()
	} else {
		name := regexp.MustCompile(`[^A-Za-z0-9_.-]+`).ReplaceAllString(t.Name(), "_")
		d, err := os.MkdirTemp("", "ordercare-e2e-"+name+"-")
		if err != nil {
			t.Logf("no folder for failure artifacts: %v", err)
			return ""
		}
		dir = d
	}
	t.Logf("failure artifacts in %s", dir)
	artifactDirs[t] = dir
	return dir
}

func saveArtifact(t *testing.T, name string, data []byte) {
	dir := artifactDir(t)
	if dir == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
		t.Logf("saving %s: %v", name, err)
	}
}

// orderWithStatus is a sandbox order in the given state with at least
// minLines order lines; the demo data is deterministic, so the choice is
// too.
func (s *server) orderWithStatus(t *testing.T, st omclient.Status, minLines int) *omclient.Order {
	t.Helper()
	return s.orderWhere(t, fmt.Sprintf("%s with %d lines", st, minLines), func(o *omclient.Order) bool {
		return o.Status == st && len(o.OrderLines) >= minLines && o.FraudStatus == omclient.FraudAccepted
	})
}

// orderWhere is the first sandbox order that matches (apptest.OrderWhere).
func (s *server) orderWhere(t *testing.T, what string, match func(*omclient.Order) bool) *omclient.Order {
	t.Helper()
	return apptest.OrderWhere(t, s.App.Sandbox(), what, match)
}

// sandboxOrder reads an order's state straight from the sandbox.
func (s *server) sandboxOrder(t *testing.T, id string) *omclient.Order {
	t.Helper()
	return apptest.SandboxOrder(t, s.App.Sandbox(), id)
}

// applied is how many changes the sandbox applied to an order.
func (s *server) applied(t *testing.T, id string) int {
	t.Helper()
	return apptest.Applied(t, s.App.Sandbox(), id)
}

// endSession deletes a browser's session from the server's store, as the
// idle timeout does: the next request of that browser is signed out.
func (s *server) endSession(t *testing.T, token string) {
	t.Helper()
	if token == "" {
		t.Fatal("the browser has no session cookie")
	}
	ctx := context.Background()
	d, err := db.Open(ctx, s.Config.DBPath, db.SyncNormal)
	if err != nil {
		t.Fatalf("opening admin.db: %v", err)
	}
	defer d.Close()
	st, err := session.NewStore(ctx, d)
	if err != nil {
		t.Fatalf("session store: %v", err)
	}
	if err := st.DeleteCtx(ctx, token); err != nil {
		t.Fatalf("deleting the session: %v", err)
	}
	if _, found, err := st.FindCtx(ctx, token); err != nil || found {
		t.Fatalf("the session is still there (%v)", err)
	}
}

// attempts are the audit log's change attempts on an order, newest first.
func (s *server) attempts(t *testing.T, orderID string) []audit.Attempt {
	t.Helper()
	return apptest.Attempts(t, s.App.Audit(), orderID)
}

// checkOneSucceeded: the audit log holds exactly one attempt of op on the
// order, and it succeeded.
func checkOneSucceeded(t *testing.T, srv *server, orderID string, op omclient.Operation) audit.Attempt {
	t.Helper()
	var found []audit.Attempt
	for _, a := range srv.attempts(t, orderID) {
		if a.Requested.Action == string(op) {
			found = append(found, a)
		}
	}
	if len(found) != 1 || found[0].Outcome() != audit.OutcomeSucceeded {
		var outs []string
		for _, a := range found {
			outs = append(outs, string(a.Outcome()))
		}
		t.Fatalf("audit: %d %s attempts on %s (%v), want exactly one that succeeded", len(found), op, orderID, outs)
	}
	return found[0]
}

// orderLine is a physical line with its totals computed the provider's way.
func orderLine(ref, name string, qty, unit, rate int64) omclient.OrderLine {
	total := money.LineTotal(qty, unit, 0)
	return omclient.OrderLine{Type: omclient.LineTypePhysical, Reference: omclient.Text(ref), Name: omclient.Text(name),
		Quantity: qty, QuantityUnit: "pcs", UnitPrice: unit, TaxRate: rate, TotalAmount: total,
		TotalTaxAmount: money.TaxIncluded(total, rate)}
}

// threeLineLines are the lines of the orders the money journeys create:
// 2 x 10,00 €, 1 x 25,00 €, 3 x 5,00 € (60,00 € in all, 19 % tax).
func threeLineLines() []omclient.OrderLine {
	return []omclient.OrderLine{
		orderLine("MUG-1", "Coffee mug", 2, 1000, 1900),
		orderLine("TEA-2", "Tea sampler", 1, 2500, 1900),
		orderLine("SPN-3", "Spoon", 3, 500, 1900),
	}
}

// newThreeLineOrder creates a fresh authorized order in the sandbox with
// threeLineLines, and puts it in the search index.
func (s *server) newThreeLineOrder(t *testing.T, merchantRef string) *omclient.Order {
	t.Helper()
	return s.newLinesOrder(t, merchantRef, threeLineLines())
}

// newLinesOrder creates a fresh authorized German order of lines in the
// sandbox, and puts it in the search index.
func (s *server) newLinesOrder(t *testing.T, merchantRef string, lines []omclient.OrderLine) *omclient.Order {
	t.Helper()
	ctx := context.Background()
	var amount int64
	for _, l := range lines {
		amount += l.TotalAmount
	}
	addr := &omclient.Address{GivenName: "Erika", FamilyName: "Mustermann", StreetAddress: "Hauptstraße 5",
		PostalCode: "10115", City: "Berlin", Country: "DE", Email: "erika@example.com", Phone: "+49301234567"}
	id, err := s.App.Sandbox().CreateOrder(ctx, omsim.NewOrder{PurchaseCountry: "DE", PurchaseCurrency: "EUR", Locale: "de-DE",
		OrderAmount: amount, OrderLines: lines, BillingAddress: addr, ShippingAddress: addr, MerchantReference1: merchantRef})
	if err != nil {
		t.Fatalf("creating a sandbox order: %v", err)
	}
	return s.sandboxOrder(t, id)
}

// requests counts the server's logged requests of a method and route.
func (s *server) requests(t *testing.T, method, route string) int {
	t.Helper()
	n := 0
	for _, line := range strings.Split(s.Logs.String(), "\n") {
		if strings.Contains(line, "msg=request ") && strings.Contains(line, " method="+method+" ") && strings.Contains(line, " route="+route+" ") {
			n++
		}
	}
	return n
}
