package orders

import (
	"fmt"
	"testing"

	"ordercare/internal/omclient"
)

// Every mutating operation of the client has its entry, with words, a
// form URL that no other operation of its scope uses, and a button place
// of its own.
func TestCatalogueCoversEveryOperation(t *testing.T) {
	t.Parallel()
	if len(catalogue) != len(omclient.Operations) {
		t.Errorf("%d catalogue entries for %d operations", len(catalogue), len(omclient.Operations))
	}
	type place struct {
		scope Scope
		what  string
	}
	taken := map[place]omclient.Operation{}
	for _, op := range omclient.Operations {
		o, ok := Info(op)
		if !ok {
			t.Errorf("%s is not in the catalogue", op)
			continue
		}
		if o.Label == "" || o.AuditLabel == "" || o.Slug == "" || o.Button < 1 {
			t.Errorf("%s: incomplete entry %+v", op, o)
		}
		for _, p := range []place{{o.Scope, "slug " + o.Slug}, {o.Scope, fmt.Sprint("button ", o.Button)}} {
			if other, dup := taken[p]; dup {
				t.Errorf("%s and %s share the %s", op, other, p.what)
			}
			taken[p] = op
		}
	}
}
