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
	// 3: the search index of the audit trail (search.go). `attempts` holds
	// one row per attempt (requested and completed joined, plus its review
	// state) and `attempt_text` the words of its references and errors.
	// Both are derived from events by triggers, so every writer (the web
	// process, an admin command, a bulk load) keeps them current; they are
	// not part of the hash chain: the detail view and the export read the
	// events themselves. The backfill indexes events stored before v3.
	migration3,
	// 4: the staff and action indexes carry the columns other filters
	// check (see Filter.columnCond), so a combined filter is answered
	// from one index without a lookup per row.
	`DROP INDEX attempts_staff;
	DROP INDEX attempts_email;
	DROP INDEX attempts_action;
	CREATE INDEX attempts_staff  ON attempts(staff_id, tkey, outcome, action);
	CREATE INDEX attempts_email  ON attempts(staff_email COLLATE NOCASE, tkey, outcome, action);
	CREATE INDEX attempts_action ON attempts(action, tkey, outcome);`,
	// 5: the full-text rows also carry the attempt's column values as
	// tokens, so that text combined with other filters is one full-text
	// query (see Filter.textQuery); the index is rebuilt.
	migration5,
	// 6: the search index is kept after the commit instead of inside it
	// (index.go): the triggers move from events to the writer's temporary
	// index_feed, which it fills from the events past index_state's mark.
	migration6,
	// 7: indexes of events that no query uses any more (the search reads
	// the attempts table since migration 3); each cost a B-tree insert,
	// and a page in the WAL, on every append.
	`DROP INDEX events_time;
	DROP INDEX events_staff;
	DROP INDEX events_action;
	DROP INDEX events_outcome;`,
	// 8: the search index moves to a file of its own, kept by a goroutine
	// of its own beside the writer (index.go), which rebuilds it there
	// from the events; its tables leave the log.
	`DROP TABLE attempt_text;
	DROP TABLE attempt_counts;
	DROP TABLE attempts;
	DROP TABLE index_state;`,
	// 9: where the last start's recovery of open attempts looked up to
	// (RecoverOpenAttempts, query.go), so that the next start looks only
	// at the requested events after it. Not part of the record, which
	// the events are: a mark that names no event of this log, or none, makes
	// the next start look at every requested event.
	`CREATE TABLE recovery_mark (
		id   INTEGER PRIMARY KEY CHECK (id = 1),
		seq  INTEGER NOT NULL,
		hash TEXT    NOT NULL
	) STRICT;`,
	// 10: the stored hashes of the log's Merkle tree (tree.go), in
	// golang.org/x/mod/sumdb/tlog's layout, and how many events they
	// cover. Derived from the events, not part of the record: the
	// checkpointer extends them, verification never reads them.
	`CREATE TABLE tree_hashes (
		id   INTEGER PRIMARY KEY,
		hash BLOB NOT NULL
	) STRICT;
	CREATE TABLE tree_state (
		id     INTEGER PRIMARY KEY CHECK (id = 1),
		leaves INTEGER NOT NULL
	) STRICT;`,
	// 11: the instance that wrote each event (ORDERCARE_INSTANCE), when
	// several serve one log. '' for the events stored before, and for
	// those of commands run by hand; the hash covers it only when set
	// (canonical.go), so the chain of those events is unchanged.
	`ALTER TABLE events ADD COLUMN instance TEXT NOT NULL DEFAULT '';`,
	// 12: the signed checkpoints of a fleet, a table on PostgreSQL
	// (checkpoint_store.go); on SQLite they stay the file
	// audit.checkpoints.
	`SELECT 1`,
}

