// Package app wires the back office together from a Config: databases,
// the provider client (or the built-in sandbox on a loopback listener), the
// order index and service, staff, sessions and the web server. cmd/admin
// and end-to-end tests both start it through Build and Run.
package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"ordercare/internal/approvals"
	"ordercare/internal/audit"
	"ordercare/internal/bulk"
	"ordercare/internal/config"
	"ordercare/internal/datalock"
	"ordercare/internal/db"
	"ordercare/internal/handlers"
	"ordercare/internal/intake"
	"ordercare/internal/metrics"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/orders"
	"ordercare/internal/outbox"
	"ordercare/internal/session"
	"ordercare/internal/shop"
	"ordercare/internal/shop/elasticpath/epsim"
	"ordercare/internal/shop/pair"
	"ordercare/internal/shop/ucommerce/ucsim"
	"ordercare/internal/sso"
	"ordercare/internal/staff"
)

// App is a built back office, listening but not yet serving until Run.
type App struct {
	cfg config.Config
	// policy is the four-eyes policy the settings describe.
	policy approvals.Policy
	log    *slog.Logger
	out    io.Writer
	now    func() time.Time

	// dataLock is the data folder's lock, held shared while this back
	// office runs (datalock), so that a migration refuses a live install.
	dataLock *datalock.Lock
	adminDB  *db.DB
	auditLog *audit.Log
	staff    *staff.Store
	sessions *session.Store
	index    *orders.Index
	service  *orders.Service
	// approvals holds large refunds and cancellations for a second
	// person; always open, so pages about requests made under an
	// earlier policy keep working when the policy is switched off.
	approvals *approvals.Service
	// bulk runs the order list's bulk jobs (a worker, workers.go).
	bulk     *bulk.Service
	client   *omclient.Client
	handlers *handlers.Handlers
	server   *http.Server
	ln       net.Listener

	sandbox       *omsim.Sandbox
	sandboxServer *http.Server

	// The shop's order system (shop.go): nil when off.
	shop        shop.Source
	shopSandbox *epsim.Sandbox
	shopServer  *http.Server
	// Ucommerce (shop_ucommerce.go): its sandbox and the connect flow.
	ucSandbox   *ucsim.Sandbox
	shopConnect handlers.ShopConnector

	// Background workers (workers.go): the intake queue, the refresh of
	// indexed orders and, when configured, outbound event delivery.
	intakeStore *intake.Store
	queue       *intake.Queue
	refresher   *intake.Refresher
	outbox      *outbox.Outbox
	workers     workers

	// stopWitness ends the hand-over of checkpoints to the witness
	// (witness.go); nil without one.
	stopWitness func()
	// provider is the client's transport: it counts provider calls and
	// tells /readyz whether the provider answered lately (metrics.go).
	provider *metrics.Provider
	// metrics is nil unless /metrics is configured (metrics.go).
	metrics *metrics.Metrics

	demoPassword string
	closeOnce    sync.Once
	closeErr     error
}

// Option adjusts Build.
type Option func(*buildOpts)

type buildOpts struct {
	log *slog.Logger
	out io.Writer
	now func() time.Time
	// staffOpts lets tests use cheap password hashing.
	staffOpts staff.Options
}

// WithLogger sets the structured logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(o *buildOpts) { o.log = l } }

// WithOutput is where start-up notices for the operator go, such as the
// generated demo password (default os.Stdout). They are not log lines, so
// a password never lands in the logs.
func WithOutput(w io.Writer) Option { return func(o *buildOpts) { o.out = w } }

// WithStaffOptions tunes the staff store (tests: cheaper hashing).
func WithStaffOptions(so staff.Options) Option { return func(o *buildOpts) { o.staffOpts = so } }

