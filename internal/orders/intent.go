package orders

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"ordercare/internal/omclient"
)

// One change per intent, per order. The idempotency key makes one form one
// provider call; it cannot tell that a second form means the same refund
// again. So before a money change is sent or asked for, the pipeline looks
// at what the audit log holds about the order's recent changes (its
// attempts, the checks that settled them, and its four-eyes requests, by
// any member):
//
//   - a money change whose outcome is unknown (and not settled by a check)
//     blocks every new money change on the order: the lost answer may have
//     moved the money already (UnsettledError);
//   - a change of the same kind and amount that succeeded, or that waits
//     for or is being sent after approval, needs an explicit confirmation
//     tied to this draft (TwinError.Token in Change.Confirm).

// DefaultIntentWindow is how far back the checks look.
const DefaultIntentWindow = 24 * time.Hour

// MoneyOp reports whether op moves or frees money: the changes the intent
// checks cover.
func MoneyOp(op omclient.Operation) bool {
	switch op {
	case omclient.OpCreateCapture, omclient.OpCreateRefund, omclient.OpCancel, omclient.OpReleaseRemaining,
		omclient.OpUpdateAuthorization:
		return true
	}
	return false
}

// PriorChange is one earlier money change of an order as the audit log
// holds it: an attempt sent through the pipeline, or a four-eyes request
// not (yet) sent.
type PriorChange struct {
	Op omclient.Operation
	// Amount is the capture's, refund's or new order amount; 0 for a
	// cancellation or release.
	Amount   int64
	Currency string
	By       string // the staff member's e-mail
	At       time.Time
	// State is one of the Prior* constants.
	State string
	// AttemptID is set for attempts, ApprovalID for requests (and for
	// attempts that carried an approved request out).
	AttemptID, ApprovalID string
	// ResourceID is the capture or refund id the provider gave it (or
	// that a check found).
	ResourceID string
	// IdempotencyKey is the key of the form that made it.
	IdempotencyKey string
}

// States of a PriorChange.
const (
	PriorSucceeded  = "succeeded"   // applied (answered, or proved by a check)
	PriorUnknown    = "unknown"     // may have been applied; not settled
	PriorNotApplied = "not_applied" // refused, failed, or proved absent by a check
	PriorPending    = "pending"     // a request waiting for approval
	PriorApproved   = "approved"    // a request approved and being sent
	PriorClosed     = "closed"      // a request rejected, withdrawn or expired
)

// Live reports whether the change counts as made or being made: a second
// one of the same kind and amount needs a confirmation.
func (p PriorChange) Live() bool {
	return p.State == PriorSucceeded || p.State == PriorPending || p.State == PriorApproved
}

// ID names the change: its attempt, else its request.
func (p PriorChange) ID() string {
	if p.AttemptID != "" {
		return p.AttemptID
	}
	return p.ApprovalID
}

// UnsettledError: an earlier money change on the order has an unknown
// outcome; nothing new is sent or asked for until a check settles it.
type UnsettledError struct{ Prior PriorChange }

func (e *UnsettledError) Error() string {
	return fmt.Sprintf("orders: the outcome of an earlier %s on the order (attempt %s) is unknown; check it with the provider first", e.Prior.Op, e.Prior.AttemptID)
}

// TwinError: a change of the same kind and amount was made or asked for
// recently. Sending this one too needs Token in Change.Confirm; nothing
// was sent or asked for.
type TwinError struct {
	Op       omclient.Operation
	Amount   int64
	Currency string
	// Twins are the earlier changes, newest first.
	Twins []PriorChange
	// Token confirms exactly this draft against exactly these twins.
	Token string
}

func (e *TwinError) Error() string {
	return fmt.Sprintf("orders: %d earlier %s of the same amount on this order; confirm to send another", len(e.Twins), e.Op)
}

// SetIntentWindow sets how far back the intent checks look (default
// DefaultIntentWindow); 0 turns them off (the benchmark's baseline). Call
// before serving.
func (s *Service) SetIntentWindow(d time.Duration) { s.intentWindow = d }

// IntentWindow is how far back the intent checks look (0: off).
func (s *Service) IntentWindow() time.Duration { return s.intentWindow }

