package ucommerce

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"ordercare/internal/db"
)

// TokenStore keeps the newest refresh token durably. Save must not return
// before the token is on disk: the platform rotates refresh tokens, so the
// old one dies as soon as the new one is issued.
type TokenStore interface {
	// Load returns the stored refresh token and when it expires, or
	// ErrNotConnected when there is none.
	Load(ctx context.Context) (token string, expires time.Time, err error)
	Save(ctx context.Context, token string, expires time.Time) error
	// Forget drops the token (the platform refused it).
	Forget(ctx context.Context) error
}

// SQLStore keeps the refresh token in one row of a table (SQLite, or
// PostgreSQL shared by several instances),
// encrypted with AES-256-GCM under a key from configuration, so a copy of
// the database file alone does not connect anyone to the shop.
type SQLStore struct {
	db   *db.DB
	aead cipher.AEAD
}

// storeMigrations are the token table's, a component of its own in the
// admin database.
var storeMigrations = []string{`CREATE TABLE shop_tokens (
	platform TEXT PRIMARY KEY,
	sealed   BLOB NOT NULL,
	expires  INTEGER NOT NULL,
	saved_at INTEGER NOT NULL
) STRICT`}

// pgStoreMigrations are storeMigrations in PostgreSQL's dialect.
var pgStoreMigrations = []string{`CREATE TABLE shop_tokens (
	platform TEXT PRIMARY KEY,
	sealed   BYTEA NOT NULL,
	expires  BIGINT NOT NULL,
	saved_at BIGINT NOT NULL
)`}

const storeRow = "ucommerce"

// NewSQLStore opens the store in db with a 32-byte key.
func NewSQLStore(ctx context.Context, d *db.DB, key []byte) (*SQLStore, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("ucommerce: the token key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	if err := d.MigrateDialects(ctx, "shop_tokens", storeMigrations, pgStoreMigrations); err != nil {
		return nil, fmt.Errorf("ucommerce: token table: %w", err)
	}
	return &SQLStore{db: d, aead: aead}, nil
}

// Load reads and opens the stored token. A token sealed under another key
// (the key was changed) counts as lost: connect again.
func (s *SQLStore) Load(ctx context.Context) (string, time.Time, error) {
	var sealed []byte
	var exp int64
	err := s.db.W.QueryRowContext(ctx, `SELECT sealed, expires FROM shop_tokens WHERE platform = ?`, storeRow).Scan(&sealed, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return "", time.Time{}, ErrNotConnected
	}
	if err != nil {
		return "", time.Time{}, fmt.Errorf("ucommerce: reading the refresh token: %w", err)
	}
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return "", time.Time{}, ErrNotConnected
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(storeRow))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("%w (the stored token does not open with ORDERCARE_SHOP_TOKEN_KEY)", ErrNotConnected)
	}
	return string(plain), time.Unix(exp, 0), nil
}

// Save seals and writes the token, then, on SQLite, checkpoints the
// write-ahead log: the admin database syncs its log lazily
// (synchronous=NORMAL), a checkpoint makes SQLite sync it now (PASSIVE:
// never waits for readers), and a rotated refresh token lost to a power cut
// would disconnect the shop. PostgreSQL's commit is on disk already
// (synchronous_commit on, its default).
func (s *SQLStore) Save(ctx context.Context, token string, expires time.Time) error {
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails (Go 1.24+)
	sealed := s.aead.Seal(nonce, nonce, []byte(token), []byte(storeRow))
	_, err := s.db.W.ExecContext(ctx, `INSERT INTO shop_tokens (platform, sealed, expires, saved_at) VALUES (?, ?, ?, ?)
		ON CONFLICT(platform) DO UPDATE SET sealed = excluded.sealed, expires = excluded.expires, saved_at = excluded.saved_at`,
		storeRow, sealed, expires.Unix(), time.Now().Unix())
	if err != nil {
		return fmt.Errorf("ucommerce: storing the refresh token: %w", err)
	}
	if s.db.Postgres {
		return nil
	}
	if _, err := s.db.W.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
		return fmt.Errorf("ucommerce: syncing the refresh token: %w", err)
	}
	return nil
}

// RefreshLocker is a TokenStore shared by several instances: Refreshing
// runs a refresh while no other instance refreshes, so that each one
// trades the token the last one stored (the platform rotates refresh
// tokens and refuses a reused one, which disconnects the shop).
type RefreshLocker interface {
	Refreshing(ctx context.Context, refresh func(context.Context) error) error
}

// Refreshing holds a PostgreSQL advisory lock named for the schema
// (https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS)
// while refresh runs, on a connection of its own (a reader's: taking the
// lock writes nothing, and the refresh's Save needs the writer). On
// SQLite there is one instance, whose token cache already refreshes once
// for all its callers.
func (s *SQLStore) Refreshing(ctx context.Context, refresh func(context.Context) error) error {
	if !s.db.Postgres {
		return refresh(ctx)
	}
	conn, err := s.db.R.Conn(ctx)
	if err != nil {
		return fmt.Errorf("ucommerce: refresh lock: %w", err)
	}
	defer func() { _ = conn.Close() }() // back to the pool; the unlock below ends the lock
	const key = `hashtextextended(current_schema() || ' ucommerce token refresh', 0)`
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(`+key+`)`); err != nil {
		return fmt.Errorf("ucommerce: refresh lock: %w", err)
	}
	defer func() {
		// A failed unlock means the session is gone, and the lock with it.
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+key+`)`)
	}()
	return refresh(ctx)
}

// Forget deletes the token.
func (s *SQLStore) Forget(ctx context.Context) error {
	_, err := s.db.W.ExecContext(ctx, `DELETE FROM shop_tokens WHERE platform = ?`, storeRow)
	return err
}
