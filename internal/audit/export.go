package audit

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"ordercare/internal/money"
)

// exportPageSize is how many attempts the export reads per query: the
// export holds one page in memory, never the whole result, and no read
// transaction stays open while the client downloads.
const exportPageSize = 500

// ExportColumns is the header row of the CSV export.
var ExportColumns = []string{
	"requested_at", "attempt_id", "staff_id", "staff_email", "staff_role", "client_ip",
	"order_id", "action", "amount", "outcome", "http_status", "error_code", "error_messages",
	"correlation_id", "resource_id", "duration_ms", "reason", "ticket", "idempotency_key",
	"request", "before", "after", "review", "completed_at",
	"requested_seq", "requested_hash", "completed_seq", "completed_hash",
	// amount as people read it ("149.97") and the order's currency, as
	// recorded before the change; "amount" stays in minor units.
	"currency", "amount_decimal",
	// who asked for a change that needed a second person's approval and
	// who approved it (staff_email is whoever sent it); for any other
	// change requested_by is staff_email and approved_by is empty.
	"requested_by", "approved_by",
	// the order's references, from ExportOptions.OrderReferences; they
	// stay the last columns.
	"provider_reference", "merchant_reference1",
}

// Columns of ExportColumns that ExportCSVWith fills from its options.
var (
	colProviderReference = slices.Index(ExportColumns, "provider_reference")
	colMerchantReference = slices.Index(ExportColumns, "merchant_reference1")
)

// ExportOptions adds to the export what the audit log does not hold.
type ExportOptions struct {
	// OrderReferences returns an order's provider and merchant
	// references (the order index has them); nil leaves those columns
	// empty.
	OrderReferences func(ctx context.Context, orderID string) (provider, merchant string, err error)
}

// ExportCSVWith records an export event for actor with the filters, then
// writes the attempts matching f to w as CSV (RFC 4180: CRLF line ends,
// quotes where needed), newest first, with the order references of opts.
// The event is written first so that an export is on record even if the
// download breaks off; if it cannot be written nothing is exported. Cells
// that a spreadsheet would read as a formula are neutralised (see
// Neutralise). w is flushed after every page, and after each page through
// http.Flusher when w has one, so a large export streams. It returns the
// number of attempts written.
func (l *Log) ExportCSVWith(ctx context.Context, w io.Writer, actor Actor, f Filter, opts ExportOptions) (int64, error) {
	if err := f.Validate(); err != nil {
		return 0, err
	}
	if err := l.SyncIndex(ctx); err != nil {
		return 0, err
	}
	detail := f.Detail()
	detail["format"] = "csv"
	if _, err := l.Append(ctx, Event{Kind: KindExport, Actor: actor, Detail: detail}); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(ExportColumns); err != nil {
		return 0, fmt.Errorf("audit: export: %w", err)
	}
	var n int64
	var cursor Cursor
	for {
		page, err := l.attemptPage(ctx, f, cursor, exportPageSize)
		if err != nil {
			return n, err
		}
		events, err := l.eventsBySeq(ctx, page.Rows)
		if err != nil {
			return n, err
		}
		for _, r := range page.Rows {
			rec := exportRecord(r, events[r.Seq], events[r.CompletedSeq])
			if opts.OrderReferences != nil && r.OrderID != "" {
				provider, merchant, err := opts.OrderReferences(ctx, r.OrderID)
				if err != nil {
					return n, fmt.Errorf("audit: export: %w", err)
				}
				rec[colProviderReference], rec[colMerchantReference] = provider, merchant
			}
			if err := cw.Write(neutraliseAll(rec)); err != nil {
				return n, fmt.Errorf("audit: export: %w", err)
			}
			n++
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return n, fmt.Errorf("audit: export: %w", err)
		}
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		if page.Next == "" {
			return n, nil
		}
		cursor = page.Next
	}
}

