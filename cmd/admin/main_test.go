package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/proctest"
)

// testEnv is a command's env with vars as its settings and stdin, and
// its stdout and stderr collected (safe to read while it runs).
func testEnv(vars map[string]string, stdin io.Reader) (env, *proctest.LockedBuffer, *proctest.LockedBuffer) {
	out, errOut := &proctest.LockedBuffer{}, &proctest.LockedBuffer{}
	return env{getenv: func(k string) string { return vars[k] }, stdin: stdin, stdout: out, stderr: errOut}, out, errOut
}

func TestHelpListsCommandsAndSettings(t *testing.T) {
	t.Parallel()
	e, out, _ := testEnv(nil, nil)
	if err := run(t.Context(), []string{"--help"}, e); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("want ErrHelp, got %v", err)
	}
	for _, want := range []string{"admin user add", "admin sandbox", "admin audit verify", "ORDERCARE_ADDR", "ORDERCARE_DB",
		"ORDERCARE_OM_URL", "ORDERCARE_OM_USER", "ORDERCARE_OM_PASSWORD", "ORDERCARE_DEMO_PASSWORD", "ORDERCARE_SECURE_COOKIES",
		"ORDERCARE_TRUSTED_PROXY", "ORDERCARE_OM_TIMEOUT"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

func TestBadSettingsFailWithOneLine(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "admin.db")
	for _, args := range [][]string{
		{"serve", "-db", db, "-om-url", "klarna-moon"},
		{"-db", db, "-addr", "nonsense"},
		{"frobnicate"},
		{"user", "add", "-db", db, "--email", "x@example.com", "--role", "root"},
	} {
		e, _, _ := testEnv(nil, nil)
		err := run(t.Context(), args, e)
		if err == nil || strings.Contains(oneLine(err.Error()), "\n") {
			t.Errorf("%v: %v", args, err)
		}
	}
}

func TestUserCommands(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "data", "admin.db")
	vars := map[string]string{"ORDERCARE_DB": db}
	ctx := t.Context()

	e, out, _ := testEnv(vars, strings.NewReader("piped pass phrase\n"))
	if err := run(ctx, []string{"user", "add", "--email", "Boss@Example.com", "--role", "admin"}, e); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "added boss@example.com (admin)") || strings.Contains(out.String(), "piped pass phrase") {
		t.Fatalf("add output %q", out.String())
	}
	e, out, _ = testEnv(vars, strings.NewReader(""))
	if err := run(ctx, []string{"user", "add", "--email", "agent@example.com", "--role", "agent"}, e); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`password: [A-Za-z0-9]{20}\n`).MatchString(out.String()) {
		t.Fatalf("generated password not printed: %q", out.String())
	}
	e, _, _ = testEnv(vars, strings.NewReader("another one!\n"))
	if err := run(ctx, []string{"user", "add", "--email", "boss@example.com", "--role", "agent"}, e); err == nil {
		t.Fatal("duplicate accepted")
	}
	e, _, _ = testEnv(vars, nil)
	if err := run(ctx, []string{"user", "disable", "agent@example.com"}, e); err != nil {
		t.Fatal(err)
	}
	e, out, _ = testEnv(vars, nil)
	if err := run(ctx, []string{"user", "list"}, e); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[1], "agent@example.com") || !strings.Contains(lines[1], "disabled") ||
		!strings.Contains(lines[2], "boss@example.com") || !strings.Contains(lines[2], "active") {
		t.Fatalf("list:\n%s", out.String())
	}
	e, _, _ = testEnv(vars, nil)
	if err := run(ctx, []string{"user", "disable", "ghost@example.com"}, e); err == nil || !strings.Contains(err.Error(), "no staff member") {
		t.Fatalf("disable unknown: %v", err)
	}

	// Every change made from the command line is in the audit trail, like
	// one made on the staff page; the refused duplicate and the list are not.
	l, err := audit.Open(ctx, filepath.Join(filepath.Dir(db), "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	page, err := l.OtherEvents(ctx, audit.KindStaff, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range page.Events {
		if ev.Actor.Role != "cli" || !strings.HasPrefix(ev.Actor.Email, "os:") {
			t.Errorf("staff event %d by %+v, want the operating-system user", ev.Seq, ev.Actor)
		}
		got = append(got, ev.Detail["change"]+" "+ev.Detail["target_email"])
	}
	want := []string{"disable agent@example.com", "add agent@example.com", "add boss@example.com"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Fatalf("staff events newest first: %v, want %v", got, want)
	}
}

func TestAuditVerify(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	l, err := audit.Open(t.Context(), filepath.Join(dir, "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(t.Context(), audit.Event{Kind: audit.KindSignIn, Actor: audit.Actor{StaffID: 1}}); err != nil {
		t.Fatal(err)
	}
	l.Close()
	e, out, _ := testEnv(map[string]string{"ORDERCARE_DB": filepath.Join(dir, "admin.db")}, nil)
	if err := run(t.Context(), []string{"audit", "verify", "-chain-only"}, e); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "audit log ok: 1 events") {
		t.Fatalf("verify output %q", out.String())
	}
	// A log with events and no key to check its checkpoints with does not
	// verify by default.
	e, _, _ = testEnv(map[string]string{"ORDERCARE_DB": filepath.Join(dir, "admin.db")}, nil)
	if err := run(t.Context(), []string{"audit", "verify"}, e); err == nil || !strings.Contains(err.Error(), "no verifier key") {
		t.Fatalf("verify without a key: %v", err)
	}
}

// TestServeStartsAndStops runs the real command in sandbox mode and stops it
// as SIGINT would.
func TestServeStartsAndStops(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e, out, errOut := testEnv(map[string]string{"ORDERCARE_DB": filepath.Join(dir, "admin.db"), "ORDERCARE_ADDR": "127.0.0.1:0"}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, e) }()
	// The line names the instance before the address.
	addrRe := regexp.MustCompile(`ordercare listening" instance=\S+ addr=(\S+)`)
	var addr string
	// A liveness deadline, not a speed bound: under -race on a loaded 2-core
	// CI machine start-up (argon2id for the demo accounts, indexing the demo
	// orders) has taken over 20 s.
	for deadline := time.Now().Add(2 * time.Minute); addr == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := addrRe.FindStringSubmatch(errOut.String()); m != nil {
			addr = m[1]
		}
	}
	if addr == "" {
		cancel()
		t.Fatalf("server did not start:\n%s", errOut.String())
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", err, resp)
	}
	resp.Body.Close()
	if !strings.Contains(out.String(), "password for this run:") {
		t.Fatalf("demo password not printed: %q", out.String())
	}
	if strings.Contains(errOut.String(), "password for this run") {
		t.Fatal("demo password in the log")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
}
