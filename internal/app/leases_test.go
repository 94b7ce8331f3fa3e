package app

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"testing"
)

// TestLeasesNamesEveryWorker: admin audit rotate-key tells a running fleet
// by the leases in Leases, so every lease startWorkers runs a worker under
// must be there (a worker left out would not count as a running instance).
func TestLeasesNamesEveryWorker(t *testing.T) {
	t.Parallel()
	f, err := parser.ParseFile(token.NewFileSet(), "workers.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	ast.Inspect(f, func(n ast.Node) bool {
		fd, ok := n.(*ast.FuncDecl)
		if !ok || fd.Name.Name != "startWorkers" {
			return true
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok || len(c.Args) == 0 {
				return true
			}
			if id, ok := c.Fun.(*ast.Ident); !ok || id.Name != "run" {
				return true
			}
			lit, isLit := c.Args[0].(*ast.BasicLit)
			if !isLit {
				t.Errorf("startWorkers runs a worker under a lease named by %T, not a string literal: keep Leases in step by hand", c.Args[0])
				return true
			}
			name, _ := strconv.Unquote(lit.Value)
			found = append(found, name)
			return true
		})
		return false
	})
	if len(found) == 0 {
		t.Fatal("no run(lease, ...) calls found in startWorkers")
	}
	for _, name := range found {
		if !slices.Contains(Leases, name) {
			t.Errorf("lease %q of startWorkers is missing from Leases", name)
		}
	}
}
