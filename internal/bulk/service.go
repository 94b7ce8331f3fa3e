package bulk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"ordercare/internal/audit"
	"ordercare/internal/db"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
)

// Pipeline is the one change pipeline and the reads the runner needs
// (orders.Service).
type Pipeline interface {
	Apply(ctx context.Context, actor audit.Actor, ch orders.Change) (orders.Result, error)
	GetOrder(ctx context.Context, id string) (*omclient.Order, error)
	Provider() omclient.Provider
}

// Approvals files a held order's change as an approval request
// (approvals.Service); the same key files it once.
type Approvals interface {
	// File records ch, which the four-eyes rules hold for why, as a
	// request and returns its id.
	File(ctx context.Context, actor audit.Actor, o *omclient.Order, ch orders.Change, why string) (string, error)
	// Filed names the request filed under key and why it was held.
	Filed(ctx context.Context, key string) (id, why string, found bool, err error)
}

// DefaultRate is how many orders a job sends per second: well inside the
// providers' rate limits for order management calls (a 429 is retried by
// the client, but a job should not cause them), and leaving room for the
// agents' own changes.
const DefaultRate = 5

// Options configure Open; zero values take the defaults.
type Options struct {
	// Approvals files held changes; nil when four-eyes approval is off
	// (the pipeline then holds nothing).
	Approvals Approvals
	// Limits cap the jobs (limits.go).
	Limits Limits
	// Rate is orders per second across all jobs (DefaultRate when 0).
	Rate   float64
	Now    func() time.Time
	Logger *slog.Logger
}

// Service stores jobs and runs them.
type Service struct {
	db        *db.DB
	log       *audit.Log
	pipe      Pipeline
	approvals Approvals
	limits    Limits
	limiter   *rate.Limiter
	now       func() time.Time
	logger    *slog.Logger
	wake      chan struct{}
}

// Open migrates the job tables in admin.db.
func Open(ctx context.Context, d *db.DB, log *audit.Log, pipe Pipeline, o Options) (*Service, error) {
	if err := d.MigrateDialects(ctx, "bulk", migrations, pgMigrations); err != nil {
		return nil, fmt.Errorf("bulk: %w", err)
	}
	if o.Rate <= 0 {
		o.Rate = DefaultRate
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Service{db: d, log: log, pipe: pipe, approvals: o.Approvals, limits: o.Limits.withDefaults(),
		limiter: rate.NewLimiter(rate.Limit(o.Rate), 1), now: o.Now, logger: o.Logger, wake: make(chan struct{}, 1)}, nil
}

// Limits are the caps in force.
func (s *Service) Limits() Limits { return s.limits }

// ErrInvalid: the job cannot be started as asked; the message says why.
type ErrInvalid struct{ Why string }

func (e *ErrInvalid) Error() string { return "bulk: " + e.Why }

// Start stores job j with items (one per order, in the order ticked) and
// wakes the runner. It checks the operation, the reason and the caps for
// the starter's role; a job id already stored is ErrExists (the same
// confirmation submitted twice), and nothing else is stored.
func (s *Service) Start(ctx context.Context, j Job, items []Item) error {
	if !Allowed(j.Op) {
		return &ErrInvalid{Why: "a bulk job cannot " + string(j.Op)}
	}
	if strings.TrimSpace(j.Reason) == "" {
		return &ErrInvalid{Why: "a reason is needed"}
	}
	if why := s.limits.Check(j.By.Role, items); why != "" {
		return &ErrInvalid{Why: why}
	}
	if j.CreatedAt.IsZero() {
		j.CreatedAt = s.now()
	}
	if err := insertJob(ctx, s.db, j, items); err != nil {
		return err
	}
	s.poke()
	return nil
}

func (s *Service) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Progress counts the orders of the jobs still running by where they
// stand (the operators' bulk-job gauge); a finished job's orders are not
// counted.
func (s *Service) Progress(ctx context.Context) (map[State]int, error) {
	return progress(ctx, s.db)
}

// Job reads a job and its items.
func (s *Service) Job(ctx context.Context, id string) (Job, []Item, error) {
	j, err := getJob(ctx, s.db, id)
	if err != nil {
		return Job{}, nil, err
	}
	items, err := jobItems(ctx, s.db, id)
	return j, items, err
}

// Run takes up the stored jobs until ctx ends: first the items a stop
// left in flight (Recover), then every pending item, one at a time at
// the service's rate. Call it once per process, after the audit log's
// recovery of open attempts.
func (s *Service) Run(ctx context.Context) {
	if err := s.Recover(ctx); err != nil {
		s.logger.Error("bulk jobs: recovering orders in flight at the last stop", slog.Any("err", err))
	}
	for ctx.Err() == nil {
		did, err := s.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			s.logger.Error("bulk jobs: running an order", slog.Any("err", err))
		}
		if did && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
		case <-s.wake:
		case <-time.After(5 * time.Second):
		}
	}
}

