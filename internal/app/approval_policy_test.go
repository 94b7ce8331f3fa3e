package app_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ordercare/internal/app"
	"ordercare/internal/approvals"
	"ordercare/internal/config"
)

// The four-eyes settings as the app builds its policy from them: a "*" default for every other currency, the
// window the thresholds look back over, and their mistakes.
func TestApprovalSettings(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "admin.db")
	var out bytes.Buffer
	c, err := config.Parse("admin", []string{"-db", db}, getenv(map[string]string{
		"ORDERCARE_APPROVAL_THRESHOLDS": "EUR:20000,*:20000", "ORDERCARE_DAILY_REFUND_LIMITS": "*:100000",
	}), &out)
	if err != nil {
		t.Fatal(err)
	}
	p, err := app.ApprovalPolicy(c)
	if err != nil {
		t.Fatal(err)
	}
	if p.WindowOrDefault() != 24*time.Hour {
		t.Fatalf("default window %v", p.WindowOrDefault())
	}
	if v, rule := p.Threshold("PLN"); v != 20000 || rule != approvals.RuleDefault {
		t.Fatalf("PLN threshold %d %v, want the * default", v, rule)
	}
	if v, ok := p.DailyLimit("SEK"); !ok || v != 100000 {
		t.Fatalf("SEK daily limit %d %v", v, ok)
	}
	c, err = config.Parse("admin", []string{"-db", db, "-approval-window", "48h"}, getenv(map[string]string{
		"ORDERCARE_APPROVAL_THRESHOLDS": "EUR:20000"}), &out)
	if err == nil {
		p, err = app.ApprovalPolicy(c)
	}
	if err != nil || p.WindowOrDefault() != 48*time.Hour {
		t.Fatalf("window flag: %v %v", c.ApprovalWindow, err)
	}
	if _, rule := p.Threshold("CHF"); rule != approvals.RuleFailClosed {
		t.Fatalf("CHF without a threshold: rule %v, want fail closed", rule)
	}
	for name, e := range map[string]map[string]string{
		"window too short":      {"ORDERCARE_APPROVAL_WINDOW": "5m"},
		"window not a duration": {"ORDERCARE_APPROVAL_WINDOW": "a day"},
		"star twice":            {"ORDERCARE_APPROVAL_THRESHOLDS": "*:1,*:2"},
	} {
		// The config refuses a bad duration; the app, which knows the
		// currencies, a bad list.
		c, err := config.Parse("admin", []string{"-db", db}, getenv(e), &out)
		if err == nil {
			_, err = app.ApprovalPolicy(c)
		}
		if err == nil || !strings.Contains(err.Error(), "ORDERCARE_APPROVAL_") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// The settings' defaults are the approvals package's own, which a policy
// built in code (TTL and window 0) falls back to.
func TestApprovalDefaultsAgree(t *testing.T) {
	t.Parallel()
	if config.DefaultApprovalTTL != approvals.DefaultTTL || config.DefaultApprovalWindow != approvals.DefaultWindow {
		t.Fatalf("settings default to %v and %v, approvals to %v and %v",
			config.DefaultApprovalTTL, config.DefaultApprovalWindow, approvals.DefaultTTL, approvals.DefaultWindow)
	}
}

func getenv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}
