package omsim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"ordercare/internal/omclient"
)

// record is one stored order: the provider-visible Order plus the state the
// provider keeps but never shows.
type record struct {
	Order omclient.Order `json:"order"`
	// Applied counts the changes applied to the order (each successful
	// mutating call once; idempotent replays do not count).
	Applied int `json:"applied"`
	// Acknowledged is set by acknowledge and by a capture (KD: with
	// same-day shipping a capture also acknowledges).
	Acknowledged bool `json:"acknowledged,omitempty"`
	// OriginalExpiresAt is expires_at at purchase; Kustom's extension limit
	// (90 days in total) is measured from it.
	OriginalExpiresAt time.Time `json:"original_expires_at"`
	// DueDateDays holds, per capture id, the number of days its due date was
	// extended by (at most one extension per capture).
	DueDateDays map[string]int64 `json:"due_date_days,omitempty"`
}

func (r *record) encode() ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("omsim: encode order %s: %w", r.Order.OrderID, err)
	}
	return b, nil
}

func decodeRecord(b []byte) (*record, error) {
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("omsim: decode stored order: %w", err)
	}
	return &r, nil
}

// savedResponse is the first response to an idempotency key.
type savedResponse struct {
	At       time.Time
	Response response
}

// store keeps orders as JSON documents and the idempotency records. Both
// implementations give tx exclusive access: the read-check-write of every
// change runs inside one tx, so racing captures cannot both pass the check.
type store interface {
	// load returns the document of one order, or ok=false.
	load(ctx context.Context, id string) (doc []byte, ok bool, err error)
	// list returns every order id, newest created first.
	list(ctx context.Context) ([]string, error)
	count(ctx context.Context) (int, error)
	tx(ctx context.Context, fn func(t txn) error) error
	close() error
}

// txn is the view of the store inside one exclusive transaction. Writes
// become visible only when fn returns nil.
type txn interface {
	load(id string) (doc []byte, ok bool, err error)
	save(id string, createdAt time.Time, doc []byte) error
	// idemGet returns the saved response for (scope, key) recorded at or
	// after notBefore.
	idemGet(scope, key string, notBefore time.Time) (*savedResponse, bool, error)
	idemPut(scope, key string, s savedResponse) error
}

var errStoreClosed = errors.New("omsim: store closed")
