package omclient

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Version names this build in the User-Agent. It is a variable only so a
// release build can stamp it with
// -ldflags "-X ordercare/internal/omclient.Version=1.2.3".
var Version = "0.1.0"

// Provider decides the capabilities of the API behind a base URL.
type Provider string

// Providers.
const (
	ProviderKustom Provider = "kustom"
	ProviderKlarna Provider = "klarna"
)

// Environment says whether a base URL moves real money.
type Environment string

// Environments.
const (
	EnvLive       Environment = "live"
	EnvPlayground Environment = "playground"
	EnvSandbox    Environment = "sandbox"
)

// Preset is a named provider host (the API URLs of docs.klarna.com and docs.kustom.co).
type Preset struct {
	Name     string
	BaseURL  string
	Provider Provider
	Env      Environment
}

// Presets are the documented hosts. Kustom documents one host per
// environment; its regional hosts are unverified (the provider's documented base URLs) and left out.
var Presets = []Preset{
	{Name: "kustom", BaseURL: "https://api.kustom.co", Provider: ProviderKustom, Env: EnvLive},
	{Name: "kustom-playground", BaseURL: "https://api.playground.kustom.co", Provider: ProviderKustom, Env: EnvPlayground},
	{Name: "klarna-eu", BaseURL: "https://api.klarna.com", Provider: ProviderKlarna, Env: EnvLive},
	{Name: "klarna-na", BaseURL: "https://api-na.klarna.com", Provider: ProviderKlarna, Env: EnvLive},
	{Name: "klarna-oc", BaseURL: "https://api-oc.klarna.com", Provider: ProviderKlarna, Env: EnvLive},
	{Name: "klarna-eu-playground", BaseURL: "https://api.playground.klarna.com", Provider: ProviderKlarna, Env: EnvPlayground},
	{Name: "klarna-na-playground", BaseURL: "https://api-na.playground.klarna.com", Provider: ProviderKlarna, Env: EnvPlayground},
	{Name: "klarna-oc-playground", BaseURL: "https://api-oc.playground.klarna.com", Provider: ProviderKlarna, Env: EnvPlayground},
}

// LookupPreset finds a preset by name (case-insensitive).
func LookupPreset(name string) (Preset, bool) {
	for _, p := range Presets {
		if strings.EqualFold(p.Name, strings.TrimSpace(name)) {
			return p, true
		}
	}
	return Preset{}, false
}

// RetryPolicy bounds the retries of one call. Zero fields take the defaults.
type RetryPolicy struct {
	MaxAttempts int           // total tries including the first; default 4
	BaseDelay   time.Duration // first backoff; default 200 ms
	MaxDelay    time.Duration // cap of one backoff; default 5 s
}

// Defaults of Config.
const (
	DefaultTimeout     = 30 * time.Second
	DefaultMaxAttempts = 4
	DefaultBaseDelay   = 200 * time.Millisecond
	DefaultMaxDelay    = 5 * time.Second
	// MaxResponseBytes bounds any response body read. An order with 1000
	// lines and its captures stays far below it; a larger body is refused
	// rather than buffered.
	MaxResponseBytes = 8 << 20
	// maxErrorBodyBytes bounds the part of an error body kept for parsing.
	maxErrorBodyBytes = 64 << 10
)

// Config configures a Client.
type Config struct {
	// BaseURL is an http(s) URL (the API root; paths append
	// /ordermanagement/v1/...) or a preset name.
	BaseURL string
	// Provider decides capabilities when BaseURL is a URL (default kustom);
	// a preset sets it.
	Provider Provider
	// Env when BaseURL is a URL (default sandbox for a loopback host, else live).
	Env                Environment
	Username, Password string
	UserAgent          string        // default "ordercare/" + Version
	Timeout            time.Duration // per call including retries; default 30 s
	HTTPClient         *http.Client  // optional (e.g. a custom transport); redirects are never followed
	Retry              RetryPolicy
	// Logger receives one Warn record per retry and one Error record per
	// outcome-unknown call (operation, path, status, error code,
	// correlation id; never bodies or credentials). nil logs nothing.
	Logger *slog.Logger
}

