package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The provider in a process of its own. A real provider is another
// machine; with the sandbox inside the load program, the raw provider GET
// went from a client to a server of the same process, while the order
// page's provider read crossed from the back office's process to the load
// program's, so the two paths differed by more than the back office. On
// this 2-core virtual machine one paced request to a separate, idle Go
// process costs about 0.7 ms at the median and 2.5 ms at p99 against
// 0.5 ms and 6.8 ms inside one process (docs/PERFORMANCE.md, section 1).
// In its own process the sandbox is reached across processes by both
// paths, and what differs is the back office.
//
// `loadtest provider` is that process: it serves omsim with the demo
// orders and three control routes, prints one JSON line ({url, order_ids})
// and runs until it is signalled. With -addr it also serves a load
// program on another machine (remote.go).

const (
	providerPasswordEnv = "LOADTEST_PROVIDER_PASSWORD"
	// providerUser is the provider's API username (and the control
	// routes'); the password is providerPasswordEnv's.
	providerUser = "load"
	latencyRoute = "/loadtest/latency"
	connsRoute   = "/loadtest/conns"
	ordersRoute  = "/loadtest/orders"
)

type providerHello struct {
	URL      string   `json:"url"`
	OrderIDs []string `json:"order_ids"`
}

func providerCmd(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("loadtest provider", flag.ContinueOnError)
	dir := fs.String("dir", "", "work folder of the sandbox's database")
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on; another machine's load program needs a reachable one (e.g. :9000)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	s := &sandbox{user: providerUser, pass: os.Getenv(providerPasswordEnv)}
	if *dir == "" || s.pass == "" {
		return fmt.Errorf("loadtest provider: -dir and %s are required (the benchmarks start it; to start it yourself see docs/PERFORMANCE.md, \"On separate machines\")", providerPasswordEnv)
	}
	err := s.serve(ctx, *dir, *addr, func(mux *http.ServeMux) {
		mux.HandleFunc("PUT "+latencyRoute, s.control(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(io.LimitReader(r.Body, 64))
			d, err := time.ParseDuration(string(b))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			_ = s.setLatency(r.Context(), d)
		}))
		mux.HandleFunc("GET "+connsRoute, s.control(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, s.conns.Load())
		}))
		// The hello line's order ids, for a load program that did not
		// start this process.
		mux.HandleFunc("GET "+ordersRoute, s.control(func(w http.ResponseWriter, r *http.Request) {
			_ = json.NewEncoder(w).Encode(s.orderIDs)
		}))
	})
	if err != nil {
		return err
	}
	defer s.close()
	if err := json.NewEncoder(out).Encode(providerHello{URL: s.url, OrderIDs: s.orderIDs}); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}

// control guards a control route with the sandbox's own credentials.
func (s *sandbox) control(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != s.user || p != s.pass {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h(w, r)
	}
}

// providerProc is a running `loadtest provider`.
type providerProc struct {
	*child
	url        string
	user, pass string
	client     *http.Client
}

// startSandboxProcess starts this program as `loadtest provider` in dir
// and waits for its first line.
func startSandboxProcess(ctx context.Context, dir string) (*sandbox, error) {
	s := &sandbox{user: providerUser, pass: randomHex(16)}
	var hello providerHello
	c, err := startChild(ctx, []string{"provider", "-dir", dir}, []string{providerPasswordEnv + "=" + s.pass}, &hello)
	if err == nil && (hello.URL == "" || len(hello.OrderIDs) == 0) {
		c.stop()
		err = errors.New("it reported no address or no orders")
	}
	if err != nil {
		return nil, fmt.Errorf("provider process: %w", err)
	}
	p := &providerProc{child: c, url: hello.URL, user: s.user, pass: s.pass,
		client: &http.Client{Timeout: 10 * time.Second}}
	s.url, s.orderIDs, s.proc = hello.URL, hello.OrderIDs, p
	return s, nil
}

// child is a process of this program started by a benchmark (`loadtest
// provider`, `loadtest relay`).
type child struct {
	cmd  *exec.Cmd
	done chan error
}

// childEnv marks the environment of a child, so that a test binary
// standing in for this program runs it as the child (overhead_test.go).
const childEnv = "LOADTEST_CHILD=1"

// startChild starts this program with args and env (added to a clean
// environment) and decodes the first line it prints, JSON, into hello.
func startChild(ctx context.Context, args, env []string, hello any) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, args...) // #nosec G204 -- this program itself, with its own arguments
	cmd.Env = append(append(cleanEnv(), childEnv), env...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, done: make(chan error, 1)}
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- line
		_, _ = io.Copy(io.Discard, stdout)
		c.done <- cmd.Wait()
	}()
	select {
	case line := <-lines:
		err = json.Unmarshal([]byte(line), hello)
	case <-time.After(time.Minute):
		err = errors.New("no answer within a minute")
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

// stop signals the process and waits for it (killing it after 10 s). A
// nil child is a process started elsewhere (remote.go): not ours to stop.
func (c *child) stop() {
	if c == nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

func (p *providerProc) setLatency(ctx context.Context, d time.Duration) error {
	_, err := p.call(ctx, http.MethodPut, latencyRoute, d.String())
	return err
}

func (p *providerProc) conns(ctx context.Context) (int64, error) {
	body, err := p.call(ctx, http.MethodGet, connsRoute, "")
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(body), 10, 64)
}

func (p *providerProc) call(ctx context.Context, method, route, body string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, method, p.url+route, strings.NewReader(body))
	if err != nil {
		return "", err
	}
	req.SetBasicAuth(p.user, p.pass)
	resp, err := p.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("provider process: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("provider process: %s %s: %d %s", method, route, resp.StatusCode, b)
	}
	return string(b), nil
}
