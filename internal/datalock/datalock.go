// Package datalock marks a data folder as in use by a back office, so that
// a command that must have the folder to itself (admin migrate-to-postgres)
// can tell a live install from a stopped one. Each back office holds the
// folder's lock file shared (flock(2), LOCK_SH) for as long as it runs;
// several may, as before. A command that needs the folder alone takes the
// lock exclusive, without waiting: it fails at once while any back office
// holds it, and a back office starting meanwhile fails to start.
//
// The kernel drops the lock with the process, so a crash leaves nothing to
// clean up: the file stays, its lock does not.
package datalock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// FileName is the lock file inside the data folder.
const FileName = "ordercare.lock"

// ErrHeld is returned when the lock is held in a way that excludes the
// one asked for.
var ErrHeld = errors.New("datalock: held")

// Lock is a held lock on a data folder.
type Lock struct {
	f *os.File
}

// Shared takes dir's lock shared: a back office runs on dir. It fails with
// ErrHeld while a command holds it exclusive.
func Shared(dir string) (*Lock, error) { return take(dir, false) }

// Exclusive takes dir's lock for the caller alone. It fails with ErrHeld
// while any back office (or another command) holds it.
func Exclusive(dir string) (*Lock, error) { return take(dir, true) }

func take(dir string, exclusive bool) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("datalock: %w", err)
	}
	path := filepath.Join(dir, FileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600) // #nosec G304 -- the lock file in the configured data folder
	if err != nil {
		return nil, fmt.Errorf("datalock: %w", err)
	}
	if err := lock(f, exclusive); err != nil {
		_ = f.Close() // the lock's error is the one to report
		return nil, err
	}
	return &Lock{f: f}, nil
}

// Release gives the lock up. A nil Lock releases nothing.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the file drops its flock
	l.f = nil
	return err
}
