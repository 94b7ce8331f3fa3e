package approvals

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"ordercare/internal/audit"
	"ordercare/internal/db"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/internal/staff"
)

// Applier sends a change through the audited pipeline (orders.Service).
type Applier interface {
	Apply(ctx context.Context, actor audit.Actor, ch orders.Change) (orders.Result, error)
}

// Service keeps the requests and takes them through their steps.
type Service struct {
	db     *db.DB
	log    *audit.Log
	orders Applier
	policy Policy
	now    func() time.Time
	logger *slog.Logger
}

// Open migrates the requests table in admin.db. now is the clock (nil:
// time.Now).
func Open(ctx context.Context, d *db.DB, log *audit.Log, apply Applier, p Policy, now func() time.Time) (*Service, error) {
	if err := d.MigrateDialects(ctx, "approvals", migrations, pgMigrations); err != nil {
		return nil, fmt.Errorf("approvals: %w", err)
	}
	if now == nil {
		now = time.Now
	}
	return &Service{db: d, log: log, orders: apply, policy: p, now: now, logger: slog.Default()}, nil
}

// SetLogger replaces the logger (default slog.Default()).
func (s *Service) SetLogger(l *slog.Logger) { s.logger = l }

// Policy is the configured policy.
func (s *Service) Policy() Policy { return s.policy }

// Check says whether ch, about to be sent by actor on order o, needs a
// second person's approval: the reason, or "" to send it now. Only
// refunds, cancellations, releases and amount cuts are ever held, and only
// by a configured rule (thresholds.go).
func (s *Service) Check(ctx context.Context, actor audit.Actor, o *omclient.Order, ch orders.Change) (string, error) {
	switch ch.Op {
	case omclient.OpCancel, omclient.OpReleaseRemaining, omclient.OpUpdateAuthorization:
		return s.checkAuthorization(ctx, o, ch)
	case omclient.OpCreateRefund:
		amount, err := refundAmount(ch)
		if err != nil {
			return "", err
		}
		if why, err := s.checkRefund(ctx, o, amount); why != "" || err != nil {
			return why, err
		}
		cur := o.PurchaseCurrency.String()
		if limit, ok := s.policy.DailyLimit(cur); ok {
			totals, err := s.log.RefundTotals(ctx, actor.StaffID, startOfDay(s.now()))
			if err != nil {
				return "", fmt.Errorf("approvals: your refunds today: %w", err)
			}
			if done := totals[cur]; done+amount > limit {
				return "This refund would take your refunds today to " + show(done+amount, cur) +
					", over your daily limit of " + show(limit, cur) + ", so it needs a second person’s approval.", nil
			}
		}
	}
	return "", nil
}

// Guard is the pipeline's guard (orders.Service.SetGuard): a change the
// policy holds is refused with *orders.HeldError, so no door but an
// approval sends it. Forms call Check first and file a request instead.
func (s *Service) Guard(ctx context.Context, actor audit.Actor, o *omclient.Order, ch orders.Change) error {
	why, err := s.Check(ctx, actor, o, ch)
	if err != nil {
		return err
	}
	if why != "" {
		return &orders.HeldError{Why: why}
	}
	return nil
}

// startOfDay is midnight UTC of t's day: the daily limit's day.
func startOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// requestAmount is the amount a request shows: the refund's, the new
// order amount of an amount change, what a release gives up, or the
// cancelled order's amount.
func requestAmount(o *omclient.Order, ch orders.Change) (int64, error) {
	switch ch.Op {
	case omclient.OpCreateRefund:
		return refundAmount(ch)
	case omclient.OpUpdateAuthorization:
		if a, ok := ch.Amount(); ok {
			return a, nil
		}
		return 0, fmt.Errorf("approvals: an amount change without its body (%T)", ch.Body)
	case omclient.OpReleaseRemaining:
		return o.RemainingAuthorizedAmount, nil
	}
	return o.OrderAmount, nil
}

// storedBody decodes the body a request keeps into the request type of
// its operation (the empty request of a cancellation or a release).
func storedBody(r Request) (omclient.Request, error) {
	body, err := omclient.DecodeRequest(r.Op, r.Body)
	if err != nil {
		return nil, fmt.Errorf("approvals: request %s: stored body: %w", r.ID, err)
	}
	return body, nil
}

