package view

import (
	"strconv"
	"time"

	"ordercare/internal/staff"
)

// roleTexts are the roles in words, with what each may do.
var roleTexts = []struct {
	Role        staff.Role
	Label, Help string
}{
	{staff.RoleAgent, "Agent", "reads orders and makes changes"},
	{staff.RoleSupervisor, "Supervisor", "an agent who also reviews the audit trail"},
	{staff.RoleAdmin, "Admin", "a supervisor who also manages staff"},
	{staff.RoleAuditor, "Auditor", "reads orders and the audit trail, changes nothing"},
}

// RoleName is a role in words ("Supervisor").
func RoleName(r staff.Role) string {
	for _, t := range roleTexts {
		if t.Role == r {
			return t.Label
		}
	}
	return humanize(string(r))
}

// RoleOptions is a role select with selected chosen; labels say what the
// role may do.
func RoleOptions(selected staff.Role) []Option {
	var out []Option
	for _, t := range roleTexts {
		out = append(out, Option{Value: string(t.Role), Label: t.Label + " – " + t.Help, Selected: t.Role == selected})
	}
	return out
}

// StaffRow is one member in the staff list.
type StaffRow struct {
	ID       int64
	IDText   string
	Email    string
	Role     string
	Roles    []Option
	Status   Badge
	Disabled bool
	// Locked: sign-in is locked after too many wrong passwords; the row
	// offers an unlock.
	Locked   bool
	LastSeen Time
	// Self marks the signed-in admin's own row.
	Self bool
	// HasFactor: the member has an authenticator app set up. ResetBy is
	// the admin who asked to reset it (empty: nobody); ResetByMe: the
	// signed-in admin asked, so another admin must approve.
	HasFactor bool
	ResetBy   string
	ResetByMe bool
}

// StaffView is the staff page.
type StaffView struct {
	Rows []StaffRow
	CSRF string
	// Add keeps the add form's values and its error after a refused add.
	AddEmail string
	AddRole  []Option
	AddError string
	// RowError is shown next to the member whose change was refused.
	RowErrorID int64
	RowError   string
	// Secret is a password shown once, after an add or a reset that
	// generated it; SecretFor is whose it is.
	Secret, SecretFor string
	Zone              string
}

// NewStaffView builds the staff list; selfID is the signed-in admin, locks
// the accounts locked out of sign-in now (by e-mail, until when).
func NewStaffView(members []staff.Member, selfID int64, locks map[string]time.Time, loc *time.Location) StaffView {
	v := StaffView{AddRole: RoleOptions(staff.RoleAgent), Zone: loc.String()}
	for _, m := range members {
		row := StaffRow{ID: m.ID, IDText: strconv.FormatInt(m.ID, 10), Email: m.Email, Role: RoleName(m.Role),
			Roles: RoleOptions(m.Role), Disabled: m.Disabled, LastSeen: newTime(m.LastSignInAt, loc), Self: m.ID == selfID}
		until, locked := locks[m.Email]
		switch {
		case m.Disabled:
			row.Status = Badge{Text: "Disabled", Class: "badge badge-disabled", Value: "disabled"}
		case locked:
			row.Locked = true
			row.Status = Badge{Text: "Locked until " + until.In(loc).Format("15:04"), Class: "badge badge-locked", Value: "locked"}
		default:
			row.Status = Badge{Text: "Active", Class: "badge badge-active", Value: "active"}
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}
