// Package oidctest is a small OpenID Connect provider for tests, on a
// loopback port: discovery, a JWKS, an authorization endpoint that
// approves at once (as if the person had signed in at the provider) and
// a token endpoint that issues RS256-signed ID tokens. It implements what
// a real provider checks of the client, so tests of the back office's
// side fail when the client cuts a corner: the code is single use and
// short-lived, bound to its client, redirect URI and PKCE challenge
// (S256 only, RFC 7636 section 4.6), and the client authenticates
// (client_secret_basic or client_secret_post, OpenID Connect Core 1.0
// section 9).
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// User is the identity the provider signs in.
type User struct {
	Subject       string
	Email         string
	EmailVerified bool
	// Groups go into the "groups" claim.
	Groups []string
	// AMR goes into the "amr" claim (RFC 8176) when not empty.
	AMR []string
}

// Provider is a running test provider. Its zero value is not usable:
// call Start.
type Provider struct {
	// Issuer is the provider's URL (its issuer identifier).
	Issuer       string
	ClientID     string
	ClientSecret string

	srv *httptest.Server
	key *rsa.PrivateKey

	mu     sync.Mutex
	user   User
	codes  map[string]grant
	tamper func(claims map[string]any)
	tokens int
}

// grant is what an issued code stands for.
type grant struct {
	clientID, redirectURI, challenge, nonce string
	user                                    User
	expires                                 time.Time
}

const keyID = "oidctest-key"

var (
	keyOnce sync.Once
	key     *rsa.PrivateKey
)

// signingKey is one RSA key per test process: generating one takes
// longer than the rest of a provider's start.
func signingKey() *rsa.PrivateKey {
	keyOnce.Do(func() {
		var err error
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic("oidctest: " + err.Error())
		}
	})
	return key
}

// Start runs a provider for the client clientID/clientSecret; Close
// stops it.
func Start(clientID, clientSecret string) *Provider {
	p := &Provider{ClientID: clientID, ClientSecret: clientSecret, key: signingKey(), codes: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.srv = httptest.NewServer(mux)
	p.Issuer = p.srv.URL
	return p
}

// Close stops the provider.
func (p *Provider) Close() { p.srv.Close() }

// SignInAs sets who the authorization endpoint signs in from now on.
func (p *Provider) SignInAs(u User) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.user = u
}

// TamperNext changes the claims of the next ID token issued, after they
// are filled in and before they are signed (another nonce, another
// audience, an expiry in the past).
func (p *Provider) TamperNext(f func(claims map[string]any)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tamper = f
}

// Tokens is how many tokens the provider has issued.
func (p *Provider) Tokens() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tokens
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.Issuer,
		"authorization_endpoint":                p.Issuer + "/authorize",
		"token_endpoint":                        p.Issuer + "/token",
		"jwks_uri":                              p.Issuer + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"scopes_supported":                      []string{"openid", "email", "profile", "groups"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &p.key.PublicKey, KeyID: keyID, Algorithm: string(jose.RS256), Use: "sig"}}})
}

// authorize approves the request at once and sends the browser back to
// the client with a code, or with an error when the request is not one a
// provider accepts (RFC 6749 section 4.1.2.1: a bad client or redirect URI
// is shown here, not redirected).
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if q.Get("client_id") != p.ClientID || err != nil || !redirect.IsAbs() {
		http.Error(w, "unknown client or redirect_uri", http.StatusBadRequest)
		return
	}
	back := redirect.Query()
	back.Set("state", q.Get("state"))
	switch {
	case q.Get("response_type") != "code":
		back.Set("error", "unsupported_response_type")
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		back.Set("error", "invalid_request")
		back.Set("error_description", "PKCE with S256 is required")
	case !hasScope(q.Get("scope"), "openid"):
		back.Set("error", "invalid_scope")
	default:
		p.mu.Lock()
		code := randomHex()
		p.codes[code] = grant{clientID: p.ClientID, redirectURI: redirect.String(), challenge: q.Get("code_challenge"),
			nonce: q.Get("nonce"), user: p.user, expires: time.Now().Add(time.Minute)}
		p.mu.Unlock()
		back.Set("code", code)
	}
	redirect.RawQuery = back.Encode()
	// Back to the client's redirect_uri, as RFC 6749 section 4.1.2 has it;
	// a real provider only to registered ones, this test provider (on a
	// loopback port, for tests) to any absolute URI its client gives.
	http.Redirect(w, r, redirect.String(), http.StatusFound) // #nosec G710 -- a test provider's redirect to its client's redirect_uri is the protocol
}

func hasScope(scopes, want string) bool {
	return slices.Contains(strings.Fields(scopes), want)
}

func randomHex() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// token exchanges a code for an ID token (RFC 6749 section 4.1.3, with
// the PKCE check of RFC 7636 section 4.6).
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	} else {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	}
	if id != p.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(p.ClientSecret)) != 1 {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	p.mu.Lock()
	code := r.PostForm.Get("code")
	g, found := p.codes[code]
	delete(p.codes, code) // single use, whatever follows
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	switch {
	case !found || time.Now().After(g.expires) || g.clientID != id || g.redirectURI != r.PostForm.Get("redirect_uri"):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "PKCE verification failed"})
		return
	}
	idToken, err := p.sign(g)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": randomHex(), "token_type": "Bearer", "expires_in": 300, "id_token": idToken})
}

// sign issues the ID token of a grant.
func (p *Provider) sign(g grant) (string, error) {
	now := time.Now()
	claims := map[string]any{
		"iss": p.Issuer, "sub": g.user.Subject, "aud": g.clientID,
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "auth_time": now.Unix(),
		"email": g.user.Email, "email_verified": g.user.EmailVerified,
	}
	if g.nonce != "" {
		claims["nonce"] = g.nonce
	}
	if g.user.Groups != nil {
		claims["groups"] = g.user.Groups
	}
	if len(g.user.AMR) > 0 {
		claims["amr"] = g.user.AMR
	}
	p.mu.Lock()
	if p.tamper != nil {
		p.tamper(claims)
		p.tamper = nil
	}
	p.tokens++
	p.mu.Unlock()
	return p.signClaims(claims)
}

// signClaims signs claims with the key the JWKS publishes.
func (p *Provider) signClaims(claims map[string]any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: p.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", keyID))
	if err != nil {
		return "", err
	}
	sig, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return sig.CompactSerialize()
}
