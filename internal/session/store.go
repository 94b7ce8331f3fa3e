// Package session keeps scs sessions in admin.db (modernc.org/sqlite through
// internal/db: writes on the single writer, reads on the reader pool) and
// builds the session manager with the back office's cookie and timeouts.
package session

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/alexedwards/scs/v2"

	"ordercare/internal/db"
)

var migrations = []string{
	`CREATE TABLE sessions (token TEXT PRIMARY KEY, data BLOB NOT NULL, expiry REAL NOT NULL);
	CREATE INDEX sessions_expiry ON sessions (expiry);`,
}

// Store is an scs.CtxStore and scs.IterableCtxStore over admin.db. Expiry
// is a julian day so SQLite compares it with julianday('now').
//
// The two reads of every request (Find, and Commit's check) go through
// db.QueryRow, which prepares them once per reader connection instead of
// at every call (BenchmarkCommitUnchanged).
type Store struct {
	db *db.DB
}

var (
	_ scs.CtxStore         = (*Store)(nil)
	_ scs.IterableStore    = (*Store)(nil)
	_ scs.IterableCtxStore = (*Store)(nil)
)

// NewStore migrates the sessions table in d.
func NewStore(ctx context.Context, d *db.DB) (*Store, error) {
	if err := d.Migrate(ctx, "session", migrations); err != nil {
		return nil, err
	}
	return &Store{db: d}, nil
}

const (
	findQuery = `SELECT data FROM sessions WHERE token = ? AND julianday('now') < expiry`
	// sameQuery: are the stored bytes these, and by how many milliseconds
	// does the new expiry pass the stored one.
	sameQuery = `SELECT data = ?, (julianday(?) - expiry) * 86400000.0 FROM sessions
		WHERE token = ? AND julianday('now') < expiry`
)

const julianLayout = "2006-01-02 15:04:05.000"

// FindCtx returns the data of an unexpired session; found is false, with
// no error, for a missing or expired token.
func (s *Store) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var b []byte
	err := s.db.QueryRow(ctx, findQuery, token).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("session: find: %w", err)
	}
	return b, true, nil
}

// ExpiryPrecision is how far the stored expiry of an unchanged session may
// lag behind the one scs asks for. scs commits a session on every request
// to push its idle expiry forward (IdleTimeout); writing that to admin.db
// was one of the order page's three write transactions. With this
// precision a session still idle-expires, at the latest, IdleTimeout after
// its last request, and at the earliest a minute before: a minute is well
// within what a 30-minute idle timeout means.
const ExpiryPrecision = time.Minute

// CommitCtx stores (or replaces) a session. It writes nothing when the
// stored session has exactly these bytes and an expiry less than
// ExpiryPrecision before the new one; any change of the data (a flash
// message, a sign-in, a new token) is always written, and a sign-out
// deletes the row (DeleteCtx).
func (s *Store) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	at := expiry.UTC().Format(julianLayout)
	var same bool
	var lagMS float64
	err := s.db.QueryRow(ctx, sameQuery, b, at, token).Scan(&same, &lagMS)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fmt.Errorf("session: commit: %w", err)
	case same && lagMS >= 0 && lagMS < float64(ExpiryPrecision.Milliseconds()):
		return nil
	}
	_, err = s.db.W.ExecContext(ctx, `INSERT INTO sessions (token, data, expiry) VALUES (?, ?, julianday(?))
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`,
		token, b, at)
	if err != nil {
		return fmt.Errorf("session: commit: %w", err)
	}
	return nil
}

// DeleteCtx removes a session; deleting a missing token is no error.
func (s *Store) DeleteCtx(ctx context.Context, token string) error {
	if _, err := s.db.W.ExecContext(ctx, `DELETE FROM sessions WHERE token = ?`, token); err != nil {
		return fmt.Errorf("session: delete: %w", err)
	}
	return nil
}

// AllCtx returns every unexpired session (never nil).
func (s *Store) AllCtx(ctx context.Context) (map[string][]byte, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT token, data FROM sessions WHERE julianday('now') < expiry`)
	if err != nil {
		return nil, fmt.Errorf("session: all: %w", err)
	}
	defer rows.Close()
	out := map[string][]byte{}
	for rows.Next() {
		var tok string
		var b []byte
		if err := rows.Scan(&tok, &b); err != nil {
			return nil, fmt.Errorf("session: all: %w", err)
		}
		out[tok] = b
	}
	return out, rows.Err()
}

// Find, Commit, Delete and All satisfy the context-free interfaces.
func (s *Store) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}
func (s *Store) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}
func (s *Store) Delete(token string) error       { return s.DeleteCtx(context.Background(), token) }
func (s *Store) All() (map[string][]byte, error) { return s.AllCtx(context.Background()) }

// DeleteExpired removes expired sessions and returns how many.
func (s *Store) DeleteExpired(ctx context.Context) (int64, error) {
	res, err := s.db.W.ExecContext(ctx, `DELETE FROM sessions WHERE expiry <= julianday('now')`)
	if err != nil {
		return 0, fmt.Errorf("session: cleanup: %w", err)
	}
	return res.RowsAffected()
}

// Cleanup deletes expired sessions every interval until ctx is done.
func (s *Store) Cleanup(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.DeleteExpired(ctx); err != nil && ctx.Err() == nil {
				log.Error("session cleanup failed", "err", err)
			} else if n > 0 {
				log.Debug("expired sessions removed", "count", n)
			}
		}
	}
}
