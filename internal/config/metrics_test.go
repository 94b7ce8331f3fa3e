package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// /metrics is off unless a token is set; a short token is refused at
// start-up; the instance is named by the setting or the host name.
func TestMetricsSettings(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "admin.db")
	var out bytes.Buffer
	c, err := Parse("admin", []string{"-db", db}, env(nil), &out)
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	if c.Metrics.Token != "" || c.InstanceName() != host {
		t.Fatalf("defaults: token %q, instance %q (host %q)", c.Metrics.Token, c.InstanceName(), host)
	}
	token := strings.Repeat("t", MinSecretLen)
	c, err = Parse("admin", []string{"-db", db}, env(map[string]string{
		"ORDERCARE_METRICS_TOKEN": token, "ORDERCARE_INSTANCE": "web-2",
	}), &out)
	if err != nil {
		t.Fatal(err)
	}
	if c.Metrics.Token != token || c.InstanceName() != "web-2" {
		t.Fatalf("env not applied: %+v", c.Metrics)
	}
	_, err = Parse("admin", []string{"-db", db}, env(map[string]string{"ORDERCARE_METRICS_TOKEN": "short-token"}), &out)
	if err == nil || !strings.Contains(err.Error(), "ORDERCARE_METRICS_TOKEN") {
		t.Fatalf("short token: error %v, want one naming ORDERCARE_METRICS_TOKEN", err)
	}
}
