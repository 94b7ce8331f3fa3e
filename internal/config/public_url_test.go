package config

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// ORDERCARE_PUBLIC_URL is an origin: scheme, host and port, nothing else.
func TestPublicURLSetting(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "admin.db")
	var out bytes.Buffer
	c, err := Parse("admin", []string{"-db", db}, env(nil), &out)
	if err != nil || c.PublicURL != "" {
		t.Fatalf("default %q, %v", c.PublicURL, err)
	}
	for in, want := range map[string]string{
		"https://backoffice.example.com":   "https://backoffice.example.com",
		" https://backoffice.example.com/": "https://backoffice.example.com",
		"http://localhost:8080":            "http://localhost:8080",
	} {
		c, err := Parse("admin", []string{"-db", db}, env(map[string]string{"ORDERCARE_PUBLIC_URL": in}), &out)
		if err != nil || c.PublicURL != want {
			t.Fatalf("ORDERCARE_PUBLIC_URL=%q: %q, %v", in, c.PublicURL, err)
		}
	}
	for _, bad := range []string{"backoffice.example.com", "ftp://example.com", "https://", "https://example.com/office",
		"https://user:pw@example.com", "https://example.com/?x=1"} {
		_, err := Parse("admin", []string{"-db", db, "-public-url", bad}, env(nil), &out)
		if err == nil || !strings.Contains(err.Error(), "ORDERCARE_PUBLIC_URL") {
			t.Fatalf("%q accepted: %v", bad, err)
		}
	}
}
