package staff

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/alexedwards/argon2id"

	"ordercare/internal/db"
)

// Password limits (ASVS 6.2.1, 6.2.9): at least 8 characters, long
// passphrases allowed, no composition rules.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 1024
)

// Errors callers tell apart.
var (
	ErrNotFound    = errors.New("staff: no such member")
	ErrExists      = errors.New("staff: a member with this e-mail already exists")
	ErrBadEmail    = errors.New("staff: not a valid e-mail address")
	ErrBadPassword = fmt.Errorf("staff: password must be %d to %d characters", MinPasswordLen, MaxPasswordLen)
)

// Member is one staff account.
type Member struct {
	ID       int64
	Email    string // lower-cased
	Role     Role
	Disabled bool
	// CreatedAt, LastSignInAt (zero when never) and SessionsValidAfter are UTC.
	CreatedAt    time.Time
	LastSignInAt time.Time
	// SessionsValidAfter: sessions authenticated before this instant are void.
	SessionsValidAfter time.Time
}

// Store keeps members and sign-in throttle state in admin.db, or in
// PostgreSQL (db.OpenPostgres).
type Store struct {
	db  *db.DB
	now func() time.Time
	// params are the argon2id cost parameters for new hashes.
	params *argon2id.Params
	// dummyHash is verified against for unknown e-mails, so an unknown
	// account costs the same time as a wrong password (ASVS 6.3.8).
	dummyHash string
	limits    Limits
	// seal protects second-factor secrets at rest (seal.go).
	seal *sealer
}

// DefaultParams follow OWASP's argon2id recommendation (19 MiB, t=2, p=1):
// modest memory so concurrent sign-ins cannot exhaust the server.
var DefaultParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Options tune a Store; the zero value is production.
type Options struct {
	Now    func() time.Time // default time.Now
	Params *argon2id.Params // default DefaultParams (tests use cheaper ones)
	Limits Limits           // default DefaultLimits
	// SealKey (SealKeySize bytes) seals second-factor secrets in admin.db;
	// it is kept outside admin.db (the app's staff.key). Nil: a random key
	// for this process only, so second factors set up now stop working at
	// the next start (tests, and commands that never read them).
	SealKey []byte
}

// Open migrates the staff tables in d and returns the store.
func Open(ctx context.Context, d *db.DB, opts Options) (*Store, error) {
	if err := d.MigrateDialects(ctx, "staff", migrations, pgMigrations); err != nil {
		return nil, err
	}
	if err := d.MigrateDialects(ctx, "staff_factors", factorMigrations, pgFactorMigrations); err != nil {
		return nil, err
	}
	if err := d.MigrateDialects(ctx, "staff_external", externalMigrations, pgExternalMigrations); err != nil {
		return nil, err
	}
	if err := d.MigrateDialects(ctx, "staff_preferences", preferenceMigrations, pgPreferenceMigrations); err != nil {
		return nil, err
	}
	if err := d.MigrateDialects(ctx, "staff_seal_check", sealCheckMigrations, pgSealCheckMigrations); err != nil {
		return nil, err
	}
	key := opts.SealKey
	if key == nil {
		key = make([]byte, SealKeySize)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("staff: seal key: %w", err)
		}
	} else if err := checkSealKey(ctx, d, key); err != nil {
		return nil, err
	}
	seal, err := newSealer(key)
	if err != nil {
		return nil, err
	}
	s := &Store{db: d, now: opts.Now, params: opts.Params, limits: opts.Limits, seal: seal}
	if s.now == nil {
		s.now = time.Now
	}
	if s.params == nil {
		s.params = DefaultParams
	}
	if s.limits == (Limits{}) {
		s.limits = DefaultLimits
	}
	h, err := unmatchableHash(s.params)
	if err != nil {
		return nil, fmt.Errorf("staff: %w", err)
	}
	s.dummyHash = h
	return s, nil
}

// unmatchableHash is an argon2id hash string with params, a random salt
// and a random key: verifying any password against it costs exactly what
// verifying against a real hash costs (the work is in the verification),
// and no password matches it. Building it costs no argon2 run, which
// hashing a dummy password cost at every start (19 MiB, t=2).
func unmatchableHash(params *argon2id.Params) (string, error) {
	salt := make([]byte, params.SaltLength)
	key := make([]byte, params.KeyLength)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	if _, err := rand.Read(key); err != nil {
		return "", err
	}
	enc := base64.RawStdEncoding
	h := fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argonVersion, params.Memory, params.Iterations,
		params.Parallelism, enc.EncodeToString(salt), enc.EncodeToString(key))
	// The format must be the one argon2id verifies, or unknown accounts
	// would fail fast and differ in time from known ones.
	if p, _, _, err := argon2id.DecodeHash(h); err != nil || *p != *params {
		return "", fmt.Errorf("dummy hash %q does not decode to its parameters: %v", h, err)
	}
	return h, nil
}

