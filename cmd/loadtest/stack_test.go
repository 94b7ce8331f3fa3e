package main

import (
	"path/filepath"
	"testing"

	"ordercare/internal/audit"
)

// -audit-log: the back office starts on a copy of the given log (here
// three events, the last an attempt without its outcome) and appends to
// the copy, never to the original: its start closes the open attempt.
func TestBackOfficeStartsOnACopyOfTheAuditLog(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the back office")
	}
	t.Parallel()
	ctx := t.Context()
	src := filepath.Join(t.TempDir(), "long.db")
	l, err := audit.Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	actor := audit.Actor{StaffID: 1, Email: "s@example.com", Role: "supervisor"}
	for _, e := range []audit.Event{{Kind: audit.KindExport, Actor: actor}, {Kind: audit.KindExport, Actor: actor},
		{Kind: audit.KindRequested, AttemptID: audit.NewID(), Actor: actor, OrderID: "b8f6c1e4-1d2a-4c3b-9e8f-0a1b2c3d4e5f", Action: "cancel"}} {
		if _, err := l.Append(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	f := stackFlags{dir: t.TempDir(), inProcess: true, auditLog: src}
	sb, err := startSandbox(ctx, f.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer sb.close()
	bo, err := startBackOffice(ctx, &f, f.dir, sb, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := bo.stop(); err != nil {
		t.Fatal(err)
	}
	if seq := headOf(t, filepath.Join(f.dir, "audit.db")); seq <= 3 {
		t.Errorf("the back office's log ends at event %d: not the copy with the open attempt closed", seq)
	}
	if seq := headOf(t, src); seq != 3 {
		t.Errorf("the original log ends at event %d, want 3: it was written to", seq)
	}
}

func headOf(t *testing.T, path string) int64 {
	t.Helper()
	l, err := audit.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	seq, _, err := l.Head(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return seq
}
