package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// Key rotation.
//
// A new checkpoint key is handed over by a note signed with both the old
// and the new key, appended to the checkpoint file like a checkpoint:
//
//	ordercare audit key rotation
//	<count>
//	<head hash>
//	<time, RFC 3339 UTC>
//	from <old verifier key>
//	to <new verifier key>
//
//	— ordercare-audit <signature by the old key>
//	— ordercare-audit <signature by the new key>
//
// Verification starts from one trusted key (the pinned
// ORDERCARE_AUDIT_VERIFIER_KEY, else audit.pub) and trusts the other key
// of every hand-over one of whose keys it trusts, both signatures valid,
// in either direction: a pin of the first key accepts checkpoints of the
// keys after it, an audit.pub of the newest key accepts the old
// checkpoints. A key handed over signs nothing after the hand-over: a
// checkpoint it signed later is a problem (someone kept the old key).

// RotationOrigin is the first line of a key hand-over note.
const RotationOrigin = "ordercare audit key rotation"

// rotation is a parsed hand-over note.
type rotation struct {
	at         Checkpoint // the log's head when the key was handed over
	fromV, toV note.Verifier
	where      string
}

// parseRotation reads a hand-over note and checks both signatures.
func parseRotation(msg []byte) (rotation, error) {
	text, _, ok := strings.Cut(string(msg), "\n\n")
	if !ok {
		return rotation{}, errors.New("malformed key rotation note")
	}
	lines := strings.Split(text, "\n")
	if len(lines) != 6 || lines[0] != RotationOrigin || !strings.HasPrefix(lines[4], "from ") || !strings.HasPrefix(lines[5], "to ") {
		return rotation{}, errors.New("malformed key rotation note")
	}
	at, err := parseCheckpointText(strings.Join(append([]string{CheckpointOrigin}, lines[1:4]...), "\n") + "\n")
	if err != nil {
		return rotation{}, err
	}
	vf, err := note.NewVerifier(strings.TrimPrefix(lines[4], "from "))
	if err != nil {
		return rotation{}, fmt.Errorf("key rotation: old key: %w", err)
	}
	vt, err := note.NewVerifier(strings.TrimPrefix(lines[5], "to "))
	if err != nil {
		return rotation{}, fmt.Errorf("key rotation: new key: %w", err)
	}
	for _, v := range []note.Verifier{vf, vt} {
		if _, err := note.Open(msg, note.VerifierList(v)); err != nil {
			return rotation{}, fmt.Errorf("key rotation: not signed by both keys: %w", err)
		}
	}
	return rotation{at: at, fromV: vf, toV: vt}, nil
}

// SignRotation returns the hand-over note from old to next at the log's
// head cp, signed by both.
func SignRotation(old, next SigningKey, cp Checkpoint) ([]byte, error) {
	text := fmt.Sprintf("%s\n%d\n%s\n%s\nfrom %s\nto %s\n", RotationOrigin, cp.Count, cp.Head, cp.Time.UTC().Format(time.RFC3339),
		old.VerifierKey, next.VerifierKey)
	msg, err := note.Sign(&note.Note{Text: text}, old.Signer, next.Signer)
	if err != nil {
		return nil, fmt.Errorf("audit: sign key rotation: %w", err)
	}
	return msg, nil
}

// keyID names a verifier key the way note signatures do.
func keyID(v note.Verifier) string { return fmt.Sprintf("%s+%08x", v.Name(), v.KeyHash()) }

// keyring is the trusted keys: the root and those handed over from or to
// it, each with when it was handed over to the next (absent: in use).
type keyring struct {
	keys    []note.Verifier
	retired map[string]time.Time // keyID → hand-over time
}

// trustedKeys builds the keyring from the root key and the hand-over
// notes; a hand-over between keys it does not trust is a problem.
func trustedKeys(root note.Verifier, rots []rotation) (*keyring, []string) {
	kr := &keyring{keys: []note.Verifier{root}, retired: map[string]time.Time{}}
	trusted := map[string]bool{keyID(root): true}
	for changed := true; changed; {
		changed = false
		for _, r := range rots {
			from, to := keyID(r.fromV), keyID(r.toV)
			if trusted[from] == trusted[to] {
				continue
			}
			for _, k := range []note.Verifier{r.fromV, r.toV} {
				if !trusted[keyID(k)] {
					trusted[keyID(k)] = true
					kr.keys = append(kr.keys, k)
				}
			}
			changed = true
		}
	}
	var problems []string
	for _, r := range rots {
		from := keyID(r.fromV)
		if !trusted[from] {
			problems = append(problems, r.where+": a key rotation between keys this log does not trust")
			continue
		}
		if t, ok := kr.retired[from]; !ok || r.at.Time.Before(t) {
			kr.retired[from] = r.at.Time
		}
	}
	return kr, problems
}

// open checks a checkpoint note against every trusted key and that the
// key that signed it was not handed over before it was signed.
func (kr *keyring) open(msg []byte) (Checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(kr.keys...))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		if errors.As(err, &unverified) {
			return Checkpoint{}, errors.New("not signed by the given key")
		}
		return Checkpoint{}, err
	}
	cp, err := parseCheckpointText(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	for _, sig := range n.Sigs {
		if t, ok := kr.retired[fmt.Sprintf("%s+%08x", sig.Name, sig.Hash)]; ok && cp.Time.After(t) {
			return Checkpoint{}, fmt.Errorf("signed %s by a key handed over at %s: someone kept the old key",
				cp.Time.Format(time.RFC3339), t.Format(time.RFC3339))
		}
	}
	return cp, nil
}

