// Package ucsim is a sandbox of Ucommerce's headless Orders API and its
// OAuth 2 authorization-code flow (public documentation: "Orders" and
// "Headless API Authentication" at docs.ucommerce.net): an http.Handler
// with its own store and clock, codes that live a minute, access tokens
// that expire, refresh tokens that rotate and die when reused, the
// platform's error shape, fault injection, and demo orders that are the
// shop side of the payment sandbox's demo orders.
//
// Paths: GET /api/v1/oauth/connect (answers 302 to the redirect URL with a
// code: the sandbox approves every connect, as an administrator signed in
// to the platform would), POST /api/v1/oauth/token (HTTP Basic client
// id:secret; grant_type authorization_code or refresh_token),
// GET /api/v1/orders/{orderId}, GET /api/v1/payments/{paymentGuid}/order,
// and the sandbox-only POST /sandbox/orders (bearer token required).
package ucsim

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"ordercare/internal/omsim"
	"ordercare/internal/shop/elasticpath/epsim"
	"ordercare/internal/shop/shopsim"
	uc "ordercare/internal/shop/ucommerce"
)

// Clock is the sandbox's time; tests move it to expire tokens.
type Clock = epsim.Clock

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Lifetimes from the platform's authentication documentation.
const (
	DefaultAccessTTL  = 300 * time.Second
	DefaultCodeTTL    = time.Minute
	DefaultRefreshTTL = uc.RefreshTokenLifetime
)

// Options configure a Sandbox.
type Options struct {
	// ClientID and ClientSecret are the only accepted client credentials.
	ClientID, ClientSecret string
	// RedirectURIs are the whitelisted redirect URLs; empty: any http(s).
	RedirectURIs []string
	// AccessTTL, CodeTTL and RefreshTTL default to the platform's.
	AccessTTL, CodeTTL, RefreshTTL time.Duration
	// Clock drives expiry; nil = real time.
	Clock Clock
}

// Sandbox is the simulated API. It is an http.Handler.
type Sandbox struct {
	opts             Options
	clock            Clock
	idHash, secretHs [32]byte

	mu        sync.Mutex
	codes     map[string]grant     // authorization code → its grant
	access    map[string]time.Time // access token → expiry
	refresh   map[string]*refresh  // refresh token → state
	refreshes int                  // successful refresh grants
	orders    map[string]*uc.Order // by order id
	byPayment map[string]string    // payment guid → order id
	outOfStep map[epsim.Scenario]string

	faults shopsim.Injector
}

type grant struct {
	redirect string
	expires  time.Time
}

type refresh struct {
	expires time.Time
	used    bool
}

// New returns an empty sandbox (Seed adds demo orders).
func New(opts Options) (*Sandbox, error) {
	if opts.ClientID == "" || opts.ClientSecret == "" {
		return nil, errors.New("ucsim: a client id and a client secret are required")
	}
	if opts.AccessTTL <= 0 {
		opts.AccessTTL = DefaultAccessTTL
	}
	if opts.CodeTTL <= 0 {
		opts.CodeTTL = DefaultCodeTTL
	}
	if opts.RefreshTTL <= 0 {
		opts.RefreshTTL = DefaultRefreshTTL
	}
	s := &Sandbox{opts: opts, clock: opts.Clock, codes: map[string]grant{}, access: map[string]time.Time{},
		refresh: map[string]*refresh{}, orders: map[string]*uc.Order{}, byPayment: map[string]string{},
		outOfStep: map[epsim.Scenario]string{},
		idHash:    sha256.Sum256([]byte(opts.ClientID)), secretHs: sha256.Sum256([]byte(opts.ClientSecret))}
	if s.clock == nil {
		s.clock = realClock{}
	}
	return s, nil
}

// RevokeAccessTokens ends every access token at once (refresh tokens live).
func (s *Sandbox) RevokeAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.access)
}

// ServeHTTP answers one request: latency, faults, the operation.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.faults.Serve(w, r, s.route, func(w http.ResponseWriter, k omsim.FaultKind) {
		writeError(w, faultStatus(k), http.StatusText(faultStatus(k)), "injected by the sandbox")
	})
}

