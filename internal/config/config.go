// Package config holds the one Config of the back office, parsed once from
// flags and the environment (flags win) and validated before anything starts.
// It is passed down explicitly; nothing reads it from a global.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// Defaults.
const (
	DefaultAddr      = "127.0.0.1:8080"
	DefaultDB        = "./data/admin.db"
	DefaultOMTimeout = 10 * time.Second
	// DefaultImportRate (provider reads per second) is far under the
	// providers' published limits.
	DefaultImportRate = 20.0
	// DefaultRefreshRate is one background re-read every two seconds.
	DefaultRefreshRate = 0.5
	// MinSecretLen is the least length of the hook token and the outbound
	// secret: shorter ones are guessable.
	MinSecretLen = 16
	// MinPasswordLen matches the staff's least password length: a demo password shorter
	// than this would be refused when the demo accounts are created.
	MinPasswordLen = 8
)

// Config is every setting of the back office.
type Config struct {
	// Addr is the host:port the web server listens on.
	Addr string
	// DBPath is admin.db; audit.db and sandbox.db live in the same folder.
	DBPath string
	// OMURL is the provider's API root URL or a preset name; empty means the
	// built-in sandbox.
	OMURL string
	// OMProvider is the API dialect when OMURL is a URL, and the provider
	// the built-in sandbox imitates: kustom (default) or klarna. A preset
	// name brings its own provider. The app reads it as the client's
	// provider and refuses any other.
	OMProvider string
	// OMUser and OMPassword are the provider's Basic credentials.
	OMUser, OMPassword string
	// DemoPassword is the demo accounts' password in sandbox mode; empty
	// means a random one printed at start-up.
	DemoPassword string
	// SecureCookies marks cookies Secure (and names the session cookie
	// __Host-session) and turns on HSTS: set it whenever served over HTTPS.
	SecureCookies bool
	// TrustedProxy, when valid, is the only range whose X-Forwarded-For is
	// believed for the client address; otherwise the connection's address is used.
	TrustedProxy netip.Prefix
	// OMTimeout bounds one provider call, read or change, retries included.
	OMTimeout time.Duration

	// AuditSigningKey signs the audit log's checkpoints (a note signing
	// key, "PRIVATE+KEY+ordercare-audit+..."); empty: audit.key beside the
	// database, generated there in sandbox mode. With DatabaseURL it is
	// the fleet's one key, and the only source of it.
	AuditSigningKey string
	// AuditVerifierKey pins the key the audit checkpoints must be signed
	// with ("ordercare-audit+<hash>+<base64>", audit.pub's text): start-up
	// refuses another signing key, and `admin audit verify` checks with it
	// instead of trusting audit.pub, which sits in the folder it guards.
	AuditVerifierKey string
	// AuditWitnessURL is a checkpoint witness (`admin witness`, on another
	// machine): every checkpoint is handed to it, and start-up checks the
	// log against the newest checkpoint it co-signed.
	AuditWitnessURL string
	// HookToken is the bearer token of POST /hooks/orders; empty disables
	// the endpoint (404).
	HookToken string
	// ImportRate is how many provider reads per second `admin index
	// import` and the intake worker make at most.
	ImportRate float64
	// RefreshRate is how many indexed orders per second the background
	// refresh re-reads; 0 turns the refresh off.
	RefreshRate float64
	// OutboundURL and OutboundSecret, when both set, make every completed
	// order change a signed POST to the merchant's system.
	OutboundURL, OutboundSecret string

	// ApprovalThresholds (per currency, minor units; "*" for every other
	// currency, as in EUR:50000,*:20000): refunds that take an order's
	// refunds in the window above, and cancellations of orders above,
	// wait for a second person; with thresholds set, a currency without
	// one fails closed. Empty: no approvals. The app reads the list (it
	// knows the currencies) when it builds the approval policy.
	ApprovalThresholds string
	// DailyRefundLimits (per currency, minor units, in the same form):
	// what one member may refund on their own per UTC day; beyond it
	// refunds wait for approval.
	DailyRefundLimits string
	// ApprovalTTL is how long a request waits for a decision.
	ApprovalTTL time.Duration
	// ApprovalWindow is how far back the thresholds look at an order.
	ApprovalWindow time.Duration

	// Shop is the shop's own order system, the payment order's twin
	// (shop.go).
	Shop ShopConfig

	// MFA is who must have a second factor: off, optional, required or
	// required-for-money, which the app reads as the staff's policy (and
	// refuses any other); the environment's default is
	// required-for-money, a Config built in code without it has second
	// factors off.
	MFA string
	// PublicURL is the address staff type into the browser
	// (https://backoffice.example.com): passkeys are bound to its host
	// and only work on its origin. Empty: http://localhost with the port
	// the server listens on.
	PublicURL string
	// Metrics is /metrics' token and the instance name (metrics.go).
	Metrics MetricsConfig
	// OIDC is single sign-on with an OpenID Connect provider (oidc.go).
	OIDC OIDCConfig
	// Bulk is how bulk jobs run and their caps (bulk.go).
	Bulk BulkConfig
	// DatabaseURL, when set, is the PostgreSQL database that several
	// instances share instead of the SQLite files (database.go).
	DatabaseURL string
	// StaffKey, when set (ORDERCARE_STAFF_KEY, hex), seals the staff's
	// second-factor secrets instead of staff.key beside admin.db.
	StaffKey string
}

