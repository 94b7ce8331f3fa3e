package archtest

import (
	"fmt"
	"go/ast"
	"go/types"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

const module = "ordercare/"

// layers places every package of the module (its non-test code) on a
// floor. An import may only go down: handlers -> orders -> (omclient, the
// shop clients, audit) -> db, so that the provider's client and the
// stores never learn of the web app, and the web app reaches the provider
// only through the change pipeline. A package missing here fails the
// test: place a new package on the floor of what it is, not of what it
// happens to import today.
var layers = map[string]int{
	// Pure helpers and plumbing that know nothing of orders or staff.
	"internal/money": 0, "internal/db": 0, "internal/dbwatch": 0, "internal/shop/tokencache": 0, "internal/shop/shopaction": 0, "internal/datalock": 0,
	"internal/openapitest": 0, "web/static": 0, "internal/gzipbody": 0,
	// The outside world's clients, and the stores of the back office's
	// own state.
	"internal/omclient": 1, "internal/shop/elasticpath": 1, "internal/shop/ucommerce": 1,
	"internal/audit": 1, "internal/staff": 1, "internal/session": 1,
	// The stores' tests' databases (SQLite and PostgreSQL), for tests only.
	"internal/db/dbtest": 1,
	// The process tests' shared plumbing (build the binary, a free port,
	// a clean environment), for tests only.
	"internal/proctest": 0,
	// Settings, and what works beside the pipeline on a client or a
	// store: the provider's sandbox, intake, the outbox, metrics, the
	// witness, the tests' stand-in for the shop (omclienttest).
	"internal/config": 2, "internal/omsim": 2, "internal/intake": 2, "internal/outbox": 2,
	"internal/metrics": 2, "internal/witness": 2, "internal/omclient/omclienttest": 2,
	// Single sign-on's client of the identity provider (it speaks in the
	// staff's roles), and the tests' stand-in for a provider.
	"internal/sso": 2, "internal/oidctest": 2,
	// The core: the change pipeline and the shop's side of a change; the
	// shops' sandboxes build on the provider's.
	"internal/orders": 3, "internal/shop": 3, "internal/shop/shopsim": 3,
	// What builds on the pipeline.
	"internal/approvals": 4, "internal/shop/elasticpath/epsim": 4, "internal/shop/pair": 4, "internal/pipelinetest": 4,
	"internal/bulk": 4,
	// View models, then the templates that render them.
	"web/templates/view": 5, "internal/shop/ucommerce/ucsim": 5,
	"web/templates": 6,
	// The forms' posted fields read into the view models' values and
	// messages (HTTP stays in handlers).
	"internal/handlers/form": 6,
	// HTTP.
	"internal/handlers": 7,
	// Wiring, and what runs it.
	"internal/app": 8,
	"cmd/admin":    9, "cmd/loadtest": 9, "scripts/soakserver": 9,
	// Tests only, with no code of their own to import.
	"internal/archtest": 9, "internal/crashtest": 9, "internal/e2e": 9, "internal/reliability": 9,
	"internal/fleettest": 9,
	// The tests' running back office (the real app) and the browser they
	// drive it with, for tests only.
	"internal/apptest": 9,
}

// testSupport are packages of code for tests only: only they and tests
// may import them, so that a test's shortcuts (cheap password hashing, a
// demo password, a sandbox served in process) never reach a build.
var testSupport = []string{"internal/apptest", "internal/proctest", "internal/pipelinetest", "internal/db/dbtest", "internal/oidctest"}

// forbidden are imports the floors allow but the design does not: the
// handlers and the view models run no SQL (they hold services), and
// settings are read by the app, which builds the services from them.
var forbidden = map[[2]string]string{
	{"internal/handlers", "internal/db"}:  "handlers depend on service interfaces, never on SQL",
	{"web/templates/view", "internal/db"}: "view models are built from services' values, never from SQL",
}

// leaves import no package of the module: the settings are parsed into
// plain values, and the app turns them into the services' types (an
// approval policy, a provider, a second-factor policy, roles), so that
// reading a setting never drags a service, a store or a client in.
var leaves = []string{"internal/config"}

// knownViolations are imports against the floors that the code has
// today and that are to go; each must still exist (so the list only
// shrinks), and no new one may join.
var knownViolations = map[[2]string]string{}

// sendAllowed may prepare and send a change: the client itself, the
// change pipeline (the one door, audited before and after), the load
// generator (it measures the pipeline against the bare client) and the
// tests' stand-in for the shop, which only tests may import.
var sendAllowed = []string{"internal/omclient", "internal/orders", "cmd/loadtest", "internal/omclient/omclienttest"}

func load(t *testing.T) []*packages.Package {
	t.Helper()
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedImports | packages.NeedTypes | packages.NeedTypesInfo | packages.NeedSyntax,
		Dir:  "../..",
	}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkgs {
		for _, e := range p.Errors {
			t.Errorf("%s: %v", p.PkgPath, e)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return pkgs
}

func TestArchitecture(t *testing.T) {
	t.Parallel()
	pkgs := load(t)
	t.Run("imports go down", func(t *testing.T) {
		for _, msg := range importViolations(pkgs) {
			t.Error(msg)
		}
	})
	t.Run("only the pipeline sends", func(t *testing.T) {
		for _, msg := range sendViolations(pkgs) {
			t.Error(msg)
		}
	})
	t.Run("view models build URLs, never read them", func(t *testing.T) {
		for _, msg := range viewURLViolations(pkgs) {
			t.Error(msg)
		}
	})
	t.Run("view models import only the values they show", func(t *testing.T) {
		for _, msg := range viewImportViolations(pkgs) {
			t.Error(msg)
		}
	})
}

// viewImports are the module's packages the view models import, and what
// of each the pages show. The floors would let the view import any
// service below it; this list keeps it from becoming a hub of them: a
// page that needs another package's data is handed it as plain values
// (or a small type of view's own) by its handler, or the package is
// added here with what the pages show of it. An entry the view no longer
// imports must go.
var viewImports = map[string]string{
	"internal/money":     "amounts in the member's way of writing them",
	"internal/omclient":  "the provider's order, its statuses and operations",
	"internal/audit":     "the audit trail's attempts and events",
	"internal/approvals": "four-eyes requests and the approval policy",
	"internal/staff":     "staff members and their roles",
	// Not the pipeline's rules (which actions an order allows, what it
	// has refundable) nor a bulk job's tally: the handlers apply them and
	// hand the pages the outcome, so the view only shows what they decided.
	"internal/orders": "the operation catalogue and the actions handed in, the order index's rows, the pipeline's refusals",
	"internal/bulk":   "bulk jobs and their orders",
	// Not package shop: its twin, the comparison and the lookup's errors
	// reach the shop panel as plain values from the handler.
	"internal/shop/shopaction": "the codes of the shop's changes, named in words",
}

// viewImportViolations lists the view models' imports of the module
// outside viewImports, and the entries of viewImports no longer imported.
func viewImportViolations(pkgs []*packages.Package) []string {
	var out []string
	for _, p := range pkgs {
		if p.PkgPath != viewPkg {
			continue
		}
		for path := range p.Imports {
			if to, ok := strings.CutPrefix(path, module); ok && viewImports[to] == "" {
				out = append(out, fmt.Sprintf("web/templates/view imports %s: hand the view plain values from the handler, or add it to viewImports with what the pages show of it", to))
			}
		}
		for to := range viewImports {
			if _, ok := p.Imports[module+to]; !ok {
				out = append(out, fmt.Sprintf("web/templates/view no longer imports %s: remove it from viewImports", to))
			}
		}
	}
	slices.Sort(out)
	return out
}

// viewPkg holds the view models: they are given plain values and build
// the pages' addresses from them. Reading a request's URL or query (and
// the filters typed into it) is the handlers' work, or handlers/form's.
const viewPkg = module + "web/templates/view"

// viewURLBuild is what the view models may use of net/url: escaping a
// path segment or a query value, and encoding query parameters.
var viewURLBuild = []string{"PathEscape", "QueryEscape", "Values", "Values.Set", "Values.Add", "Values.Del", "Values.Encode"}

// viewURLRead are the view models' functions that may read a URL, and
// why: none of them reads a request.
var viewURLRead = map[string]string{
	"safeHref": "a link in the provider's order data is checked before it is rendered as an href",
}

// viewURLViolations lists every use in the view models of net/url beyond
// building an address (url.Parse, url.ParseQuery, Values.Get, url.URL, …)
// outside viewURLRead.
func viewURLViolations(pkgs []*packages.Package) []string {
	var out []string
	for _, p := range pkgs {
		if p.PkgPath != viewPkg {
			continue
		}
		for _, f := range p.Syntax {
			for _, d := range f.Decls {
				fn, _ := d.(*ast.FuncDecl)
				ast.Inspect(d, func(n ast.Node) bool {
					id, ok := n.(*ast.Ident)
					if !ok {
						return true
					}
					obj := p.TypesInfo.Uses[id]
					if obj == nil || obj.Pkg() == nil || obj.Pkg().Path() != "net/url" {
						return true
					}
					name := obj.Name()
					if sig, ok := obj.Type().(*types.Signature); ok && sig.Recv() != nil {
						if n, ok := types.Unalias(derefType(sig.Recv().Type())).(*types.Named); ok {
							name = n.Obj().Name() + "." + name
						}
					}
					if slices.Contains(viewURLBuild, name) || (fn != nil && viewURLRead[fn.Name.Name] != "") {
						return true
					}
					out = append(out, fmt.Sprintf("%s: web/templates/view uses url.%s; the handlers (or handlers/form) read URLs and hand the view plain values",
						p.Fset.Position(id.Pos()), name))
					return true
				})
			}
		}
	}
	slices.Sort(out)
	return out
}

func derefType(t types.Type) types.Type {
	if p, ok := t.(*types.Pointer); ok {
		return p.Elem()
	}
	return t
}

// importViolations checks every package's imports of the module against
// the floors, the forbidden imports and the known violations.
func importViolations(pkgs []*packages.Package) []string {
	var out []string
	seen := map[[2]string]bool{}
	for _, p := range pkgs {
		from, ok := strings.CutPrefix(p.PkgPath, module)
		if !ok {
			continue
		}
		fl, placed := layers[from]
		if !placed {
			out = append(out, fmt.Sprintf("%s is on no floor: add it to layers in this test", from))
			continue
		}
		for path := range p.Imports {
			to, ok := strings.CutPrefix(path, module)
			if !ok {
				continue
			}
			edge := [2]string{from, to}
			tl, placed := layers[to]
			var why string
			switch {
			case slices.Contains(testSupport, to) && !slices.Contains(testSupport, from):
				why = "a package for tests only; only tests and other test support may import it"
			case slices.Contains(leaves, from):
				why = "a leaf imports no package of the module; the app converts its plain settings"
			case !placed:
				continue // reported as its own package
			case forbidden[edge] != "":
				why = forbidden[edge]
			case tl >= fl:
				why = fmt.Sprintf("floor %d imports floor %d; imports go down only", fl, tl)
			default:
				continue
			}
			if knownViolations[edge] != "" {
				seen[edge] = true
				continue
			}
			out = append(out, fmt.Sprintf("%s imports %s: %s", from, to, why))
		}
	}
	for edge, why := range knownViolations {
		if !seen[edge] {
			out = append(out, fmt.Sprintf("%s no longer imports %s (%s): remove it from knownViolations", edge[0], edge[1], why))
		}
	}
	slices.Sort(out)
	return out
}

// sendViolations lists every place outside sendAllowed that names what
// sending a change takes: the client's Prepare or Send, the prepared
// Call, or any function or method (an interface's, say) that takes or
// returns a Call. Holding the sending client is not enough to send; a
// package that never names these cannot.
func sendViolations(pkgs []*packages.Package) []string {
	var out []string
	for _, p := range pkgs {
		rel, ok := strings.CutPrefix(p.PkgPath, module)
		if !ok {
			continue
		}
		if _, imports := p.Imports[module+"internal/omclient/omclienttest"]; imports {
			out = append(out, rel+" imports omclienttest outside its tests")
		}
		if slices.Contains(sendAllowed, rel) {
			continue
		}
		for id, obj := range p.TypesInfo.Uses {
			if what := sends(obj); what != "" {
				out = append(out, fmt.Sprintf("%s: %s uses %s; changes go through orders.Service.Apply", p.Fset.Position(id.Pos()), rel, what))
			}
		}
	}
	slices.Sort(out)
	return out
}

const omclientPath = module + "internal/omclient"

// sends names what obj gives of the sending half of the client, or "".
func sends(obj types.Object) string {
	switch o := obj.(type) {
	case *types.TypeName:
		if isCall(o.Type()) {
			return "omclient.Call"
		}
	case *types.Func:
		sig, _ := o.Type().(*types.Signature)
		if sig == nil {
			return ""
		}
		if recv := sig.Recv(); recv != nil && o.Pkg() != nil && o.Pkg().Path() == omclientPath && named(recv.Type(), "Client") &&
			(o.Name() == "Send" || o.Name() == "Prepare") {
			return "(*omclient.Client)." + o.Name()
		}
		if mentionsCall(sig.Params()) || mentionsCall(sig.Results()) {
			return o.FullName() + ", which takes or returns an omclient.Call"
		}
	}
	return ""
}

func mentionsCall(vars *types.Tuple) bool {
	for v := range vars.Variables() {
		if isCall(v.Type()) {
			return true
		}
	}
	return false
}

// isCall reports omclient.Call or a pointer to it.
func isCall(t types.Type) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	return named(t, "Call")
}

// named reports whether t (or what it points to) is omclient's type name.
func named(t types.Type, name string) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == omclientPath && n.Obj().Name() == name
}
