// Package sso signs staff in with an OpenID Connect identity provider:
// the authorization code flow with PKCE (RFC 7636), a state and a nonce
// bound to the browser's session, and the ID token verified (signature,
// issuer, audience, expiry) by github.com/coreos/go-oidc before its nonce
// is compared here, as OpenID Connect Core 1.0 section 3.1.3.7 asks
// (https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation).
// What the back office does with the identity (which member, which role,
// whether it counts as a second factor) is the caller's.
package sso

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"ordercare/internal/staff"
)

// Settings are the identity provider and what its claims mean here.
type Settings struct {
	// Issuer is the provider's issuer URL (discovery is read from
	// Issuer + "/.well-known/openid-configuration").
	Issuer string
	// ClientID and ClientSecret are this back office's registration at
	// the provider.
	ClientID, ClientSecret string
	// Name is the provider's name on the sign-in button.
	Name string
	// Scopes asked for; "openid" is always among them.
	Scopes []string
	// RoleClaim is the ID token claim whose values (a string or a list of
	// strings, such as "groups") are mapped to roles by Roles.
	RoleClaim string
	// Roles maps a value of RoleClaim to a role.
	Roles map[string]staff.Role
	// MFAAMR are the "amr" values (RFC 8176) that make the provider's
	// sign-in count as the second factor; empty: it never counts.
	MFAAMR []string
	// HTTPClient reaches the provider (discovery, keys, token); nil:
	// one with a 10 s timeout.
	HTTPClient *http.Client
	// Now is the clock of expiry checks; nil: time.Now.
	Now func() time.Time
}

// Errors of a sign-in the provider or the browser spoiled. The callback
// tells the person signing in what went wrong in their words, and records
// the reason.
var (
	// ErrState: the callback's state is not the one this browser's
	// session started, or none was started (a forged or replayed link).
	ErrState = errors.New("sso: the answer does not belong to a sign-in started in this browser")
	// ErrNonce: the ID token was issued for another sign-in.
	ErrNonce = errors.New("sso: the ID token's nonce is not this sign-in's")
	// ErrToken: the provider's answer carried no valid ID token.
	ErrToken = errors.New("sso: the identity provider's ID token is not valid")
	// ErrProvider: the provider could not be reached or refused the code.
	ErrProvider = errors.New("sso: the identity provider did not complete the sign-in")
)

// Client is one identity provider. Its discovery document is read at the
// first sign-in, not at start-up, so that the back office starts (and
// password sign-in works) while the provider is unreachable; a failed read
// is tried again at the next sign-in.
type Client struct {
	s Settings

	mu       sync.Mutex
	provider *oidc.Provider
}

// New returns the client of the provider s describes.
func New(s Settings) *Client {
	if s.HTTPClient == nil {
		s.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if !slices.Contains(s.Scopes, oidc.ScopeOpenID) {
		s.Scopes = append([]string{oidc.ScopeOpenID}, s.Scopes...)
	}
	return &Client{s: s}
}

// Name is the provider's name for the sign-in button.
func (c *Client) Name() string { return c.s.Name }

// Issuer is the provider's issuer URL, for the audit log.
func (c *Client) Issuer() string { return c.s.Issuer }

// discover returns the provider, reading its discovery document once.
func (c *Client) discover(ctx context.Context) (*oidc.Provider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider != nil {
		return c.provider, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, c.s.HTTPClient), c.s.Issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: discovery: %w", ErrProvider, err)
	}
	c.provider = p
	return p, nil
}

func (c *Client) oauth(p *oidc.Provider, redirectURL string) *oauth2.Config {
	return &oauth2.Config{ClientID: c.s.ClientID, ClientSecret: c.s.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: redirectURL, Scopes: c.s.Scopes}
}

// Flow is one sign-in in progress, kept in the browser's session between
// the redirect to the provider and the callback, and used once.
type Flow struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	// Next is the local path to return to afterwards.
	Next string `json:"x,omitempty"`
	// Started is when the redirect was made (unix seconds).
	Started int64 `json:"t"`
}

// FlowLifetime is how long a started sign-in may take at the provider.
const FlowLifetime = 10 * time.Minute

// Encode is the flow as kept in the session.
func (f Flow) Encode() string {
	b, _ := json.Marshal(f) // a struct of strings and a number cannot fail
	return string(b)
}

// DecodeFlow reads a flow kept by Encode.
func DecodeFlow(s string) (Flow, bool) {
	var f Flow
	if s == "" || json.Unmarshal([]byte(s), &f) != nil || f.State == "" || f.Nonce == "" || f.Verifier == "" {
		return Flow{}, false
	}
	return f, true
}

