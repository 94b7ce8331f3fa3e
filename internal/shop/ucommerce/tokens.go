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
	"time"

	"ordercare/internal/shop/tokencache"
)

// RefreshTokenLifetime is how long the platform keeps a refresh token
// ("Headless API Authentication": 90 days); the token answer does not say.
const RefreshTokenLifetime = 90 * 24 * time.Hour

// tokenMargin: an access token (300 s on the platform) is renewed this
// long before it expires, so no request leaves with a dying token.
const tokenMargin = 30 * time.Second

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
	ans, err := c.postToken(ctx, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}})
	if err != nil {
		return err
	}
	tok, until, err := c.keep(ctx, ans)
	if err != nil {
		return err
	}
	c.tok.Set(tok, until)
	return nil
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

// token returns a valid access token, refreshing it once for all
// callers: a second refresh with the same refresh token would be refused
// and disconnect the shop.
func (c *Client) token(ctx context.Context) (string, error) {
	return c.tok.Get(ctx, c.now, c.timeout, c.refresh)
}

// refresh trades the stored refresh token for new tokens (one at a
// time: the token cache runs it for all callers, and a store shared by a
// fleet for all instances).
func (c *Client) refresh(ctx context.Context) (tok string, until time.Time, err error) {
	l, ok := c.store.(RefreshLocker)
	if !ok {
		return c.refreshStored(ctx)
	}
	err = l.Refreshing(ctx, func(ctx context.Context) error {
		tok, until, err = c.refreshStored(ctx)
		return err
	})
	return tok, until, err
}

// refreshStored trades the refresh token stored now, which another
// instance may have rotated since this one last read it.
func (c *Client) refreshStored(ctx context.Context) (string, time.Time, error) {
	rt, exp, err := c.store.Load(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	if !c.now().Before(exp) {
		return "", time.Time{}, fmt.Errorf("%w (the refresh token expired on %s)", ErrNotConnected, exp.UTC().Format(time.DateOnly))
	}
	ans, err := c.postToken(ctx, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
	if err != nil {
		var te *TokenError
		if errors.As(err, &te) && (te.StatusCode == http.StatusBadRequest || te.StatusCode == http.StatusUnauthorized) {
			// The platform refused the refresh token (reused, revoked or
			// expired): it is dead for good, so forget it.
			_ = c.store.Forget(ctx)
			c.log.Warn("ucommerce: the refresh token was refused; an admin must connect the shop again", "status", te.StatusCode)
			return "", time.Time{}, fmt.Errorf("%w (the platform refused the refresh token: HTTP %d)", ErrNotConnected, te.StatusCode)
		}
		return "", time.Time{}, err
	}
	return c.keep(ctx, ans)
}

// keep stores the new refresh token and only then returns the access
// token to use. If the store fails the access token is not used: the
// rotated refresh token would be lost on the next restart.
func (c *Client) keep(ctx context.Context, ans tokenAnswer) (string, time.Time, error) {
	if err := c.store.Save(ctx, ans.RefreshToken, c.now().Add(RefreshTokenLifetime)); err != nil {
		return "", time.Time{}, err
	}
	return ans.AccessToken, tokencache.UseUntil(c.now(), time.Duration(ans.ExpiresIn)*time.Second, tokenMargin), nil
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
