package view

import (
	"slices"
	"strconv"
	"time"

	"ordercare/internal/approvals"
)

// ApprovalPolicyHref is the page that shows the four-eyes rules in force.
const ApprovalPolicyHref = "/approvals/policy"

// ApprovalPolicyView is /approvals/policy: the four-eyes rules in force,
// in words and amounts, for everyone signed in.
type ApprovalPolicyView struct {
	// On is false when no rule is set: every change is sent at once.
	On bool
	// Thresholds are the per-currency thresholds, then the rest ("*",
	// or fail closed).
	Thresholds []PolicyAmount
	// Limits are the per-member daily refund limits.
	Limits []PolicyAmount
	// Window, TTL and Managed are periods in words ("24 hours").
	Window, TTL, Managed string
}

// PolicyAmount is one currency's amount in words.
type PolicyAmount struct {
	// Currency is the ISO code, or "Any other currency".
	Currency string
	// Amount is the amount with its currency in the reader's number
	// format ("€200.00", "200,00 €"); for the default, in the order's
	// currency's minor units.
	Amount string
	// Minor is the amount in minor units (-1 when there is none: fail
	// closed).
	Minor int64
}

// NewApprovalPolicy describes p, its amounts in the reader's number
// format (numbers).
func NewApprovalPolicy(p approvals.Policy, numbers string) ApprovalPolicyView {
	v := ApprovalPolicyView{On: p.Active(), Window: durationWords(p.WindowOrDefault()), TTL: durationWords(p.TTL),
		Managed: durationWords(approvals.ManagedWindow)}
	if p.TTL == 0 {
		v.TTL = durationWords(approvals.DefaultTTL)
	}
	v.Thresholds = policyAmounts(p.Thresholds, numbers)
	if len(p.Thresholds) > 0 {
		if _, ok := p.Thresholds[approvals.AnyCurrency]; !ok {
			v.Thresholds = append(v.Thresholds, PolicyAmount{Currency: "Any other currency", Minor: -1,
				Amount: "none: every refund, cancellation, release and amount cut needs approval"})
		}
	}
	v.Limits = policyAmounts(p.DailyRefundLimits, numbers)
	return v
}

// policyAmounts lists m by currency, the "*" default last.
func policyAmounts(m map[string]int64, numbers string) []PolicyAmount {
	curs := make([]string, 0, len(m))
	for c := range m {
		if c != approvals.AnyCurrency {
			curs = append(curs, c)
		}
	}
	slices.Sort(curs)
	out := make([]PolicyAmount, 0, len(m))
	for _, c := range curs {
		out = append(out, PolicyAmount{Currency: c, Amount: newMoney(m[c], c, numbers).Text, Minor: m[c]})
	}
	if v, ok := m[approvals.AnyCurrency]; ok {
		out = append(out, PolicyAmount{Currency: "Any other currency", Minor: v,
			Amount: strconv.FormatInt(v, 10) + " minor units of the order’s currency (" + newMoney(v, "EUR", numbers).Text + ", " +
				newMoney(v, "JPY", numbers).Text + ")"})
	}
	return out
}

// durationWords writes whole days or hours in words ("30 days", "24 hours").
func durationWords(d time.Duration) string {
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + " days"
	case d%time.Hour == 0 && d != time.Hour:
		return strconv.FormatInt(int64(d/time.Hour), 10) + " hours"
	case d == time.Hour:
		return "1 hour"
	}
	return d.String()
}
