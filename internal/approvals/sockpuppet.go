package approvals

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"ordercare/internal/audit"
)

// ManagedWindow is how long after a member made or managed someone's
// account that someone may not decide the member's requests: otherwise an
// admin could file a refund, add a supervisor (or make one, or reset one's
// password), sign in as it and approve their own refund.
const ManagedWindow = 30 * 24 * time.Hour

// managingChanges are the staff changes (audit Detail["change"], as the
// staff page and "admin user" record them) that hand the requester the
// decider's account: creating it, changing its role, setting its password.
var managingChanges = map[string]string{
	"add":      "created your account",
	"role":     "changed your role",
	"password": "reset your password",
}

// ManagedError says why the decider may not decide: what the requester
// did to their account, and when.
type ManagedError struct {
	Requester string
	Did       string
	At        time.Time
}

func (e *ManagedError) Error() string {
	return fmt.Sprintf("%s %s on %s", e.Requester, e.Did, e.At.UTC().Format("2006-01-02"))
}

func (e *ManagedError) Unwrap() error { return ErrManagedByRequester }

// notManagedBy refuses a decider whose account the requester created,
// changed the role of or reset the password of in the last ManagedWindow
// (from the audit log's staff events, whatever door made them; a refused
// change made nothing and does not count).
func (s *Service) notManagedBy(ctx context.Context, decider audit.Actor, requester Person) error {
	changes, err := s.log.StaffChangesBy(ctx, requester.StaffID, s.now().Add(-ManagedWindow))
	if err != nil {
		return fmt.Errorf("approvals: who manages your account: %w", err)
	}
	for _, ev := range changes {
		if did := managingChange(ev, decider.StaffID); did != "" {
			return &ManagedError{Requester: requester.Email, Did: did, At: ev.Time}
		}
	}
	return nil
}

// managingChange says what staff change ev did to target's account that
// bars target from deciding its author's requests ("" for none).
func managingChange(ev audit.Event, target int64) string {
	did, ok := managingChanges[ev.Detail["change"]]
	if ok && ev.Detail["target_id"] == strconv.FormatInt(target, 10) && ev.Outcome != audit.OutcomeRefused {
		return did
	}
	return ""
}

// managersOf are the members who made or managed decider's account in the
// last ManagedWindow (by staff id): notManagedBy's rule for every
// requester at once, from one read of the window's staff changes.
func (s *Service) managersOf(ctx context.Context, decider audit.Actor) (map[int64]bool, error) {
	changes, err := s.log.StaffChangesSince(ctx, s.now().Add(-ManagedWindow))
	if err != nil {
		return nil, fmt.Errorf("approvals: who manages your account: %w", err)
	}
	out := map[int64]bool{}
	for _, ev := range changes {
		if managingChange(ev, decider.StaffID) != "" {
			out[ev.Actor.StaffID] = true
		}
	}
	return out, nil
}

// MayDecide reports whether actor may approve or reject r (nil), or why
// not, for a page to say so before a decision is tried.
func (s *Service) MayDecide(ctx context.Context, actor audit.Actor, r Request) error {
	return s.decider(ctx, actor, r)
}
