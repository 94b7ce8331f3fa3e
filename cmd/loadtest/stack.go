package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"ordercare/internal/app"
	"ordercare/internal/audit"
	"ordercare/internal/config"
	"ordercare/internal/db"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/staff"
)

// stackFlags are the settings shared by the benchmarks that start the back
// office.
type stackFlags struct {
	bin       string
	dir       string
	inProcess bool
	keep      bool
	// providerProcess runs the sandbox in a process of its own
	// (provider.go) rather than in this one.
	providerProcess bool
	// auditLog is an audit.db copied into the work folder, with its
	// index file, before the back office starts on it.
	auditLog string
	// databaseURL runs the back office on PostgreSQL (an empty schema or
	// database of its own: the run adds its agents there) instead of
	// SQLite files in the work folder.
	databaseURL string
}

// loadStaffKey is the staff seal key of a run on PostgreSQL (a fleet is
// given one by configuration; this load never reads second factors).
var loadStaffKey = strings.Repeat("6c", staff.SealKeySize)

func (f *stackFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.bin, "bin", "", "admin binary to run (empty: go build ./cmd/admin into the work folder)")
	fs.StringVar(&f.dir, "dir", "", "parent of the work folder holding the databases (empty: the system temp folder)")
	fs.BoolVar(&f.inProcess, "inprocess", false, "run the back office in this process (internal/app) instead of as a subprocess")
	fs.BoolVar(&f.keep, "keep", false, "keep the work folder (databases, admin.log) afterwards")
	fs.BoolVar(&f.providerProcess, "provider-process", true, "run the sandbox (the provider) in a process of its own, as a remote provider is; false: in this process, beside the load")
	fs.StringVar(&f.databaseURL, "database-url", "", "run the back office on this PostgreSQL database (an empty schema of its own, named by search_path) instead of SQLite files: the same load, to compare the two")
	fs.StringVar(&f.auditLog, "audit-log", "", "an audit.db (with its -index.db beside it, if any) the back office starts on, copied into the work folder: a run with a long log behind it, e.g. the 1,000,000-event log BenchmarkFilters leaves in the temp folder")
}

// copyAuditLog puts a copy of f.auditLog and its index file as audit.db
// and audit-index.db into dir, where the back office of dbPath finds them.
// The copy's WAL, if one was left, is not copied: the source must be
// closed (a benchmark's log is).
func (f *stackFlags) copyAuditLog(dbPath string) error {
	if f.auditLog == "" {
		return nil
	}
	dst := config.Config{DBPath: dbPath}.AuditDBPath()
	if err := copyFile(f.auditLog, dst); err != nil {
		return fmt.Errorf("-audit-log: %w", err)
	}
	err := copyFile(audit.IndexPath(f.auditLog), audit.IndexPath(dst))
	if errors.Is(err, fs.ErrNotExist) {
		return nil // the back office builds the index at start
	}
	if err != nil {
		return fmt.Errorf("-audit-log: %w", err)
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src) // #nosec G304 -- a file the operator named with -audit-log
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // #nosec G304 -- a fixed name in the work folder this program made
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}

// startSandbox starts the provider the flags ask for.
func (f *stackFlags) startSandbox(ctx context.Context, dir string) (*sandbox, error) {
	if f.providerProcess {
		return startSandboxProcess(ctx, dir)
	}
	return startSandbox(ctx, dir)
}

// workDir makes the folder for one run's databases and logs.
func (f *stackFlags) workDir() (dir string, cleanup func(), err error) {
	dir, err = os.MkdirTemp(f.dir, "ordercare-load-")
	if err != nil {
		return "", nil, fmt.Errorf("work folder: %w", err)
	}
	return dir, func() {
		if f.keep {
			return
		}
		_ = os.RemoveAll(dir)
	}, nil
}

// adminBinary returns the binary to run, building it into dir when none was
// given, so the measured process is a real build and not `go run`.
func (f *stackFlags) adminBinary(ctx context.Context, dir string) (string, error) {
	if f.bin != "" {
		return f.bin, nil
	}
	out := filepath.Join(dir, "admin")
	if err := goBuild(ctx, out); err != nil {
		return "", err
	}
	return out, nil
}

func goBuild(ctx context.Context, out string, extra ...string) error {
	args := append([]string{"build", "-o", out}, extra...)
	args = append(args, "ordercare/cmd/admin")
	cmd := exec.CommandContext(ctx, "go", args...) // #nosec G204 -- the go tool building this module's own cmd/admin; the arguments are this program's
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build: %w", err)
	}
	return nil
}

