package orders

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
)

// Apply makes one change to an order (the one change pipeline):
//
//  1. the client validates and encodes the request (field errors: nothing
//     sent, nothing audited);
//  2. under a per-order lock, an earlier attempt with the same idempotency
//     key answers a double submit without sending again; the order is
//     re-read, and a form rendered from an older state (Expected) or an
//     amount beyond what the order allows is refused, nothing sent; so is
//     a money change while an earlier one's outcome is unknown, or one of
//     the same kind and amount as a recent one without the agent's
//     confirmation (intent.go);
//  3. `requested` is appended and committed (if that fails, nothing is sent);
//  4. the client sends the exact encoded bytes with the key;
//  5. a fresh read gives the after-values; `completed` is appended with the
//     outcome, and the index is refreshed. The agent's answer waits for
//     that event's commit (every page and the next change on the order
//     see it) but, unless outbound events announce it (OnCompleted), not
//     for its sync to disk (audit.Log.AppendDeferred):
//     the request was synced before the send, so only a power loss within
//     audit.DeferredSyncWithin can lose the outcome, and an attempt
//     without one is shown as unknown and holds the order's next money
//     change until it is checked against the provider (intent.go).
//
// Apply's error is for the first three steps (validation, stale form,
// provider read, audit). The provider's own answer is in Result.Outcome and
// Result.APIErr. If `completed` cannot be written the Result is returned
// with an error wrapping ErrAudit; start-up recovery will mark the attempt
// unknown.
func (s *Service) Apply(ctx context.Context, actor audit.Actor, ch Change) (Result, error) {
	req, err := ch.request()
	if err != nil {
		return Result{}, err
	}
	call, err := s.client.Prepare(ch.OrderID, ch.CaptureID, ch.IdempotencyKey, req)
	if err != nil {
		return Result{}, err
	}
	tr := traceFrom(ctx)
	tr.start()
	unlock, err := s.locks.lock(ctx, ch.OrderID)
	if err != nil {
		return Result{}, fmt.Errorf("orders: waiting for another change to order %s: %w", ch.OrderID, err)
	}
	defer unlock()
	tr.mark(PhaseLock)

	res, done, retry, err := s.replay(ctx, ch, call)
	if done || err != nil {
		return res, err
	}
	tr.mark(PhaseReplay)
	// The order's index row is written behind the change (GetOrderForPage):
	// the agent waits for the provider and the audit log, not for a list's
	// row (a synchronous index write was one more SQLite transaction, on
	// one writer shared by every agent, on each side of the send).
	order, err := s.GetOrderForPage(ctx, ch.OrderID)
	if err != nil {
		return Result{}, fmt.Errorf("orders: re-reading order %s before %s: %w", ch.OrderID, ch.Op, err)
	}
	tr.mark(PhaseReadBefore)
	// A retry of an attempt whose outcome is unknown skips the state checks:
	// the order may have changed because of that very attempt, and the
	// provider answers a known key with its saved response, so resending
	// cannot apply the change twice.
	if ch.Expected != nil && !retry {
		if now := FingerprintOf(order); now != *ch.Expected {
			return Result{Order: order}, &StaleError{Expected: *ch.Expected, Actual: now, Order: order}
		}
	}
	if !retry && !ch.ProviderDecides {
		if err := checkState(ch, order); err != nil {
			return Result{Order: order}, err
		}
	}
	// One change per intent: an earlier money change whose outcome is
	// unknown, or one of the same kind and amount without the agent's
	// confirmation, stops this one (intent.go). A retry of a known key is
	// the same intent, and the provider answers it once.
	// An approved request was confirmed when it was approved.
	var read *orderRecords
	if !retry {
		if read, err = s.checkIntent(ctx, order, ch, ch.ApprovalID == ""); err != nil {
			return Result{Order: order}, err
		}
	}
	// The four-eyes rule, whatever door the change came through (the forms
	// ask first and file a request instead; this makes sure no other
	// caller sends a held change). A retry resends what was allowed then.
	if s.guard != nil && !retry && ch.ApprovalID == "" {
		if err := s.guard(withRecords(ctx, read), actor, order, ch); err != nil {
			return Result{Order: order}, err
		}
	}

	tr.mark(PhaseChecks)

	res = Result{AttemptID: audit.NewID(), Before: touched(ch.Op, order, ch.CaptureID)}
	detail := map[string]string{"provider": string(s.client.Provider()), "environment": string(s.client.Environment()),
		"currency": order.PurchaseCurrency.String()}
	for k, v := range ch.Detail {
		if _, taken := detail[k]; !taken {
			detail[k] = v
		}
	}
	if retry {
		detail["retry_of_key"] = "true"
	}
	if ch.CaptureID != "" {
		detail["capture_id"] = ch.CaptureID
	}
	if _, err := s.log.Append(ctx, audit.Event{
		Time: s.now(), Kind: audit.KindRequested, AttemptID: res.AttemptID, Actor: actor,
		OrderID: ch.OrderID, Action: string(ch.Op), Reason: ch.Reason, Ticket: ch.Ticket,
		IdempotencyKey: ch.IdempotencyKey, Request: call.Body, Before: res.Before, Detail: detail,
	}); err != nil {
		return Result{Order: order}, fmt.Errorf("%w: %s on order %s not sent: %w", ErrAudit, ch.Op, ch.OrderID, err)
	}
	tr.mark(PhaseRequested)

	// From here the attempt is on record: finish it even if the agent's
	// request is cancelled (browser closed), within the client's timeout.
	bg := context.WithoutCancel(ctx)
	start := time.Now()
	sent, sendErr := s.client.Send(bg, call)
	elapsed := time.Since(start)
	tr.mark(PhaseSend)
	completed := classify(sent, sendErr, elapsed)
	completed.Time = s.now()
	completed.Kind, completed.AttemptID, completed.Actor = audit.KindCompleted, res.AttemptID, actor
	completed.OrderID, completed.Action, completed.IdempotencyKey = ch.OrderID, string(ch.Op), ch.IdempotencyKey
	for k, v := range detail {
		completed.Detail[k] = v
	}

	res.Outcome, res.HTTPStatus, res.ResourceID, res.CorrelationID = completed.Outcome, completed.HTTPStatus, completed.ResourceID, completed.CorrelationID
	if completed.Outcome != audit.OutcomeSucceeded {
		res.APIErr = sendErr
	}
	if fresh, err := s.GetOrderForPage(bg, ch.OrderID); err != nil {
		s.logger.Warn("reading order after change failed", "order_id", ch.OrderID, "op", string(ch.Op), "err", err)
		completed.Detail["after_read_error"] = err.Error()
	} else {
		res.Order = fresh
		res.After = touched(ch.Op, fresh, ch.CaptureID)
		completed.After = res.After
	}
	tr.mark(PhaseReadAfter)
	// An outbound event announces the outcome outside the back office:
	// like the send, it must never precede the record on disk, so with
	// a hook (outbound events on) the outcome waits for its sync too.
	appendCompleted := s.log.AppendDeferred
	if s.onCompleted != nil {
		appendCompleted = s.log.Append
	}
	stored, err := appendCompleted(bg, completed)
	if err != nil {
		s.logger.Error("audit completed event not recorded", "attempt_id", res.AttemptID, "order_id", ch.OrderID, "outcome", string(res.Outcome), "err", err)
		return res, fmt.Errorf("%w: outcome %s of %s on order %s not recorded: %w", ErrAudit, res.Outcome, ch.Op, ch.OrderID, err)
	}
	tr.mark(PhaseCompleted)
	if s.onCompleted != nil {
		s.onCompleted(bg, stored)
	}
	tr.mark(PhaseAfter)
	return res, nil
}

