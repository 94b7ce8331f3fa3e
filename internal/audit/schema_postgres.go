package audit

// pgMigrations are the log's tables in PostgreSQL's dialect (component
// "audit"), one entry per version of migrations, so that both lists grow
// together (db.MigrateDialects). A version whose change concerns only
// SQLite (the search index, which lives in a file of its own on either
// database since version 8; indexes SQLite's planner needed) is a no-op
// here. Append-only: never edit one that has shipped.
//
// The columns keep SQLite's types as PostgreSQL names them (TEXT, BIGINT
// for INTEGER, BYTEA for BLOB): a row reads back byte for byte as it was
// hashed (canonical.go), whichever database holds it. time stays the text
// that was hashed, not a timestamptz, which would normalize it.
var pgMigrations = []string{
	// 1: the events table, append-only by trigger as on SQLite
	// (https://www.postgresql.org/docs/current/plpgsql-trigger.html),
	// TRUNCATE included; and the JSON reads of the money records
	// (money_records.go), which must not fail the whole query on a column
	// that is not JSON, as SQLite's json_valid guards it.
	`CREATE TABLE events (
		seq             BIGINT  PRIMARY KEY,
		time            TEXT    NOT NULL,
		kind            TEXT    NOT NULL,
		attempt_id      TEXT    NOT NULL DEFAULT '',
		staff_id        BIGINT  NOT NULL DEFAULT 0,
		staff_email     TEXT    NOT NULL DEFAULT '',
		staff_role      TEXT    NOT NULL DEFAULT '',
		client_ip       TEXT    NOT NULL DEFAULT '',
		user_agent      TEXT    NOT NULL DEFAULT '',
		order_id        TEXT    NOT NULL DEFAULT '',
		action          TEXT    NOT NULL DEFAULT '',
		reason          TEXT    NOT NULL DEFAULT '',
		ticket          TEXT    NOT NULL DEFAULT '',
		idempotency_key TEXT    NOT NULL DEFAULT '',
		request         BYTEA   NOT NULL DEFAULT '',
		before_json     TEXT    NOT NULL DEFAULT '',
		after_json      TEXT    NOT NULL DEFAULT '',
		outcome         TEXT    NOT NULL DEFAULT '',
		http_status     INTEGER NOT NULL DEFAULT 0,
		error_code      TEXT    NOT NULL DEFAULT '',
		error_messages  TEXT    NOT NULL DEFAULT '',
		correlation_id  TEXT    NOT NULL DEFAULT '',
		resource_id     TEXT    NOT NULL DEFAULT '',
		duration_ms     BIGINT  NOT NULL DEFAULT 0,
		detail_json     TEXT    NOT NULL DEFAULT '',
		prev_hash       TEXT    NOT NULL,
		hash            TEXT    NOT NULL
	);
	CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		RAISE EXCEPTION 'audit events are append-only';
	END $$;
	CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events
		FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
	CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
		FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
	CREATE INDEX events_order   ON events(order_id) WHERE order_id <> '';
	CREATE INDEX events_attempt ON events(attempt_id) WHERE attempt_id <> '';
	CREATE INDEX events_kind    ON events(kind);
	CREATE FUNCTION audit_json(t text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
	BEGIN
		RETURN t::jsonb;
	EXCEPTION WHEN others THEN
		RETURN '{}'::jsonb;
	END $$;
	CREATE FUNCTION audit_json(b bytea) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
	BEGIN
		RETURN convert_from(b, 'UTF8')::jsonb;
	EXCEPTION WHEN others THEN
		RETURN '{}'::jsonb;
	END $$;`,
	// 2: see SQLite's.
	`CREATE INDEX events_idempotency ON events(idempotency_key) WHERE idempotency_key <> '';`,
	// 3: of SQLite's search tables only the events that are not attempts
	// stayed in the log.
	`CREATE INDEX events_other ON events(seq) WHERE kind NOT IN ('requested', 'completed');`,
	// 4 to 8: the search index, in its own SQLite file since 8.
	`SELECT 1`,
	`SELECT 1`,
	`SELECT 1`,
	// 7: dropped indexes that PostgreSQL never had.
	`SELECT 1`,
	`SELECT 1`,
	// 9: see SQLite's.
	`CREATE TABLE recovery_mark (
		id   INTEGER PRIMARY KEY CHECK (id = 1),
		seq  BIGINT  NOT NULL,
		hash TEXT    NOT NULL
	);`,
	// 10: see SQLite's.
	`CREATE TABLE tree_hashes (
		id   BIGINT PRIMARY KEY,
		hash BYTEA  NOT NULL
	);
	CREATE TABLE tree_state (
		id     INTEGER PRIMARY KEY CHECK (id = 1),
		leaves BIGINT  NOT NULL
	);`,
	// 11: see SQLite's.
	`ALTER TABLE events ADD COLUMN instance TEXT NOT NULL DEFAULT '';`,
	// 12: the signed notes (checkpoints, key hand-overs) of the fleet
	// sharing the log (checkpoint_store.go), each exactly as the file
	// audit.checkpoints holds it, in the order stored (id, taken under the
	// log's writer lock), with the instance that signed it; append-only by
	// trigger as the events are.
	`CREATE TABLE audit_checkpoints (
		id       BIGSERIAL PRIMARY KEY,
		note     BYTEA     NOT NULL,
		instance TEXT      NOT NULL DEFAULT ''
	);
	CREATE FUNCTION audit_checkpoints_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		RAISE EXCEPTION 'audit checkpoints are append-only';
	END $$;
	CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE ON audit_checkpoints
		FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_append_only();
	CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
		FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_append_only();`,
}
