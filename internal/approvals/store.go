package approvals

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"ordercare/internal/db"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
)

// migrations of component "approvals" in admin.db. Append-only.
var migrations = []string{
	`CREATE TABLE approval_requests (
		id                 TEXT    PRIMARY KEY,
		created_at         TEXT    NOT NULL,
		expires_at         TEXT    NOT NULL,
		order_id           TEXT    NOT NULL,
		order_ref          TEXT    NOT NULL DEFAULT '',
		op                 TEXT    NOT NULL,
		currency           TEXT    NOT NULL,
		amount             INTEGER NOT NULL,
		idempotency_key    TEXT    NOT NULL UNIQUE,
		body               BLOB    NOT NULL DEFAULT x'',
		reason             TEXT    NOT NULL DEFAULT '',
		ticket             TEXT    NOT NULL DEFAULT '',
		why                TEXT    NOT NULL DEFAULT '',
		requested_by_id    INTEGER NOT NULL,
		requested_by_email TEXT    NOT NULL,
		requested_by_role  TEXT    NOT NULL,
		status             TEXT    NOT NULL DEFAULT 'pending',
		decided_by_id      INTEGER NOT NULL DEFAULT 0,
		decided_by_email   TEXT    NOT NULL DEFAULT '',
		decided_by_role    TEXT    NOT NULL DEFAULT '',
		decided_at         TEXT    NOT NULL DEFAULT '',
		comment            TEXT    NOT NULL DEFAULT '',
		attempt_id         TEXT    NOT NULL DEFAULT '',
		resource_id        TEXT    NOT NULL DEFAULT '',
		error_code         TEXT    NOT NULL DEFAULT '',
		message            TEXT    NOT NULL DEFAULT ''
	) STRICT;
	CREATE INDEX approval_requests_status    ON approval_requests(status, created_at);
	CREATE INDEX approval_requests_order     ON approval_requests(order_id, created_at);
	CREATE INDEX approval_requests_requester ON approval_requests(requested_by_id, created_at);`,
	// When each member last looked at the decisions on their requests
	// (notices.go): nothing else records it, and it must survive a restart.
	`CREATE TABLE approval_seen (
		staff_id INTEGER PRIMARY KEY,
		seen_at  TEXT    NOT NULL
	) STRICT;`,
	// The shop's half of a change asked for in both systems (JSON of
	// orders.ShopHalf; empty when the payment change goes alone): the
	// approver sees both halves and approving sends both.
	`ALTER TABLE approval_requests ADD COLUMN shop_half BLOB NOT NULL DEFAULT x'';`,
}

// pgMigrations are migrations in PostgreSQL's dialect. Times stay
// fixed-width text compared byte by byte (COLLATE "C"), as in SQLite.
var pgMigrations = []string{
	`CREATE TABLE approval_requests (
		id                 TEXT    PRIMARY KEY,
		created_at         TEXT    COLLATE "C" NOT NULL,
		expires_at         TEXT    COLLATE "C" NOT NULL,
		order_id           TEXT    NOT NULL,
		order_ref          TEXT    NOT NULL DEFAULT '',
		op                 TEXT    NOT NULL,
		currency           TEXT    NOT NULL,
		amount             BIGINT  NOT NULL,
		idempotency_key    TEXT    NOT NULL UNIQUE,
		body               BYTEA   NOT NULL DEFAULT '',
		reason             TEXT    NOT NULL DEFAULT '',
		ticket             TEXT    NOT NULL DEFAULT '',
		why                TEXT    NOT NULL DEFAULT '',
		requested_by_id    BIGINT  NOT NULL,
		requested_by_email TEXT    NOT NULL,
		requested_by_role  TEXT    NOT NULL,
		status             TEXT    NOT NULL DEFAULT 'pending',
		decided_by_id      BIGINT  NOT NULL DEFAULT 0,
		decided_by_email   TEXT    NOT NULL DEFAULT '',
		decided_by_role    TEXT    NOT NULL DEFAULT '',
		decided_at         TEXT    COLLATE "C" NOT NULL DEFAULT '',
		comment            TEXT    NOT NULL DEFAULT '',
		attempt_id         TEXT    NOT NULL DEFAULT '',
		resource_id        TEXT    NOT NULL DEFAULT '',
		error_code         TEXT    NOT NULL DEFAULT '',
		message            TEXT    NOT NULL DEFAULT ''
	);
	CREATE INDEX approval_requests_status    ON approval_requests(status, created_at);
	CREATE INDEX approval_requests_order     ON approval_requests(order_id, created_at);
	CREATE INDEX approval_requests_requester ON approval_requests(requested_by_id, created_at);`,
	`CREATE TABLE approval_seen (
		staff_id BIGINT PRIMARY KEY,
		seen_at  TEXT   COLLATE "C" NOT NULL
	);`,
	`ALTER TABLE approval_requests ADD COLUMN shop_half BYTEA NOT NULL DEFAULT '';`,
}

// timeLayout is fixed-width, so stored times sort and compare as text.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(timeLayout, s)
}

const requestCols = `id, created_at, expires_at, order_id, order_ref, op, currency, amount, idempotency_key, body,
	reason, ticket, why, requested_by_id, requested_by_email, requested_by_role, status,
	decided_by_id, decided_by_email, decided_by_role, decided_at, comment, attempt_id, resource_id, error_code, message, shop_half`

