package orders

import (
	"context"
	"log/slog"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
)

// Service is what the web app holds of the provider: reads, and Apply, the
// one door through which every change goes (validated, audited before and
// after, indexed). It deliberately exposes no way to reach the client's
// mutating methods, so "every change is audited" is a property of the
// code's shape.
type Service struct {
	client *omclient.Client
	log    *audit.Log
	index  *Index
	now    func() time.Time
	locks  keyedMutex
	logger *slog.Logger
	// onCompleted is called with every committed `completed` event
	// (pipeline.go, OnCompleted).
	onCompleted func(ctx context.Context, completed audit.Event)
	// guard may hold a change for approval (pipeline.go, SetGuard).
	guard func(ctx context.Context, actor audit.Actor, o *omclient.Order, ch Change) error
	// intentWindow is how far back the intent checks look (intent.go).
	intentWindow time.Duration
	// shop sends the shop's half of a paired change (shop_pair.go, SetShop).
	shop ShopSender
}

// NewService wires the pipeline. now is the clock for audit events and the
// index (nil = time.Now).
func NewService(client *omclient.Client, log *audit.Log, index *Index, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{client: client, log: log, index: index, now: now, logger: slog.Default(), intentWindow: DefaultIntentWindow}
}

// SetLogger replaces the logger used for best-effort failures (index
// updates, after-reads); the default is slog.Default().
func (s *Service) SetLogger(l *slog.Logger) { s.logger = l }

// Provider names the provider the client talks to.
func (s *Service) Provider() omclient.Provider { return s.client.Provider() }

// GetOrder reads the order from the provider and records it in the index
// (best effort: a broken index must not hide an order from an agent).
func (s *Service) GetOrder(ctx context.Context, id string) (*omclient.Order, error) {
	o, err := s.client.GetOrder(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.index.Upsert(ctx, o, s.now()); err != nil {
		s.logger.Warn("order index update failed", "order_id", o.OrderID, "err", err)
	}
	return o, nil
}

// GetOrderForPage is GetOrder for a page or change an agent is waiting on: the index
// is updated behind the page (Index.UpsertLater), not before it answers.
func (s *Service) GetOrderForPage(ctx context.Context, id string) (*omclient.Order, error) {
	o, err := s.client.GetOrder(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.index.UpsertLater(ctx, o, s.now()); err != nil {
		s.logger.Warn("order index update failed", "order_id", o.OrderID, "err", err)
	}
	return o, nil
}

// GetExtendDueDateOptions reads the due-date extensions offered for a capture.
func (s *Service) GetExtendDueDateOptions(ctx context.Context, orderID, captureID string) (*omclient.ExtendDueDateOptions, error) {
	return s.client.GetExtendDueDateOptions(ctx, orderID, captureID)
}
