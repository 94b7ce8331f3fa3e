package config

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestParseDefaultsEnvAndFlags(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "data", "admin.db")
	var out bytes.Buffer

	c, err := Parse("admin", []string{"-db", db}, env(nil), &out)
	if err != nil {
		t.Fatal(err)
	}
	if c.OMProvider != "kustom" {
		t.Errorf("default provider %q", c.OMProvider)
	}
	if c.Addr != DefaultAddr || c.OMTimeout != DefaultOMTimeout || !c.Sandbox() || c.SecureCookies {
		t.Fatalf("defaults not applied: %+v", c)
	}
	if c.AuditDBPath() != filepath.Join(dir, "data", "audit.db") || c.SandboxDBPath() != filepath.Join(dir, "data", "sandbox.db") {
		t.Fatalf("audit/sandbox paths not beside admin.db: %s %s", c.AuditDBPath(), c.SandboxDBPath())
	}

	e := env(map[string]string{
		"ORDERCARE_ADDR": "0.0.0.0:9000", "ORDERCARE_DB": db, "ORDERCARE_OM_URL": "klarna-eu-playground",
		"ORDERCARE_OM_USER": "u", "ORDERCARE_OM_PASSWORD": "p", "ORDERCARE_SECURE_COOKIES": "true",
		"ORDERCARE_TRUSTED_PROXY": "10.1.2.3/8", "ORDERCARE_OM_TIMEOUT": "3s",
	})
	c, err = Parse("admin", []string{"-addr", "127.0.0.1:7000"}, e, &out)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:7000" {
		t.Errorf("flag should win over env: addr %q", c.Addr)
	}
	if c.OMURL != "klarna-eu-playground" || !c.SecureCookies || c.OMTimeout != 3*time.Second || c.TrustedProxy.String() != "10.0.0.0/8" || c.Sandbox() {
		t.Errorf("env not applied: %+v", c)
	}
}

func TestParseErrorsAreOneClearLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	okDB := filepath.Join(dir, "admin.db")
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	// An unknown provider, second-factor policy or role, and a bad
	// per-currency list, are the app's to refuse (the config knows none
	// of them): see the app's TestSettingsNamingServicesStopStartUpWithOneLine.
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"unknown preset", []string{"-db", okDB, "-om-url", "klarna-mars"}, nil, "unknown preset"},
		{"bad url", []string{"-db", okDB, "-om-url", "ftp://x"}, nil, "not an http(s) URL"},
		{"provider without credentials", []string{"-db", okDB, "-om-url", "kustom"}, nil, "ORDERCARE_OM_USER and ORDERCARE_OM_PASSWORD are required"},
		{"url with user info", []string{"-db", okDB, "-om-url", "https://a:b@api.example"}, nil, "not in the URL"},
		{"addr without port", []string{"-db", okDB, "-addr", "localhost"}, nil, "not host:port"},
		{"addr bad port", []string{"-db", okDB, "-addr", "127.0.0.1:99999"}, nil, "no valid port"},
		{"addr from env", []string{"-db", okDB}, map[string]string{"ORDERCARE_ADDR": "::"}, "ORDERCARE_ADDR"},
		{"unwritable db folder", []string{"-db", filepath.Join(blocker, "sub", "admin.db")}, nil, "cannot create folder"},
		{"db is a folder", []string{"-db", dir}, nil, "is a folder"},
		{"bad timeout", []string{"-db", okDB, "-om-timeout", "soon"}, nil, "ORDERCARE_OM_TIMEOUT"},
		{"bad bool", []string{"-db", okDB}, map[string]string{"ORDERCARE_SECURE_COOKIES": "maybe"}, "ORDERCARE_SECURE_COOKIES"},
		{"bad proxy", []string{"-db", okDB, "-trusted-proxy", "10.0.0.1"}, nil, "not a CIDR"},
		{"short demo password", []string{"-db", okDB, "-demo-password", "short"}, nil, "at least 8"},
		{"stray argument", []string{"-db", okDB, "extra"}, nil, "unexpected argument"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			_, err := Parse("admin", tc.args, env(tc.env), &out)
			if err == nil {
				t.Fatalf("want error containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q: want one line containing %q", err, tc.want)
			}
		})
	}
}

func TestHelpListsEverySetting(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	_, err := Parse("admin", []string{"-h"}, env(nil), &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("want flag.ErrHelp, got %v", err)
	}
	for _, o := range options {
		if !strings.Contains(out.String(), o.env) || !strings.Contains(out.String(), "-"+o.flag) {
			t.Errorf("help lacks %s / -%s:\n%s", o.env, o.flag, out.String())
		}
	}
	for _, v := range []string{"ORDERCARE_ADDR", "ORDERCARE_DB", "ORDERCARE_OM_URL", "ORDERCARE_OM_USER", "ORDERCARE_OM_PASSWORD", "ORDERCARE_DEMO_PASSWORD", "ORDERCARE_SECURE_COOKIES", "ORDERCARE_TRUSTED_PROXY", "ORDERCARE_OM_TIMEOUT", "ORDERCARE_OM_PROVIDER"} {
		if !strings.Contains(out.String(), v) {
			t.Errorf("help lacks %s", v)
		}
	}
}

func TestStoragePath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fromEnv := filepath.Join(dir, "env", "admin.db")
	fromFlag := filepath.Join(dir, "flag", "admin.db")
	if p, err := StoragePath("", env(map[string]string{"ORDERCARE_DB": fromEnv})); err != nil || p != fromEnv {
		t.Fatalf("env: %q %v", p, err)
	}
	if p, err := StoragePath(fromFlag, env(map[string]string{"ORDERCARE_DB": fromEnv})); err != nil || p != fromFlag {
		t.Fatalf("flag: %q %v", p, err)
	}
	if _, err := StoragePath(dir, nil); err == nil {
		t.Fatal("a folder accepted as database file")
	}
}