// sandbox is omsim with demo data, served on a loopback port by this
// process or by a process of its own (provider.go); unlike the back
// office's built-in sandbox its credentials are known, so the raw
// provider GET can be measured beside the order page.
type sandbox struct {
	url        string
	user, pass string
	orderIDs   []string

	// In this process: the sandbox, its server, and the connections it
	// accepted (a client that does not keep its connections alive opens
	// one per request).
	sb    *omsim.Sandbox
	srv   *http.Server
	conns atomic.Int64

	// In a process of its own: the process, asked over HTTP.
	proc *providerProc
}

func startSandbox(ctx context.Context, dir string) (*sandbox, error) {
	s := &sandbox{user: providerUser, pass: randomHex(16)}
	if err := s.serve(ctx, dir, "127.0.0.1:0", nil); err != nil {
		return nil, err
	}
	return s, nil
}

// serve starts omsim on addr with the demo orders in dir, with extra
// routes (the control routes of a provider process) beside the API.
func (s *sandbox) serve(ctx context.Context, dir, addr string, extra func(*http.ServeMux)) error {
	sb, err := omsim.New(ctx, omsim.Options{Provider: omclient.ProviderKustom, Username: s.user, Password: s.pass,
		DBPath: filepath.Join(dir, "sandbox.db"), Demo: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	s.sb = sb
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		_ = sb.Close()
		return fmt.Errorf("sandbox: %w", err)
	}
	s.url = "http://" + ln.Addr().String()
	var h http.Handler = sb
	if extra != nil {
		mux := http.NewServeMux()
		mux.Handle("/", sb)
		extra(mux)
		h = mux
	}
	s.srv = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				s.conns.Add(1)
			}
		}}
	go func() { _ = s.srv.Serve(ln) }()
	if s.orderIDs, err = sb.OrderIDs(ctx); err != nil {
		s.close()
		return fmt.Errorf("sandbox: %w", err)
	}
	if len(s.orderIDs) == 0 {
		s.close()
		return errors.New("sandbox: no demo orders")
	}
	return nil
}

// setLatency adds d to every sandbox response, like a remote provider.
func (s *sandbox) setLatency(ctx context.Context, d time.Duration) error {
	if s.proc != nil {
		return s.proc.setLatency(ctx, d)
	}
	s.sb.SetFaults(omsim.Faults{Latency: d})
	return nil
}

// connCount is the number of connections the sandbox accepted so far.
func (s *sandbox) connCount(ctx context.Context) (int64, error) {
	if s.proc != nil {
		return s.proc.conns(ctx)
	}
	return s.conns.Load(), nil
}

func (s *sandbox) close() {
	if s.proc != nil {
		s.proc.stop()
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
	_ = s.sb.Close()
}

// agentPassword is the password of every load-test agent account.
const agentPassword = "load-test-password-1"

func agentEmail(i int) string { return fmt.Sprintf("agent-%02d@example.com", i) }

// seedAgents creates n agent accounts in admin.db before the back office
// starts, with the production password hashing.
func seedAgents(ctx context.Context, dbPath, databaseURL string, n int) error {
	d, err := db.Open(ctx, dbPath, db.SyncNormal)
	if databaseURL != "" {
		d, err = db.OpenPostgres(ctx, databaseURL, db.AdminWriter)
	}
	if err != nil {
		return err
	}
	defer func() { _ = d.Close() }()
	st, err := staff.Open(ctx, d, staff.Options{})
	if err != nil {
		return err
	}
	for i := range n {
		if _, err := st.Add(ctx, agentEmail(i), staff.RoleAgent, agentPassword); err != nil {
			return fmt.Errorf("agent %d: %w", i, err)
		}
	}
	return nil
}

// backOffice is a running back office pointed at the sandbox, either a
// subprocess of the built binary or internal/app in this process.
type backOffice struct {
	url  string
	pid  int // 0 when in process
	cmd  *exec.Cmd
	stop func() error
	// started is when the process was started (subprocess) or Build was
	// called (in process); ready is when /healthz first answered 200.
	started, ready time.Time
}

// startBackOffice seeds agents agents and starts the back office in dir
// against sb.
func startBackOffice(ctx context.Context, f *stackFlags, dir string, sb *sandbox, agents int) (*backOffice, error) {
	dbPath := filepath.Join(dir, "admin.db")
	if f.databaseURL != "" && f.inProcess {
		return nil, errors.New("-database-url runs the back office as a subprocess: leave out -inprocess")
	}
	if err := seedAgents(ctx, dbPath, f.databaseURL, agents); err != nil {
		return nil, err
	}
	if err := f.copyAuditLog(dbPath); err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(dir, "admin.log")) // #nosec G304 -- a fixed name in the work folder this program made (under the operator's -dir)
	if err != nil {
		return nil, err
	}
	if f.inProcess {
		return startInProcess(ctx, dbPath, sb, logFile)
	}
	bin, err := f.adminBinary(ctx, dir)
	if err != nil {
		_ = logFile.Close()
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		_ = logFile.Close()
		return nil, err
	}
	env := []string{"ORDERCARE_OM_PASSWORD=" + sb.pass,
		// The load measures pages and changes of members made with
		// `admin user add`, not their sign-in: no second factor.
		"ORDERCARE_MFA=off"}
	if f.databaseURL != "" {
		env = append(env, "ORDERCARE_DATABASE_URL="+f.databaseURL, "ORDERCARE_STAFF_KEY="+loadStaffKey)
	}
	return startProcess(ctx, bin, logFile, "http://"+addr, []string{"serve", "-addr", addr, "-db", dbPath,
		"-om-url", sb.url, "-om-provider", "kustom", "-om-user", sb.user}, env...)
}