// migration6 is the sixth migration (see above). Frozen once shipped.
//
// The index triggers cost about two thirds of an append when they ran in
// the commit of every event. Fed up to a thousand events at a time after
// the appends' commit, the same work is done once per batch (the
// full-text segment flushed once, the statements compiled once) and no
// agent waits for it. index_state.seq is the last event indexed,
// committed with the index rows it covers, so a crash between an append
// and its indexing leaves the mark behind and the next writer picks the
// events up.
const migration6 = `
DROP TRIGGER events_index_requested;
DROP TRIGGER events_index_completed;
DROP TRIGGER events_index_review;
DROP TRIGGER events_index_reconciled;

-- Every event stored so far was indexed by the triggers above.
CREATE TABLE index_state (
	id  INTEGER PRIMARY KEY CHECK (id = 1),
	seq INTEGER NOT NULL
) STRICT;
INSERT INTO index_state (id, seq) SELECT 1, coalesce(max(seq), 0) FROM events;
`

// migration5 is the fifth migration (see above). Frozen once shipped.
//
// The tokens are "xs" + staff id, "xe" + hex(lower(staff e-mail)), "xo" +
// hex(order id), "xa" + hex(action) and "xr" + hex(outcome) ("xr" alone
// while the attempt is open): single alphanumeric tokens that the
// unicode61 tokenizer keeps whole and that no typed word produces by
// accident. Go writes the same in columnTokens.
const migration5 = `
-- Attempts per UTC day (of the requested time), action and outcome, kept
-- by the triggers: the counts of the broadest filters (none, outcome,
-- action, long date ranges) are sums of a few rows instead of index scans.
CREATE TABLE attempt_counts (
	day     INTEGER NOT NULL, -- (tkey >> 20) / 86400000: days since 1970
	action  TEXT    NOT NULL,
	outcome TEXT    NOT NULL,
	n       INTEGER NOT NULL,
	PRIMARY KEY (day, action, outcome)
) STRICT, WITHOUT ROWID;
INSERT INTO attempt_counts (day, action, outcome, n)
SELECT (tkey >> 20) / 86400000, action, outcome, count(*) FROM attempts GROUP BY 1, 2, 3;

DROP TRIGGER events_index_requested;
DROP TRIGGER events_index_completed;
DROP TABLE attempt_text;
CREATE VIRTUAL TABLE attempt_text USING fts5(text, content='', contentless_delete=1);

CREATE TRIGGER events_index_requested AFTER INSERT ON events WHEN NEW.kind = 'requested'
` + indexRequested + `

CREATE TRIGGER events_index_completed AFTER INSERT ON events WHEN NEW.kind = 'completed'
` + indexCompleted + `

INSERT INTO attempt_text (rowid, text)
SELECT a.tkey, concat_ws(' ', r.reason, r.ticket, r.idempotency_key, r.attempt_id,
	CASE WHEN json_valid(CAST(r.request AS TEXT)) THEN concat_ws(' ',
		json_extract(CAST(r.request AS TEXT), '$.reference'),
		json_extract(CAST(r.request AS TEXT), '$.description'),
		json_extract(CAST(r.request AS TEXT), '$.merchant_reference1'),
		json_extract(CAST(r.request AS TEXT), '$.merchant_reference2')) END,
	c.error_code, c.error_messages, c.correlation_id, c.resource_id,
	CASE WHEN json_valid(c.detail_json) THEN json_extract(c.detail_json, '$.error') END,
	'xs' || a.staff_id, 'xe' || hex(lower(a.staff_email)), 'xo' || hex(a.order_id),
	'xa' || hex(a.action), 'xr' || hex(a.outcome))
FROM attempts a JOIN events r ON r.seq = a.seq LEFT JOIN events c ON c.seq = a.completed_seq
ORDER BY a.tkey;
`