// Build opens everything cfg names and binds the listener, so Addr is known
// before Run and a busy port fails here with one line. On error everything
// opened so far is closed again.
func Build(ctx context.Context, cfg config.Config, opts ...Option) (_ *App, err error) {
	o := buildOpts{log: slog.Default(), out: os.Stdout, now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	set, err := readSettings(cfg)
	if err != nil {
		return nil, err
	}
	if o.staffOpts.Now == nil {
		o.staffOpts.Now = o.now
	}
	// Every line this instance logs names it, so the lines of several
	// instances behind one load balancer can be told apart once collected.
	a := &App{cfg: cfg, policy: set.policy, log: o.log.With(slog.String("instance", cfg.InstanceName())), out: o.out, now: o.now}
	a.startMetrics()
	defer func() {
		if err != nil {
			_ = a.Close() // the build error is the one to report
		}
	}()

	if a.dataLock, err = holdDataFolder(cfg); err != nil {
		return nil, err
	}
	if a.adminDB, err = openAdminDB(ctx, cfg); err != nil {
		return nil, err
	}
	if o.staffOpts.SealKey == nil {
		if o.staffOpts.SealKey, err = staffKey(cfg); err != nil {
			return nil, err
		}
	}
	if a.staff, err = staff.Open(ctx, a.adminDB, o.staffOpts); err != nil {
		return nil, err
	}
	// The demo accounts' check is one argon2id run on one core (most of a
	// demo restart): it runs beside the rest of the start, which needs
	// neither it nor that core, and the start waits for it before it
	// listens, so an instance whose demo accounts fail still fails here.
	demoStaff := func() error { return nil }
	if cfg.Sandbox() {
		done := make(chan error, 1)
		go func() { done <- a.ensureDemoStaff(ctx) }()
		demoStaff = sync.OnceValue(func() error { return <-done })
		defer func() { _ = demoStaff() }() // a failed start waits for it before closing what it uses
	}
	if a.auditLog, err = audit.OpenWith(ctx, cfg.AuditDBPath(), audit.Options{Instance: cfg.InstanceName(), DatabaseURL: cfg.DatabaseURL}); err != nil {
		return nil, err
	}
	if err := a.startCheckpoints(ctx); err != nil {
		return nil, err
	}
	if n, err := a.auditLog.RecoverOpenAttempts(ctx, a.now()); err != nil {
		return nil, fmt.Errorf("audit: recovering open attempts: %w", err)
	} else if n > 0 {
		a.log.Warn("audit: attempts left open by an earlier stop were closed as outcome unknown", slog.Int("count", n))
	}
	if a.sessions, err = session.NewStore(ctx, a.adminDB); err != nil {
		return nil, err
	}
	if a.index, err = orders.OpenIndex(ctx, a.adminDB); err != nil {
		return nil, err
	}
	if err := a.connectProvider(ctx); err != nil {
		return nil, err
	}
	if err := a.connectShop(ctx); err != nil {
		return nil, err
	}
	a.service = orders.NewService(a.client, a.auditLog, a.index, a.now)
	if ch, ok := a.shop.(shop.Changer); ok {
		a.service.SetShop(pair.Halves{Changer: ch})
	}
	if err := a.openSync(ctx); err != nil {
		return nil, err
	}
	if a.approvals, err = approvals.Open(ctx, a.adminDB, a.auditLog, a.service, a.policy, a.now); err != nil {
		return nil, err
	}
	a.approvals.SetLogger(a.log)
	a.service.SetGuard(a.approvals.Guard)
	if a.bulk, err = bulk.Open(ctx, a.adminDB, a.auditLog, a.service, bulk.Options{Approvals: a.approvals,
		Limits: bulk.Limits{MaxOrders: cfg.Bulk.MaxOrders, AgentMaxOrders: cfg.Bulk.AgentMaxOrders, AgentMaxAmounts: set.bulkAmounts},
		Rate:   cfg.Bulk.Rate, Now: a.now, Logger: a.log}); err != nil {
		return nil, err
	}
	if cfg.Sandbox() {
		if err := a.seedIndex(ctx); err != nil {
			return nil, err
		}
	}
	if err := demoStaff(); err != nil {
		return nil, err
	}
	a.watchMetrics()

	a.handlers = &handlers.Handlers{
		Log:           a.log,
		Env:           banner(cfg, a.client),
		Sessions:      session.NewManager(a.sessions, cfg.SecureCookies),
		Staff:         a.staff,
		Orders:        a.service,
		Index:         a.index,
		Audit:         a.auditLog,
		Now:           a.now,
		Provider:      a.client.Provider(),
		DB:            a.adminDB,
		SecureCookies: cfg.SecureCookies,
		TrustedProxy:  cfg.TrustedProxy,
		OMTimeout:     cfg.OMTimeout,
		Hooks:         handlers.NewHooks(cfg.HookToken, a.queue),
		Outbox:        a.outbox,
		Approvals:     a.approvals,
		Bulk:          a.bulk,
		Shop:          a.shop,
		ShopChanges:   a.service,
		ShopTimeout:   cfg.Shop.Timeout,
		MFA:           staff.MFAPolicy(cfg.MFA),
		MFAExempt:     demoExempt(cfg.Sandbox()),
		DemoAccounts:  demoAccountsShown(cfg.Sandbox()),

		Metrics:           a.metrics,
		MetricsToken:      cfg.Metrics.Token,
		ProviderReachable: a.provider.Reachable,
		ShopConnect:       a.shopConnect,
		ShopRedirect:      cfg.Shop.RedirectURL,
	}
	if cfg.OIDC.Enabled() {
		o := cfg.OIDC
		a.handlers.SSO = sso.New(sso.Settings{Issuer: o.Issuer, ClientID: o.ClientID, ClientSecret: o.ClientSecret,
			Name: o.ProviderName(), Scopes: o.Scopes, RoleClaim: o.RoleClaim, Roles: oidcRoles(cfg), MFAAMR: o.MFAAMR})
		a.handlers.SSORedirect = cfg.OIDCRedirectURL()
	}
	e, err := a.handlers.Echo()
	if err != nil {
		return nil, err
	}
	a.server = &http.Server{
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	if a.ln, err = net.Listen("tcp", cfg.Addr); err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %w", cfg.Addr, err)
	}
	// The relying party of passkeys needs the port just bound (its
	// default origin is http://localhost:<port>); nothing is served yet.
	rp, off, err := relyingParty(cfg.PublicURL, a.ln.Addr())
	if err != nil {
		_ = a.ln.Close()
		return nil, err
	}
	if off != "" {
		a.log.Warn("passkeys are off", slog.String("reason", off))
	}
	a.handlers.WebAuthn = rp
	return a, nil
}

// openAdminDB opens the database of every store but the audit log:
// admin.db, or the PostgreSQL database that ORDERCARE_DATABASE_URL names
// and the other instances share.
func openAdminDB(ctx context.Context, cfg config.Config) (*db.DB, error) {
	if cfg.DatabaseURL != "" {
		// One writer name for every store and every instance
		// (db.AdminWriter), so that their writes run one at a time across
		// the fleet as they do on one SQLite file; the audit log has its own.
		return db.OpenPostgres(ctx, cfg.DatabaseURL, db.AdminWriter)
	}
	return db.Open(ctx, cfg.DBPath, db.SyncNormal)
}

// builtinSandboxUser is the API user name of the built-in sandbox.
const builtinSandboxUser = "ordercare-builtin-sandbox"

// connectProvider builds the omclient: against the configured provider, or
// against the built-in sandbox served on a loopback port in this process,
// so the demo goes through the same HTTP client as production.
func (a *App) connectProvider(ctx context.Context) error {
	cc := omclient.Config{BaseURL: a.cfg.OMURL, Provider: omclient.Provider(a.cfg.OMProvider), Username: a.cfg.OMUser, Password: a.cfg.OMPassword}
	if a.cfg.Sandbox() {
		// A fixed user name, like a merchant's API user: the sandbox scopes
		// idempotency keys per user, so a change resubmitted after a restart
		// must meet the same user to be recognised. The password stays random.
		user, pass := builtinSandboxUser, randomSecret()
		sb, err := omsim.New(ctx, omsim.Options{Provider: omclient.Provider(a.cfg.OMProvider), Username: user, Password: pass,
			DBPath: a.cfg.SandboxDBPath(), Demo: true, Logger: a.log})
		if err != nil {
			return fmt.Errorf("built-in sandbox: %w", err)
		}
		a.sandbox = sb
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("built-in sandbox: %w", err)
		}
		a.sandboxServer = &http.Server{Handler: sb, ReadHeaderTimeout: 10 * time.Second,
			ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
		go func() {
			if err := a.sandboxServer.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				a.log.Error("built-in sandbox stopped", slog.Any("err", err))
			}
		}()
		cc = omclient.Config{BaseURL: "http://" + ln.Addr().String(), Provider: omclient.Provider(a.cfg.OMProvider),
			Env: omclient.EnvSandbox, Username: user, Password: pass}
	}
	a.provider = metrics.NewProvider(a.metrics, ProviderTransport())
	cc.HTTPClient = &http.Client{Transport: a.provider}
	// One bound for reads and changes alike, retries included: a change
	// that runs out of it is recorded with an unknown outcome, as any lost
	// answer, and the agent is not held longer than the setting says.
	cc.Timeout = a.cfg.OMTimeout
	c, err := omclient.New(cc)
	if err != nil {
		return fmt.Errorf("provider client: %w", err)
	}
	a.client = c
	a.provider.SetBaseURL(c.BaseURL())
	return nil
}

