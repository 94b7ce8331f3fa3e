// Package session keeps scs sessions in admin.db (modernc.org/sqlite through
// internal/db: writes on the single writer, reads on the reader pool), or
// in PostgreSQL shared by several instances, and builds the session
// manager with the back office's cookie and timeouts.
package session

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"

	"ordercare/internal/db"
)

var migrations = []string{
	`CREATE TABLE sessions (token TEXT PRIMARY KEY, data BLOB NOT NULL, expiry REAL NOT NULL);
	CREATE INDEX sessions_expiry ON sessions (expiry);`,
	tombstones,
}

// pgMigrations are migrations in PostgreSQL's dialect.
var pgMigrations = []string{
	`CREATE TABLE sessions (token TEXT PRIMARY KEY, data BYTEA NOT NULL, expiry DOUBLE PRECISION NOT NULL);
	CREATE INDEX sessions_expiry ON sessions (expiry);`,
	tombstones,
}

// tombstones: a signed-out session's row stays, marked deleted, until
// deletedTTL has passed, so that no instance's commit of a request still
// in flight stores it again (CommitCtx). The in-process deletedSessions
// covers the instance that signed out; the row covers the others, and
// `admin user disable` from another process.
const tombstones = `ALTER TABLE sessions ADD COLUMN deleted SMALLINT NOT NULL DEFAULT 0`

// Store is an scs.CtxStore and scs.IterableCtxStore over admin.db or
// PostgreSQL. Expiry is a julian day (julian), computed here rather than
// by SQLite's julianday(), so one query text serves both databases.
//
// Find, the read of every request, goes through db.QueryRow, which
// prepares it once per reader connection instead of at every call. Commit's
// check whether anything changed is answered from what this process last
// read or wrote of the session (seen), without a second read.
type Store struct {
	db      *db.DB
	seen    seenSessions
	deleted deletedSessions
	// writes counts the statements sent to the writer: what a commit cost
	// on a database whose file writes dbwatch cannot see (PostgreSQL).
	writes atomic.Int64
}

// deletedSessions remembers the tokens this process deleted (a sign-out,
// the old token of a renewal) for deletedTTL. scs commits every request,
// and the commit of a session the store does not remember writes it, so a
// page still loading in one tab when the agent signed out in another
// stored the session again when it finished, and its response set the
// cookie again: the sign-out was undone. A token is never used again
// after its delete (scs makes a new one), so none of its commits is
// written.
type deletedSessions struct {
	mu sync.Mutex
	m  map[string]time.Time // token → when deleted
}

// deletedTTL is far longer than a request of the back office can run (the
// server's write timeout is 2 minutes). Deletes come from sign-ins,
// sign-outs and ended accounts, at the pace of people, so the map stays
// small.
const deletedTTL = time.Hour

func (d *deletedSessions) add(token string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	for t, at := range d.m {
		if now.Sub(at) > deletedTTL {
			delete(d.m, t)
		}
	}
	if d.m == nil {
		d.m = map[string]time.Time{}
	}
	d.m[token] = now
}

func (d *deletedSessions) has(token string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	at, ok := d.m[token]
	return ok && time.Since(at) <= deletedTTL
}

// seenSessions remembers, per token, the bytes and expiry this process
// last read (Find) or wrote (Commit) of a session. It only ever lets
// Commit skip a write of what is already stored; it never answers Find.
// When the row changed meanwhile behind this process's back (a sign-out
// or `admin user disable` deletes it), skipping the write leaves the
// change in place, where writing would have brought a deleted session back.
type seenSessions struct {
	mu sync.Mutex
	m  map[string]seenSession
}

type seenSession struct {
	data   []byte
	expiry time.Time
}

// maxSeen bounds seenSessions: past it the map starts again empty (a
// session not remembered costs one read at its next commit, as before).
const maxSeen = 4096

func (s *seenSessions) put(token string, data []byte, expiry time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil || len(s.m) >= maxSeen {
		s.m = map[string]seenSession{}
	}
	s.m[token] = seenSession{data: data, expiry: expiry}
}

func (s *seenSessions) get(token string) (seenSession, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[token]
	return v, ok
}

func (s *seenSessions) forget(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, token)
}

var (
	_ scs.CtxStore         = (*Store)(nil)
	_ scs.IterableStore    = (*Store)(nil)
	_ scs.IterableCtxStore = (*Store)(nil)
)