// eventsBySeq loads the requested and completed events of rows in one query.
func (l *Log) eventsBySeq(ctx context.Context, rows []AttemptRow) (map[int64]Event, error) {
	out := make(map[int64]Event, 2*len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	var seqs []string
	for _, r := range rows {
		seqs = append(seqs, strconv.FormatInt(r.Seq, 10))
		if r.CompletedSeq != 0 {
			seqs = append(seqs, strconv.FormatInt(r.CompletedSeq, 10))
		}
	}
	// The seqs are integers formatted here, so the list is safe to inline.
	q, err := l.db.R.QueryContext(ctx, `SELECT `+selectColumns+` FROM events WHERE seq IN (`+strings.Join(seqs, ",")+`)`) // #nosec G202 -- seqs are int64s formatted by strconv above, nothing else
	if err != nil {
		return nil, fmt.Errorf("audit: events: %w", err)
	}
	defer q.Close()
	for q.Next() {
		r, err := scanRow(q)
		if err != nil {
			return nil, fmt.Errorf("audit: events: %w", err)
		}
		e, err := r.event()
		if err != nil {
			return nil, err
		}
		out[e.Seq] = e
	}
	return out, q.Err()
}

func exportRecord(a AttemptRow, req, done Event) []string {
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	num := func(v int64) string { return strconv.FormatInt(v, 10) }
	cur, amountDecimal := currencyOf(req.Before), ""
	if cur != "" {
		amountDecimal = money.FormatPlain(a.Amount, cur)
	}
	approval := approvalOf(req)
	requester, approver := approval.RequestedBy, approval.ApprovedBy
	if requester == "" {
		requester = req.Actor.Email
	}
	completedSeq, completedHash := "", ""
	if a.CompletedSeq != 0 {
		completedSeq, completedHash = num(a.CompletedSeq), done.Hash
	}
	return []string{
		ts(a.Time), a.AttemptID, num(a.StaffID), a.StaffEmail, req.Actor.Role, req.Actor.ClientIP,
		a.OrderID, a.Action, num(a.Amount), string(a.Outcome), num(int64(a.HTTPStatus)), a.ErrorCode,
		strings.Join(done.ErrorMessages, "; "), a.CorrelationID, done.ResourceID, num(a.DurationMS),
		req.Reason, req.Ticket, req.IdempotencyKey,
		string(req.Request), mapText(req.Before), mapText(done.After), a.Review, ts(done.Time),
		num(a.Seq), req.Hash, completedSeq, completedHash,
		cur, amountDecimal,
		requester, approver,
		"", "", // references: ExportCSVWith
	}
}

// Approval says who asked for and who approved the change of an attempt
// that needed a second person's approval; both are "" for any other.
type Approval struct {
	RequestedBy, ApprovedBy string
}

// approvalOf reads it from the attempt's requested event, whose details
// name both (the approvals package sends an approved change with them).
func approvalOf(requested Event) Approval {
	return Approval{RequestedBy: requested.Detail["requested_by"], ApprovedBy: requested.Detail["approved_by"]}
}

// Approvals gives, by attempt id, who asked for and who approved the
// attempts of rows that were sent after a second person's approval (one
// query for a page of the audit trail); the others are left out.
func (l *Log) Approvals(ctx context.Context, rows []AttemptRow) (map[string]Approval, error) {
	requested := make([]AttemptRow, len(rows))
	for i, r := range rows {
		requested[i] = AttemptRow{Seq: r.Seq} // the requested events only
	}
	events, err := l.eventsBySeq(ctx, requested)
	if err != nil {
		return nil, err
	}
	out := map[string]Approval{}
	for _, r := range rows {
		if a := approvalOf(events[r.Seq]); a.ApprovedBy != "" {
			out[r.AttemptID] = a
		}
	}
	return out, nil
}

// mapText writes a map as the compact JSON the log stores (keys sorted).
func mapText(m map[string]string) string {
	if len(m) == 0 {
		return ""
	}
	s, err := encodeMap(m)
	if err != nil {
		return ""
	}
	return s
}

// Neutralise makes a cell safe to open in a spreadsheet: a cell that starts
// with = + - @, a tab or a carriage return could be read as a formula (CSV
// injection, OWASP), so it gets a leading single quote, which spreadsheets
// show as text and a reader of the raw file recognises.
func Neutralise(cell string) string {
	if cell == "" {
		return cell
	}
	switch cell[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + cell
	}
	return cell
}

func neutraliseAll(cells []string) []string {
	for i, c := range cells {
		cells[i] = Neutralise(c)
	}
	return cells
}
