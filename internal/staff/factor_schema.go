package staff

// factorMigrations are the "staff_factors" component of admin.db: the
// second factors of members (TOTP secrets, recovery codes). A component of
// its own, append only, so the members' tables keep their own history.
var factorMigrations = []string{
	// secret is the TOTP key sealed with AES-256-GCM (seal.go), never
	// stored in the clear; confirmed_at is NULL while the member has not yet
	// typed a first code; last_step is the last time step accepted, so a
	// code is accepted once (RFC 6238 §5.2).
	`CREATE TABLE staff_totp (
		member_id INTEGER PRIMARY KEY REFERENCES staff_members (id),
		secret BLOB NOT NULL,
		created_at INTEGER NOT NULL,
		confirmed_at INTEGER,
		last_step INTEGER NOT NULL DEFAULT 0
	);
	CREATE TABLE staff_recovery_codes (
		member_id INTEGER NOT NULL REFERENCES staff_members (id),
		code_hash TEXT NOT NULL,
		used_at INTEGER,
		PRIMARY KEY (member_id, code_hash)
	);`,
	// A second factor is reset (removed by someone else than its owner)
	// only by two admins: one asks, another approves (factor_reset.go).
	// One open request per member.
	`CREATE TABLE staff_factor_resets (
		id INTEGER PRIMARY KEY,
		member_id INTEGER NOT NULL REFERENCES staff_members (id),
		requested_by INTEGER NOT NULL REFERENCES staff_members (id),
		requested_at INTEGER NOT NULL,
		approved_by INTEGER REFERENCES staff_members (id),
		approved_at INTEGER
	);
	CREATE UNIQUE INDEX staff_factor_resets_open ON staff_factor_resets (member_id) WHERE approved_at IS NULL;`,
	// Passkeys and security keys (WebAuthn, passkey.go). A member's user
	// handle is random (the specification asks that it carry no personal
	// data: https://www.w3.org/TR/webauthn-3/#sctn-user-handle-privacy);
	// a credential is stored as the library's JSON (its public key is not
	// a secret, so it is not sealed), and its signature counter in a
	// column of its own so one statement can check and advance it.
	`CREATE TABLE staff_passkey_users (
		member_id INTEGER PRIMARY KEY REFERENCES staff_members (id),
		handle BLOB NOT NULL UNIQUE
	);
	CREATE TABLE staff_passkeys (
		id INTEGER PRIMARY KEY,
		member_id INTEGER NOT NULL REFERENCES staff_members (id),
		credential_id BLOB NOT NULL UNIQUE,
		name TEXT NOT NULL,
		credential TEXT NOT NULL,
		sign_count INTEGER NOT NULL,
		created_at INTEGER NOT NULL,
		last_used_at INTEGER
	);
	CREATE INDEX staff_passkeys_member ON staff_passkeys (member_id);`,
}
