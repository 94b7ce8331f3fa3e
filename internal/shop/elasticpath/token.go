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
	"time"

	"ordercare/internal/shop/tokencache"
)

// tokenMargin: a token is renewed this long before the platform says it
// expires, so a request never leaves with a token that dies on the way.
const tokenMargin = 60 * time.Second

// token returns a valid access token, fetching one when needed; callers
// that find it missing or stale wait for one fetch.
func (c *Client) token(ctx context.Context) (string, error) {
	return c.tok.Get(ctx, c.now, c.timeout, func(ctx context.Context) (string, time.Time, error) {
		tok, ttl, err := c.fetchToken(ctx)
		if err != nil {
			return "", time.Time{}, err
		}
		return tok, tokencache.UseUntil(c.now(), ttl, tokenMargin), nil
	})
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
