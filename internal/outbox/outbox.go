// Package outbox tells the merchant's own systems what staff changed: every
// completed order change (succeeded, refused, failed or unknown) becomes a
// signed JSON POST to a configured URL, delivered at least once.
//
// Durability: the audit log is the source of truth. An outbox row is
// written in admin.db right after the `completed` event is committed (the
// pipeline's completed hook calls Record), and Reconcile, run at start-up
// and then every minute, adds a row for every completed event after the
// last audit seq it scanned. A crash between the audit commit and the
// outbox write therefore loses nothing: the next reconcile finds the
// event. Rows are keyed by the audit seq, so the hook and the reconciler
// racing for the same event leave one row. Writing the row inside the
// audit transaction would need a hook in audit's group-commit writer, and
// would put a second database's write on the audit log's fsync path.
//
// Delivery runs in its own goroutine from the table, never in the agent's
// request: retries with exponential backoff for 24 hours, then the row is
// marked failed and an admin can retry it from /outbox.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/db"
)

// Defaults.
const (
	// DefaultWindow is how long a delivery is retried before it is marked failed.
	DefaultWindow = 24 * time.Hour
	// DefaultBaseDelay is the wait after the first failed try; it doubles
	// up to DefaultMaxDelay.
	DefaultBaseDelay = 10 * time.Second
	DefaultMaxDelay  = time.Hour
	// DefaultTimeout bounds one POST.
	DefaultTimeout = 10 * time.Second
)

// Delivery states.
const (
	StatePending   = "pending"   // not delivered yet; Attempts > 0 means failing
	StateDelivered = "delivered" // the receiver answered 2xx
	StateFailed    = "failed"    // gave up after the window; an admin may retry
)

// migrations of component "outbox" in admin.db. Append-only.
var migrations = []string{
	`CREATE TABLE outbox (
		id           INTEGER PRIMARY KEY,
		event_id     TEXT NOT NULL UNIQUE,
		audit_seq    INTEGER NOT NULL UNIQUE,
		order_id     TEXT NOT NULL,
		action       TEXT NOT NULL,
		outcome      TEXT NOT NULL,
		body         BLOB NOT NULL,
		created_at   TEXT NOT NULL,
		give_up_at   TEXT NOT NULL,
		state        TEXT NOT NULL DEFAULT 'pending',
		attempts     INTEGER NOT NULL DEFAULT 0,
		next_at      TEXT NOT NULL,
		last_error   TEXT NOT NULL DEFAULT '',
		last_status  INTEGER NOT NULL DEFAULT 0,
		delivered_at TEXT NOT NULL DEFAULT ''
	) STRICT;
	CREATE INDEX outbox_due ON outbox(state, next_at);
	-- scanned_seq: every completed audit event up to it has a row.
	CREATE TABLE outbox_cursor (
		id          INTEGER PRIMARY KEY CHECK (id = 1),
		scanned_seq INTEGER NOT NULL
	) STRICT;`,
}

// Options configure an Outbox; URL and Secret are required.
type Options struct {
	URL    string
	Secret string
	// Client posts the events (default: DefaultTimeout, no redirects followed).
	Client *http.Client
	Now    func() time.Time
	Log    *slog.Logger
	// Window, BaseDelay and MaxDelay tune the retries (defaults above).
	Window, BaseDelay, MaxDelay time.Duration
}

// Outbox is the outbox table and its delivery.
type Outbox struct {
	db                          *db.DB
	audit                       *audit.Log
	url                         string
	secret                      []byte
	client                      *http.Client
	now                         func() time.Time
	log                         *slog.Logger
	window, baseDelay, maxDelay time.Duration
	wake                        chan struct{}
}

// Open migrates the outbox tables in admin.db.
func Open(ctx context.Context, d *db.DB, log *audit.Log, o Options) (*Outbox, error) {
	if o.URL == "" || o.Secret == "" {
		return nil, errors.New("outbox: URL and secret are required")
	}
	if err := d.Migrate(ctx, "outbox", migrations); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: DefaultTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.BaseDelay <= 0 {
		o.BaseDelay = DefaultBaseDelay
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = DefaultMaxDelay
	}
	return &Outbox{db: d, audit: log, url: o.URL, secret: []byte(o.Secret), client: o.Client, now: o.Now, log: o.Log,
		window: o.Window, baseDelay: o.BaseDelay, maxDelay: o.MaxDelay, wake: make(chan struct{}, 1)}, nil
}

// timeLayout is fixed-width UTC text, so times compare as text.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

func (o *Outbox) poke() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// TargetHost is the receiving URL's host, for the admin page.
func (o *Outbox) TargetHost() string {
	u, err := url.Parse(o.url)
	if err != nil {
		return ""
	}
	return u.Host
}