// Defaults of the four-eyes settings: how long a request waits for a
// decision, and how far back the thresholds look at an order. The app
// builds the approval policy from the settings (a test there keeps these
// equal to the approvals package's own defaults).
const (
	DefaultApprovalTTL    = 72 * time.Hour
	DefaultApprovalWindow = 24 * time.Hour
)

// DefaultMFA is ORDERCARE_MFA's default: the staff's default policy (a
// test in the app keeps the two equal).
const DefaultMFA = "required-for-money"

// StaffKeyPath is staff.key beside admin.db: the key that seals the staff's
// second-factor secrets in admin.db (created when missing, mode 0600).
func (c Config) StaffKeyPath() string { return filepath.Join(filepath.Dir(c.DBPath), "staff.key") }

// Outbound reports whether outbound events are configured.
func (c Config) Outbound() bool { return c.OutboundURL != "" && c.OutboundSecret != "" }

// Sandbox reports whether the built-in sandbox is the provider.
func (c Config) Sandbox() bool { return c.OMURL == "" }

// AuditDBPath is audit.db beside admin.db.
func (c Config) AuditDBPath() string { return filepath.Join(filepath.Dir(c.DBPath), "audit.db") }

// SandboxDBPath is sandbox.db beside admin.db.
func (c Config) SandboxDBPath() string { return filepath.Join(filepath.Dir(c.DBPath), "sandbox.db") }

// setVerifierKey accepts a note verifier key (what audit.pub holds).
func setVerifierKey(c *Config, v string) error {
	v = strings.TrimSpace(v)
	if v != "" {
		if _, err := note.NewVerifier(v); err != nil {
			return fmt.Errorf("ORDERCARE_AUDIT_VERIFIER_KEY: not a verifier key (the text of audit.pub): %w", err)
		}
	}
	c.AuditVerifierKey = v
	return nil
}

// setWitnessURL accepts an http(s) URL.
func setWitnessURL(c *Config, v string) error {
	v = strings.TrimSpace(v)
	if v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("ORDERCARE_AUDIT_WITNESS_URL: %q is not an http(s) URL", v)
		}
	}
	c.AuditWitnessURL = v
	return nil
}

// option is one setting: its flag, its environment variable and its help.
type option struct {
	flag, env, def, help string
	set                  func(c *Config, v string) error
}

