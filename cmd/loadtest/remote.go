package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// Target 1 on separate machines. On one VM the load program, the provider
// and the back office share two cores, and the ratio's last 0.2 ms at p99
// cannot be told apart from that sharing (docs/PERFORMANCE.md, "What
// blocks target 1"). In production agents' browsers and Kustom or Klarna
// are other machines. With -provider-url and -admin-url (and -relay-url
// for the floor) `overhead` measures a provider and a back office already
// running elsewhere, the same way:
//
//	provider:    LOADTEST_PROVIDER_PASSWORD=S loadtest provider -dir /tmp/p -addr :9000
//	back office: loadtest agents -db /tmp/b/admin.db -n 50
//	             ORDERCARE_MFA=off ORDERCARE_OM_PASSWORD=S admin serve -addr :8080 -db /tmp/b/admin.db \
//	                 -om-url http://P:9000 -om-provider kustom -om-user load
//	             LOADTEST_PROVIDER_PASSWORD=S loadtest relay -provider http://P:9000 -user load -addr :9100
//	load:        LOADTEST_PROVIDER_PASSWORD=S loadtest overhead -pace 1s -agents 50 -window 600s -rounds 10 \
//	                 -provider-url http://P:9000 -admin-url http://B:8080 -relay-url http://B:9100

type remoteFlags struct{ provider, admin, relay string }

func (r *remoteFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&r.provider, "provider-url", "", "a `loadtest provider` already running (e.g. on another machine) to measure instead of starting one; needs -admin-url and "+providerPasswordEnv)
	fs.StringVar(&r.admin, "admin-url", "", "a back office already running against -provider-url, with the accounts of `loadtest agents`")
	fs.StringVar(&r.relay, "relay-url", "", "a `loadtest relay` already running against -provider-url: the floor (implies -floor)")
}

func (r remoteFlags) set() bool { return r.provider != "" || r.admin != "" || r.relay != "" }

func (r remoteFlags) String() string {
	s := "back office at " + r.admin + ", provider at " + r.provider
	if r.relay != "" {
		s += ", relay at " + r.relay
	}
	return s
}

// check refuses a remote stack that lacks a part, or flags that only mean
// something for a stack this program starts.
func (r remoteFlags) check(stack stackFlags, floor bool) error {
	if r.provider == "" || r.admin == "" {
		return errors.New("-provider-url and -admin-url go together")
	}
	if floor && r.relay == "" {
		return errors.New("-floor with -admin-url needs the relay's address: -relay-url")
	}
	if stack.bin != "" || stack.inProcess || stack.auditLog != "" {
		return errors.New("-bin, -inprocess and -audit-log start a back office; with -admin-url it is already running")
	}
	if os.Getenv(providerPasswordEnv) == "" {
		return fmt.Errorf("-provider-url needs the provider's password in %s", providerPasswordEnv)
	}
	return nil
}

// connect reaches the provider and the back office at their URLs. Closing
// the sandbox stops nothing: neither was started here.
func (r remoteFlags) connect(ctx context.Context) (*sandbox, *backOffice, error) {
	url := strings.TrimRight(r.provider, "/")
	s := &sandbox{url: url, user: providerUser, pass: os.Getenv(providerPasswordEnv)}
	s.proc = &providerProc{url: url, user: s.user, pass: s.pass, client: &http.Client{Timeout: 10 * time.Second}}
	body, err := s.proc.call(ctx, http.MethodGet, ordersRoute, "")
	if err != nil {
		return nil, nil, err
	}
	if err := json.Unmarshal([]byte(body), &s.orderIDs); err != nil || len(s.orderIDs) == 0 {
		return nil, nil, fmt.Errorf("provider at %s: no order ids (%v)", url, err)
	}
	bo := &backOffice{url: strings.TrimRight(r.admin, "/"), stop: func() error { return nil }}
	if _, err := waitHealthy(ctx, bo.url, 10*time.Second); err != nil {
		return nil, nil, fmt.Errorf("back office at %s: %w", bo.url, err)
	}
	return s, bo, nil
}

// agentsCmd is `loadtest agents`: the agent accounts the benchmarks sign
// in with, created in an admin database before a back office starts on
// it (on another machine, for -admin-url). Their password is fixed and in
// this source: use a database made for the measurement.
func agentsCmd(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("loadtest agents", flag.ContinueOnError)
	dbPath := fs.String("db", "", "admin database file to add the accounts to (created if missing)")
	n := fs.Int("n", 50, "number of agent accounts")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dbPath == "" || *n < 1 {
		return errors.New("loadtest agents: -db and a positive -n are required")
	}
	if err := seedAgents(ctx, *dbPath, "", *n); err != nil {
		return err
	}
	_, err := fmt.Fprintf(out, "%d agent accounts (%s … %s) in %s\n", *n, agentEmail(0), agentEmail(*n-1), *dbPath)
	return err
}