// argonVersion is the argon2 version argon2id writes (golang.org/x/crypto/argon2.Version).
const argonVersion = 0x13

// NormalizeEmail lower-cases and checks an address ("a@b.c", no display name).
func NormalizeEmail(email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" || len(e) > 254 {
		return "", ErrBadEmail
	}
	return e, nil
}

func checkPassword(pw string) error {
	if n := len([]rune(pw)); n < MinPasswordLen || len(pw) > MaxPasswordLen {
		return ErrBadPassword
	}
	return nil
}

// Add creates a member with the given role and password.
func (s *Store) Add(ctx context.Context, email string, role Role, password string) (*Member, error) {
	e, err := checkNew(email, role)
	if err != nil {
		return nil, err
	}
	if err := s.checkLookalike(ctx, e); err != nil {
		return nil, err
	}
	if err := checkPassword(password); err != nil {
		return nil, err
	}
	hash, err := argon2id.CreateHash(password, s.params)
	if err != nil {
		return nil, fmt.Errorf("staff: hash password: %w", err)
	}
	return s.insert(ctx, e, role, hash)
}

// AddSharingPassword adds a member whose password is member from's, by a
// copy of its stored hash (salt included), without an argon2id run: for
// accounts that share one password by design, as EnsureSharedPassword
// keeps them (the built-in sandbox's demo accounts).
func (s *Store) AddSharingPassword(ctx context.Context, email string, role Role, from int64) (*Member, error) {
	e, err := checkNew(email, role)
	if err != nil {
		return nil, err
	}
	hash, err := s.storedHash(ctx, from)
	if err != nil {
		return nil, err
	}
	return s.insert(ctx, e, role, hash)
}

// checkNew returns a new member's e-mail normalised, or why the e-mail or
// the role cannot be a member's.
func checkNew(email string, role Role) (string, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return "", err
	}
	if !role.Valid() {
		return "", fmt.Errorf("staff: unknown role %q", role)
	}
	return e, nil
}

// insert adds a member with a normalised e-mail, a valid role and a hash.
func (s *Store) insert(ctx context.Context, email string, role Role, hash string) (*Member, error) {
	now := s.now().UTC()
	// RETURNING rather than LastInsertId, which PostgreSQL's driver lacks;
	// no row back means the e-mail was taken.
	var id int64
	err := s.db.W.QueryRowContext(ctx, `INSERT INTO staff_members (email, role, password_hash, created_at, sessions_valid_after)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING RETURNING id`, email, string(role), hash, now.UnixNano(), now.UnixNano()).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrExists
	}
	if err != nil {
		return nil, fmt.Errorf("staff: add member: %w", err)
	}
	return s.Get(ctx, id)
}

const memberCols = `id, email, role, disabled, created_at, last_sign_in_at, sessions_valid_after`

type scanner interface{ Scan(...any) error }

func scanMember(row scanner) (*Member, error) {
	var m Member
	var role string
	var created, valid int64
	var last sql.NullInt64
	if err := row.Scan(&m.ID, &m.Email, &role, &m.Disabled, &created, &last, &valid); err != nil {
		return nil, err
	}
	m.Role = Role(role)
	m.CreatedAt = time.Unix(0, created).UTC()
	if last.Valid {
		m.LastSignInAt = time.Unix(0, last.Int64).UTC()
	}
	m.SessionsValidAfter = time.Unix(0, valid).UTC()
	return &m, nil
}

