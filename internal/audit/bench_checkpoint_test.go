package audit

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkCheckpoints times what the tamper evidence costs over the log
// of 1,000,000 events with the 10,000 checkpoints that signing every 100
// events leaves: the start-up check (the newest checkpoint against the
// log: read and split the file, one signature, one lookup by seq), one
// checkpoint after 100 new events (read the head, extend the stored tree
// by 100 events, its root, sign, append and fsync), and a full
// `admin audit verify` (the chain walk and every checkpoint).
//
//	go test -run '^$' -bench BenchmarkCheckpoints -benchtime 20x ./internal/audit
func BenchmarkCheckpoints(b *testing.B) {
	if testing.Short() {
		b.Skip("fills 1,000,000 events")
	}
	ctx := context.Background()
	dir := b.TempDir()
	path := filepath.Join(dir, "audit.db")
	src := benchDB(b)
	copyFile(b, src, path)
	copyFile(b, IndexPath(src), IndexPath(path)) // the index is not what is measured
	l, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	if err := l.SyncIndex(ctx); err != nil {
		b.Fatal(err)
	}
	// A log from before the tree gets all of it at its first checkpoint.
	start := time.Now()
	if _, err := l.rootOf(ctx, benchEvents); err != nil {
		b.Fatal(err)
	}
	b.Logf("the tree of %d events built in %v (once, at the first checkpoint after the upgrade)", benchEvents, time.Since(start).Round(time.Millisecond))
	k := testKey(b)
	v := verifierOf(b, k)
	file := filepath.Join(dir, CheckpointsFileName)
	n, _, err := l.Head(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var notes []byte
	for c := int64(0); c <= n; c += DefaultCheckpointEvery {
		h, err := hashAt(ctx, l.db.R, c)
		if err != nil {
			b.Fatal(err)
		}
		msg, err := SignCheckpoint(k.Signer, Checkpoint{Count: c, Head: h, Time: benchStart})
		if err != nil {
			b.Fatal(err)
		}
		notes = append(notes, msg...)
	}
	if err := os.WriteFile(file, notes, 0o600); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d events, %d checkpoints (%d bytes)", n, len(SplitCheckpoints(notes)), len(notes))

	b.Run("startup_check", func(b *testing.B) {
		for b.Loop() {
			last, err := lastCheckpointOf(ctx, CheckpointFile(file), v)
			if err != nil {
				b.Fatal(err)
			}
			m, _, err := head(ctx, l.db.R)
			if err != nil {
				b.Fatal(err)
			}
			if err := checkTail(ctx, l.db.R, m, last, CheckpointFile(file)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("checkpoint", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			for i := range int(DefaultCheckpointEvery) { // what a checkpoint normally follows
				if _, err := l.Append(ctx, sampleEvent(i)); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
			if _, err := l.signNow(ctx, k, CheckpointFile(file), false); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("verify_all", func(b *testing.B) {
		for b.Loop() {
			rep, err := l.verifyCheckpoints(ctx, notes, v)
			if err != nil || !rep.OK() {
				b.Fatalf("%+v %v", rep, err)
			}
		}
	})
}