// CheckIntent is the intent rule for ch on order o as just read: nil, an
// *UnsettledError or a *TwinError (or an audit error wrapping ErrAudit).
// Apply calls it; the forms call it before filing a four-eyes request, and
// approvals before approving one (ch.ApprovalID names that request, which
// is then not its own twin).
func (s *Service) CheckIntent(ctx context.Context, o *omclient.Order, ch Change) error {
	_, err := s.checkIntent(ctx, o, ch, true)
	return err
}

// checkIntent is CheckIntent; twins false checks only for unsettled
// changes (Apply carrying out an approved request: its confirmation was
// asked when it was approved). It returns the order's records it read (nil
// when the checks are off or ch moves no money), for the guard.
func (s *Service) checkIntent(ctx context.Context, o *omclient.Order, ch Change, twins bool) (*orderRecords, error) {
	if s.intentWindow <= 0 || !MoneyOp(ch.Op) {
		return nil, nil
	}
	recs, err := s.log.OrderMoneyRecords(ctx, o.OrderID)
	if err != nil {
		return nil, fmt.Errorf("%w: recent changes of %s: %w", ErrAudit, o.OrderID, err)
	}
	prior := priorChanges(recs, s.now().Add(-s.intentWindow), s.now())
	return &orderRecords{orderID: o.OrderID, recs: recs}, intentRule(o, ch, prior, twins)
}

// intentRule is checkIntent on the changes already read.
func intentRule(o *omclient.Order, ch Change, prior []PriorChange, twins bool) error {
	amount := ChangeAmount(ch.Op, ch.Body)
	var same []PriorChange
	for _, p := range prior {
		if ch.IdempotencyKey != "" && p.IdempotencyKey == ch.IdempotencyKey {
			continue // this very form, answered by the replay or the request's own key
		}
		if ch.ApprovalID != "" && p.ApprovalID == ch.ApprovalID {
			continue // the request being carried out
		}
		if p.State == PriorUnknown {
			return &UnsettledError{Prior: p}
		}
		if twins && p.Live() && p.Op == ch.Op && p.Amount == amount {
			same = append(same, p)
		}
	}
	if len(same) == 0 {
		return nil
	}
	tok := confirmToken(ch.Op, amount, FingerprintOf(o), same)
	if ch.Confirm == tok {
		return nil
	}
	return &TwinError{Op: ch.Op, Amount: amount, Currency: o.PurchaseCurrency.String(), Twins: same, Token: tok}
}

// confirmToken ties a confirmation to the draft (kind, amount), the order
// as the form showed it and the earlier changes it names: any of them
// different, and the confirmation is stale. It is not a secret (the agent
// may send it on purpose), only a guard against a confirmation given for
// something else.
func confirmToken(op omclient.Operation, amount int64, fp Fingerprint, twins []PriorChange) string {
	ids := make([]string, 0, len(twins))
	for _, t := range twins {
		ids = append(ids, t.ID())
	}
	slices.Sort(ids)
	sum := sha256.Sum256(fmt.Appendf(nil, "v1|%s|%d|%s|%d|%d|%d|%d|%d|%s",
		op, amount, fp.Status, fp.OrderAmount, fp.CapturedAmount, fp.RefundedAmount, fp.Captures, fp.Refunds, strings.Join(ids, ",")))
	return "c1-" + hex.EncodeToString(sum[:16])
}

// ChangeAmount is the amount a change of op with body moves: the
// capture's or refund's amount, or the new order amount; 0 for a
// cancellation or release, which are matched by kind alone.
func ChangeAmount(op omclient.Operation, body omclient.Request) int64 {
	a, _ := Change{Op: op, Body: body}.Amount()
	return a
}

// Amount is the amount the change's request names (a capture's, a
// refund's, the new order amount); false when it names none: a
// cancellation, a release, a missing request or one of another operation.
func (ch Change) Amount() (int64, bool) {
	if a, ok := ch.Body.(omclient.Amounted); ok && ch.Body.Op() == ch.Op {
		return a.Amount(), true
	}
	return 0, false
}