// migration3 is the third migration (see above). Frozen once shipped.
//
// attempts.tkey, the rowid, is the requested time in milliseconds shifted
// left 20 bits, or'ed with the low 20 bits of the requested seq: unique
// (unless a million attempts share one millisecond) and ordered by time, so
// that every single-column index (column, rowid) lists its rows in display
// order, a date range is a rowid range, and the full-text index, keyed by
// the same tkey, returns matches in display order too. Go computes the same
// key in tkeyOf.
const migration3 = `
CREATE TABLE attempts (
	tkey           INTEGER PRIMARY KEY,
	seq            INTEGER NOT NULL,    -- the requested event's seq
	attempt_id     TEXT    NOT NULL,
	time           TEXT    NOT NULL,    -- the requested event's time as stored
	staff_id       INTEGER NOT NULL,
	staff_email    TEXT    NOT NULL,
	order_id       TEXT    NOT NULL,
	action         TEXT    NOT NULL,
	money          INTEGER NOT NULL,    -- 1 for actions that move or release money
	amount         INTEGER NOT NULL,    -- captured/refunded/order amount of the request, 0 if none
	outcome        TEXT    NOT NULL DEFAULT '',
	completed_seq  INTEGER NOT NULL DEFAULT 0,
	http_status    INTEGER NOT NULL DEFAULT 0,
	error_code     TEXT    NOT NULL DEFAULT '',
	correlation_id TEXT    NOT NULL DEFAULT '',
	duration_ms    INTEGER NOT NULL DEFAULT 0,
	review         TEXT    NOT NULL DEFAULT '', -- '', 'reviewed' or 'flagged'
	review_seq     INTEGER NOT NULL DEFAULT 0,
	reconciled_seq INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX attempts_id      ON attempts(attempt_id);
CREATE INDEX attempts_staff   ON attempts(staff_id);
CREATE INDEX attempts_email   ON attempts(staff_email COLLATE NOCASE);
CREATE INDEX attempts_order   ON attempts(order_id);
CREATE INDEX attempts_action  ON attempts(action);
CREATE INDEX attempts_outcome ON attempts(outcome);
-- The to-review queue and its unknown outcomes, oldest first.
CREATE INDEX attempts_review  ON attempts(money)
	WHERE money = 1 AND review = '' AND outcome IN ('succeeded', 'unknown');
CREATE INDEX attempts_unknown ON attempts(outcome)
	WHERE outcome = 'unknown' AND reconciled_seq = 0 AND review = '';
-- Events that are not attempts (sign-ins, staff changes, exports, ...).
CREATE INDEX events_other ON events(seq) WHERE kind NOT IN ('requested', 'completed');

-- One row per attempt, rowid = tkey; contentless (only the index is kept),
-- with delete so that the completed event can replace the row with the
-- words of both events.
CREATE VIRTUAL TABLE attempt_text USING fts5(text, content='', contentless_delete=1);

CREATE TRIGGER events_index_requested AFTER INSERT ON events WHEN NEW.kind = 'requested'
BEGIN
	INSERT INTO attempts (tkey, seq, attempt_id, time, staff_id, staff_email, order_id, action, money, amount)
	VALUES ((CAST(round(unixepoch(NEW.time, 'subsec') * 1000) AS INTEGER) << 20) | (NEW.seq & 1048575),
		NEW.seq, NEW.attempt_id, NEW.time, NEW.staff_id, NEW.staff_email, NEW.order_id, NEW.action,
		NEW.action IN ('create_capture', 'create_refund', 'update_authorization', 'cancel', 'release_remaining_authorization'),
		CASE WHEN json_valid(CAST(NEW.request AS TEXT)) THEN coalesce(CAST(coalesce(
			json_extract(CAST(NEW.request AS TEXT), '$.captured_amount'),
			json_extract(CAST(NEW.request AS TEXT), '$.refunded_amount'),
			json_extract(CAST(NEW.request AS TEXT), '$.order_amount')) AS INTEGER), 0) ELSE 0 END);
	INSERT INTO attempt_text (rowid, text)
	VALUES ((CAST(round(unixepoch(NEW.time, 'subsec') * 1000) AS INTEGER) << 20) | (NEW.seq & 1048575),
		concat_ws(' ', NEW.reason, NEW.ticket, NEW.idempotency_key, NEW.attempt_id,
		CASE WHEN json_valid(CAST(NEW.request AS TEXT)) THEN concat_ws(' ',
			json_extract(CAST(NEW.request AS TEXT), '$.reference'),
			json_extract(CAST(NEW.request AS TEXT), '$.description'),
			json_extract(CAST(NEW.request AS TEXT), '$.merchant_reference1'),
			json_extract(CAST(NEW.request AS TEXT), '$.merchant_reference2')) END));
END;

CREATE TRIGGER events_index_completed AFTER INSERT ON events WHEN NEW.kind = 'completed'
BEGIN
	UPDATE attempts SET outcome = NEW.outcome, completed_seq = NEW.seq, http_status = NEW.http_status,
		error_code = NEW.error_code, correlation_id = NEW.correlation_id, duration_ms = NEW.duration_ms
	WHERE attempt_id = NEW.attempt_id;
	DELETE FROM attempt_text WHERE rowid IN (SELECT tkey FROM attempts WHERE attempt_id = NEW.attempt_id);
	INSERT INTO attempt_text (rowid, text)
	SELECT a.tkey, concat_ws(' ', r.reason, r.ticket, r.idempotency_key, r.attempt_id,
		CASE WHEN json_valid(CAST(r.request AS TEXT)) THEN concat_ws(' ',
			json_extract(CAST(r.request AS TEXT), '$.reference'),
			json_extract(CAST(r.request AS TEXT), '$.description'),
			json_extract(CAST(r.request AS TEXT), '$.merchant_reference1'),
			json_extract(CAST(r.request AS TEXT), '$.merchant_reference2')) END,
		NEW.error_code, NEW.error_messages, NEW.correlation_id, NEW.resource_id,
		CASE WHEN json_valid(NEW.detail_json) THEN json_extract(NEW.detail_json, '$.error') END)
	FROM attempts a JOIN events r ON r.seq = a.seq WHERE a.attempt_id = NEW.attempt_id;
END;

CREATE TRIGGER events_index_review AFTER INSERT ON events WHEN NEW.kind = 'review'
` + indexReview + `

CREATE TRIGGER events_index_reconciled AFTER INSERT ON events WHEN NEW.kind = 'reconciled'
` + indexReconciled + `

-- Backfill the events stored before this migration by the same rules
-- (review and reconciled events did not exist before it).
INSERT INTO attempts (tkey, seq, attempt_id, time, staff_id, staff_email, order_id, action, money, amount)
SELECT (CAST(round(unixepoch(time, 'subsec') * 1000) AS INTEGER) << 20) | (seq & 1048575),
	seq, attempt_id, time, staff_id, staff_email, order_id, action,
	action IN ('create_capture', 'create_refund', 'update_authorization', 'cancel', 'release_remaining_authorization'),
	CASE WHEN json_valid(CAST(request AS TEXT)) THEN coalesce(CAST(coalesce(
		json_extract(CAST(request AS TEXT), '$.captured_amount'),
		json_extract(CAST(request AS TEXT), '$.refunded_amount'),
		json_extract(CAST(request AS TEXT), '$.order_amount')) AS INTEGER), 0) ELSE 0 END
FROM events WHERE kind = 'requested' ORDER BY seq;
UPDATE attempts SET (outcome, completed_seq, http_status, error_code, correlation_id, duration_ms) = (
	SELECT c.outcome, c.seq, c.http_status, c.error_code, c.correlation_id, c.duration_ms FROM events c
	WHERE c.kind = 'completed' AND c.attempt_id = attempts.attempt_id ORDER BY c.seq DESC LIMIT 1)
WHERE EXISTS (SELECT 1 FROM events c WHERE c.kind = 'completed' AND c.attempt_id = attempts.attempt_id);
INSERT INTO attempt_text (rowid, text)
SELECT a.tkey, concat_ws(' ', r.reason, r.ticket, r.idempotency_key, r.attempt_id,
	CASE WHEN json_valid(CAST(r.request AS TEXT)) THEN concat_ws(' ',
		json_extract(CAST(r.request AS TEXT), '$.reference'),
		json_extract(CAST(r.request AS TEXT), '$.description'),
		json_extract(CAST(r.request AS TEXT), '$.merchant_reference1'),
		json_extract(CAST(r.request AS TEXT), '$.merchant_reference2')) END,
	c.error_code, c.error_messages, c.correlation_id, c.resource_id,
	CASE WHEN json_valid(c.detail_json) THEN json_extract(c.detail_json, '$.error') END)
FROM attempts a JOIN events r ON r.seq = a.seq LEFT JOIN events c ON c.seq = a.completed_seq
ORDER BY a.tkey;
`

