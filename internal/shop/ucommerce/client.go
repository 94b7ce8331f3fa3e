package ucommerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"ordercare/internal/shop/tokencache"
)

const (
	userAgent = "ordercare-ucommerce/1"
	maxBody   = 4 << 20
	// DefaultTimeout bounds one call, retries and token refresh included.
	DefaultTimeout = 10 * time.Second
	// DefaultMaxAttempts is how often a read is tried.
	DefaultMaxAttempts = 3
)

// Config configures a Client.
type Config struct {
	// BaseURL is the store's API host (the platform's <base_url>).
	BaseURL string
	// ClientID and ClientSecret are copied from the platform's back office.
	ClientID, ClientSecret string
	// Store keeps the rotating refresh token (required).
	Store TokenStore
	// Timeout bounds one call, retries included; 0 = DefaultTimeout.
	Timeout time.Duration
	// MaxAttempts bounds the tries of a read; 0 = DefaultMaxAttempts.
	MaxAttempts int
	// BaseDelay is the first pause between tries; 0 = 100 ms.
	BaseDelay time.Duration
	// HTTPClient sends the requests; nil = one with transport timeouts.
	HTTPClient *http.Client
	// Logger receives retries (never tokens, secrets or customer data).
	Logger *slog.Logger
	// Now is the clock of token expiry; nil = time.Now.
	Now func() time.Time
}

// Client reads orders. Safe for concurrent use.
type Client struct {
	base                   string
	clientID, clientSecret string
	store                  TokenStore
	timeout                time.Duration
	attempts               int
	baseDelay              time.Duration
	http                   *http.Client
	log                    *slog.Logger
	now                    func() time.Time
	tok                    tokencache.Cache
}

// New checks the configuration and returns a client. It sends nothing.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("ucommerce: base URL %q is not an http(s) URL", cfg.BaseURL)
	}
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, errors.New("ucommerce: a client id and a client secret are required")
	}
	if cfg.Store == nil {
		return nil, errors.New("ucommerce: a token store is required")
	}
	c := &Client{base: u.String(), clientID: cfg.ClientID, clientSecret: cfg.ClientSecret, store: cfg.Store,
		timeout: cfg.Timeout, attempts: cfg.MaxAttempts, baseDelay: cfg.BaseDelay,
		http: cfg.HTTPClient, log: cfg.Logger, now: cfg.Now}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.attempts <= 0 {
		c.attempts = DefaultMaxAttempts
	}
	if c.baseDelay <= 0 {
		c.baseDelay = 100 * time.Millisecond
	}
	if c.http == nil {
		c.http = &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			TLSHandshakeTimeout:   5 * time.Second,
			ResponseHeaderTimeout: 30 * time.Second,
			MaxIdleConnsPerHost:   8,
			IdleConnTimeout:       90 * time.Second,
		}}
	}
	// The token endpoint answers the connect flow's redirect itself; the
	// client must never follow a redirect with the bearer token.
	hc := *c.http
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.http = &hc
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// GetOrder reads GET /api/v1/orders/{orderId}.
func (c *Client) GetOrder(ctx context.Context, id string) (*Order, error) {
	if err := checkID("order id", id); err != nil {
		return nil, err
	}
	return c.getOrder(ctx, "/api/v1/orders/"+url.PathEscape(id))
}

// GetOrderByPayment reads GET /api/v1/payments/{paymentGuid}/order.
func (c *Client) GetOrderByPayment(ctx context.Context, paymentGUID string) (*Order, error) {
	if err := checkID("payment guid", paymentGUID); err != nil {
		return nil, err
	}
	return c.getOrder(ctx, "/api/v1/payments/"+url.PathEscape(paymentGUID)+"/order")
}

func (c *Client) getOrder(ctx context.Context, p string) (*Order, error) {
	var o Order
	if err := c.get(ctx, p, &o); err != nil {
		return nil, err
	}
	if err := checkOrder(&o); err != nil {
		return nil, &DecodeError{Method: http.MethodGet, Path: p, Err: err}
	}
	return &o, nil
}

func checkID(field, id string) error {
	if id == "" || len(id) > 64 || strings.ContainsAny(id, "/?#% ") {
		return &ValidationError{Field: field, Message: "must be the platform's id"}
	}
	return nil
}

// get sends one read with its retries and token. Reads are always safe to
// repeat: a lost connection, 502, 503 and 504 are tried again (the
// documentation calls 504 retryable and 500 not).
func (c *Client) get(ctx context.Context, p string, out any) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	renewed := false
	var last error
	for attempt := 1; ; attempt++ {
		tok, err := c.token(ctx)
		if err != nil {
			return err
		}
		status, body, err := c.send(ctx, p, tok)
		switch {
		case err != nil:
			last = fmt.Errorf("ucommerce: GET %s: %w", p, err)
		case status == http.StatusUnauthorized && !renewed:
			// The access token died early: refresh once.
			c.tok.Drop(tok)
			renewed = true
			attempt--
			continue
		case status >= 200 && status < 300:
			if err := json.Unmarshal(body, out); err != nil {
				return &DecodeError{Method: http.MethodGet, Path: p, Err: err}
			}
			return nil
		default:
			last = &APIError{StatusCode: status, Method: http.MethodGet, Path: p, Errors: parseErrors(body)}
			if status != http.StatusBadGateway && status != http.StatusServiceUnavailable && status != http.StatusGatewayTimeout {
				return last
			}
		}
		if attempt >= c.attempts || ctx.Err() != nil {
			return last
		}
		c.log.LogAttrs(ctx, slog.LevelWarn, "ucommerce: retrying", slog.String("path", p),
			slog.Int("attempt", attempt), slog.String("error", last.Error()))
		t := time.NewTimer(c.baseDelay << (attempt - 1))
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w; stopped retrying: %w", last, ctx.Err())
		case <-t.C:
		}
	}
}

func (c *Client) send(ctx context.Context, p, tok string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+p, nil)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, b, nil
}