var options = []option{
	{"addr", "ORDERCARE_ADDR", DefaultAddr, "address to listen on (host:port)", func(c *Config, v string) error { c.Addr = v; return nil }},
	{"db", "ORDERCARE_DB", DefaultDB, "admin database file; audit.db and sandbox.db are kept in the same folder", func(c *Config, v string) error { c.DBPath = v; return nil }},
	{"om-url", "ORDERCARE_OM_URL", "", "provider API URL or preset (" + presetNames() + "); empty runs the built-in sandbox", func(c *Config, v string) error { c.OMURL = strings.TrimSpace(v); return nil }},
	{"om-provider", "ORDERCARE_OM_PROVIDER", "kustom", "kustom or klarna: the API of an ORDERCARE_OM_URL that is a URL, and what the built-in sandbox imitates", setProvider},
	{"om-user", "ORDERCARE_OM_USER", "", "provider API username", func(c *Config, v string) error { c.OMUser = v; return nil }},
	{"om-password", "ORDERCARE_OM_PASSWORD", "", "provider API password (prefer the environment variable)", func(c *Config, v string) error { c.OMPassword = v; return nil }},
	{"demo-password", "ORDERCARE_DEMO_PASSWORD", "", "password of the demo accounts in sandbox mode; random when empty", func(c *Config, v string) error { c.DemoPassword = v; return nil }},
	{"secure-cookies", "ORDERCARE_SECURE_COOKIES", "false", "mark cookies Secure and send HSTS (true when served over HTTPS)", setSecure},
	{"trusted-proxy", "ORDERCARE_TRUSTED_PROXY", "", "CIDR of a reverse proxy whose X-Forwarded-For is trusted", setProxy},
	{"om-timeout", "ORDERCARE_OM_TIMEOUT", DefaultOMTimeout.String(), "how long the back office waits for the provider, for reads and changes alike (retries included)", setTimeout},
	{"audit-signing-key", "ORDERCARE_AUDIT_SIGNING_KEY", "", "key that signs the audit checkpoints (prefer the environment variable); empty: audit.key beside the database, created in sandbox mode, or by 'admin audit keygen'; with ORDERCARE_DATABASE_URL the fleet's one key, the same on every instance (never read from audit.key nor made)", func(c *Config, v string) error { c.AuditSigningKey = strings.TrimSpace(v); return nil }},
	{"audit-verifier-key", "ORDERCARE_AUDIT_VERIFIER_KEY", "", "the verifier key the audit checkpoints must be signed with (audit.pub's text); start-up refuses another signing key and 'admin audit verify' checks with it; empty: audit.pub beside the database", setVerifierKey},
	{"audit-witness-url", "ORDERCARE_AUDIT_WITNESS_URL", "", "URL of a checkpoint witness ('admin witness' on another machine): each audit checkpoint is handed to it, and start-up checks the log against what it co-signed; empty: none", setWitnessURL},
	{"hook-token", "ORDERCARE_HOOK_TOKEN", "", "bearer token of POST /hooks/orders (the shop's order intake); empty disables it", func(c *Config, v string) error { c.HookToken = strings.TrimSpace(v); return nil }},
	{"import-rate", "ORDERCARE_IMPORT_RATE", strconv.FormatFloat(DefaultImportRate, 'f', -1, 64), "provider reads per second of 'admin index import' and the order intake", rateSetter("ORDERCARE_IMPORT_RATE", false, func(c *Config, r float64) { c.ImportRate = r })},
	{"refresh-rate", "ORDERCARE_REFRESH_RATE", strconv.FormatFloat(DefaultRefreshRate, 'f', -1, 64), "indexed orders per second re-read in the background (0 = off)", rateSetter("ORDERCARE_REFRESH_RATE", true, func(c *Config, r float64) { c.RefreshRate = r })},
	{"outbound-url", "ORDERCARE_OUTBOUND_URL", "", "URL that receives a signed POST for every completed order change", func(c *Config, v string) error { c.OutboundURL = strings.TrimSpace(v); return nil }},
	{"approval-thresholds", "ORDERCARE_APPROVAL_THRESHOLDS", "", "per-currency amounts in minor units, such as EUR:50000,SEK:500000,*:50000 (* is every other currency): refunds taking an order's refunds in the window above, and cancellations of orders above, need a second person's approval; a currency without one needs it for every refund and cancellation; empty: none", func(c *Config, v string) error { c.ApprovalThresholds = strings.TrimSpace(v); return nil }},
	{"daily-refund-limits", "ORDERCARE_DAILY_REFUND_LIMITS", "", "per-currency amounts in minor units that one member may refund on their own per UTC day; beyond it refunds need approval; empty: no limit", func(c *Config, v string) error { c.DailyRefundLimits = strings.TrimSpace(v); return nil }},
	{"approval-ttl", "ORDERCARE_APPROVAL_TTL", DefaultApprovalTTL.String(), "how long an approval request waits for a decision before it expires",
		durationSetter("ORDERCARE_APPROVAL_TTL", time.Minute, 90*24*time.Hour, "72h", func(c *Config, d time.Duration) { c.ApprovalTTL = d })},
	{"approval-window", "ORDERCARE_APPROVAL_WINDOW", DefaultApprovalWindow.String(), "how far back the approval thresholds look at an order (its refunds, its highest amount)",
		durationSetter("ORDERCARE_APPROVAL_WINDOW", time.Hour, 90*24*time.Hour, "24h", func(c *Config, d time.Duration) { c.ApprovalWindow = d })},
	{"mfa", "ORDERCARE_MFA", DefaultMFA, "who needs a second factor: off, optional, required, or required-for-money (supervisors, admins and everyone who may refund or approve)", setMFA},
	{"public-url", "ORDERCARE_PUBLIC_URL", "", "the URL staff open the back office at, such as https://backoffice.example.com; passkeys are bound to its host name; empty: http://localhost and the port it listens on", setPublicURL},
	{"outbound-secret", "ORDERCARE_OUTBOUND_SECRET", "", "HMAC-SHA256 key of the outbound events' signature (prefer the environment variable)", func(c *Config, v string) error { c.OutboundSecret = v; return nil }},
}