// selectColumns lists the stored columns in the order scanRow reads them.
const selectColumns = `seq, time, kind, attempt_id, staff_id, staff_email, staff_role, client_ip, user_agent,
	order_id, action, reason, ticket, idempotency_key, request, before_json, after_json,
	outcome, http_status, error_code, error_messages, correlation_id, resource_id, duration_ms,
	detail_json, prev_hash, hash, instance`

const insertSQL = `INSERT INTO events (` + selectColumns + `) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`

type scanner interface{ Scan(dest ...any) error }

func scanRow(s scanner) (row, error) {
	var r row
	err := s.Scan(&r.Seq, &r.Time, &r.Kind, &r.AttemptID, &r.StaffID, &r.StaffEmail, &r.StaffRole, &r.ClientIP, &r.UserAgent,
		&r.OrderID, &r.Action, &r.Reason, &r.Ticket, &r.IdempotencyKey, &r.Request, &r.BeforeJSON, &r.AfterJSON,
		&r.Outcome, &r.HTTPStatus, &r.ErrorCode, &r.ErrorMessages, &r.CorrelationID, &r.ResourceID, &r.DurationMS,
		&r.DetailJSON, &r.PrevHash, &r.Hash, &r.Instance)
	if r.Request == nil {
		r.Request = []byte{}
	}
	return r, err
}