// SetGuard registers g, asked before every change is recorded and sent
// (not for retries of a known key, nor for a change carrying an
// ApprovalID): an error, normally *HeldError, stops the change with
// nothing sent. Call before serving; nil removes it.
func (s *Service) SetGuard(g func(ctx context.Context, actor audit.Actor, o *omclient.Order, ch Change) error) {
	s.guard = g
}

// OnCompleted registers fn to be called, in the agent's request, right
// after each `completed` event is committed, with the event as stored (its
// audit seq set). The outbound-event outbox records it there; fn must be
// quick and must not fail the change (it has happened): it handles its own
// errors, and a start-up reconcile with the audit log covers a crash
// between the commit and fn. Call before serving; nil removes it.
func (s *Service) OnCompleted(fn func(ctx context.Context, completed audit.Event)) {
	s.onCompleted = fn
}

// classify turns the client's answer into the completed event's outcome
// fields.
func classify(sent *omclient.Result, err error, elapsed time.Duration) audit.Event {
	e := audit.Event{Detail: map[string]string{}, DurationMS: elapsed.Milliseconds()}
	if sent != nil {
		e.HTTPStatus, e.CorrelationID, e.ResourceID = sent.Status, sent.CorrelationID, sent.ResourceID
		if sent.Duration > 0 {
			e.DurationMS = sent.Duration.Milliseconds()
		}
		e.Detail["attempts"] = fmt.Sprint(sent.Attempts)
	}
	var apiErr *omclient.APIError
	hasAPIErr := errors.As(err, &apiErr)
	if hasAPIErr {
		e.HTTPStatus, e.ErrorCode, e.ErrorMessages = apiErr.StatusCode, string(apiErr.ErrorCode), apiErr.ErrorMessages
		if apiErr.CorrelationID != "" {
			e.CorrelationID = apiErr.CorrelationID
		}
	}
	switch {
	case err == nil:
		e.Outcome = audit.OutcomeSucceeded
	case sent != nil && errors.Is(err, omclient.ErrMissingResourceID):
		// Applied (2xx), but the provider named no new id.
		e.Outcome = audit.OutcomeSucceeded
		e.Detail["warning"] = err.Error()
	case errors.Is(err, omclient.ErrOutcomeUnknown):
		e.Outcome = audit.OutcomeUnknown
		e.Detail["error"] = err.Error()
	case hasAPIErr && apiErr.StatusCode >= 400 && apiErr.StatusCode < 500:
		e.Outcome = audit.OutcomeRefused
	case hasAPIErr:
		// A final 5xx the client did not retry: the provider may have
		// applied part of it; only a later read can tell.
		e.Outcome = audit.OutcomeUnknown
	default:
		// The client sent nothing (transport failure before writing).
		e.Outcome = audit.OutcomeFailed
		e.Detail["error"] = err.Error()
	}
	return e
}

