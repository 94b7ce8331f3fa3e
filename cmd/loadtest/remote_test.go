package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The overhead benchmark against a provider, a back office and a relay it
// did not start, as on separate machines: it finds the orders through the
// provider's control route, signs in the accounts `loadtest agents` made,
// and measures all three paths; stopping it stops none of them.
func TestOverheadMeasuresAStackRunningElsewhere(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the back office and two processes")
	}
	ctx := t.Context()
	dir := t.TempDir()
	sb, err := startSandboxProcess(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.close)
	dbPath := filepath.Join(dir, "admin.db")
	var seeded bytes.Buffer
	if err := run(ctx, []string{"agents", "-db", dbPath, "-n", "2"}, &seeded); err != nil {
		t.Fatalf("loadtest agents: %v", err)
	}
	logFile, err := os.Create(filepath.Join(dir, "admin.log"))
	if err != nil {
		t.Fatal(err)
	}
	bo, err := startInProcess(ctx, dbPath, sb, logFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bo.stop() })
	relay, relayURL, err := startRelay(ctx, sb)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(relay.stop)
	t.Setenv(providerPasswordEnv, sb.pass)

	var out bytes.Buffer
	f := overheadFlags{
		latency: 5 * time.Millisecond, agents: "2", warmup: 50 * time.Millisecond,
		window: 600 * time.Millisecond, rounds: 2,
		remote: remoteFlags{provider: sb.url + "/", admin: bo.url, relay: relayURL},
	}
	if _, err := runOverhead(ctx, f, &out); err != nil {
		t.Fatalf("overhead: %v\n%s", err, out.String())
	}
	report := out.String()
	for _, want := range []string{"back office at " + bo.url + ", provider at " + sb.url, "relay (floor)", "ratio page/raw", "ratio relay/raw"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	for _, l := range strings.Split(report, "\n") {
		if fields := strings.Fields(l); len(fields) > 3 && (strings.Contains(l, "relay (floor)") || strings.Contains(l, "order page")) && fields[3] == "0" {
			t.Errorf("a path served no request: %q", l)
		}
	}
	// Nothing was stopped: the back office still serves its agents.
	a := newAgent(bo.url)
	if err := a.signIn(ctx, agentEmail(1), agentPassword); err != nil {
		t.Fatalf("after the run, the back office refuses agent 1: %v", err)
	}
	if _, err := a.get(ctx, "/orders/"+sb.orderIDs[0]); err != nil {
		t.Fatalf("after the run, the order page: %v", err)
	}
}

// A remote stack that lacks a part, or flags that would start one, are
// refused before anything is measured.
func TestOverheadRefusesAnIncompleteRemoteStack(t *testing.T) {
	t.Setenv(providerPasswordEnv, "secret")
	cases := []struct {
		name  string
		f     overheadFlags
		wants string
	}{
		{"provider only", overheadFlags{remote: remoteFlags{provider: "http://p"}}, "-provider-url and -admin-url go together"},
		{"floor without relay", overheadFlags{floor: true, remote: remoteFlags{provider: "http://p", admin: "http://b"}}, "-relay-url"},
		{"a binary to start", overheadFlags{stack: stackFlags{bin: "/bin/admin"}, remote: remoteFlags{provider: "http://p", admin: "http://b"}}, "already running"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.f.agents, c.f.rounds = "1", 1
			_, err := runOverhead(t.Context(), c.f, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), c.wants) {
				t.Fatalf("err = %v, want one saying %q", err, c.wants)
			}
		})
	}
	t.Run("no password", func(t *testing.T) {
		t.Setenv(providerPasswordEnv, "")
		f := overheadFlags{agents: "1", rounds: 1, remote: remoteFlags{provider: "http://p", admin: "http://b"}}
		if _, err := runOverhead(t.Context(), f, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), providerPasswordEnv) {
			t.Fatalf("err = %v, want one naming %s", err, providerPasswordEnv)
		}
	})
}
