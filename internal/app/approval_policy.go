package app

import (
	"ordercare/internal/approvals"
	"ordercare/internal/config"
)

// ApprovalPolicy is the four-eyes policy the settings describe. The app
// builds it, so that the settings stay a leaf that knows no service.
func ApprovalPolicy(c config.Config) approvals.Policy {
	return approvals.Policy{Thresholds: c.ApprovalThresholds, DailyRefundLimits: c.DailyRefundLimits, TTL: c.ApprovalTTL,
		Window: c.ApprovalWindow}
}
