package audit

import (
	"context"
	"fmt"
	"time"
)

// MoneyRecord is one of an order's events as the checks on money read it
// before every change (the intent rule, the four-eyes window): only the
// few fields they judge by, taken out of the stored JSON by SQLite. An
// order's whole history decoded as Events cost the change path most of
// its checks' time (the request, before, after and detail maps of every
// attempt), for a handful of numbers.
type MoneyRecord struct {
	Seq       int64
	Kind      Kind
	Time      time.Time
	AttemptID string
	Action    string
	// IdempotencyKey and Email are the requested event's (or the
	// approval step's).
	IdempotencyKey, Email string
	// Amount is what a requested event's body moves (captured_amount,
	// refunded_amount or order_amount; 0 without one) or an approval
	// step's detail "amount".
	Amount int64
	// Outcome is a completed event's.
	Outcome Outcome
	// ResourceID is a completed event's, or a reconciled event's detail
	// "resource_id".
	ResourceID string
	// From the detail: the change's currency and approval request, an
	// approval step's name and expiry, a reconciled event's verdict.
	Currency, ApprovalID, Step, ExpiresAt, Settled string
	// BeforeOrderAmount and BeforeRemaining are a requested event's
	// "before" values as recorded ("302.90 EUR").
	BeforeOrderAmount, BeforeRemaining string
}

// moneyRecordsSQL reads an order's requested, completed, reconciled and
// approval events, oldest first, through events_order ("+kind" keeps the
// planner off events_kind; TestLookupsUseTheirIndexes). A column that is
// not valid JSON reads as "{}": json_extract would fail the whole query.
const moneyRecordsSQL = `SELECT seq, time, kind, attempt_id, action, idempotency_key, staff_email, outcome, resource_id,
	CASE WHEN kind = 'requested' THEN coalesce(CAST(coalesce(json_extract(q, '$.captured_amount'),
		json_extract(q, '$.refunded_amount'),
		json_extract(q, '$.order_amount')) AS INTEGER), 0)
		ELSE coalesce(CAST(json_extract(d, '$.amount') AS INTEGER), 0) END,
	coalesce(json_extract(d, '$.currency'), ''), coalesce(json_extract(d, '$.approval_id'), ''),
	coalesce(json_extract(d, '$.step'), ''), coalesce(json_extract(d, '$.expires_at'), ''),
	coalesce(json_extract(d, '$.settled'), ''), coalesce(json_extract(d, '$.resource_id'), ''),
	coalesce(json_extract(b, '$.order_amount'), ''), coalesce(json_extract(b, '$.remaining_authorized_amount'), '')
	FROM (SELECT seq, time, kind, attempt_id, action, idempotency_key, staff_email, outcome, resource_id,
		CASE WHEN json_valid(CAST(request AS TEXT)) THEN CAST(request AS TEXT) ELSE '{}' END AS q,
		CASE WHEN json_valid(detail_json) THEN detail_json ELSE '{}' END AS d,
		CASE WHEN json_valid(before_json) THEN before_json ELSE '{}' END AS b
		FROM events WHERE ` + byOrder + ` AND +kind IN ('requested', 'completed', 'reconciled', 'approval') ORDER BY seq)`

// pgMoneyRecordsSQL is moneyRecordsSQL in PostgreSQL's dialect: its JSON
// operators (https://www.postgresql.org/docs/current/functions-json.html)
// on audit_json, which reads a column that is not JSON as {} (migration
// 1); an amount is the leading integer of the value, as SQLite's CAST
// reads it, 0 when none.
const pgMoneyRecordsSQL = `SELECT seq, time, kind, attempt_id, action, idempotency_key, staff_email, outcome, resource_id,
	coalesce(substring(CASE WHEN kind = 'requested' THEN coalesce(q->>'captured_amount', q->>'refunded_amount', q->>'order_amount')
		ELSE d->>'amount' END from '^-?[0-9]+')::bigint, 0),
	coalesce(d->>'currency', ''), coalesce(d->>'approval_id', ''),
	coalesce(d->>'step', ''), coalesce(d->>'expires_at', ''),
	coalesce(d->>'settled', ''), coalesce(d->>'resource_id', ''),
	coalesce(b->>'order_amount', ''), coalesce(b->>'remaining_authorized_amount', '')
	FROM (SELECT seq, time, kind, attempt_id, action, idempotency_key, staff_email, outcome, resource_id,
		audit_json(request) AS q, audit_json(detail_json) AS d, audit_json(before_json) AS b
		FROM events WHERE ` + byOrder + ` AND kind IN ('requested', 'completed', 'reconciled', 'approval')) m ORDER BY seq`

// OrderMoneyRecords returns the order's requested, completed, reconciled
// and approval events as MoneyRecords, oldest first.
func (l *Log) OrderMoneyRecords(ctx context.Context, orderID string) ([]MoneyRecord, error) {
	if orderID == "" {
		return nil, nil
	}
	q := moneyRecordsSQL
	if l.db.Postgres {
		q = pgMoneyRecordsSQL
	}
	rows, err := l.db.Query(ctx, q, orderID)
	if err != nil {
		return nil, fmt.Errorf("audit: money records: %w", err)
	}
	defer rows.Close()
	var out []MoneyRecord
	for rows.Next() {
		var m MoneyRecord
		var at, kind, outcome, resource, settledResource string
		if err := rows.Scan(&m.Seq, &at, &kind, &m.AttemptID, &m.Action, &m.IdempotencyKey, &m.Email, &outcome, &resource,
			&m.Amount, &m.Currency, &m.ApprovalID, &m.Step, &m.ExpiresAt, &m.Settled, &settledResource,
			&m.BeforeOrderAmount, &m.BeforeRemaining); err != nil {
			return nil, fmt.Errorf("audit: money records: %w", err)
		}
		r := row{Seq: m.Seq, Time: at}
		if m.Time, err = r.time(); err != nil {
			return nil, err
		}
		m.Kind, m.Outcome, m.ResourceID = Kind(kind), Outcome(outcome), resource
		if m.Kind == KindReconciled {
			m.ResourceID = settledResource
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