func refundAmount(ch orders.Change) (int64, error) {
	if a, ok := ch.Amount(); ok {
		return a, nil
	}
	return 0, fmt.Errorf("approvals: a refund without a refund body (%T)", ch.Body)
}

// Submit records ch as a request waiting for approval, with why (from
// Check). The form's idempotency key identifies it: submitting the same
// form again returns the request already made (created false) and records
// nothing; the same key with another change is orders.ErrKeyReused. A form
// rendered from an older state of the order is refused as
// *orders.StaleError, like the pipeline does.
func (s *Service) Submit(ctx context.Context, actor audit.Actor, o *omclient.Order, ch orders.Change, why string) (r Request, created bool, err error) {
	return s.SubmitPair(ctx, actor, o, ch, why, nil)
}

// SubmitPair is Submit for a change asked for in both systems: the shop's
// half is kept with the request, shown to the approver and sent once the
// approved payment change has succeeded.
func (s *Service) SubmitPair(ctx context.Context, actor audit.Actor, o *omclient.Order, ch orders.Change, why string, half *orders.ShopHalf) (r Request, created bool, err error) {
	var body []byte
	if ch.Body != nil && ch.Op.HasBody() {
		if body, err = json.Marshal(ch.Body); err != nil {
			return Request{}, false, fmt.Errorf("approvals: encoding the request: %w", err)
		}
	}
	if prior, err := s.ByKey(ctx, ch.IdempotencyKey); err == nil {
		if prior.OrderID != ch.OrderID || prior.Op != ch.Op || !bytes.Equal(prior.Body, body) {
			return Request{}, false, fmt.Errorf("%w (order %s, %s)", orders.ErrKeyReused, ch.OrderID, ch.Op)
		}
		return prior, false, nil
	} else if !errors.Is(err, ErrNotFound) {
		return Request{}, false, err
	}
	if ch.Expected != nil {
		if now := orders.FingerprintOf(o); now != *ch.Expected {
			return Request{}, false, &orders.StaleError{Expected: *ch.Expected, Actual: now, Order: o}
		}
	}
	amount, err := requestAmount(o, ch)
	if err != nil {
		return Request{}, false, err
	}
	now := s.now()
	r = Request{
		ID: uuid.NewString(), CreatedAt: now, ExpiresAt: now.Add(s.policy.ttl()),
		OrderID: o.OrderID, OrderRef: string(o.KlarnaReference), Op: ch.Op, Currency: o.PurchaseCurrency.String(), Amount: amount,
		IdempotencyKey: ch.IdempotencyKey, Body: body, Reason: ch.Reason, Ticket: ch.Ticket, Why: why,
		RequestedBy: personOf(actor), Status: StatusPending, Shop: half,
	}
	ev := s.event(actor, r, "requested", ch.Reason)
	ev.Ticket, ev.Request = ch.Ticket, body
	ev.Detail["why"] = why
	if half != nil {
		ev.Detail[orders.DetailPairID] = ch.IdempotencyKey
		ev.Detail[orders.DetailShopAction] = half.Action
		ev.Detail[orders.DetailShopOrderID] = half.ShopOrderID
	}
	ev.Detail["expires_at"] = formatTime(r.ExpiresAt)
	err = s.step(ctx, ev, func(tx *sql.Tx) (bool, error) { return true, insert(ctx, tx, r) })
	if err != nil {
		// The same form submitted twice at once: the other submit's
		// request won the key's UNIQUE constraint, and nothing of this
		// one was committed.
		if prior, gerr := s.ByKey(ctx, ch.IdempotencyKey); gerr == nil &&
			prior.OrderID == ch.OrderID && prior.Op == ch.Op && bytes.Equal(prior.Body, body) {
			return prior, false, nil
		}
		return Request{}, false, err
	}
	return r, true, nil
}

// event is the audit event of one step of r.
func (s *Service) event(actor audit.Actor, r Request, step, reason string) audit.Event {
	return audit.Event{
		Time: s.now(), Kind: audit.KindApproval, Actor: actor, OrderID: r.OrderID, Action: string(r.Op),
		Reason: reason, IdempotencyKey: r.IdempotencyKey,
		Detail: map[string]string{
			"step": step, "approval_id": r.ID, "amount": strconv.FormatInt(r.Amount, 10), "currency": r.Currency,
			"requested_by": r.RequestedBy.Email,
		},
	}
}

