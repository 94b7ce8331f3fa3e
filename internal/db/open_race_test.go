package db

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// openRaceChild is set in the environment of the processes that
// TestProcessesOpeningTogetherAllSucceed starts: each opens the file,
// migrates, writes a row and closes, a few times over.
const openRaceChild = "ORDERCARE_DB_OPEN_RACE_CHILD"

func TestMain(m *testing.M) {
	if path := os.Getenv(openRaceChild); path != "" {
		// Start together: every child waits for the same instant.
		at, _ := time.Parse(time.RFC3339Nano, os.Getenv(openRaceChild+"_AT"))
		time.Sleep(time.Until(at))
		if err := openWriteClose(path); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func openWriteClose(path string) error {
	ctx := context.Background()
	for range 2 {
		d, err := Open(ctx, path, SyncFull)
		if err != nil {
			return err
		}
		if err := d.Migrate(ctx, "race", []string{`CREATE TABLE t (n INTEGER)`}); err != nil {
			_ = d.Close()
			return err
		}
		if _, err := d.W.ExecContext(ctx, `INSERT INTO t (n) VALUES (1)`); err != nil {
			_ = d.Close()
			return err
		}
		if err := d.Close(); err != nil {
			return err
		}
	}
	return nil
}

// TestProcessesOpeningTogetherAllSucceed: separate processes (an admin
// command beside another, or beside the server) open one file at the same
// moment. The last connection to close a WAL file checkpoints it and
// removes the WAL under an exclusive lock, and a process opening meanwhile
// must wait for it like for any other lock, not fail with SQLITE_BUSY.
func TestProcessesOpeningTogetherAllSucceed(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	const rounds, procs = 8, 8
	errs := make(chan error, rounds*procs)
	for round := range rounds {
		// A new file each round: the first open of a file converts it to
		// WAL, the contended moment.
		path := filepath.Join(t.TempDir(), fmt.Sprintf("shared%d.db", round))
		at := time.Now().Add(500 * time.Millisecond).Format(time.RFC3339Nano)
		var wg sync.WaitGroup
		for range procs {
			wg.Go(func() {
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), openRaceChild+"="+path, openRaceChild+"_AT="+at)
				if out, err := cmd.CombinedOutput(); err != nil {
					errs <- fmt.Errorf("round %d: %v: %s", round, err, out)
				}
			})
		}
		wg.Wait()
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