// replay answers a change whose idempotency key has been used before. The
// provider compares only the key, so the same key with other bytes would
// silently repeat the first answer: refuse it. The same request whose
// earlier attempt succeeded or was refused is answered from the log (a
// double submit); one whose outcome is unknown or failed is sent again
// with the same key, which is how the provider tells us what happened.
//
// done reports that res answers the change; retry that the key was sent
// before with an outcome that is not known.
func (s *Service) replay(ctx context.Context, ch Change, call *omclient.Call) (res Result, done, retry bool, err error) {
	prior, err := s.log.AttemptsByKey(ctx, ch.IdempotencyKey)
	if err != nil {
		return Result{}, false, false, fmt.Errorf("%w: %w", ErrAudit, err)
	}
	if len(prior) == 0 {
		return Result{}, false, false, nil
	}
	for _, a := range prior {
		r := a.Requested
		if r.OrderID != ch.OrderID || r.Action != string(ch.Op) || r.Detail["capture_id"] != ch.CaptureID || !bytes.Equal(r.Request, call.Body) {
			return Result{}, false, false, fmt.Errorf("%w (order %s, %s)", ErrKeyReused, ch.OrderID, ch.Op)
		}
	}
	last := prior[0]
	if last.Completed == nil || (last.Outcome() != audit.OutcomeSucceeded && last.Outcome() != audit.OutcomeRefused) {
		return Result{}, false, true, nil
	}
	c := last.Completed
	res = Result{
		AttemptID: last.AttemptID, Outcome: c.Outcome, HTTPStatus: c.HTTPStatus, ResourceID: c.ResourceID,
		CorrelationID: c.CorrelationID, Before: last.Requested.Before, After: c.After, Replayed: true,
	}
	if c.Outcome == audit.OutcomeRefused {
		res.APIErr = &omclient.APIError{StatusCode: c.HTTPStatus, ErrorCode: omclient.ErrorCode(c.ErrorCode), ErrorMessages: c.ErrorMessages,
			CorrelationID: c.CorrelationID, Method: call.Method, Path: call.Path}
	}
	if o, err := s.GetOrder(ctx, ch.OrderID); err == nil {
		res.Order = o
	}
	return res, true, false, nil
}

// checkState refuses, before sending, amounts the order cannot take
// (Klarna's order management guides on docs.klarna.com), so an agent gets a message at the field instead of a
// provider refusal. The rules are the drafts' that the forms check
// (drafts.go). Rules that need the provider's judgement (cancel after
// capture, risk checks) are left to the provider, which audits them as
// refused.
func checkState(ch Change, o *omclient.Order) error {
	amount := ChangeAmount(ch.Op, ch.Body)
	var fe *omclient.FieldError
	switch ch.Op {
	case omclient.OpCreateCapture:
		fe = CaptureDraft{Amount: amount}.Check(o)
	case omclient.OpCreateRefund:
		fe = RefundDraft{Amount: amount}.Check(o)
	case omclient.OpUpdateAuthorization:
		fe = AmountDraft{Amount: amount}.Check(o)
	}
	if fe != nil {
		return &omclient.ValidationError{Fields: []omclient.FieldError{*fe}}
	}
	return nil
}
