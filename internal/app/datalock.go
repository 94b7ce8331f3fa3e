package app

import (
	"errors"
	"fmt"
	"path/filepath"

	"ordercare/internal/config"
	"ordercare/internal/datalock"
)

// holdDataFolder takes the data folder's lock shared for as long as the
// back office runs (released by Close), so that `admin
// migrate-to-postgres` refuses to copy a live install; and refuses to
// start while a migration holds it. Without a path there is no folder
// (db.Open refuses it next), and no lock file is made in the working
// folder.
func holdDataFolder(cfg config.Config) (*datalock.Lock, error) {
	if cfg.DBPath == "" {
		return nil, nil
	}
	dir := filepath.Dir(cfg.DBPath)
	l, err := datalock.Shared(dir)
	if errors.Is(err, datalock.ErrHeld) {
		return nil, fmt.Errorf("the data folder %s is being migrated (admin migrate-to-postgres holds %s): start the back office once it has finished",
			dir, datalock.FileName)
	}
	return l, err
}
