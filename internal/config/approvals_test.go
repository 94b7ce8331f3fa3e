package config

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ordercare/internal/approvals"
)

// The four-eyes settings: a "*" default for every other currency, the
// window the thresholds look back over, and their mistakes.
func TestApprovalSettings(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "admin.db")
	var out bytes.Buffer
	c, err := Parse("admin", []string{"-db", db}, env(map[string]string{
		"ORDERCARE_APPROVAL_THRESHOLDS": "EUR:20000,*:20000", "ORDERCARE_DAILY_REFUND_LIMITS": "*:100000",
	}), &out)
	if err != nil {
		t.Fatal(err)
	}
	p := c.ApprovalPolicy()
	if p.WindowOrDefault() != 24*time.Hour {
		t.Fatalf("default window %v", p.WindowOrDefault())
	}
	if v, rule := p.Threshold("PLN"); v != 20000 || rule != approvals.RuleDefault {
		t.Fatalf("PLN threshold %d %v, want the * default", v, rule)
	}
	if v, ok := p.DailyLimit("SEK"); !ok || v != 100000 {
		t.Fatalf("SEK daily limit %d %v", v, ok)
	}
	c, err = Parse("admin", []string{"-db", db, "-approval-window", "48h"}, env(map[string]string{
		"ORDERCARE_APPROVAL_THRESHOLDS": "EUR:20000"}), &out)
	if err != nil || c.ApprovalPolicy().WindowOrDefault() != 48*time.Hour {
		t.Fatalf("window flag: %v %v", c.ApprovalWindow, err)
	}
	if _, rule := c.ApprovalPolicy().Threshold("CHF"); rule != approvals.RuleFailClosed {
		t.Fatalf("CHF without a threshold: rule %v, want fail closed", rule)
	}
	for name, e := range map[string]map[string]string{
		"window too short":      {"ORDERCARE_APPROVAL_WINDOW": "5m"},
		"window not a duration": {"ORDERCARE_APPROVAL_WINDOW": "a day"},
		"star twice":            {"ORDERCARE_APPROVAL_THRESHOLDS": "*:1,*:2"},
	} {
		if _, err := Parse("admin", []string{"-db", db}, env(e), &out); err == nil || !strings.Contains(err.Error(), "ORDERCARE_APPROVAL_") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