func setMFA(c *Config, v string) error {
	c.MFA = strings.TrimSpace(v)
	return nil
}

// setPublicURL takes an http(s) origin: scheme, host and port only, as a
// browser names the page's origin (https://html.spec.whatwg.org/#origin).
func setPublicURL(c *Config, v string) error {
	v = strings.TrimSpace(v)
	if v == "" {
		c.PublicURL = ""
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("ORDERCARE_PUBLIC_URL: %q is not an http(s) URL with a host and no path, such as https://backoffice.example.com", v)
	}
	c.PublicURL = u.Scheme + "://" + u.Host
	return nil
}

// rateSetter parses a rate in events per second; zero is allowed only
// where it means "off".
func rateSetter(env string, zeroOK bool, set func(*Config, float64)) func(*Config, string) error {
	return func(c *Config, v string) error {
		r, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || r < 0 || r > 1000 || (r == 0 && !zeroOK) || math.IsNaN(r) {
			return fmt.Errorf("%s: %q is not a rate per second between 0 and 1000 such as 20 or 0.5", env, v)
		}
		set(c, r)
		return nil
	}
}

// durationSetter parses a duration between lo and hi (messages name
// example as a good value).
func durationSetter(env string, lo, hi time.Duration, example string, set func(*Config, time.Duration)) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil || d < lo || d > hi {
			return fmt.Errorf("%s: %q is not a duration between %s and %s such as %s", env, v, shortDuration(lo), shortDuration(hi), example)
		}
		set(c, d)
		return nil
	}
}

// shortDuration writes 1m, 1h or 2160h rather than 1m0s, 1h0m0s.
func shortDuration(d time.Duration) string {
	if d%time.Hour == 0 {
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	}
	return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
}

func setSecure(c *Config, v string) error {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return fmt.Errorf("ORDERCARE_SECURE_COOKIES: %q is not true or false", v)
	}
	c.SecureCookies = b
	return nil
}

func setProvider(c *Config, v string) error {
	c.OMProvider = strings.ToLower(strings.TrimSpace(v))
	return nil
}

