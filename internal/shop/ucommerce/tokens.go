package ucommerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// RefreshTokenLifetime is how long the platform keeps a refresh token
// ("Headless API Authentication": 90 days); the token answer does not say.
const RefreshTokenLifetime = 90 * 24 * time.Hour

// tokenMargin: an access token (300 s on the platform) is renewed this
// long before it expires, so no request leaves with a dying token.
const tokenMargin = 30 * time.Second

// tokens caches the access token. Callers that find it missing or stale
// wait for one refresh instead of each refreshing: the refresh token
// rotates, so a second refresh with the same token would be refused and
// disconnect the shop.
type tokens struct {
	mu       sync.Mutex
	access   string
	expires  time.Time
	inflight chan struct{} // closed when the running refresh ends
	lastErr  error
}

// AuthorizeURL is where an administrator is sent to connect the shop:
// GET {base}/api/v1/oauth/connect with the client id, the whitelisted
// redirect URL and state (checked by the callback against forgery).
func (c *Client) AuthorizeURL(redirectURI, state string) string {
	q := url.Values{"client_id": {c.clientID}, "redirect_uri": {redirectURI}, "response_type": {"code"}, "state": {state}}
	return c.base + "/api/v1/oauth/connect?" + q.Encode()
}

// Exchange trades an authorization code for tokens, stores the refresh
// token, and only then keeps the access token.
func (c *Client) Exchange(ctx context.Context, code, redirectURI string) error {
	if code == "" {
		return &ValidationError{Field: "code", Message: "the platform sent no authorization code"}
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	c.tok.mu.Lock()
	defer c.tok.mu.Unlock()
	ans, err := c.postToken(ctx, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}})
	if err != nil {
		return err
	}
	return c.keep(ctx, ans)
}

// Connected reports whether a refresh token is stored and when it expires.
func (c *Client) Connected(ctx context.Context) (bool, time.Time, error) {
	_, exp, err := c.store.Load(ctx)
	if errors.Is(err, ErrNotConnected) {
		return false, time.Time{}, nil
	}
	if err != nil {
		return false, time.Time{}, err
	}
	return c.now().Before(exp), exp, nil
}

// token returns a valid access token, refreshing it once for all callers.
func (c *Client) token(ctx context.Context) (string, error) {
	for {
		c.tok.mu.Lock()
		if c.tok.access != "" && c.now().Before(c.tok.expires) {
			t := c.tok.access
			c.tok.mu.Unlock()
			return t, nil
		}
		if wait := c.tok.inflight; wait != nil {
			c.tok.mu.Unlock()
			select {
			case <-wait:
			case <-ctx.Done():
				return "", ctx.Err()
			}
			c.tok.mu.Lock()
			err := c.tok.lastErr
			c.tok.mu.Unlock()
			if err != nil {
				return "", err
			}
			continue
		}
		done := make(chan struct{})
		c.tok.inflight = done
		c.tok.mu.Unlock()

		// Not bound to the first caller's context: others wait on it, and
		// a refresh cut off half-way could lose the rotated token.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
		err := c.refresh(fctx)
		cancel()

		c.tok.mu.Lock()
		c.tok.inflight = nil
		c.tok.lastErr = err
		t := c.tok.access
		close(done)
		c.tok.mu.Unlock()
		if err != nil {
			return "", err
		}
		return t, nil
	}
}

// refresh trades the stored refresh token for new tokens. Called with
// inflight set, so only one runs.
func (c *Client) refresh(ctx context.Context) error {
	rt, exp, err := c.store.Load(ctx)
	if err != nil {
		return err
	}
	if !c.now().Before(exp) {
		return fmt.Errorf("%w (the refresh token expired on %s)", ErrNotConnected, exp.UTC().Format(time.DateOnly))
	}
	ans, err := c.postToken(ctx, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
	if err != nil {
		var te *TokenError
		if errors.As(err, &te) && (te.StatusCode == http.StatusBadRequest || te.StatusCode == http.StatusUnauthorized) {
			// The platform refused the refresh token (reused, revoked or
			// expired): it is dead for good, so forget it.
			_ = c.store.Forget(ctx)
			c.log.Warn("ucommerce: the refresh token was refused; an admin must connect the shop again", "status", te.StatusCode)
			return fmt.Errorf("%w (the platform refused the refresh token: HTTP %d)", ErrNotConnected, te.StatusCode)
		}
		return err
	}
	c.tok.mu.Lock()
	defer c.tok.mu.Unlock()
	return c.keep(ctx, ans)
}

// keep stores the new refresh token and then keeps the access token; with
// c.tok.mu held. If the store fails the access token is not used: the
// rotated refresh token would be lost on the next restart.
func (c *Client) keep(ctx context.Context, ans tokenAnswer) error {
	if err := c.store.Save(ctx, ans.RefreshToken, c.now().Add(RefreshTokenLifetime)); err != nil {
		c.tok.access = ""
		return err
	}
	ttl := time.Duration(ans.ExpiresIn) * time.Second
	c.tok.access = ans.AccessToken
	c.tok.expires = c.now().Add(max(ttl-min(tokenMargin, ttl/10), 0))
	return nil
}

// dropToken forgets access token t after the platform refused it, unless
// another caller already replaced it.
func (c *Client) dropToken(t string) {
	c.tok.mu.Lock()
	defer c.tok.mu.Unlock()
	if c.tok.access == t {
		c.tok.access = ""
	}
}

type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int64  `json:"expires_in"`
	TokenType    string `json:"token_type"`
}

// postToken calls POST {base}/api/v1/oauth/token with HTTP Basic client
// id:secret.
func (c *Client) postToken(ctx context.Context, form url.Values) (tokenAnswer, error) {
	var ans tokenAnswer
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/api/v1/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		return ans, &TokenError{Err: err}
	}
	req.SetBasicAuth(c.clientID, c.clientSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		return ans, &TokenError{Err: err}
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return ans, &TokenError{StatusCode: resp.StatusCode, Err: err}
	}
	if resp.StatusCode != http.StatusOK {
		return ans, &TokenError{StatusCode: resp.StatusCode, Err: oauthError(resp.StatusCode, body)}
	}
	if err := json.Unmarshal(body, &ans); err != nil {
		return ans, &TokenError{StatusCode: resp.StatusCode, Err: fmt.Errorf("unreadable token answer: %w", err)}
	}
	switch {
	case ans.AccessToken == "":
		return ans, &TokenError{StatusCode: resp.StatusCode, Err: errors.New("the answer holds no access_token")}
	case ans.RefreshToken == "":
		return ans, &TokenError{StatusCode: resp.StatusCode, Err: errors.New("the answer holds no refresh_token")}
	case ans.ExpiresIn <= 0:
		return ans, &TokenError{StatusCode: resp.StatusCode, Err: errors.New("the answer gives no lifetime (expires_in)")}
	}
	return ans, nil
}

// oauthError reads an OAuth error answer ({"error": "invalid_grant"}, RFC
// 6749 section 5.2) or the platform's {"errors": [...]} shape.
func oauthError(status int, body []byte) error {
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		return errors.New(strings.TrimSpace(e.Error + " " + e.Description))
	}
	if list := parseErrors(body); len(list) > 0 {
		return &APIError{StatusCode: status, Method: http.MethodPost, Path: "/api/v1/oauth/token", Errors: list}
	}
	return errors.New(http.StatusText(status))
}