func startInProcess(ctx context.Context, dbPath string, sb *sandbox, logFile *os.File) (*backOffice, error) {
	cfg := config.Config{Addr: "127.0.0.1:0", DBPath: dbPath, OMURL: sb.url, OMProvider: string(omclient.ProviderKustom),
		OMUser: sb.user, OMPassword: sb.pass, OMTimeout: config.DefaultOMTimeout}
	started := time.Now()
	a, err := app.Build(ctx, cfg, app.WithLogger(slog.New(slog.NewTextHandler(logFile, nil))), app.WithOutput(io.Discard))
	if err != nil {
		_ = logFile.Close()
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	errc := make(chan error, 1)
	go func() { errc <- a.Run(runCtx) }()
	bo := &backOffice{url: a.URL(), started: started, stop: func() error {
		cancel()
		err := <-errc
		return errors.Join(err, logFile.Close())
	}}
	if bo.ready, err = waitHealthy(ctx, bo.url, 10*time.Second); err != nil {
		_ = bo.stop()
		return nil, err
	}
	return bo, nil
}

// startProcess runs bin with args, output to logFile, and waits for the
// first 200 from /healthz at base.
func startProcess(ctx context.Context, bin string, logFile *os.File, base string, args []string, env ...string) (*backOffice, error) {
	cmd := exec.Command(bin, args...) // #nosec G204 -- bin is the cmd/admin binary this program just built; args are its own
	cmd.Env = append(cleanEnv(), env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	started := time.Now()
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	bo := &backOffice{url: base, pid: cmd.Process.Pid, cmd: cmd, started: started}
	bo.stop = func() error {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		var err error
		select {
		case err = <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			err = errors.Join(errors.New("back office did not stop within 30 s"), <-done)
		}
		return errors.Join(err, logFile.Close())
	}
	ready, err := waitHealthy(ctx, base, 10*time.Second)
	if err != nil {
		_ = bo.stop()
		return nil, fmt.Errorf("%w (see %s)", err, logFile.Name())
	}
	bo.ready = ready
	return bo, nil
}

// cleanEnv is this process's environment without ORDERCARE_ settings, so
// the flags alone configure the back office.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ORDERCARE_") {
			out = append(out, kv)
		}
	}
	return out
}

// waitHealthy polls /healthz every millisecond until it answers 200 and
// returns when it did.
func waitHealthy(ctx context.Context, base string, limit time.Duration) (time.Time, error) {
	c := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if ctx.Err() != nil {
			return time.Time{}, ctx.Err()
		}
		resp, err := c.Get(base + "/healthz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Now(), nil
			}
		}
		time.Sleep(time.Millisecond)
	}
	return time.Time{}, fmt.Errorf("no 200 from %s/healthz within %s", base, limit)
}

// freeAddr finds a free loopback port for a subprocess to listen on.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b)
}