func (s *Store) getBy(ctx context.Context, where string, arg any) (*Member, error) {
	m, err := scanMember(s.db.QueryRow(ctx, `SELECT `+memberCols+` FROM staff_members WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("staff: get member: %w", err)
	}
	return m, nil
}

// Get returns the member with this id, or ErrNotFound.
func (s *Store) Get(ctx context.Context, id int64) (*Member, error) {
	return s.getBy(ctx, `id = ?`, id)
}

// GetByEmail returns the member with this e-mail (any case), or ErrNotFound.
func (s *Store) GetByEmail(ctx context.Context, email string) (*Member, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return nil, ErrNotFound
	}
	return s.getBy(ctx, `email = ?`, e)
}

// List returns every member ordered by e-mail.
func (s *Store) List(ctx context.Context) ([]Member, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+memberCols+` FROM staff_members ORDER BY email`)
	if err != nil {
		return nil, fmt.Errorf("staff: list: %w", err)
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, fmt.Errorf("staff: list: %w", err)
		}
		out = append(out, *m)
	}
	return out, rows.Err()
}

func (s *Store) update(ctx context.Context, id int64, set string, args ...any) error {
	// set is always a string literal of this file (Disable, Enable,
	// SetRole); every value goes in args as a ? parameter.
	res, err := s.db.W.ExecContext(ctx, `UPDATE staff_members SET `+set+` WHERE id = ?`, append(args, id)...) // #nosec G202 -- set is a constant fragment from this file; values are ? parameters
	if err != nil {
		return fmt.Errorf("staff: update member: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// Disable blocks sign-in and ends the member's live sessions at once (the
// session middleware checks SessionsValidAfter on every request).
func (s *Store) Disable(ctx context.Context, id int64) error {
	return s.update(ctx, id, `disabled = 1, sessions_valid_after = ?`, s.now().UTC().UnixNano())
}

// Enable lets a disabled member sign in again (old sessions stay void).
func (s *Store) Enable(ctx context.Context, id int64) error {
	return s.update(ctx, id, `disabled = 0`)
}

// SetRole changes the role; it applies to live sessions on their next
// request, because the member is loaded from the database every time.
func (s *Store) SetRole(ctx context.Context, id int64, role Role) error {
	if !role.Valid() {
		return fmt.Errorf("staff: unknown role %q", role)
	}
	return s.update(ctx, id, `role = ?`, string(role))
}

// SetPassword replaces the password and ends every existing session of the
// member, so a leaked password stops working everywhere.
func (s *Store) SetPassword(ctx context.Context, id int64, password string) error {
	return s.SetSharedPassword(ctx, []int64{id}, password)
}

// storedHash is member id's stored password hash.
func (s *Store) storedHash(ctx context.Context, id int64) (string, error) {
	var hash string
	err := s.db.R.QueryRowContext(ctx, `SELECT password_hash FROM staff_members WHERE id = ?`, id).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("staff: password hash: %w", err)
	}
	return hash, nil
}

// EnsureSharedPassword makes password the password of every member in
// ids — accounts that share one password by design, such as the built-in
// sandbox's demo accounts — with one argon2id run instead of one per
// member: when the stored hashes are one and the same string and it
// verifies, nothing is written; otherwise one new hash is stored for all
// of them (ending their sessions). A shared hash, salt included, reveals
// only what is known anyway: that the passwords are equal. It reports
// whether it wrote.
func (s *Store) EnsureSharedPassword(ctx context.Context, ids []int64, password string) (bool, error) {
	if len(ids) == 0 {
		return false, nil
	}
	shared := ""
	for i, id := range ids {
		hash, err := s.storedHash(ctx, id)
		if err != nil {
			return false, err
		}
		if i == 0 {
			shared = hash
		} else if hash != shared {
			shared = ""
		}
	}
	if shared != "" {
		if ok, err := argon2id.ComparePasswordAndHash(password, shared); err == nil && ok {
			return false, nil
		}
	}
	return true, s.SetSharedPassword(ctx, ids, password)
}

// SetSharedPassword stores one new hash of password for every member in
// ids (ending their sessions), without first checking whether it is
// theirs already: for a password that cannot be, such as one just made
// for this run. One argon2id run; all members or, on error, none.
func (s *Store) SetSharedPassword(ctx context.Context, ids []int64, password string) error {
	if err := checkPassword(password); err != nil {
		return err
	}
	hash, err := argon2id.CreateHash(password, s.params)
	if err != nil {
		return fmt.Errorf("staff: hash password: %w", err)
	}
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("staff: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	now := s.now().UTC().UnixNano()
	for _, id := range ids {
		res, err := tx.ExecContext(ctx, `UPDATE staff_members SET password_hash = ?, sessions_valid_after = ? WHERE id = ?`, hash, now, id)
		if err != nil {
			return fmt.Errorf("staff: update member: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("staff: %w", err)
	}
	return nil
}
