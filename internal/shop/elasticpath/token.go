package elasticpath

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

// tokenMargin: a token is renewed this long before the platform says it
// expires, so a request never leaves with a token that dies on the way.
const tokenMargin = 60 * time.Second

// tokens caches the client-credentials token. Concurrent callers that find
// it missing or stale wait for one fetch instead of each fetching.
type tokens struct {
	mu       sync.Mutex
	token    string
	expires  time.Time
	inflight chan struct{} // closed when the running fetch ends
	lastErr  error         // the running fetch's error, read after inflight closes
}

// token returns a valid access token, fetching one when needed.
func (c *Client) token(ctx context.Context) (string, error) {
	for {
		c.tok.mu.Lock()
		if c.tok.token != "" && c.now().Before(c.tok.expires) {
			t := c.tok.token
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

		// The fetch is not bound to the first caller's context: others
		// wait on it, and one caller hanging up must not fail them all.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
		tok, ttl, err := c.fetchToken(fctx)
		cancel()

		c.tok.mu.Lock()
		c.tok.inflight = nil
		c.tok.lastErr = err
		if err == nil {
			c.tok.token = tok
			c.tok.expires = c.now().Add(max(ttl-min(tokenMargin, ttl/10), 0))
		}
		close(done)
		c.tok.mu.Unlock()
		if err != nil {
			return "", err
		}
		return tok, nil
	}
}

// dropToken forgets token t after the platform refused it (revoked or
// expired early), unless another caller already replaced it.
func (c *Client) dropToken(t string) {
	c.tok.mu.Lock()
	defer c.tok.mu.Unlock()
	if c.tok.token == t {
		c.tok.token = ""
	}
}

// tokenAnswer is the token endpoint's answer. The authentication
// document's examples wrap it in "data"; the platform's token endpoint
// answers it unwrapped at the top level. Both are accepted: the top level
// wins when it holds a token.
type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Expires     int64  `json:"expires"`
	Identifier  string `json:"identifier"`
}

// fetchToken asks POST /oauth/access_token for a client-credentials token.
func (c *Client) fetchToken(ctx context.Context) (string, time.Duration, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.clientID}, "client_secret": {c.clientSecret}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/oauth/access_token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, &TokenError{Err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		return "", 0, &TokenError{Err: err}
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return "", 0, &TokenError{StatusCode: resp.StatusCode, Err: err}
	}
	if resp.StatusCode != http.StatusOK {
		ae := &APIError{StatusCode: resp.StatusCode, Method: http.MethodPost, Path: "/oauth/access_token", Errors: parseErrors(body)}
		return "", 0, &TokenError{StatusCode: resp.StatusCode, Err: ae}
	}
	var env struct {
		tokenAnswer
		Data *tokenAnswer `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return "", 0, &TokenError{StatusCode: resp.StatusCode, Err: fmt.Errorf("unreadable token answer: %w", err)}
	}
	ans := env.tokenAnswer
	if ans.AccessToken == "" && env.Data != nil {
		ans = *env.Data
	}
	if ans.AccessToken == "" {
		return "", 0, &TokenError{StatusCode: resp.StatusCode, Err: errors.New("the answer holds no access_token")}
	}
	ttl := time.Duration(ans.ExpiresIn) * time.Second
	if ans.ExpiresIn <= 0 && ans.Expires > 0 {
		ttl = time.Unix(ans.Expires, 0).Sub(c.now())
	}
	if ttl <= 0 {
		return "", 0, &TokenError{StatusCode: resp.StatusCode, Err: errors.New("the token answer gives no lifetime (expires_in)")}
	}
	return ans.AccessToken, ttl, nil
}
