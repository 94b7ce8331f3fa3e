// Package omsim is the sandbox: an http.Handler that behaves like the
// Kustom / Klarna Order Management API (/ordermanagement/v1, the Order Management API reference, docs.klarna.com/api/ordermanagement) with
// its own store, clock, demo data and fault injection, so that the product
// runs and is tested without a provider account.
//
// Besides the API it serves a few sandbox-only endpoints under /sandbox
// (same credentials): POST /sandbox/orders creates an AUTHORIZED order,
// GET /sandbox/orders lists order ids, POST
// /sandbox/orders/{order_id}/fraud-status ends a fraud review.
package omsim

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/google/uuid"

	"ordercare/internal/omclient"
)

// Options configure a Sandbox.
type Options struct {
	// Provider is imitated: kustom (the default) or klarna. It decides the
	// authorization-extension rule and whether trigger-send-out and the
	// due-date calls exist.
	Provider omclient.Provider
	// Username and Password are the HTTP Basic credentials; both required.
	Username, Password string
	// DBPath is the SQLite file holding the state; "" keeps it in memory.
	DBPath string
	// Clock drives expiry, idempotency windows and demo data; nil = real time.
	Clock Clock
	// Demo seeds the deterministic demo orders when the store is empty.
	Demo bool
	// Logger receives store failures; nil = slog.Default().
	Logger *slog.Logger
}

// Sandbox is the simulated Order Management API. It is an http.Handler.
type Sandbox struct {
	opts  Options
	clock Clock
	store store
	log   *slog.Logger

	userHash, passHash [32]byte

	inflightMu sync.Mutex
	inflight   map[[2]string]bool

	faults faultState
}

// ErrNoSuchOrder is returned by the Go accessors for an unknown order id.
var ErrNoSuchOrder = errors.New("omsim: no such order")

// New opens the sandbox's store (seeding demo data when asked and empty).
func New(ctx context.Context, opts Options) (*Sandbox, error) {
	if opts.Username == "" || opts.Password == "" {
		return nil, errors.New("omsim: username and password are required")
	}
	switch opts.Provider {
	case "":
		opts.Provider = omclient.ProviderKustom
	case omclient.ProviderKustom, omclient.ProviderKlarna:
	default:
		return nil, fmt.Errorf("omsim: unknown provider %q (want kustom or klarna)", opts.Provider)
	}
	s := &Sandbox{
		opts:     opts,
		clock:    opts.Clock,
		log:      opts.Logger,
		userHash: sha256.Sum256([]byte(opts.Username)),
		passHash: sha256.Sum256([]byte(opts.Password)),
		inflight: map[[2]string]bool{},
	}
	if s.clock == nil {
		s.clock = realClock{}
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if opts.DBPath == "" {
		s.store = newMemStore()
	} else {
		st, err := openSQLiteStore(ctx, opts.DBPath)
		if err != nil {
			return nil, err
		}
		s.store = st
	}
	if opts.Demo {
		n, err := s.store.count(ctx)
		if err != nil {
			_ = s.store.close() // the count error is the one to report
			return nil, err
		}
		if n == 0 {
			if err := s.seedDemo(ctx); err != nil {
				_ = s.store.close() // the seeding error is the one to report
				return nil, err
			}
		}
	}
	return s, nil
}

// Close releases the store.
func (s *Sandbox) Close() error { return s.store.close() }

// authenticate checks HTTP Basic credentials in constant time and returns
// the user name, which scopes idempotency keys (keys are per merchant).
func (s *Sandbox) authenticate(r *http.Request) (string, bool) {
	u, p, ok := r.BasicAuth()
	if !ok {
		return "", false
	}
	uh, ph := sha256.Sum256([]byte(u)), sha256.Sum256([]byte(p))
	okU := subtle.ConstantTimeCompare(uh[:], s.userHash[:])
	okP := subtle.ConstantTimeCompare(ph[:], s.passHash[:])
	return u, okU&okP == 1
}

// call is one request being served.
type call struct {
	r                            *http.Request
	corrID                       string
	user                         string
	key                          string // Klarna-Idempotency-Key, mutating calls only
	orderID, captureID, refundID string
	body                         []byte
	bodyErr                      *apiError // 413 or an unreadable body
}

// ServeHTTP answers one request: latency, auth, routing, fault injection,
// the operation, then post-processing faults.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	corrID := uuid.NewString()
	// Read the body (bounded) up front: net/http notices a client hanging
	// up only once the body is consumed, and latency and hang faults must
	// end when the client gives up.
	body, bodyErr := readBody(r)
	if !s.sleepLatency(r.Context()) {
		return
	}
	user, ok := s.authenticate(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="ordermanagement", charset="UTF-8"`)
		errorResponse(newErr(http.StatusUnauthorized, codeUnauthorized, "Missing or invalid credentials."), corrID).write(w, corrID)
		return
	}
	h, rerr := s.route(r)
	if rerr != nil {
		if rerr.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", rerr.allow)
		}
		errorResponse(rerr.apiError, corrID).write(w, corrID)
		return
	}
	if pre := s.takeFault(r, preFault); pre != nil {
		switch pre.Kind {
		case FaultHang:
			// Hold the request until the client gives up; nothing applied.
			<-r.Context().Done()
			return
		default:
			faultResponse(pre, corrID).write(w, corrID)
			return
		}
	}
	c := &call{r: r, corrID: corrID, user: user, orderID: h.orderID, captureID: h.captureID, refundID: h.refundID,
		body: body, bodyErr: bodyErr}
	if r.Method == http.MethodPost || r.Method == http.MethodPatch {
		c.key = r.Header.Get("Klarna-Idempotency-Key")
	}
	resp := h.fn(c)
	if post := s.takeFault(r, postFault(resp.Status)); post != nil {
		switch post.Kind {
		case FaultResetAfterApply:
			resetConnection(w)
			return
		case FaultMalformedJSON:
			resp.Body = malformed(resp.Body)
		}
	}
	resp.write(w, corrID)
}
