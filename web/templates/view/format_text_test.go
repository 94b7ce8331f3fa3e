package view

import (
	"testing"
	"time"
)

func TestRelativeCountsCalendarDaysInAgentZone(t *testing.T) {
	t.Parallel()
	la := mustZone("America/Los_Angeles")
	// 23:30 in Los Angeles; the expiry is 01:00 the next day there.
	now := time.Date(2026, 3, 11, 6, 30, 0, 0, time.UTC)
	exp := now.Add(90 * time.Minute)
	if got := relative(exp, now, la); got != "tomorrow at 01:00" {
		t.Errorf("Relative in LA = %q, want tomorrow at 01:00", got)
	}
	if got := relative(exp, now, time.UTC); got != "today at 08:00" {
		t.Errorf("Relative in UTC = %q, want today at 08:00", got)
	}
	// Across the European DST change (29 Mar 2026): still 3 calendar days.
	now = time.Date(2026, 3, 27, 10, 0, 0, 0, berlin)
	if got := relative(now.AddDate(0, 0, 3), now, berlin); got != "in 3 days" {
		t.Errorf("Relative across DST = %q, want in 3 days", got)
	}
}

func TestSafeHref(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://track.example/a?b=c": "https://track.example/a?b=c",
		"HTTP://track.example":        "http://track.example",
		"javascript:alert(1)":         "",
		"JaVaScRiPt:alert(1)":         "",
		"data:text/html,hi":           "",
		"/relative":                   "",
		"//host.example/x":            "",
		"ftp://host.example":          "",
		"":                            "",
	} {
		if got := safeHref(in); got != want {
			t.Errorf("safeHref(%q) = %q, want %q", in, got, want)
		}
	}
}