// seedIndex fetches every sandbox order the search index does not hold yet
// through the client, which puts it there, so search works from the first
// page. An order indexed by an earlier run is left as it is, as against a
// provider: every read of it refreshes its entry, and a restart would
// otherwise spend 70-90 ms re-reading all 64 (docs/PERFORMANCE.md, 5).
func (a *App) seedIndex(ctx context.Context) error {
	ids, err := a.sandbox.OrderIDs(ctx)
	if err != nil {
		return fmt.Errorf("built-in sandbox: %w", err)
	}
	n := 0
	for _, id := range ids {
		if _, ok, err := a.index.Get(ctx, id); err != nil {
			return err
		} else if ok {
			continue
		}
		if _, err := a.service.GetOrder(ctx, id); err != nil {
			return fmt.Errorf("indexing sandbox order %s: %w", id, err)
		}
		n++
	}
	a.log.Info("sandbox orders indexed", slog.Int("count", n), slog.Int("already_indexed", len(ids)-n))
	return nil
}

// DemoAccounts are the sandbox's staff accounts.
var DemoAccounts = []struct {
	Email string
	Role  staff.Role
}{
	{"agent@example.com", staff.RoleAgent},
	{"supervisor@example.com", staff.RoleSupervisor},
	{"admin@example.com", staff.RoleAdmin},
}

