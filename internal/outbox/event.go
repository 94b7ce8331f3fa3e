package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"ordercare/internal/audit"
)

// EventType is the type of the event of a change to the payment order.
const EventType = "order.change.completed"

// ShopEventType is the type of the event of a change to the shop's order
// (the payment order's twin in the commerce platform): a receiver that
// mirrors payment changes into the shop must not apply these to it again.
const ShopEventType = "shop.order.change.completed"

// Systems an event's change was made in (Event.System).
const (
	SystemPayment = "payment"
	SystemShop    = "shop"
)

// Event is the JSON body POSTed for one completed order change (README,
// "Outbound events").
type Event struct {
	// ID is unique per event and the same on every retry: receivers drop
	// an ID they have seen (delivery is at least once).
	ID   string `json:"id"`
	Type string `json:"type"`
	// Time is when the outcome was recorded.
	Time    time.Time `json:"time"`
	OrderID string    `json:"order_id"`
	// System names the system the change was made in: "payment" (the
	// provider's order) or "shop" (the shop's order, whose platform and id
	// follow).
	System      string `json:"system"`
	Platform    string `json:"platform,omitempty"`
	ShopOrderID string `json:"shop_order_id,omitempty"`
	// PairID links the two changes of one intent made in both systems
	// (same value in both events); LinkedAttempt is, on a shop change,
	// the payment change's attempt.
	PairID        string `json:"pair_id,omitempty"`
	LinkedAttempt string `json:"linked_attempt,omitempty"`
	// Action is the operation, e.g. "create_capture", "cancel", or for the
	// shop "shop_cancel", "shop_fulfil", "shop_capture_fulfil", "shop_address",
	// "shop_references".
	Action string `json:"action"`
	// Outcome is succeeded, refused, failed or unknown.
	Outcome string `json:"outcome"`
	// Before and After are the values the change touches, as shown to
	// staff ("order_amount": "149.97 EUR"); After is empty when the order
	// could not be read after the change.
	Before map[string]string `json:"before"`
	After  map[string]string `json:"after"`
	// StaffEmail is who made the change ("" for the system, e.g. recovery).
	StaffEmail string `json:"staff_email"`
	Reason     string `json:"reason"`
	Ticket     string `json:"ticket"`
	// ProviderCorrelationID identifies the call at the provider's support.
	ProviderCorrelationID string `json:"provider_correlation_id"`
	ProviderStatus        int    `json:"provider_status,omitempty"`
	ProviderErrorCode     string `json:"provider_error_code,omitempty"`
	// ResourceID is the capture or refund id a change created.
	ResourceID string `json:"resource_id,omitempty"`
	// AttemptID and AuditSeq point into ordercare's audit trail.
	AttemptID string `json:"attempt_id"`
	AuditSeq  int64  `json:"audit_seq"`
}

// buildEvent makes the event of a completed audit event, with the reason,
// ticket and before-values of its requested event.
func (o *Outbox) buildEvent(ctx context.Context, c audit.Event) (Event, error) {
	e := Event{
		ID: uuid.NewString(), Type: EventType, Time: c.Time.UTC(), OrderID: c.OrderID, Action: c.Action,
		Outcome: string(c.Outcome), After: c.After, StaffEmail: c.Actor.Email,
		ProviderCorrelationID: c.CorrelationID, ProviderStatus: c.HTTPStatus, ProviderErrorCode: c.ErrorCode,
		ResourceID: c.ResourceID, AttemptID: c.AttemptID, AuditSeq: c.Seq,
		System: SystemPayment, PairID: c.Detail["pair_id"],
	}
	if c.Detail["system"] == SystemShop {
		e.Type, e.System = ShopEventType, SystemShop
		e.Platform, e.ShopOrderID, e.LinkedAttempt = c.Detail["platform"], c.Detail["shop_order_id"], c.Detail["linked_attempt"]
	}
	a, err := o.audit.Attempt(ctx, c.AttemptID)
	switch {
	case errors.Is(err, audit.ErrNotFound):
	case err != nil:
		return Event{}, err
	default:
		e.Before, e.Reason, e.Ticket = a.Requested.Before, a.Requested.Reason, a.Requested.Ticket
		if e.StaffEmail == "" {
			e.StaffEmail = a.Requested.Actor.Email
		}
	}
	if e.Before == nil {
		e.Before = map[string]string{}
	}
	if e.After == nil {
		e.After = map[string]string{}
	}
	return e, nil
}