// RunOnce sends the next pending item, if any, after waiting for the
// rate; it reports whether there was one.
func (s *Service) RunOnce(ctx context.Context) (bool, error) {
	next, err := itemsIn(ctx, s.db, StatePending, 1)
	if err != nil || len(next) == 0 {
		return false, err
	}
	if err := s.limiter.Wait(ctx); err != nil {
		return false, err
	}
	it := next[0]
	j, err := getJob(ctx, s.db, it.JobID)
	if err != nil {
		return false, err
	}
	it.State = StateInFlight
	if ok, err := setState(ctx, s.db, it, StatePending, s.now()); err != nil || !ok {
		return ok, err
	}
	done := s.outcome(ctx, j, it)
	if ctx.Err() != nil && done.State == StateInFlight {
		// Stopped before an outcome: Recover settles it at the next start.
		return true, nil
	}
	if _, err := setState(context.WithoutCancel(ctx), s.db, done, StateInFlight, s.now()); err != nil {
		return true, err
	}
	return true, finishJobs(context.WithoutCancel(ctx), s.db, s.now())
}

// Recover settles the items a stop left in flight from the record: an
// attempt under the item's key gives its outcome (the start-up recovery
// has marked one without an answer as unknown), an approval request under
// it gives "held"; with neither, nothing was sent and the item is pending
// again. An item is never sent twice by its job.
func (s *Service) Recover(ctx context.Context) error {
	for {
		stuck, err := itemsIn(ctx, s.db, StateInFlight, 100)
		if err != nil || len(stuck) == 0 {
			return err
		}
		for _, it := range stuck {
			done, found, err := s.fromRecord(ctx, it)
			if err != nil {
				return err
			}
			if !found {
				done.State = StatePending
			}
			if _, err := setState(ctx, s.db, done, StateInFlight, s.now()); err != nil {
				return err
			}
		}
		if err := finishJobs(ctx, s.db, s.now()); err != nil {
			return err
		}
	}
}

// outcome sends one item through the pipeline and says how it ended. It
// returns the item still in flight only when ctx ended before a change
// was recorded.
func (s *Service) outcome(ctx context.Context, j Job, it Item) Item {
	if done, found, err := s.fromRecord(ctx, it); err != nil {
		return refused(it, "Not sent: the audit log could not be read, and no change is sent unchecked.")
	} else if found {
		return done
	}
	o, err := s.pipe.GetOrder(ctx, it.OrderID)
	if err != nil {
		if ctx.Err() != nil {
			return it
		}
		return refused(it, "Not sent: the order could not be read from the provider ("+providerError(err)+").")
	}
	if a, ok := orders.FindAction(orders.Actions(o, s.pipe.Provider(), s.now()), j.Op); ok && !a.Allowed {
		return refused(it, a.Reason+". Nothing was sent.")
	}
	ch := orders.Change{Op: j.Op, OrderID: it.OrderID, IdempotencyKey: it.Key(), Reason: j.Reason, Ticket: j.Ticket,
		Detail: map[string]string{"bulk_job": j.ID}}
	if j.Op == omclient.OpCreateCapture {
		ch.Body = &omclient.CaptureRequest{CapturedAmount: orders.Capturable(o)}
	}
	res, err := s.pipe.Apply(ctx, j.By, ch)
	var held *orders.HeldError
	switch {
	case errors.As(err, &held) && s.approvals != nil:
		id, err := s.approvals.File(ctx, j.By, o, ch, held.Why)
		if err != nil {
			return refused(it, "Not sent: it needs a second person’s approval, and the request could not be recorded ("+err.Error()+").")
		}
		it.State, it.ApprovalID, it.Message = StateHeld, id, held.Why
		return it
	case err != nil && res.Outcome == "":
		if ctx.Err() != nil && res.AttemptID == "" {
			return it
		}
		return refused(it, notSent(err))
	}
	it.AttemptID = res.AttemptID
	switch res.Outcome {
	case audit.OutcomeSucceeded:
		it.State, it.Message = StateSent, ""
	case audit.OutcomeRefused:
		it.State, it.Message = StateRefused, "Refused by the provider: "+providerError(res.APIErr)
	default:
		it.State, it.Message = StateUnknown, unknownMessage
	}
	return it
}

const unknownMessage = "Sent, but the provider’s answer was lost: it may have been applied. Open the order and use “Check now”."

// fromRecord finds the item's change on record: an attempt under its key
// (sent before a stop) or an approval request (held).
func (s *Service) fromRecord(ctx context.Context, it Item) (Item, bool, error) {
	prior, err := s.log.AttemptsByKey(ctx, it.Key())
	if err != nil {
		return it, false, fmt.Errorf("bulk: attempts of order %s: %w", it.OrderID, err)
	}
	if len(prior) > 0 {
		last := prior[0]
		it.AttemptID = last.AttemptID
		switch last.Outcome() {
		case audit.OutcomeSucceeded:
			it.State, it.Message = StateSent, ""
		case audit.OutcomeRefused:
			c := last.Completed
			it.State, it.Message = StateRefused, "Refused by the provider: "+
				providerError(&omclient.APIError{StatusCode: c.HTTPStatus, ErrorCode: omclient.ErrorCode(c.ErrorCode), ErrorMessages: c.ErrorMessages})
		default:
			it.State, it.Message = StateUnknown, unknownMessage
		}
		return it, true, nil
	}
	if s.approvals == nil {
		return it, false, nil
	}
	id, why, found, err := s.approvals.Filed(ctx, it.Key())
	if err != nil || !found {
		return it, false, err
	}
	it.State, it.ApprovalID, it.Message = StateHeld, id, why
	return it, true, nil
}

func refused(it Item, why string) Item {
	it.State, it.Message = StateRefused, why
	return it
}
