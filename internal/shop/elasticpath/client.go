package elasticpath

import (
	"bytes"
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
	userAgent = "ordercare-elasticpath/1"
	// maxBody bounds what is read of one answer.
	maxBody = 4 << 20
	// DefaultTimeout bounds one call, retries and token fetch included.
	DefaultTimeout = 10 * time.Second
	// DefaultMaxAttempts is how often a read is tried.
	DefaultMaxAttempts = 3
)

// Config configures a Client.
type Config struct {
	// BaseURL is the API host, such as https://euwest.api.elasticpath.com.
	BaseURL string
	// ClientID and ClientSecret are the store's client-credentials key
	// (Seller Admin, the only role that may update orders).
	ClientID, ClientSecret string
	// Timeout bounds one call, retries included; 0 = DefaultTimeout.
	Timeout time.Duration
	// MaxAttempts bounds the tries of a read; 0 = DefaultMaxAttempts.
	MaxAttempts int
	// BaseDelay is the first pause between tries; 0 = 100 ms.
	BaseDelay time.Duration
	// HTTPClient sends the requests; nil = a client with sane transport
	// timeouts.
	HTTPClient *http.Client
	// Logger receives retries (never tokens, secrets or customer data).
	Logger *slog.Logger
	// Now is the clock of token expiry; nil = time.Now.
	Now func() time.Time
}