type scanner interface{ Scan(dest ...any) error }

func scanRequest(s scanner) (Request, error) {
	var r Request
	var created, expires, decided, op, status string
	var body, half []byte
	err := s.Scan(&r.ID, &created, &expires, &r.OrderID, &r.OrderRef, &op, &r.Currency, &r.Amount, &r.IdempotencyKey, &body,
		&r.Reason, &r.Ticket, &r.Why, &r.RequestedBy.StaffID, &r.RequestedBy.Email, &r.RequestedBy.Role, &status,
		&r.DecidedBy.StaffID, &r.DecidedBy.Email, &r.DecidedBy.Role, &decided, &r.Comment, &r.AttemptID, &r.ResourceID,
		&r.ErrorCode, &r.Message, &half)
	if err != nil {
		return r, err
	}
	if len(half) > 0 {
		r.Shop = &orders.ShopHalf{}
		if err := json.Unmarshal(half, r.Shop); err != nil {
			return r, fmt.Errorf("approvals: request %s: its shop half: %w", r.ID, err)
		}
	}
	r.Op, r.Status = omclient.Operation(op), Status(status)
	if len(body) > 0 {
		r.Body = body
	}
	if r.CreatedAt, err = parseTime(created); err != nil {
		return r, fmt.Errorf("approvals: request %s: %w", r.ID, err)
	}
	if r.ExpiresAt, err = parseTime(expires); err != nil {
		return r, fmt.Errorf("approvals: request %s: %w", r.ID, err)
	}
	if r.DecidedAt, err = parseTime(decided); err != nil {
		return r, fmt.Errorf("approvals: request %s: %w", r.ID, err)
	}
	return r, nil
}

// get reads one request by a constant where clause.
func get(ctx context.Context, d *db.DB, where string, arg any) (Request, error) {
	// #nosec G202 -- where is a constant from this file; the value is a ? parameter
	r, err := scanRequest(d.QueryRow(ctx, `SELECT `+requestCols+` FROM approval_requests WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return Request{}, ErrNotFound
	}
	if err != nil {
		return Request{}, fmt.Errorf("approvals: reading a request: %w", err)
	}
	return r, nil
}

func insert(ctx context.Context, tx *sql.Tx, r Request) error {
	body := []byte(r.Body)
	if body == nil {
		body = []byte{} // NOT NULL: an empty body (cancel) is x''
	}
	half := []byte{}
	if r.Shop != nil {
		var err error
		if half, err = json.Marshal(r.Shop); err != nil {
			return fmt.Errorf("approvals: recording the request's shop half: %w", err)
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO approval_requests (`+requestCols+`)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		r.ID, formatTime(r.CreatedAt), formatTime(r.ExpiresAt), r.OrderID, r.OrderRef, string(r.Op), r.Currency, r.Amount,
		r.IdempotencyKey, body, r.Reason, r.Ticket, r.Why, r.RequestedBy.StaffID, r.RequestedBy.Email,
		r.RequestedBy.Role, string(r.Status), r.DecidedBy.StaffID, r.DecidedBy.Email, r.DecidedBy.Role, "", r.Comment,
		r.AttemptID, r.ResourceID, r.ErrorCode, r.Message, half)
	if err != nil {
		return fmt.Errorf("approvals: recording the request: %w", err)
	}
	return nil
}

// ListFilter selects requests for a list page.
type ListFilter struct {
	// Statuses keeps these statuses (all when empty).
	Statuses []Status
	// RequestedBy keeps one requester's (0: everyone's).
	RequestedBy int64
	// OrderID keeps one order's.
	OrderID string
	// OldestFirst orders by creation, oldest first (a queue); else newest first.
	OldestFirst bool
	// Limit bounds the list (DefaultLimit when 0).
	Limit int
	// dueBy keeps the requests whose time is up by then (expiry).
	dueBy time.Time
}

// DefaultLimit is the longest list returned.
const DefaultLimit = 200

func (f ListFilter) query() (string, []any) {
	var where []string
	var args []any
	if len(f.Statuses) > 0 {
		where = append(where, `status IN (?`+strings.Repeat(`,?`, len(f.Statuses)-1)+`)`)
		for _, s := range f.Statuses {
			args = append(args, string(s))
		}
	}
	if f.RequestedBy != 0 {
		where = append(where, `requested_by_id = ?`)
		args = append(args, f.RequestedBy)
	}
	if f.OrderID != "" {
		where = append(where, `order_id = ?`)
		args = append(args, f.OrderID)
	}
	if !f.dueBy.IsZero() {
		where = append(where, `expires_at <= ?`)
		args = append(args, formatTime(f.dueBy))
	}
	q := `SELECT ` + requestCols + ` FROM approval_requests`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	if f.OldestFirst {
		q += ` ORDER BY created_at, id`
	} else {
		q += ` ORDER BY created_at DESC, id DESC`
	}
	limit := f.Limit
	if limit <= 0 || limit > DefaultLimit {
		limit = DefaultLimit
	}
	return q + ` LIMIT ?`, append(args, limit)
}

// collect reads every request of a query's rows (what names the query in
// errors).
func collect(rows *sql.Rows, err error, what string) ([]Request, error) {
	if err != nil {
		return nil, fmt.Errorf("approvals: %s: %w", what, err)
	}
	defer rows.Close()
	var out []Request
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, fmt.Errorf("approvals: %s: %w", what, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
