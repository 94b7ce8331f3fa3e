package audit

// migrations of the audit database (component "audit"). Append-only: never
// edit one that has shipped, add a new one.
var migrations = []string{
	// 1: the events table. STRICT so that a value of the wrong type cannot
	// slip in by affinity; seq is the rowid and assigned by the writer as
	// head+1, so it is gap-free.
	`CREATE TABLE events (
		seq             INTEGER PRIMARY KEY,
		time            TEXT    NOT NULL,
		kind            TEXT    NOT NULL,
		attempt_id      TEXT    NOT NULL DEFAULT '',
		staff_id        INTEGER NOT NULL DEFAULT 0,
		staff_email     TEXT    NOT NULL DEFAULT '',
		staff_role      TEXT    NOT NULL DEFAULT '',
		client_ip       TEXT    NOT NULL DEFAULT '',
		user_agent      TEXT    NOT NULL DEFAULT '',
		order_id        TEXT    NOT NULL DEFAULT '',
		action          TEXT    NOT NULL DEFAULT '',
		reason          TEXT    NOT NULL DEFAULT '',
		ticket          TEXT    NOT NULL DEFAULT '',
		idempotency_key TEXT    NOT NULL DEFAULT '',
		request         BLOB    NOT NULL DEFAULT x'',
		before_json     TEXT    NOT NULL DEFAULT '',
		after_json      TEXT    NOT NULL DEFAULT '',
		outcome         TEXT    NOT NULL DEFAULT '',
		http_status     INTEGER NOT NULL DEFAULT 0,
		error_code      TEXT    NOT NULL DEFAULT '',
		error_messages  TEXT    NOT NULL DEFAULT '',
		correlation_id  TEXT    NOT NULL DEFAULT '',
		resource_id     TEXT    NOT NULL DEFAULT '',
		duration_ms     INTEGER NOT NULL DEFAULT 0,
		detail_json     TEXT    NOT NULL DEFAULT '',
		prev_hash       TEXT    NOT NULL,
		hash            TEXT    NOT NULL
	) STRICT;
	CREATE TRIGGER events_no_update BEFORE UPDATE ON events
	BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
	CREATE TRIGGER events_no_delete BEFORE DELETE ON events
	BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
	CREATE INDEX events_order   ON events(order_id) WHERE order_id <> '';
	CREATE INDEX events_attempt ON events(attempt_id) WHERE attempt_id <> '';
	CREATE INDEX events_time    ON events(time);
	CREATE INDEX events_staff   ON events(staff_id);
	CREATE INDEX events_action  ON events(action) WHERE action <> '';
	CREATE INDEX events_outcome ON events(outcome) WHERE outcome <> '';
	CREATE INDEX events_kind    ON events(kind);`,
	// 2: find an earlier attempt with the same idempotency key, so that a
	// resubmitted form is answered from the log instead of sent again.
	`CREATE INDEX events_idempotency ON events(idempotency_key) WHERE idempotency_key <> '';`,
}

// selectColumns lists the stored columns in the order scanRow reads them.
const selectColumns = `seq, time, kind, attempt_id, staff_id, staff_email, staff_role, client_ip, user_agent,
	order_id, action, reason, ticket, idempotency_key, request, before_json, after_json,
	outcome, http_status, error_code, error_messages, correlation_id, resource_id, duration_ms,
	detail_json, prev_hash, hash`

const insertSQL = `INSERT INTO events (` + selectColumns + `) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`

type scanner interface{ Scan(dest ...any) error }

func scanRow(s scanner) (row, error) {
	var r row
	err := s.Scan(&r.Seq, &r.Time, &r.Kind, &r.AttemptID, &r.StaffID, &r.StaffEmail, &r.StaffRole, &r.ClientIP, &r.UserAgent,
		&r.OrderID, &r.Action, &r.Reason, &r.Ticket, &r.IdempotencyKey, &r.Request, &r.BeforeJSON, &r.AfterJSON,
		&r.Outcome, &r.HTTPStatus, &r.ErrorCode, &r.ErrorMessages, &r.CorrelationID, &r.ResourceID, &r.DurationMS,
		&r.DetailJSON, &r.PrevHash, &r.Hash)
	if r.Request == nil {
		r.Request = []byte{}
	}
	return r, err
}

func (r *row) args() []any {
	return []any{r.Seq, r.Time, r.Kind, r.AttemptID, r.StaffID, r.StaffEmail, r.StaffRole, r.ClientIP, r.UserAgent,
		r.OrderID, r.Action, r.Reason, r.Ticket, r.IdempotencyKey, r.Request, r.BeforeJSON, r.AfterJSON,
		r.Outcome, r.HTTPStatus, r.ErrorCode, r.ErrorMessages, r.CorrelationID, r.ResourceID, r.DurationMS,
		r.DetailJSON, r.PrevHash, r.Hash}
}
