package audit

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// CheckpointReport is the result of checking the log against its signed
// checkpoints.
type CheckpointReport struct {
	// Chain is the hash chain walk.
	Chain VerifyResult
	// Checkpoints is how many checkpoints the file holds; Matched how many
	// carry a valid signature and match the log.
	Checkpoints, Matched int
	// Latest is the newest matching checkpoint (by count).
	Latest Checkpoint
	// Uncovered is the number of events after Latest: appended since the
	// last checkpoint, so protected by the chain only.
	Uncovered int64
	// Problems lists every checkpoint that failed, in file order.
	Problems []string
}

// OK reports whether the chain verifies and every checkpoint matched.
func (r CheckpointReport) OK() bool { return r.Chain.OK && len(r.Problems) == 0 }

// VerifyCheckpoints walks the chain and checks every checkpoint of the
// file contents against it (see checkpoint.go).
func (l *Log) VerifyCheckpoints(ctx context.Context, file []byte, v note.Verifier) (CheckpointReport, error) {
	return verifyCheckpoints(ctx, l.db.R, file, v)
}

// VerifyCheckpointsFile is VerifyCheckpoints on the database at dbPath,
// opened read-only (for `admin audit verify --checkpoints`).
func VerifyCheckpointsFile(ctx context.Context, dbPath string, file []byte, v note.Verifier) (CheckpointReport, error) {
	d, err := openReadOnly(dbPath)
	if err != nil {
		return CheckpointReport{}, err
	}
	defer d.Close()
	return verifyCheckpoints(ctx, d, file, v)
}

func verifyCheckpoints(ctx context.Context, d *sql.DB, file []byte, v note.Verifier) (CheckpointReport, error) {
	var rep CheckpointReport
	notes := SplitCheckpoints(file)
	rep.Checkpoints = len(notes)
	type signed struct {
		i  int
		cp Checkpoint
	}
	var valid []signed
	need := map[int64]bool{}
	for i, n := range notes {
		cp, err := OpenCheckpoint(n, v)
		if err != nil {
			rep.Problems = append(rep.Problems, fmt.Sprintf("checkpoint %d: signature or format not valid: %v", i+1, err))
			continue
		}
		valid = append(valid, signed{i + 1, cp})
		need[cp.Count] = true
	}
	if len(notes) == 0 {
		rep.Problems = append(rep.Problems, "the checkpoint file holds no checkpoints")
	}
	chain, hashes, err := walk(ctx, d, need)
	if err != nil {
		return CheckpointReport{}, err
	}
	rep.Chain = chain
	for _, s := range valid {
		cp := s.cp
		at := cp.Time.Format(time.RFC3339)
		want := hashes[cp.Count]
		if cp.Count == 0 {
			want = GenesisHash
		}
		switch {
		case cp.Count > chain.Events:
			rep.Problems = append(rep.Problems, fmt.Sprintf(
				"checkpoint %d (signed %s) covers %d events but the log holds %d: events were removed", s.i, at, cp.Count, chain.Events))
		case want != cp.Head:
			rep.Problems = append(rep.Problems, fmt.Sprintf(
				"checkpoint %d (signed %s): the log's hash at event %d is not the signed head: the chain was rewritten", s.i, at, cp.Count))
		default:
			rep.Matched++
			if cp.Count >= rep.Latest.Count {
				rep.Latest = cp
			}
		}
	}
	if rep.Matched > 0 {
		rep.Uncovered = chain.Events - rep.Latest.Count
	} else {
		rep.Uncovered = chain.Events
	}
	return rep, nil
}