// Client calls the orders API. Safe for concurrent use.
type Client struct {
	base                   string
	clientID, clientSecret string
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
		return nil, fmt.Errorf("elasticpath: base URL %q is not an http(s) URL", cfg.BaseURL)
	}
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, errors.New("elasticpath: a client id and a client secret are required")
	}
	c := &Client{base: u.String(), clientID: cfg.ClientID, clientSecret: cfg.ClientSecret,
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
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// GetOrder reads GET /v2/orders/{id}.
func (c *Client) GetOrder(ctx context.Context, id string) (*Order, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	var out struct {
		Data *Order `json:"data"`
	}
	p := "/v2/orders/" + url.PathEscape(id)
	if err := c.call(ctx, http.MethodGet, p, nil, &out); err != nil {
		return nil, err
	}
	if err := checkOrder(out.Data); err != nil {
		return nil, &DecodeError{Method: http.MethodGet, Path: p, Err: err}
	}
	return out.Data, nil
}

// GetItems reads GET /v2/orders/{id}/items.
func (c *Client) GetItems(ctx context.Context, id string) ([]Item, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	var out struct {
		Data []Item `json:"data"`
	}
	if err := c.call(ctx, http.MethodGet, "/v2/orders/"+url.PathEscape(id)+"/items", nil, &out); err != nil {
		return nil, err
	}
	return out.Data, nil
}

// FindByNumber finds orders by order number with
// GET /v2/orders?filter=eq(order_number,…). Order numbers need not be
// unique, so every match is returned (newest first as the platform lists
// them).
func (c *Client) FindByNumber(ctx context.Context, number string) ([]Order, error) {
	if number == "" || strings.ContainsAny(number, "(),\"") {
		// The filter language has no quoting: these characters would
		// change the filter rather than be searched for.
		return nil, fmt.Errorf("elasticpath: order number %q cannot be searched (empty, or holds ( ) , or \")", number)
	}
	var out struct {
		Data []Order `json:"data"`
	}
	q := url.Values{"filter": {"eq(order_number," + number + ")"}}
	if err := c.call(ctx, http.MethodGet, "/v2/orders?"+q.Encode(), nil, &out); err != nil {
		return nil, err
	}
	for i := range out.Data {
		if err := checkOrder(&out.Data[i]); err != nil {
			return nil, &DecodeError{Method: http.MethodGet, Path: "/v2/orders", Err: err}
		}
	}
	return out.Data, nil
}

// UpdateOrder sends PUT /v2/orders/{id} and returns the order as the
// platform answers it. Errors: *ValidationError (nothing sent), *APIError
// (refused, nothing applied), *OutcomeUnknownError (may be applied: read
// the order), *TokenError.
func (c *Client) UpdateOrder(ctx context.Context, id string, u Update) (*Order, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	if err := u.validate(); err != nil {
		return nil, err
	}
	body, err := u.JSON()
	if err != nil {
		return nil, err
	}
	var out struct {
		Data *Order `json:"data"`
	}
	p := "/v2/orders/" + url.PathEscape(id)
	if err := c.call(ctx, http.MethodPut, p, body, &out); err != nil {
		return nil, err
	}
	if err := checkOrder(out.Data); err != nil {
		return nil, &OutcomeUnknownError{Err: &DecodeError{Method: http.MethodPut, Path: p, Err: err}}
	}
	return out.Data, nil
}

// ValidationError: the request was refused before sending.
type ValidationError struct{ Field, Message string }

func (e *ValidationError) Error() string {
	return "elasticpath: invalid " + e.Field + ": " + e.Message
}

func checkID(id string) error {
	if id == "" || len(id) > 64 || strings.ContainsAny(id, "/?#% ") {
		return &ValidationError{Field: "order id", Message: "must be the platform's order id"}
	}
	return nil
}

func (u Update) validate() error {
	switch u.kind {
	case updateCancel, updateFulfil:
		return nil
	case updateAddress:
		if n := len([]rune(u.ExternalRef)); n > MaxExternalRef {
			return &ValidationError{Field: "external_ref", Message: fmt.Sprintf("is %d characters; the platform takes at most %d", n, MaxExternalRef)}
		}
		return nil
	}
	return &ValidationError{Field: "update", Message: "build it with UpdateReferences, UpdateAddress, Cancel or Fulfil"}
}

// checkOrder refuses an answer that lacks what the panel relies on;
// unknown fields are ignored by the decoder.
func checkOrder(o *Order) error {
	switch {
	case o == nil:
		return errors.New("no data")
	case o.ID == "":
		return errors.New("the order has no id")
	case o.Status == "":
		return errors.New("the order has no status")
	}
	return nil
}

// call sends one request with its retries, token and decoding.
func (c *Client) call(ctx context.Context, method, p string, body []byte, out any) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	refreshed := false
	var last error
	for attempt := 1; ; attempt++ {
		tok, err := c.token(ctx)
		if err != nil {
			return err
		}
		status, respBody, written, err := c.send(ctx, method, p, body, tok)
		retry := false
		switch {
		case err != nil:
			last = fmt.Errorf("elasticpath: %s %s: %w", method, pathOnly(p), withoutURL(err))
			// A read is always safe to repeat; an update only when the
			// request never left (a refused connection).
			retry = method == http.MethodGet || !written
			if method != http.MethodGet && written {
				return &OutcomeUnknownError{Err: last}
			}
		case status == http.StatusUnauthorized && !refreshed:
			// The token died early (revoked, or the platform's clock is
			// ahead): nothing was applied; fetch a new one, once.
			c.tok.Drop(tok)
			refreshed = true
			attempt--
			continue
		case status >= 200 && status < 300:
			if err := json.Unmarshal(respBody, out); err != nil {
				de := &DecodeError{Method: method, Path: pathOnly(p), Err: err}
				if method != http.MethodGet {
					return &OutcomeUnknownError{Err: de}
				}
				return de
			}
			return nil
		default:
			last = &APIError{StatusCode: status, Method: method, Path: pathOnly(p), Errors: parseErrors(respBody)}
			switch {
			case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
				retry = true // not processed
			case status >= 500:
				if method != http.MethodGet {
					return &OutcomeUnknownError{Err: last}
				}
				retry = true
			default:
				return last
			}
		}
		if !retry || attempt >= c.attempts || ctx.Err() != nil {
			if method != http.MethodGet && status >= 500 {
				return &OutcomeUnknownError{Err: last}
			}
			return last
		}
		delay := c.baseDelay << (attempt - 1)
		c.log.LogAttrs(ctx, slog.LevelWarn, "elasticpath: retrying", slog.String("method", method),
			slog.String("path", pathOnly(p)), slog.Int("attempt", attempt), slog.String("error", last.Error()))
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w; stopped retrying: %w", last, ctx.Err())
		case <-t.C:
		}
	}
}

// send makes one try. written reports whether the request may have
// reached the platform (false only when the connection was never made).
func (c *Client) send(ctx context.Context, method, p string, body []byte, tok string) (int, []byte, bool, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+p, rd)
	if err != nil {
		return 0, nil, false, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var op *net.OpError
		dialFailed := errors.As(err, &op) && op.Op == "dial"
		return 0, nil, !dialFailed, err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, nil, true, err
	}
	return resp.StatusCode, b, true, nil
}

// withoutURL drops the request's URL from a transport error: it holds
// the query (an order number searched for), and the method and path are
// named already.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// pathOnly drops the query (an order number searched for) from logs and
// errors.
func pathOnly(p string) string {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		return p[:i]
	}
	return p
}
