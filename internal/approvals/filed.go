package approvals

import (
	"context"
	"errors"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
)

// File is Submit for a caller that needs only the request's id (a bulk
// job, whose orders the pipeline's guard held): the same key files once.
func (s *Service) File(ctx context.Context, actor audit.Actor, o *omclient.Order, ch orders.Change, why string) (string, error) {
	r, _, err := s.Submit(ctx, actor, o, ch, why)
	return r.ID, err
}

// Filed names the request filed under key, with why it was held; found
// is false when there is none.
func (s *Service) Filed(ctx context.Context, key string) (id, why string, found bool, err error) {
	r, err := s.ByKey(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
		return "", "", false, nil
	case err != nil:
		return "", "", false, err
	}
	return r.ID, r.Why, true, nil
}
