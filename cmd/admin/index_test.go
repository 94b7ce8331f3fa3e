package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ordercare/internal/db"
	"ordercare/internal/omsim"
	"ordercare/internal/orders"
)

// `admin index import` against the built-in sandbox: good rows are indexed
// (searchable afterwards), an unknown id and a malformed row are reported
// with their line, and a second run reads nothing.
func TestIndexImportCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	adminDB := filepath.Join(dir, "admin.db")
	sb, err := omsim.New(ctx, omsim.Options{Username: "u", Password: "p", DBPath: filepath.Join(dir, "sandbox.db"), Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := sb.OrderIDs(ctx)
	if err != nil || len(ids) < 2 {
		t.Fatalf("demo orders: %v %v", ids, err)
	}
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}
	csv := "order_id,note\n" + ids[0] + ",a\n" + ids[1] + ",b\ngarbage,c\n0b9e7a40-3333-4c2e-9f0e-6c1f2a3b4c5d,d\n"
	file := filepath.Join(dir, "export.csv")
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}

	e, out, errOut := testEnv(nil, nil)
	if err := run(ctx, []string{"index", "import", "-db", adminDB, file}, e); err != nil {
		t.Fatalf("import: %v\n%s\n%s", err, out, errOut)
	}
	for _, want := range []string{"4 rows: 2 indexed, 1 unknown to the provider, 0 failed, 1 malformed",
		`line 4: malformed: "garbage" is not an order id`, "line 5: unknown: 0b9e7a40-3333-4c2e-9f0e-6c1f2a3b4c5d"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	d, err := db.Open(ctx, adminDB, db.SyncNormal)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := orders.OpenIndex(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids[:2] {
		if o, ok, err := ix.Get(ctx, id); err != nil || !ok || o.LastReadAt.IsZero() {
			t.Errorf("order %s not indexed: %v", id, err)
		}
	}
	_ = d.Close()

	e, out, _ = testEnv(nil, nil)
	if err := run(ctx, []string{"index", "import", file, "-db", adminDB}, e); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "imported completely") {
		t.Errorf("second run:\n%s", out)
	}
	if err := run(ctx, []string{"index", "export"}, e); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("unknown subcommand: %v", err)
	}
}
