package audit

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Signed checkpoints.
//
// A hash chain proves that no event was changed in place, but whoever can
// write the file can rewrite the chain end to end and recompute every
// hash. So the admin signs, every 100 events and at least hourly, a
// checkpoint: the event count and the chain head hash at that count, as a
// signed note (golang.org/x/mod/sumdb/note, ed25519):
//
//	ordercare audit checkpoint
//	<count>
//	<head hash, 64 lower-case hex>
//	<time, RFC 3339 UTC>
//	[root <Merkle tree hash of the first count events, base64>]
//	[stopped]
//
// The root line (tree.go) is written by every checkpoint since the tree
// was added; older checkpoints lack it and are checked by the head alone.
//
//	— ordercare-audit <base64 signature>
//
// The optional fifth line marks the checkpoint the back office signs as it
// stops: nothing may be appended after it without a signature (admin
// commands that append while it is stopped sign a new stopped checkpoint),
// so an event forged onto a stopped log is caught at the next start and by
// verification. The back office signs a checkpoint without the mark as it
// starts. After a crash the newest checkpoint has no mark, and the events
// committed since it are reported as not yet covered.
//
// Each checkpoint is appended to a file outside the database (on
// PostgreSQL, where a fleet shares the log, to a table of the shared
// database: checkpoint_store.go, checkpoint_fleet.go) and written to the
// process log. verifyCheckpoints then checks, for every checkpoint,
// its signature and that the chain's hash at seq = count equals the head:
// a rewritten chain no longer matches what was signed before the rewrite,
// and a shortened log no longer reaches the counts that were signed. Only
// the verifier key (audit.pub) is needed to check.

// CheckpointOrigin is the first line of every checkpoint note.
const CheckpointOrigin = "ordercare audit checkpoint"

// Checkpoint is what a signed checkpoint asserts.
type Checkpoint struct {
	// Count is the number of events (the seq of the last one).
	Count int64
	// Head is the hash of event Count (GenesisHash when Count is 0).
	Head string
	// Time is when it was signed.
	Time time.Time
	// Root is the Merkle tree hash of the first Count events (tree.go),
	// base64; "" in checkpoints signed before the tree.
	Root string
	// Stopped marks the checkpoint signed as the back office stopped.
	Stopped bool
}

// stoppedLine is the optional last line of a stopped checkpoint, and
// rootPrefix starts the optional line of the tree's root.
const (
	stoppedLine = "stopped"
	rootPrefix  = "root "
)

// Text is the checkpoint's note text.
func (c Checkpoint) Text() string {
	t := fmt.Sprintf("%s\n%d\n%s\n%s\n", CheckpointOrigin, c.Count, c.Head, c.Time.UTC().Format(time.RFC3339))
	if c.Root != "" {
		t += rootPrefix + c.Root + "\n"
	}
	if c.Stopped {
		t += stoppedLine + "\n"
	}
	return t
}

// parseCheckpointText reads a note text written by Text.
func parseCheckpointText(text string) (Checkpoint, error) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 4 || lines[0] != CheckpointOrigin {
		return Checkpoint{}, errors.New("not an ordercare audit checkpoint")
	}
	var root string
	stopped := false
	rest := lines[4:]
	if len(rest) > 0 && strings.HasPrefix(rest[0], rootPrefix) {
		root, rest = strings.TrimPrefix(rest[0], rootPrefix), rest[1:]
		if _, err := tlog.ParseHash(root); err != nil {
			return Checkpoint{}, fmt.Errorf("bad root %q", root)
		}
	}
	if len(rest) > 0 && rest[0] == stoppedLine {
		stopped, rest = true, rest[1:]
	}
	if len(rest) > 0 {
		return Checkpoint{}, errors.New("not an ordercare audit checkpoint")
	}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != lines[1] {
		return Checkpoint{}, fmt.Errorf("bad count %q", lines[1])
	}
	if len(lines[2]) != 64 || strings.Trim(lines[2], "0123456789abcdef") != "" {
		return Checkpoint{}, fmt.Errorf("bad head hash %q", lines[2])
	}
	t, err := time.Parse(time.RFC3339, lines[3])
	if err != nil {
		return Checkpoint{}, fmt.Errorf("bad time %q", lines[3])
	}
	return Checkpoint{Count: n, Head: lines[2], Time: t.UTC(), Root: root, Stopped: stopped}, nil
}

// SignCheckpoint returns the signed note of c.
func SignCheckpoint(s note.Signer, c Checkpoint) ([]byte, error) {
	msg, err := note.Sign(&note.Note{Text: c.Text()}, s)
	if err != nil {
		return nil, fmt.Errorf("audit: sign checkpoint: %w", err)
	}
	return msg, nil
}

// OpenCheckpoint checks a signed checkpoint against the verifier and
// returns what it asserts.
func OpenCheckpoint(msg []byte, v note.Verifier) (Checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		if errors.As(err, &unverified) {
			return Checkpoint{}, errors.New("not signed by the given key")
		}
		return Checkpoint{}, err
	}
	return parseCheckpointText(n.Text)
}

// SplitCheckpoints splits the contents of a checkpoint file into its notes
// (each starts with the origin line of a checkpoint or of a key
// hand-over, rotation.go).
func SplitCheckpoints(file []byte) [][]byte {
	markers := [][]byte{[]byte(CheckpointOrigin + "\n"), []byte(RotationOrigin + "\n")}
	var out [][]byte
	start := -1
	for i := 0; i < len(file); {
		if i == 0 || file[i-1] == '\n' {
			if m := markerAt(file[i:], markers); m > 0 {
				if start >= 0 {
					out = append(out, trimBlankLines(file[start:i]))
				}
				start = i
				i += m
				continue
			}
		}
		i++
	}
	if start >= 0 {
		out = append(out, trimBlankLines(file[start:]))
	}
	return out
}

// markerAt is the length of the marker b starts with, 0 for none.
func markerAt(b []byte, markers [][]byte) int {
	for _, m := range markers {
		if bytes.HasPrefix(b, m) {
			return len(m)
		}
	}
	return 0
}

// trimBlankLines leaves exactly one final newline.
func trimBlankLines(b []byte) []byte {
	return append(bytes.TrimRight(b, "\n"), '\n')
}

// appendCheckpoint appends a signed note to the checkpoint file and syncs
// it. The file is opened for appending only and never rewritten.
func appendCheckpoint(path string, msg []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600) // #nosec G304 -- the configured checkpoint file, or the default beside the database
	if err != nil {
		return fmt.Errorf("audit: checkpoint file: %w", err)
	}
	if _, err := f.Write(msg); err != nil {
		_ = f.Close() // the write error is the one to report
		return fmt.Errorf("audit: checkpoint file: %w", err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close() // the sync error is the one to report
		return fmt.Errorf("audit: checkpoint file: %w", err)
	}
	return f.Close()
}

// CheckpointsUpTo returns the notes of file that v verifies and that
// cover at most n events: the checkpoints of a copy of the log taken at n
// events (`admin backup`), so that the copy can be verified on its own.
func CheckpointsUpTo(file []byte, v note.Verifier, n int64) []byte {
	var out []byte
	for _, msg := range SplitCheckpoints(file) {
		if c, err := OpenCheckpoint(msg, v); err == nil && c.Count <= n {
			out = append(out, msg...)
		}
	}
	return out
}
