// Package epsim is a sandbox of Elastic Path Commerce Cloud's orders API
// (the paths the elasticpath client uses): an http.Handler with its own
// store, clock, client-credentials tokens that expire, the platform's state
// rules for "Update an Order", its error shape, fault injection and demo
// orders that are the shop side of the payment sandbox's demo orders.
//
// Paths: POST /oauth/access_token, GET /v2/orders?filter=eq(order_number,…),
// GET /v2/orders/{id}, GET /v2/orders/{id}/items, PUT /v2/orders/{id},
// GET /v2/orders/{id}/transactions,
// POST /v2/orders/{id}/transactions/{tid}/capture, and
// the sandbox-only POST /sandbox/orders (create an order in the platform's
// own shape; bearer token required).
package epsim

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"ordercare/internal/omsim"
	"ordercare/internal/shop/shopsim"
)

// Clock is the sandbox's time; tests move it to expire tokens.
type Clock interface{ Now() time.Time }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// DefaultTokenTTL is the lifetime of a token, as in the platform's
// examples (expires_in 3600).
const DefaultTokenTTL = time.Hour

// Options configure a Sandbox.
type Options struct {
	// ClientID and ClientSecret are the only accepted client credentials.
	ClientID, ClientSecret string
	// TokenTTL is how long a token lives; 0 = DefaultTokenTTL.
	TokenTTL time.Duration
	// Clock drives token expiry and timestamps; nil = real time.
	Clock Clock
}

// Sandbox is the simulated orders API. It is an http.Handler.
type Sandbox struct {
	opts             Options
	clock            Clock
	idHash, secretHs [32]byte

	mu        sync.Mutex
	tokens    map[string]time.Time // token → expiry
	issued    int                  // tokens handed out, for tests of the cache
	orders    map[string]*record
	byNumber  []string // order ids in creation order, for listing
	outOfStep map[Scenario]string
	writes    map[string]int // order id → changing requests received

	faults shopsim.Injector
}

type record struct {
	order        orderDoc
	items        []itemDoc
	transactions []transactionDoc
}

// New returns an empty sandbox (Seed adds demo orders).
func New(opts Options) (*Sandbox, error) {
	if opts.ClientID == "" || opts.ClientSecret == "" {
		return nil, errors.New("epsim: a client id and a client secret are required")
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = DefaultTokenTTL
	}
	s := &Sandbox{opts: opts, clock: opts.Clock, tokens: map[string]time.Time{}, orders: map[string]*record{},
		outOfStep: map[Scenario]string{}, writes: map[string]int{},
		idHash: sha256.Sum256([]byte(opts.ClientID)), secretHs: sha256.Sum256([]byte(opts.ClientSecret))}
	if s.clock == nil {
		s.clock = realClock{}
	}
	return s, nil
}

// ServeHTTP answers one request: latency, faults, auth, the operation.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.faults.Serve(w, r, s.route, func(w http.ResponseWriter, k omsim.FaultKind) {
		writeError(w, faultStatus(k), http.StatusText(faultStatus(k)), "injected by the sandbox")
	})
}

func (s *Sandbox) route(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if p == "/oauth/access_token" {
		if r.Method != http.MethodPost {
			writeError(w, http.StatusMethodNotAllowed, "Method Not Allowed", "use POST")
			return
		}
		s.handleToken(w, r)
		return
	}
	if !s.authorized(r) {
		writeError(w, http.StatusUnauthorized, "Unauthorized", "")
		return
	}
	switch {
	case p == "/sandbox/orders" && r.Method == http.MethodPost:
		s.handleCreate(w, r)
	case p == "/v2/orders" && r.Method == http.MethodGet:
		s.handleList(w, r)
	case strings.HasPrefix(p, "/v2/orders/"):
		rest := strings.TrimPrefix(p, "/v2/orders/")
		id, sub, _ := strings.Cut(rest, "/")
		switch {
		case sub == "" && r.Method == http.MethodGet:
			s.handleGet(w, id)
		case sub == "" && r.Method == http.MethodPut:
			s.handleUpdate(w, r, id)
		case sub == "items" && r.Method == http.MethodGet:
			s.handleItems(w, id)
		case sub == "transactions" && r.Method == http.MethodGet:
			s.handleTransactions(w, id)
		case strings.HasPrefix(sub, "transactions/") && strings.HasSuffix(sub, "/capture") && r.Method == http.MethodPost:
			s.handleCapture(w, id, strings.TrimSuffix(strings.TrimPrefix(sub, "transactions/"), "/capture"))
		default:
			writeError(w, http.StatusNotFound, "Not Found", "no such route")
		}
	default:
		writeError(w, http.StatusNotFound, "Not Found", "no such route")
	}
}

// handleToken is POST /oauth/access_token (client credentials only: the
// implicit grant cannot update orders and the back office never uses it).
func (s *Sandbox) handleToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request", "the body must be form-encoded")
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		writeError(w, http.StatusBadRequest, "Bad Request", "grant_type must be client_credentials")
		return
	}
	idH := sha256.Sum256([]byte(r.PostForm.Get("client_id")))
	secH := sha256.Sum256([]byte(r.PostForm.Get("client_secret")))
	if subtle.ConstantTimeCompare(idH[:], s.idHash[:])&subtle.ConstantTimeCompare(secH[:], s.secretHs[:]) != 1 {
		writeError(w, http.StatusUnauthorized, "Unauthorized", "invalid client credentials")
		return
	}
	b := make([]byte, 20)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	tok := hex.EncodeToString(b)
	now := s.clock.Now()
	exp := now.Add(s.opts.TokenTTL)
	s.mu.Lock()
	for t, e := range s.tokens { // forget dead tokens so the map stays small
		if !now.Before(e) {
			delete(s.tokens, t)
		}
	}
	s.tokens[tok] = exp
	s.issued++
	s.mu.Unlock()
	// The document's examples wrap the token in "data"; the sandbox answers
	// in that documented shape (the client also reads it unwrapped).
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{
		"access_token": tok, "token_type": "Bearer", "identifier": "client_credentials",
		"expires_in": int64(s.opts.TokenTTL / time.Second), "expires": exp.Unix(),
	}})
}

// authorized checks the bearer token and its expiry.
func (s *Sandbox) authorized(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.tokens[tok]
	return ok && s.clock.Now().Before(exp)
}
