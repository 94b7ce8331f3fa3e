package main

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// startSandbox runs `admin sandbox` with vars and returns its base URL, the
// Basic credentials it printed and a stop function.
func startSandbox(t *testing.T, vars map[string]string, args ...string) (base, user, pass string) {
	t.Helper()
	e, out, errOut := testEnv(vars, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"sandbox", "-addr", "127.0.0.1:0"}, args...), e) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("sandbox: %v", err)
		}
	})
	listening := regexp.MustCompile(`listening on (http://\S+)`)
	creds := regexp.MustCompile(`ORDERCARE_OM_USER=(\S+) ORDERCARE_OM_PASSWORD=(\S+)`)
	// A liveness bound on start-up (demo orders are written first).
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m, c := listening.FindStringSubmatch(out.String()), creds.FindStringSubmatch(out.String()); m != nil && c != nil {
			return m[1], c[1], c[2]
		}
		select {
		case err := <-done:
			t.Fatalf("sandbox stopped: %v\n%s", err, errOut.String())
		default:
		}
	}
	t.Fatalf("sandbox did not start:\n%s\n%s", out.String(), errOut.String())
	return "", "", ""
}

// The README says ORDERCARE_OM_PROVIDER chooses what the sandbox imitates;
// the standalone sandbox must honour it like the built-in one, or a back
// office pointed at it would meet the wrong provider's rules.
func TestSandboxHonoursTheProviderSetting(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		vars map[string]string
		args []string
		want string
	}{
		{nil, nil, "kustom"},
		{map[string]string{"ORDERCARE_OM_PROVIDER": "klarna"}, nil, "klarna"},
		{map[string]string{"ORDERCARE_OM_PROVIDER": "Klarna "}, nil, "klarna"},
		{map[string]string{"ORDERCARE_OM_PROVIDER": "klarna"}, []string{"-provider", "kustom"}, "kustom"},
	} {
		base, user, pass := startSandbox(t, tc.vars, tc.args...)
		// Only Klarna has trigger-send-out: Kustom answers as for any
		// unknown path, Klarna looks for the order.
		req, _ := http.NewRequest(http.MethodPost, base+"/ordermanagement/v1/orders/none/captures/none/trigger-send-out", nil)
		req.SetBasicAuth(user, pass)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if unknownPath := strings.Contains(string(body), "No resource matches"); unknownPath != (tc.want == "kustom") {
			t.Errorf("%v %v: trigger-send-out answered %d %s; want the %s sandbox", tc.vars, tc.args, resp.StatusCode, body, tc.want)
		}
	}
}

func TestSandboxRefusesAnUnknownProvider(t *testing.T) {
	t.Parallel()
	e, _, _ := testEnv(map[string]string{"ORDERCARE_OM_PROVIDER": "stripe"}, nil)
	// Bounded: a sandbox that accepts the value serves until cancelled.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	err := run(ctx, []string{"sandbox", "-addr", "127.0.0.1:0"}, e)
	if err == nil || !strings.Contains(err.Error(), "kustom or klarna") {
		t.Fatalf("want a refusal naming kustom or klarna, got %v", err)
	}
}