func random() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// Start begins a sign-in: a fresh state, nonce and PKCE verifier, and the
// provider's authorization URL that carries the state, the nonce and the
// verifier's S256 challenge.
func (c *Client) Start(ctx context.Context, redirectURL, next string) (Flow, string, error) {
	p, err := c.discover(ctx)
	if err != nil {
		return Flow{}, "", err
	}
	f := Flow{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier(), Next: next, Started: c.s.Now().Unix()}
	u := c.oauth(p, redirectURL).AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier))
	return f, u, nil
}

// CheckState compares the callback's state with the flow's, and the
// flow's age with FlowLifetime.
func (c *Client) CheckState(f Flow, state string) error {
	if f.State == "" || subtle.ConstantTimeCompare([]byte(f.State), []byte(state)) != 1 {
		return ErrState
	}
	if c.s.Now().Sub(time.Unix(f.Started, 0)) > FlowLifetime {
		return fmt.Errorf("%w (it took longer than %s)", ErrState, FlowLifetime)
	}
	return nil
}

// Identity is who the provider says signed in, with what the settings
// make of it.
type Identity struct {
	Subject       string
	Email         string
	EmailVerified bool
	// Values are the role claim's values; Role the role they map to ("":
	// none maps), Matched the value that gave it.
	Values  []string
	Role    staff.Role
	Matched string
	// AMR are the token's authentication methods; ProviderMFA reports
	// whether one of them is in Settings.MFAAMR.
	AMR         []string
	ProviderMFA bool
}

// Finish exchanges the callback's code (with the flow's PKCE verifier)
// for tokens, verifies the ID token and its nonce, and reads the identity.
// The state must have been checked (CheckState) first.
func (c *Client) Finish(ctx context.Context, f Flow, code, redirectURL string) (*Identity, error) {
	p, err := c.discover(ctx)
	if err != nil {
		return nil, err
	}
	ctx = oidc.ClientContext(ctx, c.s.HTTPClient)
	tok, err := c.oauth(p, redirectURL).Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return nil, fmt.Errorf("%w: token exchange: %w", ErrProvider, err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return nil, fmt.Errorf("%w: the token answer holds no id_token", ErrToken)
	}
	idt, err := p.VerifierContext(ctx, &oidc.Config{ClientID: c.s.ClientID, Now: c.s.Now}).Verify(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrToken, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
		return nil, ErrNonce
	}
	return c.identity(idt)
}

// identity reads the claims of a verified ID token.
func (c *Client) identity(idt *oidc.IDToken) (*Identity, error) {
	var std struct {
		Email         string `json:"email"`
		EmailVerified any    `json:"email_verified"`
	}
	var all map[string]json.RawMessage
	if err := idt.Claims(&all); err != nil {
		return nil, fmt.Errorf("%w: claims: %w", ErrToken, err)
	}
	if err := idt.Claims(&std); err != nil {
		return nil, fmt.Errorf("%w: claims: %w", ErrToken, err)
	}
	id := &Identity{Subject: idt.Subject, Email: strings.TrimSpace(std.Email), EmailVerified: verified(std.EmailVerified)}
	if raw, ok := all["amr"]; ok {
		_ = json.Unmarshal(raw, &id.AMR) // a malformed amr counts as none
	}
	id.ProviderMFA = slices.ContainsFunc(id.AMR, func(m string) bool { return slices.Contains(c.s.MFAAMR, m) })
	id.Values = claimValues(all[c.s.RoleClaim])
	id.Role, id.Matched = MapRole(c.s.Roles, id.Values)
	return id, nil
}

// verified reads email_verified: a JSON boolean, or the string "true"
// that some providers send.
func verified(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return strings.EqualFold(x, "true")
	}
	return false
}

// claimValues reads a claim that is a string or a list of strings.
func claimValues(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var one string
	if json.Unmarshal(raw, &one) == nil && one != "" {
		return []string{one}
	}
	return nil
}

// MapRole is the role the claim values give: the highest of agent <
// supervisor < admin among those mapped, else auditor when mapped, else
// none. Someone placed in both an agents' and an auditors' group at the
// provider gets the role that works, as the provider's admin put them in
// both; what it was mapped from is recorded in the audit log.
func MapRole(roles map[string]staff.Role, values []string) (staff.Role, string) {
	var best staff.Role
	matched := ""
	for _, v := range values {
		r, ok := roles[v]
		if !ok {
			continue
		}
		if best == "" || rank(r) > rank(best) || (rank(r) == rank(best) && v < matched) {
			best, matched = r, v
		}
	}
	return best, matched
}

// rank orders roles for MapRole: the auditor, who only reads, below agent.
func rank(r staff.Role) int {
	return slices.Index([]staff.Role{staff.RoleAuditor, staff.RoleAgent, staff.RoleSupervisor, staff.RoleAdmin}, r)
}
