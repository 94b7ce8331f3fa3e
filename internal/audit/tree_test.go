package audit

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"ordercare/internal/db/dbtest"
)

// memTree is tlog's stored hashes in memory, the reference the stored
// tree and verification's own computation must agree with.
type memTree []tlog.Hash

func (m memTree) ReadHashes(ix []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(ix))
	for i, id := range ix {
		out[i] = m[id]
	}
	return out, nil
}

// Every checkpoint carries the RFC 6962 root of the events it counts, the
// one tlog computes from the chain hashes; a stored tree edited by
// someone gives the next checkpoint a root that verification rejects.
func TestCheckpointsCarryTheMerkleRoot(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		k := testKey(t)
		dbPath, cpFile, _ := checkpointedLog(t, be, k, 37, 5)
		l, err := OpenWith(ctx, dbPath, Options{DatabaseURL: be.URL})
		if err != nil {
			t.Fatal(err)
		}
		var mem memTree
		roots := map[int64]string{0: emptyRoot.String()}
		for seq := int64(1); seq <= 37; seq++ {
			e, err := l.Event(ctx, seq)
			if err != nil {
				t.Fatal(err)
			}
			hs, err := tlog.StoredHashes(seq-1, []byte(e.Hash), mem)
			if err != nil {
				t.Fatal(err)
			}
			mem = append(mem, hs...)
			root, err := tlog.TreeHash(seq, mem)
			if err != nil {
				t.Fatal(err)
			}
			roots[seq] = root.String()
		}
		cps := readCheckpoints(t, be, cpFile, verifierOf(t, k))
		for _, cp := range cps {
			if cp.Root != roots[cp.Count] {
				t.Fatalf("checkpoint at %d: root %q, tlog's %q", cp.Count, cp.Root, roots[cp.Count])
			}
		}
		if cps[len(cps)-1].Count != 37 {
			t.Fatalf("last checkpoint %+v", cps[len(cps)-1])
		}

		// The stored tree is edited (the root of the first 32 events, which
		// every later root reads); the next checkpoint is built on it.
		if _, err := l.db.W.ExecContext(ctx, `UPDATE tree_hashes SET hash = ? WHERE id = ?`, make([]byte, 32), tlog.StoredHashIndex(5, 0)); err != nil {
			t.Fatal(err)
		}
		if err := l.StartCheckpoints(CheckpointConfig{Key: k, Logger: slog.New(slog.DiscardHandler)}); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Append(ctx, sampleEvent(38)); err != nil {
			t.Fatal(err)
		}
		l.Close()
		rep, err := VerifyCheckpointsFile(ctx, dbOf(be, dbPath), notesOf(t, be, cpFile), verifierOf(t, k))
		if err != nil || rep.OK() || !strings.Contains(strings.Join(rep.Problems, "\n"), "Merkle root") {
			t.Fatalf("a checkpoint over an edited tree: %+v %v", rep, err)
		}
	})
}