func setProxy(c *Config, v string) error {
	if v == "" {
		c.TrustedProxy = netip.Prefix{}
		return nil
	}
	p, err := netip.ParsePrefix(v)
	if err != nil {
		return fmt.Errorf("ORDERCARE_TRUSTED_PROXY: %q is not a CIDR such as 10.0.0.0/8", v)
	}
	c.TrustedProxy = p.Masked()
	return nil
}

func setTimeout(c *Config, v string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return fmt.Errorf("ORDERCARE_OM_TIMEOUT: %q is not a positive duration such as 10s", v)
	}
	c.OMTimeout = d
	return nil
}

// PresetNames are the provider's documented hosts by name, which
// ORDERCARE_OM_URL may name instead of a URL (the help lists them); the
// client's presets are the same list, as a test in the app keeps them.
var PresetNames = []string{"kustom", "kustom-playground", "klarna-eu", "klarna-na", "klarna-oc",
	"klarna-eu-playground", "klarna-na-playground", "klarna-oc-playground"}

func presetNames() string { return strings.Join(PresetNames, ", ") }

// Flags registers every setting on fs. The returned function, called after
// fs.Parse, builds the Config: defaults, then the environment, then the flags
// that were given on the command line.
func Flags(fs *flag.FlagSet, getenv func(string) string) func() (Config, error) {
	vals := make(map[string]*string, len(options))
	for _, o := range options {
		help := o.help + " [" + o.env + "]"
		vals[o.flag] = fs.String(o.flag, o.def, help)
	}
	return func() (Config, error) {
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		var c Config
		for _, o := range options {
			v := o.def
			if e, ok := lookup(getenv, o.env); ok {
				v = e
			}
			if given[o.flag] {
				v = *vals[o.flag]
			}
			if err := o.set(&c, v); err != nil {
				return Config{}, err
			}
		}
		return c, c.Validate()
	}
}

func lookup(getenv func(string) string, key string) (string, bool) {
	if getenv == nil {
		return "", false
	}
	v := getenv(key)
	return v, v != ""
}

// Parse parses args (without the program name) and the environment into a
// validated Config. -h prints the settings to out and returns flag.ErrHelp.
func Parse(name string, args []string, getenv func(string) string, out io.Writer) (Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	build := Flags(fs, getenv)
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: %s [flags]\n\nEvery flag can also be set by the environment variable in brackets; flags win.\n\n", name)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return build()
}

// Validate checks every setting and returns the first problem as one line.
func (c Config) Validate() error {
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return fmt.Errorf("ORDERCARE_ADDR: %q is not host:port", c.Addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("ORDERCARE_ADDR: %q has no valid port", c.Addr)
	}
	if host != "" && net.ParseIP(host) == nil && !validHostname(host) {
		return fmt.Errorf("ORDERCARE_ADDR: %q has no valid host", c.Addr)
	}
	if err := c.validateOM(); err != nil {
		return err
	}
	if c.DemoPassword != "" && len(c.DemoPassword) < MinPasswordLen {
		return fmt.Errorf("ORDERCARE_DEMO_PASSWORD: must be at least %d characters", MinPasswordLen)
	}
	if c.OMTimeout <= 0 {
		return errors.New("ORDERCARE_OM_TIMEOUT: must be positive")
	}
	if err := c.validateSync(); err != nil {
		return err
	}
	if err := c.validateShop(); err != nil {
		return err
	}
	if err := c.validateMetrics(); err != nil {
		return err
	}
	if err := c.validateOIDC(); err != nil {
		return err
	}
	if err := c.validateDatabase(); err != nil {
		return err
	}
	return c.checkWritable()
}

