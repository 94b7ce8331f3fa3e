package audit

// KindSecondFactor: a step of a member's second factor. Detail["step"] is
// one of the Factor* steps below, Detail["factor"] the factor ("totp",
// "recovery_code", "passkey"), Detail["target_id"]/["target_email"] the member when
// the actor is someone else (an admin).
const KindSecondFactor Kind = "second_factor"

// Steps of KindSecondFactor events.
const (
	FactorEnrolled         = "enrolled"
	FactorRemoved          = "removed"
	FactorRecoveryCodeUsed = "recovery_code_used"
	FactorFailed           = "failed"
	FactorResetRequested   = "reset_requested"
	// FactorRecoveryCodesRenewed: the member made new recovery codes; the
	// old ones stopped working.
	FactorRecoveryCodesRenewed = "recovery_codes_renewed"
)
