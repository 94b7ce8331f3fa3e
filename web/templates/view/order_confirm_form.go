package view

// ConfirmForm is a one-click action's confirmation step: what will happen,
// and for money actions the amounts before and after.
type ConfirmForm struct {
	Form
	// Question is the confirmation asked ("Cancel order K4MADNY of
	// 149,97 €?").
	Question string
	// Explain says what the action does and what it cannot undo.
	Explain string
	// Effect lists the values the action changes, before and after.
	Effect []ConfirmRow
	// Approval says why this action would wait for a second person's
	// approval ("" when it would be sent at once).
	Approval string
}

// ConfirmRow is one value before and after a one-click action.
type ConfirmRow struct {
	Key, Label, Before, After string
}

// DueDateForm is the extend-due-date form: the provider's options for the
// capture, one to choose.
type DueDateForm struct {
	Form
	CaptureRef string
	Options    []DueDateChoice
}

// DueDateChoice is one offered extension.
type DueDateChoice struct {
	Days  int64
	Value string // the days as the radio value
	Label string // "14 days, fee 2,95 €"
}

// FieldDays is the due-date form's choice.
const FieldDays = "number_of_days"