// Client talks to one Order Management API host with one set of credentials.
// It is safe for concurrent use.
type Client struct {
	base      *url.URL
	baseStr   string
	provider  Provider
	env       Environment
	username  string
	password  string
	userAgent string
	timeout   time.Duration
	http      *http.Client
	retry     RetryPolicy
	log       *slog.Logger

	// Seams for tests in this package: how to wait between tries and the
	// current time (for Retry-After dates). Production uses the defaults.
	sleep func(ctx context.Context, d time.Duration) error
	now   func() time.Time
}

// New checks cfg and builds a Client.
func New(cfg Config) (*Client, error) {
	raw := strings.TrimSpace(cfg.BaseURL)
	if raw == "" {
		return nil, errors.New("omclient: config: base URL or preset name is required")
	}
	provider, env := cfg.Provider, cfg.Env
	if p, ok := LookupPreset(raw); ok {
		raw, provider, env = p.BaseURL, p.Provider, p.Env
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("omclient: config: base URL %q: %w", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("omclient: config: base URL %q is neither an http(s) URL nor a preset name", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("omclient: config: base URL %q must not carry credentials, a query or a fragment", u.Redacted())
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	switch provider {
	case "":
		provider = ProviderKustom
	case ProviderKustom, ProviderKlarna:
	default:
		return nil, fmt.Errorf("omclient: config: unknown provider %q (want kustom or klarna)", provider)
	}
	switch env {
	case "":
		env = EnvLive
		if isLoopback(u.Hostname()) {
			env = EnvSandbox
		}
	case EnvLive, EnvPlayground, EnvSandbox:
	default:
		return nil, fmt.Errorf("omclient: config: unknown environment %q", env)
	}
	if env != EnvSandbox && u.Scheme != "https" {
		// The provider is HTTPS only (the provider's documented base URLs); plain HTTP would send the
		// credentials in the clear.
		return nil, fmt.Errorf("omclient: config: %s base URL %q must use https", env, u.Redacted())
	}
	if cfg.Username == "" || cfg.Password == "" {
		return nil, errors.New("omclient: config: username and password are required")
	}
	if strings.ContainsAny(cfg.Username, ":\r\n") {
		return nil, errors.New("omclient: config: username must not contain ':' or line breaks")
	}
	if cfg.Timeout < 0 {
		return nil, errors.New("omclient: config: timeout must not be negative")
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	ua := cfg.UserAgent
	if ua == "" {
		ua = "ordercare/" + Version
	}
	rp := cfg.Retry
	if rp.MaxAttempts < 0 || rp.BaseDelay < 0 || rp.MaxDelay < 0 {
		return nil, errors.New("omclient: config: retry policy values must not be negative")
	}
	if rp.MaxAttempts == 0 {
		rp.MaxAttempts = DefaultMaxAttempts
	}
	if rp.BaseDelay == 0 {
		rp.BaseDelay = DefaultBaseDelay
	}
	if rp.MaxDelay == 0 {
		rp.MaxDelay = DefaultMaxDelay
	}
	if rp.MaxDelay < rp.BaseDelay {
		rp.MaxDelay = rp.BaseDelay
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// A caller's client is copied (transport, jar and timeout kept) so its
	// redirect policy can be replaced without touching the original.
	hc := &http.Client{}
	if cfg.HTTPClient != nil {
		cp := *cfg.HTTPClient
		hc = &cp
	}
	hc.CheckRedirect = noRedirects
	return &Client{
		base: u, baseStr: u.String(), provider: provider, env: env,
		username: cfg.Username, password: cfg.Password, userAgent: ua,
		timeout: timeout, http: hc, retry: rp, log: logger,
		sleep: sleepCtx, now: time.Now,
	}, nil
}

// noRedirects makes the client return a 3xx as it is: the API never
// redirects, and following one could replay a POST or leak credentials.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Provider is the provider whose capabilities the client assumes.
func (c *Client) Provider() Provider { return c.provider }

// Environment is live, playground or sandbox.
func (c *Client) Environment() Environment { return c.env }

// BaseURL is the API root, without a trailing slash.
func (c *Client) BaseURL() string { return c.baseStr }

// Timeout is the per-call budget including retries.
func (c *Client) Timeout() time.Duration { return c.timeout }