// Record adds the outbox row of a committed `completed` audit event (the
// pipeline's completed hook) and wakes delivery. Other kinds are ignored;
// a second call for the same event changes nothing.
func (o *Outbox) Record(ctx context.Context, completed audit.Event) error {
	if completed.Kind != audit.KindCompleted {
		return nil
	}
	if completed.Seq == 0 {
		return errors.New("outbox: completed event without audit seq (not committed?)")
	}
	if err := o.insert(ctx, completed); err != nil {
		return err
	}
	o.poke()
	return nil
}

func (o *Outbox) insert(ctx context.Context, c audit.Event) error {
	var exists int
	err := o.db.R.QueryRowContext(ctx, `SELECT 1 FROM outbox WHERE audit_seq = ?`, c.Seq).Scan(&exists)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("outbox: %w", err)
	}
	ev, err := o.buildEvent(ctx, c)
	if err != nil {
		return fmt.Errorf("outbox: event of audit seq %d: %w", c.Seq, err)
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	now := o.now()
	if _, err := o.db.W.ExecContext(ctx, `INSERT INTO outbox (event_id, audit_seq, order_id, action, outcome, body,
		created_at, give_up_at, next_at) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (audit_seq) DO NOTHING`,
		ev.ID, c.Seq, c.OrderID, c.Action, string(c.Outcome), body, fmtTime(now), fmtTime(now.Add(o.window)), fmtTime(now)); err != nil {
		return fmt.Errorf("outbox: audit seq %d: %w", c.Seq, err)
	}
	return nil
}

// Reconcile adds the rows of completed events the hook did not record
// (the process stopped between the audit commit and the outbox write, or
// the outbox write failed), scanning the audit log after the last seq
// scanned. The first run on a log only notes its head: enabling outbound
// events does not replay the history. It returns how many rows it added.
func (o *Outbox) Reconcile(ctx context.Context) (int, error) {
	head, _, err := o.audit.Head(ctx)
	if err != nil {
		return 0, fmt.Errorf("outbox: reconcile: %w", err)
	}
	var from int64
	err = o.db.R.QueryRowContext(ctx, `SELECT scanned_seq FROM outbox_cursor WHERE id = 1`).Scan(&from)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, o.setCursor(ctx, head)
	}
	if err != nil {
		return 0, fmt.Errorf("outbox: reconcile: %w", err)
	}
	added := 0
	for seq := from + 1; seq <= head; seq++ {
		e, err := o.audit.Event(ctx, seq)
		if err != nil {
			return added, fmt.Errorf("outbox: reconcile at audit seq %d: %w", seq, err)
		}
		if e.Kind != audit.KindCompleted {
			continue
		}
		var exists int
		err = o.db.R.QueryRowContext(ctx, `SELECT 1 FROM outbox WHERE audit_seq = ?`, seq).Scan(&exists)
		if err == nil {
			continue
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return added, fmt.Errorf("outbox: reconcile: %w", err)
		}
		if err := o.insert(ctx, e); err != nil {
			return added, err
		}
		added++
		// Move the cursor as we go, so a long catch-up is not repeated.
		if added%100 == 0 {
			if err := o.setCursor(ctx, seq); err != nil {
				return added, err
			}
		}
	}
	if added > 0 {
		o.poke()
	}
	return added, o.setCursor(ctx, head)
}

func (o *Outbox) setCursor(ctx context.Context, seq int64) error {
	if _, err := o.db.W.ExecContext(ctx, `INSERT INTO outbox_cursor (id, scanned_seq) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET scanned_seq = CASE WHEN excluded.scanned_seq > outbox_cursor.scanned_seq
			THEN excluded.scanned_seq ELSE outbox_cursor.scanned_seq END`, seq); err != nil {
		return fmt.Errorf("outbox: cursor: %w", err)
	}
	return nil
}
