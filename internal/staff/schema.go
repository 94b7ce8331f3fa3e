package staff

// migrations of the "staff" component in admin.db; append only. Times are
// unix nanoseconds (UTC) so comparisons are exact.
var migrations = []string{
	`CREATE TABLE staff_members (
		id INTEGER PRIMARY KEY,
		email TEXT NOT NULL UNIQUE,
		role TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin', 'auditor')),
		password_hash TEXT NOT NULL,
		disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
		created_at INTEGER NOT NULL,
		last_sign_in_at INTEGER,
		sessions_valid_after INTEGER NOT NULL
	);
	CREATE TABLE staff_signin_failures (
		scope TEXT NOT NULL CHECK (scope IN ('account', 'address')),
		key TEXT NOT NULL,
		at INTEGER NOT NULL
	);
	CREATE INDEX staff_signin_failures_key ON staff_signin_failures (scope, key, at);
	CREATE TABLE staff_lockouts (
		scope TEXT NOT NULL CHECK (scope IN ('account', 'address')),
		key TEXT NOT NULL,
		until INTEGER NOT NULL,
		PRIMARY KEY (scope, key)
	);`,
}