// step changes a request and records the step's audit event: the change is
// committed only once the event is (a failed audit append leaves the
// request as it was). change reports false when the request was not in the
// state the step needs; nothing is recorded then.
func (s *Service) step(ctx context.Context, ev audit.Event, change func(tx *sql.Tx) (bool, error)) error {
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("approvals: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	ok, err := change(tx)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNotPending
	}
	if _, err := s.log.Append(ctx, ev); err != nil {
		return fmt.Errorf("%w: %w", orders.ErrAudit, err)
	}
	if err := tx.Commit(); err != nil {
		// The event is on record and the row is not: rare (admin.db
		// failing right after audit.db succeeded); say so loudly.
		s.logger.Error("approval step recorded in the audit log but not stored", "approval_id", ev.Detail["approval_id"],
			"step", ev.Detail["step"], "err", err)
		return fmt.Errorf("approvals: storing the %s step: %w", ev.Detail["step"], err)
	}
	return nil
}

// transition is the UPDATE of a step: it applies only when the request is
// still pending and, for approval, not yet expired.
func transition(ctx context.Context, tx *sql.Tx, id string, to Status, by Person, at time.Time, comment string, unexpiredOnly bool) (bool, error) {
	q := `UPDATE approval_requests SET status = ?, decided_by_id = ?, decided_by_email = ?, decided_by_role = ?,
		decided_at = ?, comment = ? WHERE id = ? AND status = 'pending'`
	args := []any{string(to), by.StaffID, by.Email, by.Role, formatTime(at), comment, id}
	if unexpiredOnly {
		q += ` AND expires_at > ?`
		args = append(args, formatTime(at))
	}
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return false, fmt.Errorf("approvals: %s: %w", to, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// decider checks that actor may decide r: a supervisor or admin, not the
// requester, and not someone whose account the requester recently made or
// managed (sockpuppet.go).
func (s *Service) decider(ctx context.Context, actor audit.Actor, r Request) error {
	if role := staff.Role(actor.Role); role != staff.RoleSupervisor && role != staff.RoleAdmin {
		return ErrNotApprover
	}
	if actor.StaffID == r.RequestedBy.StaffID {
		return ErrOwnRequest
	}
	return s.notManagedBy(ctx, actor, r.RequestedBy)
}

// checkComment is the rule for a decision's comment.
func checkComment(comment string, required bool) (string, error) {
	c := strings.TrimSpace(comment)
	switch {
	case required && c == "":
		return "", ErrCommentRequired
	case !utf8.ValidString(c) || strings.ContainsFunc(c, func(r rune) bool { return r != ' ' && !unicode.IsPrint(r) }):
		return "", fmt.Errorf("approvals: the comment must be printable text on one line")
	case utf8.RuneCountInString(c) > MaxComment:
		return "", fmt.Errorf("approvals: the comment has more than %d characters", MaxComment)
	}
	return c, nil
}

// ApproveConfirmed approves a pending request and sends its change: once,
// whoever else approves at the same moment (they get ErrNotPending and the
// request as it now is). The change goes through the pipeline with the key
// made when it was requested, as actor, and the provider decides: if the
// order no longer allows it, the provider's refusal closes the request as
// failed. An error with a zero Result means nothing was sent.
//
// confirm is the decider's confirmation of a change identical to one
// already made or waiting on the order (Intent; "" for none): without it
// such a request is not approved (*orders.TwinError), and none is approved
// while an earlier change's outcome is unknown.
func (s *Service) ApproveConfirmed(ctx context.Context, actor audit.Actor, id, comment, confirm string) (Request, orders.Result, error) {
	c, err := checkComment(comment, true)
	if err != nil {
		return Request{}, orders.Result{}, err
	}
	r, err := s.Get(ctx, id)
	if err != nil {
		return Request{}, orders.Result{}, err
	}
	if err := s.decider(ctx, actor, r); err != nil {
		return r, orders.Result{}, err
	}
	if r.Status == StatusPending {
		if err := s.Intent(ctx, r, nil, confirm); err != nil {
			return r, orders.Result{}, err
		}
	}
	now := s.now()
	if r.Status == StatusPending && !now.Before(r.ExpiresAt) {
		_, _ = s.ExpireDue(ctx)
		r, _ = s.Get(ctx, id)
		return r, orders.Result{}, ErrNotPending
	}
	err = s.step(ctx, s.event(actor, r, "approved", c), func(tx *sql.Tx) (bool, error) {
		return transition(ctx, tx, id, StatusApproved, personOf(actor), now, c, true)
	})
	if errors.Is(err, ErrNotPending) {
		cur, gerr := s.Get(ctx, id)
		if gerr != nil {
			return r, orders.Result{}, err
		}
		return cur, orders.Result{}, err
	}
	if err != nil {
		return r, orders.Result{}, err
	}
	r.Status, r.DecidedBy, r.DecidedAt, r.Comment = StatusApproved, personOf(actor), now, c
	return s.execute(ctx, actor, r)
}

// Resend sends an approved request again after its outcome was unknown or
// its sending was cut off: same key, so the provider applies it at most
// once and answers with what happened. Only a supervisor or admin other
// than the requester may.
func (s *Service) Resend(ctx context.Context, actor audit.Actor, id string) (Request, orders.Result, error) {
	r, err := s.Get(ctx, id)
	if err != nil {
		return Request{}, orders.Result{}, err
	}
	if err := s.decider(ctx, actor, r); err != nil {
		return r, orders.Result{}, err
	}
	if !r.Status.Resendable() {
		return r, orders.Result{}, ErrNotPending
	}
	return s.execute(ctx, actor, r)
}

// execute sends the approved change and records how it ended.
func (s *Service) execute(ctx context.Context, actor audit.Actor, r Request) (Request, orders.Result, error) {
	ch := orders.Change{
		Op: r.Op, OrderID: r.OrderID, IdempotencyKey: r.IdempotencyKey, Reason: r.Reason, Ticket: r.Ticket,
		ProviderDecides: true, ApprovalID: r.ID,
		Detail: map[string]string{"approval_id": r.ID, "requested_by": r.RequestedBy.Email, "approved_by": r.DecidedBy.Email},
	}
	body, err := storedBody(r)
	if err != nil {
		return r, orders.Result{}, err
	}
	ch.Body = body
	res, err := s.apply(ctx, actor, ch, r.Shop)
	if err != nil && res.Outcome == "" {
		// Nothing was sent (provider unreadable, audit log down): the
		// request stays approved and may be sent again.
		return r, res, err
	}
	switch res.Outcome {
	case audit.OutcomeSucceeded:
		r.Status = StatusExecuted
	case audit.OutcomeRefused:
		r.Status = StatusFailed
	default:
		r.Status = StatusUnknown
	}
	r.AttemptID, r.ResourceID = res.AttemptID, res.ResourceID
	var ae *omclient.APIError
	if errors.As(res.APIErr, &ae) {
		r.ErrorCode, r.Message = string(ae.ErrorCode), strings.Join(ae.ErrorMessages, " ")
	} else if res.APIErr != nil {
		r.Message = res.APIErr.Error()
	}
	ev := s.event(actor, r, "executed", "")
	ev.Outcome, ev.HTTPStatus, ev.ResourceID, ev.CorrelationID, ev.ErrorCode = res.Outcome, res.HTTPStatus, res.ResourceID, res.CorrelationID, r.ErrorCode
	ev.Detail["attempt_id"] = res.AttemptID
	if res.Replayed {
		ev.Detail["replayed"] = "true"
	}
	bg := context.WithoutCancel(ctx)
	serr := s.step(bg, ev, func(tx *sql.Tx) (bool, error) {
		_, err := tx.ExecContext(bg, `UPDATE approval_requests SET status = ?, attempt_id = ?, resource_id = ?, error_code = ?, message = ?
			WHERE id = ?`, string(r.Status), r.AttemptID, r.ResourceID, r.ErrorCode, r.Message, r.ID)
		return err == nil, err
	})
	if serr != nil {
		return r, res, serr
	}
	return r, res, err
}

// pairApplier sends a payment change with its shop half (orders.Service).
type pairApplier interface {
	ApplyPair(ctx context.Context, actor audit.Actor, ch orders.Change, half *orders.ShopHalf) (orders.PairResult, error)
}

// apply sends ch, and the shop's half after it when the request has one.
// A shop half that fails is on record and offered again on the order page
// (orders.MissingHalves); the request's status is the payment change's.
func (s *Service) apply(ctx context.Context, actor audit.Actor, ch orders.Change, half *orders.ShopHalf) (orders.Result, error) {
	pa, ok := s.orders.(pairApplier)
	if half == nil || !ok {
		return s.orders.Apply(ctx, actor, ch)
	}
	pr, err := pa.ApplyPair(ctx, actor, ch, half)
	if pr.ShopErr != nil {
		s.logger.Error("the shop's half of an approved change was not sent", "approval_id", ch.ApprovalID, "err", pr.ShopErr)
	}
	return pr.Result, err
}

// Reject closes a pending request without sending anything.
func (s *Service) Reject(ctx context.Context, actor audit.Actor, id, comment string) (Request, error) {
	c, err := checkComment(comment, true)
	if err != nil {
		return Request{}, err
	}
	r, err := s.Get(ctx, id)
	if err != nil {
		return Request{}, err
	}
	if err := s.decider(ctx, actor, r); err != nil {
		return r, err
	}
	return s.close(ctx, actor, r, StatusRejected, "rejected", c)
}

// Withdraw closes the requester's own pending request.
func (s *Service) Withdraw(ctx context.Context, actor audit.Actor, id, comment string) (Request, error) {
	c, err := checkComment(comment, false)
	if err != nil {
		return Request{}, err
	}
	r, err := s.Get(ctx, id)
	if err != nil {
		return Request{}, err
	}
	if actor.StaffID != r.RequestedBy.StaffID {
		return r, ErrNotRequester
	}
	return s.close(ctx, actor, r, StatusWithdrawn, "withdrawn", c)
}

// close moves a pending request to a closed status that sends nothing.
func (s *Service) close(ctx context.Context, actor audit.Actor, r Request, to Status, step, comment string) (Request, error) {
	now := s.now()
	err := s.step(ctx, s.event(actor, r, step, comment), func(tx *sql.Tx) (bool, error) {
		return transition(ctx, tx, r.ID, to, personOf(actor), now, comment, false)
	})
	if errors.Is(err, ErrNotPending) {
		if cur, gerr := s.Get(ctx, r.ID); gerr == nil {
			return cur, err
		}
	}
	if err != nil {
		return r, err
	}
	return s.Get(ctx, r.ID)
}

// ExpireDue closes every pending request whose time is up, recording an
// expired step for each (by the system). It returns how many it closed.
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	now := s.now()
	due, err := s.List(ctx, ListFilter{Statuses: []Status{StatusPending}, OldestFirst: true, dueBy: now})
	if err != nil {
		return 0, fmt.Errorf("approvals: expiry: %w", err)
	}
	system := audit.Actor{Role: "system"}
	n := 0
	for _, r := range due {
		ev := s.event(system, r, "expired", "")
		ev.Detail["expires_at"] = formatTime(r.ExpiresAt)
		err := s.step(ctx, ev, func(tx *sql.Tx) (bool, error) {
			return transition(ctx, tx, r.ID, StatusExpired, Person{Role: "system"}, now, "", false)
		})
		switch {
		case errors.Is(err, ErrNotPending):
			// decided meanwhile
		case err != nil:
			return n, err
		default:
			n++
		}
	}
	return n, nil
}

// Run expires due requests every interval until ctx ends.
func (s *Service) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := s.ExpireDue(ctx); err != nil && ctx.Err() == nil {
			s.logger.Error("expiring approval requests failed", "err", err)
		} else if n > 0 {
			s.logger.Info("approval requests expired", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ByKey returns the request filed with a form's idempotency key, or
// ErrNotFound.
func (s *Service) ByKey(ctx context.Context, key string) (Request, error) {
	return get(ctx, s.db, `idempotency_key = ?`, key)
}

// Get returns one request.
func (s *Service) Get(ctx context.Context, id string) (Request, error) {
	if _, err := uuid.Parse(id); err != nil {
		return Request{}, ErrNotFound
	}
	return get(ctx, s.db, `id = ?`, id)
}

// List returns the requests f selects.
func (s *Service) List(ctx context.Context, f ListFilter) ([]Request, error) {
	q, args := f.query()
	// The text is one of a few shapes (which filters are set), so its
	// prepared statement is kept.
	rows, err := s.db.Query(ctx, q, args...)
	return collect(rows, err, "list")
}

// PendingCount counts the requests waiting for a decision (not yet
// expired), for the navigation.
func (s *Service) PendingCount(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM approval_requests WHERE status = 'pending' AND expires_at > ?`,
		formatTime(s.now())).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("approvals: pending count: %w", err)
	}
	return n, nil
}
