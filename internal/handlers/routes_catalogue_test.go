package handlers

import (
	"net/http"
	"testing"

	"ordercare/internal/orders"
)

// Every operation of the catalogue has its form: a GET that shows it and
// a POST that submits it, at the path its button links to. An operation
// added to the catalogue without them would show a button to a 404.
func TestEveryCatalogueOperationHasItsForm(t *testing.T) {
	t.Parallel()
	served := map[string]bool{}
	for _, r := range (&Handlers{}).Routes() {
		served[r.Method+" "+r.Path] = true
	}
	for _, op := range orders.Catalogue() {
		path := orderForm(op.Op)
		if op.Scope == orders.ScopeCapture {
			path = captureForm(op.Op)
		}
		for _, m := range []string{http.MethodGet, http.MethodPost} {
			if !served[m+" "+path] {
				t.Errorf("%s (%s): no route %s %s", op.Label, op.Op, m, path)
			}
		}
	}
}
