package audit

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode"

	"ordercare/internal/db"
)

// On PostgreSQL the search index lives in the shared database beside the
// events (component "audit-index"), one index for the whole fleet, kept
// by whichever instance's indexer holds the index's own advisory lock
// (db.OpenPostgres, writer "audit-index"), so that indexing never waits
// for appends nor they for it. The index's rules are the same as the
// SQLite triggers' (schema.go), written as PL/pgSQL trigger functions on
// index_feed; the full-text rows are tsvectors under a GIN index
// (https://www.postgresql.org/docs/current/textsearch-indexes.html).
//
// Words are what remains between runs of spaces and punctuation,
// lower-cased, as SQLite's unicode61 tokenizer splits them: "ZD-1003"
// is the words zd and 1003, and the typed "ZD-10" the phrase zd followed
// by a word starting with 10.
var pgIndexMigrations = []string{
	`CREATE FUNCTION audit_tkey(t text, seq bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
		SELECT ((extract(epoch from substr(t, 1, 19)::timestamp)::bigint * 1000 + substr(t, 21, 3)::bigint) << 20) | (seq & 1048575)
	$$;
	CREATE FUNCTION audit_words(t text) RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$
		SELECT to_tsvector('simple', regexp_replace(lower(t), '[[:space:][:punct:]]+', ' ', 'g'))
	$$;
	CREATE FUNCTION audit_hex(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
		SELECT encode(convert_to(t, 'UTF8'), 'hex')
	$$;
	CREATE TABLE attempts (
		tkey           BIGINT  PRIMARY KEY,
		seq            BIGINT  NOT NULL,
		attempt_id     TEXT    NOT NULL,
		time           TEXT    NOT NULL,
		staff_id       BIGINT  NOT NULL,
		staff_email    TEXT    NOT NULL,
		order_id       TEXT    NOT NULL,
		action         TEXT    NOT NULL,
		money          INTEGER NOT NULL,
		amount         BIGINT  NOT NULL,
		outcome        TEXT    NOT NULL DEFAULT '',
		completed_seq  BIGINT  NOT NULL DEFAULT 0,
		http_status    INTEGER NOT NULL DEFAULT 0,
		error_code     TEXT    NOT NULL DEFAULT '',
		correlation_id TEXT    NOT NULL DEFAULT '',
		duration_ms    BIGINT  NOT NULL DEFAULT 0,
		review         TEXT    NOT NULL DEFAULT '',
		review_seq     BIGINT  NOT NULL DEFAULT 0,
		reconciled_seq BIGINT  NOT NULL DEFAULT 0
	);
	CREATE INDEX attempts_id      ON attempts(attempt_id);
	CREATE INDEX attempts_staff   ON attempts(staff_id, tkey);
	CREATE INDEX attempts_email   ON attempts(lower(staff_email), tkey);
	CREATE INDEX attempts_order   ON attempts(order_id, tkey);
	CREATE INDEX attempts_action  ON attempts(action, tkey);
	CREATE INDEX attempts_outcome ON attempts(outcome, tkey);
	CREATE INDEX attempts_review  ON attempts(tkey)
		WHERE money = 1 AND review = '' AND outcome IN ('succeeded', 'unknown');
	CREATE INDEX attempts_unknown ON attempts(tkey)
		WHERE outcome = 'unknown' AND reconciled_seq = 0 AND review = '';
	CREATE TABLE attempt_counts (
		day     BIGINT NOT NULL,
		action  TEXT   NOT NULL,
		outcome TEXT   NOT NULL,
		n       BIGINT NOT NULL,
		PRIMARY KEY (day, action, outcome)
	);
	CREATE TABLE attempt_text (
		rowid BIGINT   PRIMARY KEY,
		text  tsvector NOT NULL
	);
	CREATE INDEX attempt_text_words ON attempt_text USING GIN (text) WITH (fastupdate = off);
	CREATE TABLE index_state (
		id   INTEGER PRIMARY KEY CHECK (id = 1),
		seq  BIGINT  NOT NULL,
		hash TEXT    NOT NULL
	);
	INSERT INTO index_state (id, seq, hash) VALUES (1, 0, '');
	CREATE UNLOGGED TABLE index_feed (
		seq             BIGINT  PRIMARY KEY,
		time            TEXT    NOT NULL,
		kind            TEXT    NOT NULL,
		attempt_id      TEXT    NOT NULL,
		staff_id        BIGINT  NOT NULL,
		staff_email     TEXT    NOT NULL,
		order_id        TEXT    NOT NULL,
		action          TEXT    NOT NULL,
		reason          TEXT    NOT NULL,
		ticket          TEXT    NOT NULL,
		idempotency_key TEXT    NOT NULL,
		request         BYTEA   NOT NULL,
		outcome         TEXT    NOT NULL,
		http_status     INTEGER NOT NULL,
		error_code      TEXT    NOT NULL,
		error_messages  TEXT    NOT NULL,
		correlation_id  TEXT    NOT NULL,
		resource_id     TEXT    NOT NULL,
		duration_ms     BIGINT  NOT NULL,
		detail_json     TEXT    NOT NULL
	);
	CREATE FUNCTION audit_index_requested() RETURNS trigger LANGUAGE plpgsql AS $$
	DECLARE
		k bigint := audit_tkey(NEW.time, NEW.seq);
		q jsonb := audit_json(NEW.request);
	BEGIN
		INSERT INTO attempts (tkey, seq, attempt_id, time, staff_id, staff_email, order_id, action, money, amount)
		VALUES (k, NEW.seq, NEW.attempt_id, NEW.time, NEW.staff_id, NEW.staff_email, NEW.order_id, NEW.action,
			CASE WHEN NEW.action IN ('create_capture', 'create_refund', 'update_authorization', 'cancel', 'release_remaining_authorization') THEN 1 ELSE 0 END,
			coalesce(substring(coalesce(q->>'captured_amount', q->>'refunded_amount', q->>'order_amount') from '^-?[0-9]+')::bigint, 0));
		INSERT INTO attempt_counts (day, action, outcome, n) VALUES ((k >> 20) / 86400000, NEW.action, '', 1)
			ON CONFLICT (day, action, outcome) DO UPDATE SET n = attempt_counts.n + 1;
		INSERT INTO attempt_text (rowid, text) VALUES (k, audit_words(concat_ws(' ', NEW.reason, NEW.ticket, NEW.idempotency_key, NEW.attempt_id,
			q->>'reference', q->>'description', q->>'merchant_reference1', q->>'merchant_reference2',
			'xs' || NEW.staff_id, 'xe' || audit_hex(lower(NEW.staff_email)), 'xo' || audit_hex(NEW.order_id),
			'xa' || audit_hex(NEW.action), 'xr')))
			ON CONFLICT (rowid) DO UPDATE SET text = excluded.text;
		RETURN NULL;
	END $$;
	CREATE FUNCTION audit_index_completed() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		UPDATE attempt_counts c SET n = c.n - (SELECT count(*) FROM attempts a
			WHERE a.attempt_id = NEW.attempt_id AND (a.tkey >> 20) / 86400000 = c.day
			AND a.action = c.action AND a.outcome = c.outcome)
		WHERE (c.day, c.action, c.outcome) IN (SELECT (tkey >> 20) / 86400000, action, outcome FROM attempts WHERE attempt_id = NEW.attempt_id);
		INSERT INTO attempt_counts (day, action, outcome, n)
		SELECT (tkey >> 20) / 86400000, action, NEW.outcome, count(*) FROM attempts WHERE attempt_id = NEW.attempt_id GROUP BY 1, 2
			ON CONFLICT (day, action, outcome) DO UPDATE SET n = attempt_counts.n + excluded.n;
		UPDATE attempts SET outcome = NEW.outcome, completed_seq = NEW.seq, http_status = NEW.http_status,
			error_code = NEW.error_code, correlation_id = NEW.correlation_id, duration_ms = NEW.duration_ms
		WHERE attempt_id = NEW.attempt_id;
		INSERT INTO attempt_text (rowid, text)
		SELECT a.tkey, audit_words(concat_ws(' ', r.reason, r.ticket, r.idempotency_key, r.attempt_id,
			j.q->>'reference', j.q->>'description', j.q->>'merchant_reference1', j.q->>'merchant_reference2',
			NEW.error_code, NEW.error_messages, NEW.correlation_id, NEW.resource_id,
			audit_json(NEW.detail_json)->>'error',
			'xs' || a.staff_id, 'xe' || audit_hex(lower(a.staff_email)), 'xo' || audit_hex(a.order_id),
			'xa' || audit_hex(a.action), 'xr' || audit_hex(a.outcome)))
		FROM attempts a JOIN events r ON r.seq = a.seq CROSS JOIN LATERAL (SELECT audit_json(r.request) AS q) j
		WHERE a.attempt_id = NEW.attempt_id
			ON CONFLICT (rowid) DO UPDATE SET text = excluded.text;
		RETURN NULL;
	END $$;
	CREATE FUNCTION audit_index_review() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		UPDATE attempts SET review_seq = NEW.seq,
			review = CASE WHEN audit_json(NEW.detail_json)->>'review' = 'flagged' THEN 'flagged' ELSE 'reviewed' END
		WHERE attempt_id = NEW.attempt_id;
		RETURN NULL;
	END $$;
	CREATE FUNCTION audit_index_reconciled() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		UPDATE attempts SET reconciled_seq = NEW.seq WHERE attempt_id = NEW.attempt_id;
		RETURN NULL;
	END $$;
	CREATE TRIGGER feed_index_requested AFTER INSERT ON index_feed FOR EACH ROW
		WHEN (NEW.kind = 'requested') EXECUTE FUNCTION audit_index_requested();
	CREATE TRIGGER feed_index_completed AFTER INSERT ON index_feed FOR EACH ROW
		WHEN (NEW.kind = 'completed') EXECUTE FUNCTION audit_index_completed();
	CREATE TRIGGER feed_index_review AFTER INSERT ON index_feed FOR EACH ROW
		WHEN (NEW.kind = 'review') EXECUTE FUNCTION audit_index_review();
	CREATE TRIGGER feed_index_reconciled AFTER INSERT ON index_feed FOR EACH ROW
		WHEN (NEW.kind = 'reconciled') EXECUTE FUNCTION audit_index_reconciled();`,
}