func (c Config) validateOM() error {
	if c.OMURL == "" {
		return nil
	}
	if strings.Contains(c.OMURL, "://") {
		u, err := url.Parse(c.OMURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("ORDERCARE_OM_URL: %q is not an http(s) URL", c.OMURL)
		}
		if u.User != nil {
			return errors.New("ORDERCARE_OM_URL: put credentials in ORDERCARE_OM_USER and ORDERCARE_OM_PASSWORD, not in the URL")
		}
	} else if !slices.ContainsFunc(PresetNames, func(p string) bool { return strings.EqualFold(p, strings.TrimSpace(c.OMURL)) }) {
		return fmt.Errorf("ORDERCARE_OM_URL: unknown preset %q (known: %s)", c.OMURL, presetNames())
	}
	if c.OMUser == "" || c.OMPassword == "" {
		return errors.New("ORDERCARE_OM_USER and ORDERCARE_OM_PASSWORD are required with ORDERCARE_OM_URL")
	}
	return nil
}

// validateSync checks the intake and outbound settings. The rates are
// checked when parsed; a Config built by hand may leave them zero, which
// the workers read as their defaults.
func (c Config) validateSync() error {
	if c.HookToken != "" && len(c.HookToken) < MinSecretLen {
		return fmt.Errorf("ORDERCARE_HOOK_TOKEN: must be at least %d characters", MinSecretLen)
	}
	if (c.OutboundURL == "") != (c.OutboundSecret == "") {
		return errors.New("ORDERCARE_OUTBOUND_URL and ORDERCARE_OUTBOUND_SECRET go together: set both or neither")
	}
	if c.OutboundURL == "" {
		return nil
	}
	u, err := url.Parse(c.OutboundURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("ORDERCARE_OUTBOUND_URL: %q is not an http(s) URL", c.OutboundURL)
	}
	if u.User != nil {
		return errors.New("ORDERCARE_OUTBOUND_URL: must not hold credentials; the signature authenticates the events")
	}
	if len(c.OutboundSecret) < MinSecretLen {
		return fmt.Errorf("ORDERCARE_OUTBOUND_SECRET: must be at least %d characters", MinSecretLen)
	}
	return nil
}

// StoragePath resolves the admin database path for the commands that need
// only storage (user, audit): the flag value when given, else ORDERCARE_DB,
// else the default; and checks it can be written. With
// ORDERCARE_DATABASE_URL set it refuses, so no command works on SQLite
// files that the configured instances do not use.
func StoragePath(flagValue string, getenv func(string) string) (string, error) {
	if v, ok := lookup(getenv, EnvDatabaseURL); ok && strings.TrimSpace(v) != "" {
		if err := checkDatabaseURL(strings.TrimSpace(v)); err != nil {
			return "", err
		}
		return "", errStorageOnPostgres
	}
	c := Config{DBPath: flagValue}
	if c.DBPath == "" {
		c.DBPath = DefaultDB
		if v, ok := lookup(getenv, "ORDERCARE_DB"); ok {
			c.DBPath = v
		}
	}
	return c.DBPath, c.checkWritable()
}

// checkWritable proves the database folder can be created and written, so a
// bad path stops start-up with one line instead of a driver error later.
func (c Config) checkWritable() error {
	if c.DBPath == "" {
		return errors.New("ORDERCARE_DB: empty path")
	}
	if fi, err := os.Stat(c.DBPath); err == nil && fi.IsDir() {
		return fmt.Errorf("ORDERCARE_DB: %s is a folder, not a file", c.DBPath)
	}
	dir := filepath.Dir(c.DBPath)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("ORDERCARE_DB: cannot create folder %s", dir)
	}
	f, err := os.CreateTemp(dir, ".ordercare-write-check-*")
	if err != nil {
		return fmt.Errorf("ORDERCARE_DB: folder %s is not writable", dir)
	}
	name := f.Name()
	_ = f.Close()
	_ = os.Remove(name)
	if fi, err := os.Stat(c.DBPath); err == nil && !fi.IsDir() {
		f, err := os.OpenFile(c.DBPath, os.O_RDWR, 0) // #nosec G304 -- the operator's own configured path
		if err != nil {
			return fmt.Errorf("ORDERCARE_DB: %s is not writable", c.DBPath)
		}
		_ = f.Close()
	}
	return nil
}

func validHostname(h string) bool {
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, r := range label {
			if !(r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return false
			}
		}
	}
	return true
}