// ensureDemoStaff creates the demo accounts (sandbox mode only) with the
// configured demo password, or a random one printed once to the operator.
// Instances sharing one database may start at once: an account another
// one added meanwhile (staff.ErrExists) sends this one back to read the
// accounts again, and it then finds what the other added.
func (a *App) ensureDemoStaff(ctx context.Context) error {
	pw := a.cfg.DemoPassword
	generated := pw == ""
	if generated {
		pw = randomSecret()[:20]
	}
	var err error
	for range len(DemoAccounts) + 1 {
		if err = a.ensureDemoStaffOnce(ctx, pw, generated); !errors.Is(err, staff.ErrExists) {
			break
		}
	}
	if err != nil {
		return err
	}
	a.demoPassword = pw
	if generated {
		fmt.Fprintf(a.out, "Sandbox demo accounts agent@example.com, supervisor@example.com, admin@example.com\n"+
			"password for this run: %s   (set ORDERCARE_DEMO_PASSWORD to choose one)\n", pw)
	}
	return nil
}

// ensureDemoStaffOnce is one pass of ensureDemoStaff with the password pw
// (generated: made for this run).
func (a *App) ensureDemoStaffOnce(ctx context.Context, pw string, generated bool) error {
	// Argon2id runs are what the demo start costs (19 MiB, t=2 each): the
	// accounts share one stored hash, so a restart verifies it once
	// (EnsureSharedPassword), or only hashes the password made for this
	// run, and an account that is missing (all three on the first start)
	// copies it (AddSharingPassword); one run, two when a configured
	// password changed.
	var existing []int64
	var missing []int
	for i, d := range DemoAccounts {
		m, err := a.staff.GetByEmail(ctx, d.Email)
		switch {
		case errors.Is(err, staff.ErrNotFound):
			missing = append(missing, i)
		case err != nil:
			return err
		default:
			existing = append(existing, m.ID)
		}
	}
	switch {
	case len(existing) == 0:
		// The first start: the first account added below is hashed.
	case generated:
		// A password made for this run matches no stored hash: checking
		// would be a second argon2id run before the new hash.
		if err := a.staff.SetSharedPassword(ctx, existing, pw); err != nil {
			return fmt.Errorf("demo accounts: %w", err)
		}
	default:
		// One verification while the accounts share the hash; one new
		// shared hash otherwise (a new demo password).
		if _, err := a.staff.EnsureSharedPassword(ctx, existing, pw); err != nil {
			return fmt.Errorf("demo accounts: %w", err)
		}
	}
	for _, i := range missing {
		d := DemoAccounts[i]
		var m *staff.Member
		var err error
		if len(existing) == 0 {
			m, err = a.staff.Add(ctx, d.Email, d.Role, pw)
		} else {
			m, err = a.staff.AddSharingPassword(ctx, d.Email, d.Role, existing[0])
		}
		if err != nil {
			return fmt.Errorf("demo account %s: %w", d.Email, err) // ErrExists: added by another instance meanwhile
		}
		existing = append(existing, m.ID)
	}
	return nil
}

func randomSecret() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b[:])
}

// Addr is the address the server listens on (useful with port 0).
func (a *App) Addr() string { return a.ln.Addr().String() }

// URL is the server's base URL.
func (a *App) URL() string { return "http://" + a.Addr() }

// Sandbox is the built-in sandbox (nil against a real provider); tests use
// it to inspect state and inject faults.
func (a *App) Sandbox() *omsim.Sandbox { return a.sandbox }

// Staff is the staff store (tests and admin commands).
func (a *App) Staff() *staff.Store { return a.staff }

// Audit is the audit log.
func (a *App) Audit() *audit.Log { return a.auditLog }