// NewStore migrates the sessions table in d.
func NewStore(ctx context.Context, d *db.DB) (*Store, error) {
	if err := d.MigrateDialects(ctx, "session", migrations, pgMigrations); err != nil {
		return nil, err
	}
	return &Store{db: d}, nil
}

const (
	// findQuery: the data and the expiry in Unix milliseconds, of a live
	// session ($2: now as a julian day).
	findQuery = `SELECT data, CAST(round((expiry - 2440587.5) * 86400000.0) AS BIGINT) FROM sessions
		WHERE token = ? AND deleted = 0 AND ? < expiry`
	// sameQuery: are the stored bytes these, by how many milliseconds does
	// the new expiry ($2) pass the stored one, and was it signed out.
	sameQuery = `SELECT data = ?, (? - expiry) * 86400000.0, deleted = 1 FROM sessions
		WHERE token = ? AND ? < expiry`
)

// julian is t as a julian day with t's millisecond, as SQLite's
// julianday() computes it (https://sqlite.org/lang_datefunc.html): the
// milliseconds since the julian epoch over the milliseconds of a day.
func julian(t time.Time) float64 {
	const epochMS = 210866760000000 // julian day 0 in milliseconds before the Unix epoch
	return float64(t.UnixMilli()+epochMS) / 86400000.0
}

// FindCtx returns the data of an unexpired session; found is false, with
// no error, for a missing or expired token.
func (s *Store) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var b []byte
	var expiryMS int64
	err := s.db.QueryRow(ctx, findQuery, token, julian(time.Now())).Scan(&b, &expiryMS)
	if errors.Is(err, sql.ErrNoRows) {
		s.seen.forget(token)
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("session: find: %w", err)
	}
	s.seen.put(token, b, time.UnixMilli(expiryMS))
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
// deletes the row (DeleteCtx) for good: a commit of a token deleted by
// this process writes nothing (deletedSessions).
func (s *Store) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	if s.deleted.has(token) {
		return nil // signed out (or renewed) while this request ran
	}
	if v, ok := s.seen.get(token); ok && bytes.Equal(v.data, b) && time.Now().Before(v.expiry) {
		if lag := expiry.Sub(v.expiry); lag >= 0 && lag < ExpiryPrecision {
			return nil
		}
	}
	at := julian(expiry)
	var same, deleted bool
	var lagMS float64
	err := s.db.QueryRow(ctx, sameQuery, b, at, token, julian(time.Now())).Scan(&same, &lagMS, &deleted)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fmt.Errorf("session: commit: %w", err)
	case deleted:
		s.seen.forget(token)
		return nil // signed out on another instance while this request ran
	case same && lagMS >= 0 && lagMS < float64(ExpiryPrecision.Milliseconds()):
		s.seen.put(token, b, expiry.Add(-time.Duration(lagMS*float64(time.Millisecond))))
		return nil
	}
	s.writes.Add(1)
	// The update leaves a tombstone alone: the sign-out may have come
	// between the read above and this write.
	_, err = s.db.W.ExecContext(ctx, `INSERT INTO sessions (token, data, expiry) VALUES (?, ?, ?)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry WHERE sessions.deleted = 0`,
		token, b, at)
	if err != nil {
		return fmt.Errorf("session: commit: %w", err)
	}
	// The expiry as stored: julian keeps milliseconds.
	s.seen.put(token, b, expiry.Truncate(time.Millisecond))
	return nil
}

// DeleteCtx removes a session; deleting a missing token is no error. The
// row becomes a tombstone until deletedTTL has passed (tombstones).
func (s *Store) DeleteCtx(ctx context.Context, token string) error {
	s.deleted.add(token)
	s.seen.forget(token)
	s.writes.Add(1)
	if _, err := s.db.W.ExecContext(ctx, `INSERT INTO sessions (token, data, expiry, deleted) VALUES (?, ?, ?, 1)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry, deleted = 1`,
		token, []byte{}, julian(time.Now().Add(deletedTTL))); err != nil {
		return fmt.Errorf("session: delete: %w", err)
	}
	return nil
}

// AllCtx returns every unexpired session (never nil).
func (s *Store) AllCtx(ctx context.Context) (map[string][]byte, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT token, data FROM sessions WHERE deleted = 0 AND ? < expiry`, julian(time.Now()))
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

// DeleteExpired removes expired sessions (and tombstones past their time)
// and returns how many.
func (s *Store) DeleteExpired(ctx context.Context) (int64, error) {
	res, err := s.db.W.ExecContext(ctx, `DELETE FROM sessions WHERE expiry <= ?`, julian(time.Now()))
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