// pgResetIndex is resetIndex on PostgreSQL.
var pgResetIndex = []string{`DELETE FROM attempts`, `DELETE FROM attempt_counts`, `DELETE FROM attempt_text`,
	`UPDATE index_state SET seq = 0, hash = ''`}

// openPGIndex opens the index on the log's PostgreSQL database with the
// index's own writer lock.
func openPGIndex(ctx context.Context, url string) (*db.DB, error) {
	d, err := db.OpenPostgres(ctx, url, "audit-index")
	if err != nil {
		return nil, err
	}
	if err := d.MigrateDialects(ctx, "audit-index", indexMigrations, pgIndexMigrations); err != nil {
		_ = d.Close()
		return nil, err
	}
	return d, nil
}

// stepPG is step on PostgreSQL: one transaction under the index's lock
// reads the mark and the events past it in the same database.
func (ix *indexer) stepPG(ctx context.Context) (more bool, err error) {
	tx, err := ix.l.idx.W.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("audit: index: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	var mark, last int64
	var markHash string
	var markEventHash sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT seq, hash, (SELECT hash FROM events WHERE seq = index_state.seq),
		(SELECT coalesce(max(seq), 0) FROM events) FROM index_state`).Scan(&mark, &markHash, &markEventHash, &last); err != nil {
		return false, fmt.Errorf("audit: index: mark: %w", err)
	}
	if mark, err = indexFrom(ctx, tx, mark, markHash, markEventHash, pgResetIndex); err != nil {
		return false, err
	}
	if last > mark {
		to := min(last, mark+IndexBatch)
		if err := runSteps(ctx, tx, []step{
			{`INSERT INTO index_feed (` + feedColumns + `) SELECT ` + feedColumns + ` FROM events WHERE seq > ? AND seq <= ? ORDER BY seq`, []any{mark, to}},
			{`DELETE FROM index_feed`, nil},
			{`UPDATE index_state SET seq = ?, hash = (SELECT hash FROM events WHERE seq = ?)`, []any{to, to}}}); err != nil {
			return false, fmt.Errorf("audit: index events %d-%d: %w", mark+1, to, err)
		}
		more = to < last
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("audit: index: commit: %w", err)
	}
	ix.l.indexChecked.Store(true)
	return more, nil
}

var (
	nocase     = regexp.MustCompile(`([a-z_.]+) = \? COLLATE NOCASE`)
	idxQueries sync.Map
)

// isql is a query of the search index in the dialect of its database:
// SQLite's planner hints dropped, COLLATE NOCASE as lower(), and the
// full-text match as PostgreSQL's @@ on the tsquery tsQuery builds.
func (l *Log) isql(query string) string {
	if !l.idx.Postgres {
		return query
	}
	return rewritten(&idxQueries, query, func(q string) string {
		q = unaryPlus.ReplaceAllString(q, "$1$2$3")
		q = nocase.ReplaceAllString(q, "lower($1) = lower(?)")
		return strings.ReplaceAll(q, "attempt_text MATCH ?", "text @@ to_tsquery('simple', ?)")
	})
}

// textArg is the full-text query of an FTS5 query built by textQuery: on
// PostgreSQL a tsquery of the same words, each typed word a phrase of its
// parts (<->), the last one's last part a prefix (:*), all required (&).
func (l *Log) textArg(fts string) string {
	if !l.idx.Postgres {
		return fts
	}
	var terms []string
	for _, t := range strings.Fields(fts) {
		prefix := strings.HasSuffix(t, "*")
		t = strings.Trim(strings.TrimSuffix(t, "*"), `"`)
		parts := strings.FieldsFunc(strings.ToLower(t), func(r rune) bool {
			if r < 128 {
				return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
			}
			return unicode.IsSpace(r) || unicode.IsPunct(r)
		})
		if len(parts) == 0 {
			continue
		}
		for i, p := range parts {
			parts[i] = "'" + strings.ReplaceAll(p, "'", "''") + "'"
		}
		if prefix {
			parts[len(parts)-1] += ":*"
		}
		terms = append(terms, "("+strings.Join(parts, " <-> ")+")")
	}
	return strings.Join(terms, " & ")
}