// rotationsIn parses the hand-over notes among notes; a bad one is a
// problem.
func rotationsIn(notes [][]byte, prefix string) ([]rotation, []string) {
	var rots []rotation
	var problems []string
	for i, msg := range notes {
		if !isRotation(msg) {
			continue
		}
		where := fmt.Sprintf("%snote %d", prefix, i+1)
		r, err := parseRotation(msg)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", where, err))
			continue
		}
		r.where = where
		rots = append(rots, r)
	}
	return rots, problems
}

// isRotation reports whether a note of the checkpoint file is a hand-over.
func isRotation(msg []byte) bool { return strings.HasPrefix(string(msg), RotationOrigin+"\n") }

// KeyHandedOver reports whether the checkpoint file's contents hand the
// pinned key over, directly or in steps, to the key whose verifier key
// text is current (so start-up accepts a rotated key under the old pin).
func KeyHandedOver(file []byte, pinned, current string) bool {
	pv, err := note.NewVerifier(pinned)
	if err != nil {
		return false
	}
	cv, err := note.NewVerifier(current)
	if err != nil {
		return false
	}
	rots, _ := rotationsIn(SplitCheckpoints(file), "")
	kr, _ := trustedKeys(pv, rots)
	for _, k := range kr.keys {
		if keyID(k) == keyID(cv) {
			return true
		}
	}
	return false
}

// RotateKey hands the log's checkpoints over from key to next: the log
// must match its newest checkpoint signed by key; the hand-over note
// (signed by both) and a stopped checkpoint signed by next are appended
// to file. The caller then replaces the key.
func (l *Log) RotateKey(ctx context.Context, key, next SigningKey, file string) error {
	v, err := note.NewVerifier(key.VerifierKey)
	if err != nil {
		return fmt.Errorf("audit: verifier key: %w", err)
	}
	store := l.CheckpointStore(file)
	last, err := lastCheckpointOf(ctx, store, v)
	if err != nil {
		return err
	}
	n, h, err := head(ctx, l.db.R)
	if err != nil {
		return err
	}
	if err := checkTail(ctx, l.db.R, n, last, store); err != nil {
		return fmt.Errorf("audit: no key rotation on a log that does not match its checkpoints: %w", err)
	}
	if !last.Stopped {
		return errors.New("audit: stop the back office first: the key is handed over while nothing signs")
	}
	msg, err := SignRotation(key, next, Checkpoint{Count: n, Head: h, Time: l.now().UTC()})
	if err != nil {
		return err
	}
	if err := store.Append(ctx, msg); err != nil {
		return err
	}
	_, err = l.signNow(ctx, next, store, true)
	return err
}

// RotateFleetKey hands the checkpoints of a fleet's log (PostgreSQL, the
// table audit_checkpoints) over from key to next. A fleet signs no
// stopped checkpoint, so stopped says whether the whole fleet is stopped
// (nil when it is); it is asked again under the fleet's append lock, which
// the three notes are stored under in one transaction: a checkpoint of
// the head signed by key (so the old key's last word covers everything
// appended), the hand-over signed by both, and a checkpoint of the same
// head signed by next, which the instances started with next then go on
// from. The log must match the old key's newest checkpoint first.
func (l *Log) RotateFleetKey(ctx context.Context, key, next SigningKey, stopped func(context.Context) error) error {
	if !l.db.Postgres {
		return errors.New("audit: RotateFleetKey is for a fleet's log on PostgreSQL")
	}
	v, err := note.NewVerifier(key.VerifierKey)
	if err != nil {
		return fmt.Errorf("audit: verifier key: %w", err)
	}
	if err := stopped(ctx); err != nil {
		return err
	}
	store := l.CheckpointStore("")
	last, err := lastCheckpointOf(ctx, store, v)
	if err != nil {
		return err
	}
	tx, err := l.db.W.BeginTx(ctx, nil) // takes the fleet's append lock
	if err != nil {
		return fmt.Errorf("audit: key rotation: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	if err := stopped(ctx); err != nil {
		return err
	}
	n, h, err := scanHead(tx.QueryRowContext(ctx, headSQL))
	if err != nil {
		return err
	}
	if err := checkTail(ctx, l.db.R, n, last, store); err != nil {
		return fmt.Errorf("audit: no key rotation on a log that does not match its checkpoints: %w", err)
	}
	root, err := treeRootIn(ctx, tx, n)
	if err != nil {
		return err
	}
	cp := Checkpoint{Count: n, Head: h, Time: l.now().UTC(), Root: root.String()}
	oldCP, err := SignCheckpoint(key.Signer, cp)
	if err != nil {
		return err
	}
	handOver, err := SignRotation(key, next, cp)
	if err != nil {
		return err
	}
	newCP, err := SignCheckpoint(next.Signer, cp)
	if err != nil {
		return err
	}
	for _, msg := range [][]byte{oldCP, handOver, newCP} {
		if _, err := tx.ExecContext(ctx, insertNoteSQL, msg, l.instance); err != nil {
			return fmt.Errorf("audit: key rotation: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("audit: key rotation: %w", err)
	}
	return nil
}
