package staff

import "fmt"

// MFAPolicy says who must have a second factor (ORDERCARE_MFA).
type MFAPolicy string

// The policies. OWASP ASVS 5.0 (6.3.3) asks for multi-factor sign-in in an
// application like this one; the default asks it of everyone who can move
// money or approve it.
const (
	// MFAOff: no second factor is offered or asked.
	MFAOff MFAPolicy = "off"
	// MFAOptional: members may set one up; those who did are asked for it.
	MFAOptional MFAPolicy = "optional"
	// MFARequired: every member must have one before they can act.
	MFARequired MFAPolicy = "required"
	// MFARequiredForMoney: supervisors, admins, and every member who may
	// refund or approve must have one before they can act (auditors, who
	// only read, may set one up).
	MFARequiredForMoney MFAPolicy = "required-for-money"
)

// DefaultMFAPolicy is ORDERCARE_MFA's default.
const DefaultMFAPolicy = MFARequiredForMoney

// ParseMFAPolicy reads ORDERCARE_MFA.
func ParseMFAPolicy(s string) (MFAPolicy, error) {
	switch p := MFAPolicy(s); p {
	case MFAOff, MFAOptional, MFARequired, MFARequiredForMoney:
		return p, nil
	}
	return "", fmt.Errorf("staff: unknown MFA policy %q (off, optional, required or required-for-money)", s)
}

// Offered reports whether members can set up and use a second factor.
// The empty policy is off.
func (p MFAPolicy) Offered() bool { return p != MFAOff && p != "" }

// Requires reports whether a member with role r must have a second factor.
func (p MFAPolicy) Requires(r Role) bool {
	switch p {
	case MFARequired:
		return true
	case MFARequiredForMoney:
		return r.movesMoney()
	}
	return false
}

// movesMoney reports whether the role may refund, capture or approve a
// change (agents and up; not the read-only auditor).
func (r Role) movesMoney() bool { return r.Allows(RoleAgent, false) }
