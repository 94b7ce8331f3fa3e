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
	// Checkpoints is how many checkpoints the sources hold; Matched how
	// many carry a valid signature and match the log.
	Checkpoints, Matched int
	// Latest is the newest matching checkpoint (by count).
	Latest Checkpoint
	// Uncovered is the number of events after Latest: appended since the
	// last checkpoint, so protected by the chain only.
	Uncovered int64
	// Problems lists every checkpoint that failed, in source and file order.
	Problems []string
	// Acknowledged lists the acknowledged restores of the log (one line
	// each), and Excused counts the checkpoints they account for: signed
	// before the restore, of events the restore lost.
	Acknowledged []string
	Excused      int
}

// OK reports whether the chain verifies and every checkpoint matched.
func (r CheckpointReport) OK() bool { return r.Chain.OK && len(r.Problems) == 0 }

// CheckpointSource is one set of signed checkpoints to check the log
// against: the local checkpoint file, or a copy kept out of the data
// folder's reach (the checkpoint notes the shop received as outbound
// events, a copy on another machine).
type CheckpointSource struct {
	// Name prefixes the source's problems ("" for none).
	Name string
	// Notes is the file's contents: signed notes one after the other.
	Notes []byte
	// Local marks the file the back office writes: its newest checkpoint
	// says whether the back office stopped (checkpoint.go), which a copy
	// elsewhere, possibly behind, cannot.
	Local bool
}

// verifyCheckpoints walks the chain and checks every checkpoint of the
// file contents against it (see checkpoint.go).
func (l *Log) verifyCheckpoints(ctx context.Context, file []byte, v note.Verifier) (CheckpointReport, error) {
	return verifyCheckpoints(ctx, l.db.R, []CheckpointSource{{Notes: file, Local: true}}, v)
}

// VerifySources checks the database at dbPath (or a postgres:// URL),
// opened read-only, against
// every checkpoint of every source (for `admin audit verify`, which may
// run next to a serving admin): one walk of the chain for all of them.
func VerifySources(ctx context.Context, dbPath string, sources []CheckpointSource, v note.Verifier) (CheckpointReport, error) {
	d, done, err := openReadOnly(ctx, dbPath)
	if err != nil {
		return CheckpointReport{}, err
	}
	defer done()
	return verifyCheckpoints(ctx, d, sources, v)
}

// sourcePrefix starts the problems of a named source.
func sourcePrefix(src CheckpointSource) string {
	if src.Name == "" {
		return ""
	}
	return src.Name + ": "
}

// signedNote is a checkpoint whose signature was valid, with where it was
// found.
type signedNote struct {
	where string
	cp    Checkpoint
}

func verifyCheckpoints(ctx context.Context, d *sql.DB, sources []CheckpointSource, v note.Verifier) (CheckpointReport, error) {
	var rep CheckpointReport
	// Per source, the valid notes in file order (for the size order).
	valid := make([][]signedNote, len(sources))
	need := map[int64]bool{}
	empty := make([]bool, len(sources))
	// The key hand-overs of every source extend the trusted keys
	// (rotation.go).
	split := make([][][]byte, len(sources))
	var rots []rotation
	for si, src := range sources {
		split[si] = SplitCheckpoints(src.Notes)
		r, probs := rotationsIn(split[si], sourcePrefix(src))
		rots = append(rots, r...)
		rep.Problems = append(rep.Problems, probs...)
	}
	kr, probs := trustedKeys(v, rots)
	rep.Problems = append(rep.Problems, probs...)
	for si, src := range sources {
		prefix := sourcePrefix(src)
		notes := split[si]
		empty[si] = len(notes) == 0
		for i, n := range notes {
			if isRotation(n) {
				continue
			}
			rep.Checkpoints++
			where := fmt.Sprintf("%scheckpoint %d", prefix, i+1)
			cp, err := kr.open(n)
			if err != nil {
				rep.Problems = append(rep.Problems, fmt.Sprintf("%s: signature or format not valid: %v", where, err))
				continue
			}
			valid[si] = append(valid[si], signedNote{where, cp})
			need[cp.Count] = true
		}
	}
	chain, w, err := walk(ctx, d, need)
	if err != nil {
		return CheckpointReport{}, err
	}
	rep.Chain = chain
	for si, src := range sources {
		if empty[si] && chain.Events > 0 {
			name := src.Name
			if name == "" {
				name = "the checkpoint file"
			}
			rep.Problems = append(rep.Problems, fmt.Sprintf("%s holds no checkpoints, but the log holds %d events", name, chain.Events))
		}
	}
	for _, a := range w.acks {
		rep.Acknowledged = append(rep.Acknowledged, fmt.Sprintf("event %d (%s): %s", a.Seq, a.Time.Format(time.RFC3339), a.Summary))
	}
	for si, src := range sources {
		notes := valid[si] // valid has one list per source
		if n := len(notes); src.Local && n > 0 {
			if p := unsignedAfterStop(chain.Events, notes[n-1].cp); p != "" {
				rep.Problems = append(rep.Problems, notes[n-1].where+": "+p)
			}
		}
		var maxCount int64
		maxWhere := ""
		for _, s := range notes {
			cp := s.cp
			at := cp.Time.Format(time.RFC3339)
			problem := ""
			want := w.hashes[cp.Count]
			if cp.Count == 0 {
				want = GenesisHash
			}
			switch {
			case cp.Count > chain.Events:
				problem = fmt.Sprintf("%s (signed %s) covers %d events but the log holds %d: events were removed", s.where, at, cp.Count, chain.Events)
			case want != cp.Head:
				problem = fmt.Sprintf("%s (signed %s): the log's hash at event %d is not the signed head: the chain was rewritten", s.where, at, cp.Count)
			case cp.Root != "" && cp.Root != w.roots[cp.Count].String():
				problem = fmt.Sprintf("%s (signed %s): the Merkle root of the log's first %d events is not the signed root", s.where, at, cp.Count)
			}
			if problem != "" && excused(cp, w.acks) {
				rep.Excused++
				continue // an acknowledged restore lost these events; its size no longer counts
			}
			if cp.Count < maxCount {
				rep.Problems = append(rep.Problems, fmt.Sprintf("%s (signed %s) covers %d events, fewer than %s before it (%d): the checkpoints went backwards",
					s.where, at, cp.Count, maxWhere, maxCount))
			} else {
				maxCount, maxWhere = cp.Count, s.where
			}
			if problem != "" {
				rep.Problems = append(rep.Problems, problem)
				continue
			}
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
