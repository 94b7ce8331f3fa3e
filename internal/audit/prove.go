package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// InclusionProof proves that one event is in a signed checkpoint, to
// someone who has neither the log nor the back office: the event's bytes,
// the signed checkpoint, and the Merkle path from the event to the
// checkpoint's root (tree.go). CheckInclusion checks it with the verifier
// key alone.
type InclusionProof struct {
	Seq int64 `json:"seq"`
	// EventHash is the event's chain hash, SHA-256 of Canonical (hex).
	EventHash string `json:"event_hash"`
	// Canonical is the event's prev_hash followed by its canonical
	// encoding (canonical.go): every stored column, framed.
	Canonical []byte `json:"canonical"`
	// Checkpoint is the signed note whose root the path leads to.
	Checkpoint string `json:"checkpoint"`
	// Path is the tlog.RecordProof, base64 hashes.
	Path []string `json:"path"`
}

// Prove builds the inclusion proof of event seq in the newest checkpoint
// of file (on PostgreSQL, of the fleet's table) that carries a root,
// covers the event and v verifies.
func (l *Log) Prove(ctx context.Context, seq int64, file string, v note.Verifier) (InclusionProof, error) {
	store := l.CheckpointStore(file)
	b, err := store.Notes(ctx)
	if err != nil {
		return InclusionProof{}, err
	}
	var cp Checkpoint
	var msg []byte
	notes := SplitCheckpoints(b)
	for i := len(notes) - 1; i >= 0 && msg == nil; i-- {
		if c, err := OpenCheckpoint(notes[i], v); err == nil && c.Root != "" && c.Count >= seq {
			cp, msg = c, notes[i]
		}
	}
	if msg == nil {
		return InclusionProof{}, fmt.Errorf("audit: no signed checkpoint with a Merkle root covers event %d yet", seq)
	}
	r, err := scanRow(l.db.QueryRow(ctx, `SELECT `+selectColumns+` FROM events WHERE seq = ?`, seq))
	if err != nil {
		return InclusionProof{}, fmt.Errorf("audit: event %d: %w", seq, err)
	}
	tx, err := l.db.R.BeginTx(ctx, nil)
	if err != nil {
		return InclusionProof{}, fmt.Errorf("audit: prove: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read only
	rp, err := tlog.ProveRecord(cp.Count, seq-1, treeReader{ctx: ctx, q: tx})
	if err != nil {
		return InclusionProof{}, fmt.Errorf("audit: prove event %d: %w", seq, err)
	}
	p := InclusionProof{Seq: seq, EventHash: r.Hash, Canonical: r.appendCanonical([]byte(r.PrevHash)), Checkpoint: string(msg)}
	for _, h := range rp {
		p.Path = append(p.Path, h.String())
	}
	if _, err := CheckInclusion(p, v); err != nil {
		return InclusionProof{}, fmt.Errorf("audit: the proof of event %d does not check (the stored tree or the event was edited): %w", seq, err)
	}
	return p, nil
}

// CheckInclusion checks an inclusion proof with the verifier key: the
// checkpoint's signature, that the event bytes hash to the event hash and
// name the event's seq, and that the path leads from it to the signed
// root. It returns the checkpoint.
func CheckInclusion(p InclusionProof, v note.Verifier) (Checkpoint, error) {
	cp, err := OpenCheckpoint([]byte(p.Checkpoint), v)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint: %w", err)
	}
	if cp.Root == "" {
		return Checkpoint{}, errors.New("the checkpoint carries no Merkle root")
	}
	if p.Seq < 1 || p.Seq > cp.Count {
		return Checkpoint{}, fmt.Errorf("event %d is not among the checkpoint's %d", p.Seq, cp.Count)
	}
	sum := sha256.Sum256(p.Canonical)
	if hex.EncodeToString(sum[:]) != p.EventHash {
		return Checkpoint{}, errors.New("the event's bytes do not hash to its event hash")
	}
	fields, err := CanonicalFields(p.Canonical)
	if err != nil {
		return Checkpoint{}, err
	}
	if fields["seq"] != strconv.FormatInt(p.Seq, 10) {
		return Checkpoint{}, errors.New("the event's bytes are not those of event " + strconv.FormatInt(p.Seq, 10))
	}
	root, err := tlog.ParseHash(cp.Root)
	if err != nil {
		return Checkpoint{}, err
	}
	var rp tlog.RecordProof
	for _, s := range p.Path {
		h, err := tlog.ParseHash(s)
		if err != nil {
			return Checkpoint{}, fmt.Errorf("path: %w", err)
		}
		rp = append(rp, h)
	}
	if err := tlog.CheckRecord(rp, cp.Count, root, p.Seq-1, tlog.RecordHash([]byte(p.EventHash))); err != nil {
		return Checkpoint{}, fmt.Errorf("the path does not lead to the signed root: %w", err)
	}
	return cp, nil
}

// CanonicalFields reads the columns out of prev_hash followed by an
// event's canonical encoding.
func CanonicalFields(b []byte) (map[string]string, error) {
	bad := errors.New("not an event's canonical encoding")
	if len(b) < 64 || !strings.HasPrefix(string(b[64:]), canonicalHeader) {
		return nil, bad
	}
	rest := string(b[64+len(canonicalHeader):])
	out := map[string]string{}
	for rest != "" {
		name, after, ok := strings.Cut(rest, ":")
		if !ok {
			return nil, bad
		}
		ns, after, ok := strings.Cut(after, ":")
		n, err := strconv.Atoi(ns)
		if !ok || err != nil || n < 0 || n >= len(after) || after[n] != '\n' {
			return nil, bad
		}
		out[name], rest = after[:n], after[n+1:]
	}
	return out, nil
}

// ProveAttempt returns the inclusion proofs of an attempt's events (its
// requested and, once there, its completed event) in the newest signed
// checkpoint of the running checkpointer's file.
func (l *Log) ProveAttempt(ctx context.Context, attemptID string) ([]InclusionProof, error) {
	st := l.CheckpointStatus()
	if !st.Enabled {
		return nil, errors.New("audit: checkpoints are off, so there is nothing to prove against")
	}
	v, err := note.NewVerifier(st.VerifierKey)
	if err != nil {
		return nil, fmt.Errorf("audit: verifier key: %w", err)
	}
	a, err := l.Attempt(ctx, attemptID)
	if err != nil {
		return nil, err
	}
	seqs := []int64{a.Requested.Seq}
	if a.Completed != nil {
		seqs = append(seqs, a.Completed.Seq)
	}
	var out []InclusionProof
	for _, seq := range seqs {
		p, err := l.Prove(ctx, seq, st.File, v)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}
