package app

import (
	"ordercare/internal/approvals"
	"ordercare/internal/config"
	"ordercare/internal/money"
)

// ApprovalPolicy is the four-eyes policy the settings describe, or the
// first mistake in their per-currency lists as one line. The app builds
// it, so that the settings stay a leaf that knows no service (nor the
// currencies).
func ApprovalPolicy(c config.Config) (approvals.Policy, error) {
	thresholds, err := money.ParseAmounts("ORDERCARE_APPROVAL_THRESHOLDS", c.ApprovalThresholds)
	if err != nil {
		return approvals.Policy{}, err
	}
	limits, err := money.ParseAmounts("ORDERCARE_DAILY_REFUND_LIMITS", c.DailyRefundLimits)
	if err != nil {
		return approvals.Policy{}, err
	}
	return approvals.Policy{Thresholds: thresholds, DailyRefundLimits: limits, TTL: c.ApprovalTTL, Window: c.ApprovalWindow}, nil
}
