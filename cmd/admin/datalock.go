package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"ordercare/internal/datalock"
)

// holdFolder holds the data folder of the admin database at path shared,
// as a running back office does, for a command that writes admin.db or
// audit.db: while `admin migrate-to-postgres` copies the folder it
// refuses, so that nothing is written behind the copy. The returned
// function lets go.
func holdFolder(path string) (func(), error) {
	dir := filepath.Dir(path)
	l, err := datalock.Shared(dir)
	if errors.Is(err, datalock.ErrHeld) {
		return nil, fmt.Errorf("the data folder %s is being migrated (admin migrate-to-postgres holds %s): nothing was changed; run the command once it has finished",
			dir, datalock.FileName)
	}
	if err != nil {
		return nil, err
	}
	return func() { _ = l.Release() }, nil // closing a lock file does not fail in a way to act on
}