func (s *Sandbox) route(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/api/v1/oauth/connect" && r.Method == http.MethodGet:
		s.handleConnect(w, r)
		return
	case p == "/api/v1/oauth/token" && r.Method == http.MethodPost:
		s.handleToken(w, r)
		return
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		// The documentation: 400 when the access token was not attached.
		writeError(w, http.StatusBadRequest, "BadRequest", "AccessToken was not attached")
		return
	}
	if !s.validAccess(tok) {
		writeError(w, http.StatusUnauthorized, "Unauthorized", "The token is expired")
		return
	}
	switch {
	case p == "/sandbox/orders" && r.Method == http.MethodPost:
		s.handleCreate(w, r)
	case strings.HasPrefix(p, "/api/v1/orders/") && r.Method == http.MethodGet:
		s.handleGet(w, strings.TrimPrefix(p, "/api/v1/orders/"), "")
	case strings.HasPrefix(p, "/api/v1/payments/") && strings.HasSuffix(p, "/order") && r.Method == http.MethodGet:
		guid := strings.TrimSuffix(strings.TrimPrefix(p, "/api/v1/payments/"), "/order")
		s.handleGet(w, "", guid)
	default:
		writeError(w, http.StatusNotFound, "NotFound", "no such route")
	}
}

// handleConnect is GET /api/v1/oauth/connect: 302 to the redirect URL
// with a one-minute code and the caller's state.
func (s *Sandbox) handleConnect(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	idH := sha256.Sum256([]byte(q.Get("client_id")))
	if subtle.ConstantTimeCompare(idH[:], s.idHash[:]) != 1 {
		writeError(w, http.StatusBadRequest, "BadRequest", "unknown client_id")
		return
	}
	if q.Get("response_type") != "code" {
		writeError(w, http.StatusBadRequest, "BadRequest", "response_type must be code")
		return
	}
	redirect := q.Get("redirect_uri")
	code, err := s.Connect(redirect)
	if err != nil {
		writeError(w, http.StatusBadRequest, "BadRequest", "redirect_uri is not whitelisted")
		return
	}
	u, _ := url.Parse(redirect) // checked by allowedRedirect
	v := u.Query()
	v.Set("code", code)
	if st := q.Get("state"); st != "" {
		v.Set("state", st)
	}
	u.RawQuery = v.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound) // #nosec G710 -- redirect_uri was checked against the client's whitelist (Connect)
}

func (s *Sandbox) allowedRedirect(redirect string) bool {
	u, err := url.Parse(redirect)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false
	}
	if len(s.opts.RedirectURIs) == 0 {
		return true
	}
	for _, ok := range s.opts.RedirectURIs {
		if ok == redirect {
			return true
		}
	}
	return false
}

// handleToken is POST /api/v1/oauth/token. Errors follow RFC 6749 5.2
// ({"error": "invalid_grant"}); a reused refresh token is invalid_grant.
func (s *Sandbox) handleToken(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	idH, secH := sha256.Sum256([]byte(id)), sha256.Sum256([]byte(secret))
	if !ok || subtle.ConstantTimeCompare(idH[:], s.idHash[:])&subtle.ConstantTimeCompare(secH[:], s.secretHs[:]) != 1 {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		code := r.PostForm.Get("code")
		g, ok := s.codes[code]
		delete(s.codes, code) // a code is good for one try
		if !ok || !now.Before(g.expires) || g.redirect != r.PostForm.Get("redirect_uri") {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "unknown, used or expired code, or another redirect_uri"})
			return
		}
	case "refresh_token":
		rt := s.refresh[r.PostForm.Get("refresh_token")]
		if rt == nil || rt.used || !now.Before(rt.expires) {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "unknown, reused or expired refresh token"})
			return
		}
		rt.used = true // rotated: the old one dies now
		s.refreshes++
	default:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	acc, ref := randomToken(), randomToken()
	s.access[acc] = now.Add(s.opts.AccessTTL)
	s.refresh[ref] = &refresh{expires: now.Add(s.opts.RefreshTTL)}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": acc, "refresh_token": ref, "token_type": "Bearer",
		"expires_in": int64(s.opts.AccessTTL / time.Second)})
}

func (s *Sandbox) validAccess(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.access[tok]
	return ok && s.clock.Now().Before(exp)
}

// Connect runs the whole authorization-code flow in process and returns
// the code for redirect, as an administrator's approval in the platform's
// back office would; the built-in demo uses it to connect at start-up.
func (s *Sandbox) Connect(redirect string) (string, error) {
	if !s.allowedRedirect(redirect) {
		return "", errors.New("ucsim: redirect_uri is not whitelisted")
	}
	code := randomToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = grant{redirect: redirect, expires: s.clock.Now().Add(s.opts.CodeTTL)}
	return code, nil
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}
