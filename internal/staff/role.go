// Package staff holds the back office's staff accounts: roles, argon2id
// password hashes, and sign-in throttling per account and per client address.
package staff

import "fmt"

// Role is what a staff member may do.
type Role string

// Roles. agent < supervisor < admin each include the one before; auditor is
// apart: it may read (orders, search, audit) and never change anything.
const (
	RoleAgent      Role = "agent"
	RoleSupervisor Role = "supervisor"
	RoleAdmin      Role = "admin"
	RoleAuditor    Role = "auditor"
)

// Roles lists every role, for forms and validation.
var Roles = []Role{RoleAgent, RoleSupervisor, RoleAdmin, RoleAuditor}

func (r Role) rank() int {
	switch r {
	case RoleAgent:
		return 1
	case RoleSupervisor:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return r.rank() > 0 || r == RoleAuditor }

// ParseRole turns user input into a Role.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !r.Valid() {
		return "", fmt.Errorf("staff: unknown role %q (agent, supervisor, admin or auditor)", s)
	}
	return r, nil
}

// Allows reports whether a member with role r may use something that needs
// at least min (empty: any signed-in member); auditorOK says whether the
// read-only auditor may use it too.
func (r Role) Allows(min Role, auditorOK bool) bool {
	if !r.Valid() {
		return false
	}
	if min == "" {
		return true
	}
	if r == RoleAuditor {
		return auditorOK
	}
	return r.rank() >= min.rank()
}
