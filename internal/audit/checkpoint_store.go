package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"

	"golang.org/x/mod/sumdb/note"
)

// Where the signed notes are kept.
//
// On SQLite the back office is one instance, and its checkpoints (and key
// hand-overs, rotation.go) are the file audit.checkpoints beside audit.db,
// outside the database. On PostgreSQL (ORDERCARE_DATABASE_URL) the log is
// a fleet's: every instance appends to it, so a file in one instance's data
// folder cannot hold its checkpoints (the next instance to start would find
// none of the events the others appended signed, and refuse the log). There
// the notes are rows of the table audit_checkpoints in the shared database,
// append-only by trigger as the events are (schema_postgres.go), each note
// byte for byte as the file holds it: the notes read back one after the
// other in the order they were stored are what the file's contents would
// be, so every reader keeps one parser (SplitCheckpoints).
//
// The table is in the same database as the events, so whoever can rewrite
// the events can disable its triggers too; what protects the log is the
// signature, as with the file, and the copies published outside the
// database (the outbox, a witness).

// CheckpointStore keeps a log's signed notes in the order they were
// signed.
type CheckpointStore interface {
	// Notes returns every stored note, oldest first, one after the other
	// as the file holds them: nil when there are none.
	Notes(ctx context.Context) ([]byte, error)
	// Append stores a signed note after the others.
	Append(ctx context.Context, msg []byte) error
	// Started reports whether the store was ever written (the file
	// exists; the table holds a row): a log whose store never was may get
	// its first checkpoint (tail.go).
	Started(ctx context.Context) (bool, error)
	// String names the store in messages.
	String() string
}

// CheckpointFile is the checkpoint file at a path (SQLite installs).
type CheckpointFile string

// Notes reads the file (nil when it does not exist yet).
func (f CheckpointFile) Notes(context.Context) ([]byte, error) {
	b, err := os.ReadFile(string(f)) // #nosec G304 -- the configured checkpoint file, or the default beside the database
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit: checkpoint file: %w", err)
	}
	return b, nil
}

// Append appends the note and syncs the file (appendCheckpoint).
func (f CheckpointFile) Append(_ context.Context, msg []byte) error {
	return appendCheckpoint(string(f), msg)
}

// Started reports whether the file exists.
func (f CheckpointFile) Started(context.Context) (bool, error) {
	_, err := os.Stat(string(f))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("audit: checkpoint file: %w", err)
	}
	return true, nil
}

func (f CheckpointFile) String() string { return string(f) }

// CheckpointTable names the table of the notes on PostgreSQL in messages.
const CheckpointTable = "the audit_checkpoints table"

// checkpointTable is the table audit_checkpoints of the log's PostgreSQL
// database, shared by every instance.
type checkpointTable struct{ l *Log }

// notesSQL reads the notes in the order they were stored: ids are taken
// under the log's writer lock, which every insert holds until it commits
// (db.OpenPostgres), so id order is commit order and a reader sees a
// prefix of it.
const notesSQL = `SELECT note FROM audit_checkpoints ORDER BY id`

func (t checkpointTable) Notes(ctx context.Context) ([]byte, error) {
	return readNotes(ctx, t.l.db.R)
}

// readNotes reads the table's notes through q.
func readNotes(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) ([]byte, error) {
	rows, err := q.QueryContext(ctx, notesSQL)
	if err != nil {
		return nil, fmt.Errorf("audit: checkpoints: %w", err)
	}
	defer rows.Close()
	var out []byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, fmt.Errorf("audit: checkpoints: %w", err)
		}
		out = append(out, b...)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: checkpoints: %w", err)
	}
	return out, nil
}

// insertNoteSQL stores a note with the instance that signed it.
const insertNoteSQL = `INSERT INTO audit_checkpoints (note, instance) VALUES (?, ?)`

// Append inserts the note in a statement of its own, which takes the
// log's writer lock (db.OpenPostgres).
func (t checkpointTable) Append(ctx context.Context, msg []byte) error {
	if _, err := t.l.db.W.ExecContext(ctx, insertNoteSQL, msg, t.l.instance); err != nil {
		return fmt.Errorf("audit: checkpoints: %w", err)
	}
	return nil
}

func (t checkpointTable) Started(ctx context.Context) (bool, error) {
	var exists bool
	if err := t.l.db.R.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM audit_checkpoints)`).Scan(&exists); err != nil {
		return false, fmt.Errorf("audit: checkpoints: %w", err)
	}
	return exists, nil
}

func (checkpointTable) String() string { return CheckpointTable }

// CheckpointStore is where the log keeps its signed notes: the table of
// its PostgreSQL database, shared by the fleet (file is then unused), else
// the file (default: audit.checkpoints beside audit.db).
func (l *Log) CheckpointStore(file string) CheckpointStore {
	if l.db.Postgres {
		return checkpointTable{l}
	}
	if file == "" {
		file = l.defaultCheckpointFile()
	}
	return CheckpointFile(file)
}

// shared reports whether s is the fleet's table: several instances sign
// into it, and none of them stopping stops the back office (tail.go).
func shared(s CheckpointStore) bool {
	_, ok := s.(checkpointTable)
	return ok
}

// lastCheckpointOf returns the newest checkpoint of the store that the
// key signed (zero when none).
func lastCheckpointOf(ctx context.Context, s CheckpointStore, v note.Verifier) (Checkpoint, error) {
	b, err := s.Notes(ctx)
	if err != nil {
		return Checkpoint{}, err
	}
	return lastCheckpointInNotes(b, v), nil
}

// lastCheckpointInNotes is the newest checkpoint among the notes that the
// key signed (zero when none).
func lastCheckpointInNotes(b []byte, v note.Verifier) Checkpoint {
	notes := SplitCheckpoints(b)
	for i := len(notes) - 1; i >= 0; i-- {
		if c, err := OpenCheckpoint(notes[i], v); err == nil {
			return c
		}
	}
	return Checkpoint{}
}

// CheckpointNotes reads the notes of the table audit_checkpoints of the
// PostgreSQL database at url (`admin audit verify` with
// ORDERCARE_DATABASE_URL), through read-only sessions.
func CheckpointNotes(ctx context.Context, url string) ([]byte, error) {
	d, done, err := openReadOnly(ctx, url)
	if err != nil {
		return nil, err
	}
	defer done()
	return readNotes(ctx, d)
}