func (r *row) args() []any {
	return []any{r.Seq, r.Time, r.Kind, r.AttemptID, r.StaffID, r.StaffEmail, r.StaffRole, r.ClientIP, r.UserAgent,
		r.OrderID, r.Action, r.Reason, r.Ticket, r.IdempotencyKey, r.Request, r.BeforeJSON, r.AfterJSON,
		r.Outcome, r.HTTPStatus, r.ErrorCode, r.ErrorMessages, r.CorrelationID, r.ResourceID, r.DurationMS,
		r.DetailJSON, r.PrevHash, r.Hash, r.Instance}
}

// The bodies of the triggers that keep the search index, shared by the
// migrations that created them on events (3 and 5) and the indexer, which
// runs them on its temporary index_feed in the index's own file, where
// `events` is the log attached (index.go). NEW is the event being
// indexed. Frozen: a change to the index is a new migration with new
// bodies.
const (
	indexRequested = `BEGIN
	INSERT INTO attempts (tkey, seq, attempt_id, time, staff_id, staff_email, order_id, action, money, amount)
	VALUES ((CAST(round(unixepoch(NEW.time, 'subsec') * 1000) AS INTEGER) << 20) | (NEW.seq & 1048575),
		NEW.seq, NEW.attempt_id, NEW.time, NEW.staff_id, NEW.staff_email, NEW.order_id, NEW.action,
		NEW.action IN ('create_capture', 'create_refund', 'update_authorization', 'cancel', 'release_remaining_authorization'),
		CASE WHEN json_valid(CAST(NEW.request AS TEXT)) THEN coalesce(CAST(coalesce(
			json_extract(CAST(NEW.request AS TEXT), '$.captured_amount'),
			json_extract(CAST(NEW.request AS TEXT), '$.refunded_amount'),
			json_extract(CAST(NEW.request AS TEXT), '$.order_amount')) AS INTEGER), 0) ELSE 0 END);
	INSERT INTO attempt_counts (day, action, outcome, n)
	VALUES (CAST(round(unixepoch(NEW.time, 'subsec') * 1000) AS INTEGER) / 86400000, NEW.action, '', 1)
		ON CONFLICT (day, action, outcome) DO UPDATE SET n = n + 1;
	INSERT INTO attempt_text (rowid, text)
	VALUES ((CAST(round(unixepoch(NEW.time, 'subsec') * 1000) AS INTEGER) << 20) | (NEW.seq & 1048575),
		concat_ws(' ', NEW.reason, NEW.ticket, NEW.idempotency_key, NEW.attempt_id,
		CASE WHEN json_valid(CAST(NEW.request AS TEXT)) THEN concat_ws(' ',
			json_extract(CAST(NEW.request AS TEXT), '$.reference'),
			json_extract(CAST(NEW.request AS TEXT), '$.description'),
			json_extract(CAST(NEW.request AS TEXT), '$.merchant_reference1'),
			json_extract(CAST(NEW.request AS TEXT), '$.merchant_reference2')) END,
		'xs' || NEW.staff_id, 'xe' || hex(lower(NEW.staff_email)), 'xo' || hex(NEW.order_id),
		'xa' || hex(NEW.action), 'xr'));
END;`
	indexCompleted = `BEGIN
	-- Move the attempt's count from its old outcome to the new one, before
	-- the attempt row changes.
	UPDATE attempt_counts SET n = n - (SELECT count(*) FROM attempts a
		WHERE a.attempt_id = NEW.attempt_id AND (a.tkey >> 20) / 86400000 = attempt_counts.day
		AND a.action = attempt_counts.action AND a.outcome = attempt_counts.outcome)
	WHERE (day, action, outcome) IN (SELECT (tkey >> 20) / 86400000, action, outcome FROM attempts WHERE attempt_id = NEW.attempt_id);
	INSERT INTO attempt_counts (day, action, outcome, n)
	SELECT (tkey >> 20) / 86400000, action, NEW.outcome, count(*) FROM attempts WHERE attempt_id = NEW.attempt_id GROUP BY 1, 2
		ON CONFLICT (day, action, outcome) DO UPDATE SET n = n + excluded.n;
	UPDATE attempts SET outcome = NEW.outcome, completed_seq = NEW.seq, http_status = NEW.http_status,
		error_code = NEW.error_code, correlation_id = NEW.correlation_id, duration_ms = NEW.duration_ms
	WHERE attempt_id = NEW.attempt_id;
	DELETE FROM attempt_text WHERE rowid IN (SELECT tkey FROM attempts WHERE attempt_id = NEW.attempt_id);
	INSERT INTO attempt_text (rowid, text)
	SELECT a.tkey, concat_ws(' ', r.reason, r.ticket, r.idempotency_key, r.attempt_id,
		CASE WHEN json_valid(CAST(r.request AS TEXT)) THEN concat_ws(' ',
			json_extract(CAST(r.request AS TEXT), '$.reference'),
			json_extract(CAST(r.request AS TEXT), '$.description'),
			json_extract(CAST(r.request AS TEXT), '$.merchant_reference1'),
			json_extract(CAST(r.request AS TEXT), '$.merchant_reference2')) END,
		NEW.error_code, NEW.error_messages, NEW.correlation_id, NEW.resource_id,
		CASE WHEN json_valid(NEW.detail_json) THEN json_extract(NEW.detail_json, '$.error') END,
		'xs' || a.staff_id, 'xe' || hex(lower(a.staff_email)), 'xo' || hex(a.order_id),
		'xa' || hex(a.action), 'xr' || hex(a.outcome))
	FROM attempts a JOIN events r ON r.seq = a.seq WHERE a.attempt_id = NEW.attempt_id;
END;`
	indexReview = `BEGIN
	UPDATE attempts SET review_seq = NEW.seq,
		review = CASE WHEN json_valid(NEW.detail_json) AND json_extract(NEW.detail_json, '$.review') = 'flagged'
			THEN 'flagged' ELSE 'reviewed' END
	WHERE attempt_id = NEW.attempt_id;
END;`
	indexReconciled = `BEGIN
	UPDATE attempts SET reconciled_seq = NEW.seq WHERE attempt_id = NEW.attempt_id;
END;`
)
