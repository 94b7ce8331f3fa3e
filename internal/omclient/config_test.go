package omclient

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestNewResolvesPresetsAndURLs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, base string
		provider   Provider
		env        Environment
		wantBase   string
		wantProv   Provider
		wantEnv    Environment
	}{
		{name: "kustom preset", base: "kustom", wantBase: "https://api.kustom.co", wantProv: ProviderKustom, wantEnv: EnvLive},
		{name: "kustom playground", base: "kustom-playground", wantBase: "https://api.playground.kustom.co", wantProv: ProviderKustom, wantEnv: EnvPlayground},
		{name: "klarna eu", base: "klarna-eu", wantBase: "https://api.klarna.com", wantProv: ProviderKlarna, wantEnv: EnvLive},
		{name: "klarna na", base: "klarna-na", wantBase: "https://api-na.klarna.com", wantProv: ProviderKlarna, wantEnv: EnvLive},
		{name: "klarna oc", base: "klarna-oc", wantBase: "https://api-oc.klarna.com", wantProv: ProviderKlarna, wantEnv: EnvLive},
		{name: "klarna eu playground", base: "klarna-eu-playground", wantBase: "https://api.playground.klarna.com", wantProv: ProviderKlarna, wantEnv: EnvPlayground},
		{name: "klarna na playground", base: "klarna-na-playground", wantBase: "https://api-na.playground.klarna.com", wantProv: ProviderKlarna, wantEnv: EnvPlayground},
		{name: "klarna oc playground", base: "klarna-oc-playground", wantBase: "https://api-oc.playground.klarna.com", wantProv: ProviderKlarna, wantEnv: EnvPlayground},
		{name: "preset name ignores case", base: " Klarna-EU ", wantBase: "https://api.klarna.com", wantProv: ProviderKlarna, wantEnv: EnvLive},
		{name: "preset overrides provider", base: "kustom", provider: ProviderKlarna, wantBase: "https://api.kustom.co", wantProv: ProviderKustom, wantEnv: EnvLive},
		{name: "loopback URL is a sandbox of kustom", base: "http://127.0.0.1:8089/", wantBase: "http://127.0.0.1:8089", wantProv: ProviderKustom, wantEnv: EnvSandbox},
		{name: "localhost URL", base: "http://localhost:8089", provider: ProviderKlarna, wantBase: "http://localhost:8089", wantProv: ProviderKlarna, wantEnv: EnvSandbox},
		{name: "remote https URL is live", base: "https://om.example.com/api/", wantBase: "https://om.example.com/api", wantProv: ProviderKustom, wantEnv: EnvLive},
		{name: "explicit environment", base: "https://om.example.com", env: EnvPlayground, wantBase: "https://om.example.com", wantProv: ProviderKustom, wantEnv: EnvPlayground},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := New(Config{BaseURL: tt.base, Provider: tt.provider, Env: tt.env, Username: "u", Password: "p"})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if c.BaseURL() != tt.wantBase || c.Provider() != tt.wantProv || c.Environment() != tt.wantEnv {
				t.Errorf("got %s %s %s, want %s %s %s", c.BaseURL(), c.Provider(), c.Environment(), tt.wantBase, tt.wantProv, tt.wantEnv)
			}
			if c.Timeout() != DefaultTimeout {
				t.Errorf("timeout %v, want %v", c.Timeout(), DefaultTimeout)
			}
		})
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no base", Config{Username: "u", Password: "p"}, "base URL or preset"},
		{"unknown preset", Config{BaseURL: "klarna-mars", Username: "u", Password: "p"}, "neither an http(s) URL nor a preset"},
		{"ftp", Config{BaseURL: "ftp://api.klarna.com", Username: "u", Password: "p"}, "neither"},
		{"plain http to a live host", Config{BaseURL: "http://api.example.com", Username: "u", Password: "p"}, "must use https"},
		{"credentials in URL", Config{BaseURL: "https://u:p@api.example.com", Username: "u", Password: "p"}, "must not carry credentials"},
		{"no password", Config{BaseURL: "kustom", Username: "u"}, "username and password"},
		{"colon in username", Config{BaseURL: "kustom", Username: "a:b", Password: "p"}, "must not contain"},
		{"unknown provider", Config{BaseURL: "https://x.example", Provider: "paypal", Username: "u", Password: "p"}, "unknown provider"},
		{"unknown env", Config{BaseURL: "https://x.example", Env: "prod", Username: "u", Password: "p"}, "unknown environment"},
		{"negative timeout", Config{BaseURL: "kustom", Username: "u", Password: "p", Timeout: -time.Second}, "timeout"},
		{"negative retries", Config{BaseURL: "kustom", Username: "u", Password: "p", Retry: RetryPolicy{MaxAttempts: -1}}, "retry policy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New error = %v, want it to mention %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "kco_") || (tt.cfg.Password != "" && strings.Contains(err.Error(), ":"+tt.cfg.Password+"@")) {
				t.Errorf("error leaks the password: %v", err)
			}
		})
	}
}

func TestLookupPresetCoversAllDocumentedHosts(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"kustom", "kustom-playground", "klarna-eu", "klarna-na", "klarna-oc",
		"klarna-eu-playground", "klarna-na-playground", "klarna-oc-playground"} {
		p, ok := LookupPreset(name)
		if !ok || !strings.HasPrefix(p.BaseURL, "https://") {
			t.Errorf("preset %q: %+v, %v", name, p, ok)
		}
	}
	if _, ok := LookupPreset("klarna"); ok {
		t.Error("an ambiguous name must not match a preset")
	}
}

func TestUserAgentAndAuthOnEveryRequest(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, `{"order_id":"`+testOrderID+`"}`)
	})
	c, _ := newTestClient(t, fs.URL, nil)
	if _, err := c.GetOrder(context.Background(), testOrderID); err != nil {
		t.Fatal(err)
	}
	c2, _ := newTestClient(t, fs.URL, func(cfg *Config) { cfg.UserAgent = "custom/1" })
	if _, err := c2.GetOrder(context.Background(), testOrderID); err != nil {
		t.Fatal(err)
	}
	reqs := fs.requests()
	if got := reqs[0].Header.Get("User-Agent"); got != "ordercare/"+Version {
		t.Errorf("User-Agent %q", got)
	}
	if got := reqs[1].Header.Get("User-Agent"); got != "custom/1" {
		t.Errorf("custom User-Agent %q", got)
	}
	for _, r := range reqs {
		u, p, ok := (&http.Request{Header: r.Header}).BasicAuth()
		if !ok || u != testUser || p != testPass {
			t.Errorf("basic auth %q %q %v", u, p, ok)
		}
	}
}

func TestDefaultClientDoesNotFollowRedirects(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			w.WriteHeader(204)
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	})
	// Also with a caller-supplied client that would follow redirects.
	c, _ := newTestClient(t, fs.URL, func(cfg *Config) { cfg.HTTPClient = &http.Client{} })
	err := c.exec(context.Background(), testOrderID, "", testKey, CancelRequest{})
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusTemporaryRedirect {
		t.Fatalf("err = %v, want an APIError with 307", err)
	}
	if n := len(fs.requests()); n != 1 {
		t.Errorf("server saw %d requests, want 1 (redirect not followed, 3xx not retried)", n)
	}
}
