package crashtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"ordercare/internal/proctest"
)

// admin runs the built binary with the test's settings.
type admin struct {
	t    *testing.T
	bin  string
	env  []string
	addr string
}

func newAdmin(t *testing.T, bin, dataDir, addr, demoPassword string) *admin {
	env := proctest.Environ("ORDERCARE_DB="+filepath.Join(dataDir, "admin.db"), "ORDERCARE_ADDR="+addr,
		"ORDERCARE_DEMO_PASSWORD="+demoPassword,
		// The 50 agents are made with `admin user add`; this test is about
		// crashes, not their second factor (tested in handlers and e2e).
		"ORDERCARE_MFA=off")
	return &admin{t: t, bin: bin, env: env, addr: addr}
}

// command runs `admin args...` to completion with stdin; a failure is
// reported with Errorf, so it may run in goroutines.
func (a *admin) command(stdin string, args ...string) string {
	a.t.Helper()
	cmd := exec.Command(a.bin, args...) // #nosec G204 -- the binary this test built
	cmd.Env = a.env
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		a.t.Errorf("admin %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// server is a running `admin serve`.
type server struct {
	cmd  *exec.Cmd
	out  *proctest.LockedBuffer
	done chan error
}

// serve starts the back office and waits until /healthz answers 200.
func (a *admin) serve(ctx context.Context) *server {
	a.t.Helper()
	s := &server{out: &proctest.LockedBuffer{}, done: make(chan error, 1)}
	s.cmd = exec.Command(a.bin, "serve") // #nosec G204 -- the binary this test built
	s.cmd.Env = a.env
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		a.t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	a.t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	})
	for {
		select {
		case err := <-s.done:
			a.t.Fatalf("server exited during start-up: %v\n%s", err, s.out)
		case <-ctx.Done():
			a.t.Fatalf("server not healthy in time\n%s", s.out)
		case <-time.After(50 * time.Millisecond):
		}
		resp, err := http.Get("http://" + a.addr + "/healthz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
	}
}

// kill ends the server with SIGKILL: no shutdown, no deferred writes.
func (s *server) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-s.done
}

// stop ends the server the polite way and waits for it.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("server stopped with %v\n%s", err, s.out)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("server did not stop after SIGTERM\n%s", s.out)
	}
}

// browser is one signed-in agent.
type browser struct {
	base   string
	client *http.Client
}

func newBrowser(base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{base: base, client: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status int
	doc    *goquery.Document
	body   string
}

func (b *browser) do(method, path string, form url.Values) (page, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		return page{}, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return page{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return page{}, err
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(raw))
	if err != nil {
		return page{}, err
	}
	return page{status: resp.StatusCode, doc: doc, body: string(raw)}, nil
}

func (b *browser) signIn(email, password string) error {
	p, err := b.do(http.MethodGet, "/login", nil)
	if err != nil {
		return err
	}
	tok := p.doc.Find(`input[name="_csrf"]`).AttrOr("value", "")
	p, err = b.do(http.MethodPost, "/login", url.Values{"email": {email}, "password": {password}, "_csrf": {tok}})
	if err != nil {
		return err
	}
	if p.status != http.StatusSeeOther {
		return fmt.Errorf("sign-in of %s: status %d", email, p.status)
	}
	return nil
}

// formValues returns what the change form on p would submit.
func formValues(p page) url.Values {
	v := url.Values{}
	form := p.doc.Find(`form[data-testid="change-form"]`)
	form.Find("input[name]").Each(func(_ int, s *goquery.Selection) {
		switch strings.ToLower(s.AttrOr("type", "text")) {
		case "submit", "button", "reset", "image":
			return
		case "checkbox", "radio":
			if _, on := s.Attr("checked"); !on {
				return
			}
		}
		v.Add(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	form.Find("select[name]").Each(func(_ int, s *goquery.Selection) {
		opt := s.Find("option[selected]").First()
		if opt.Length() == 0 {
			opt = s.Find("option").First()
		}
		v.Add(s.AttrOr("name", ""), opt.AttrOr("value", ""))
	})
	form.Find("textarea[name]").Each(func(_ int, s *goquery.Selection) {
		v.Add(s.AttrOr("name", ""), s.Text())
	})
	return v
}
