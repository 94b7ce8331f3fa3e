package datalock

import (
	"errors"
	"testing"
)

func TestSharedHoldersExcludeAnExclusiveOne(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, err := Shared(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Shared(dir)
	if err != nil {
		t.Fatalf("a second back office on the folder: %v", err)
	}
	if _, err := Exclusive(dir); !errors.Is(err, ErrHeld) {
		t.Fatalf("exclusive while two share it: %v", err)
	}
	if err := a.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := Exclusive(dir); !errors.Is(err, ErrHeld) {
		t.Fatalf("exclusive while one shares it: %v", err)
	}
	if err := b.Release(); err != nil {
		t.Fatal(err)
	}
	x, err := Exclusive(dir)
	if err != nil {
		t.Fatalf("exclusive on a folder nobody holds: %v", err)
	}
	if _, err := Shared(dir); !errors.Is(err, ErrHeld) {
		t.Fatalf("a back office starting during a migration: %v", err)
	}
	if err := x.Release(); err != nil {
		t.Fatal(err)
	}
	if err := x.Release(); err != nil {
		t.Fatal("a second release:", err)
	}
}
