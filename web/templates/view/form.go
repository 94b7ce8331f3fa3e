package view

// Form is the part every order-change form shares: where it posts, the
// hidden fields that make it safe to submit twice, the values as the agent
// typed them, the messages at the fields, and the outcome box. Each form's
// own view model embeds it and adds what only that form shows (country
// list, shipping rows, due-date options, amounts before and after).
//
// Field names are the provider's JSON paths wherever the form field maps
// to one ("shipping_address.city", "shipping_info[1].tracking_uri",
// "merchant_reference1"), so a *omclient.ValidationError lands at its
// field without a translation table.
type Form struct {
	Action     string // the operation, for data-action ("cancel")
	Title      string // "Cancel", the action's label
	OrderID    string
	CaptureID  string // per-capture forms only
	OrderTitle string // "Order K4MADNY"
	OrderHref  string // the order page
	Path       string // where the form posts (its own URL)
	// Danger styles the submit button as destructive (cancel, release,
	// refund).
	Danger bool
	Submit string // the submit button's label; "Save" when empty

	// Hidden fields.
	CSRF     string
	Key      string // idempotency key, UUID v4
	Expected string // the order's fingerprint as rendered, see handlers

	// Values are the typed values by field name (trimmed), including
	// reason, reason_other and ticket.
	Values map[string]string
	// Errors are the messages, in form order; Field "" is a message about
	// the whole form (shown in the summary only).
	Errors []FieldError
	// Labels name the fields in the error summary ("Merchant reference 1:
	// At most 255 characters"); a field without one is listed by message.
	Labels map[string]string

	// Outcome is the box above the form that says what happened to the
	// last submit (refused, unknown, stale, not sent); nil when none.
	Outcome *Outcome
	// Disallowed is the reason the order's state does not allow the
	// action; when set the form is not shown at all.
	Disallowed string
	// Intent is the box of the pipeline's intent rule (an unknown outcome
	// to check first, or a confirmation to give); nil when none.
	Intent *Intent
	// Shop offers the same change to the shop's order (shop_also.go);
	// nil when the form has none to offer.
	Shop *ShopAlso
}

// FieldError is one message; Field is the form field's name, "" for the
// whole form.
type FieldError struct {
	Field, Message string
}

// Names of the common fields.
const (
	FieldKey         = "idempotency_key"
	FieldExpected    = "expected"
	FieldReason      = "reason"
	FieldReasonOther = "reason_other"
	FieldTicket      = "ticket"
)

// Value is the typed value of a field ("" when none).
func (f Form) Value(name string) string { return f.Values[name] }

// Err is the first message for a field ("" when none).
func (f Form) Err(name string) string {
	for _, e := range f.Errors {
		if e.Field == name {
			return e.Message
		}
	}
	return ""
}

// SummaryText is a message as the error summary lists it: the field's
// label first when known.
func (f Form) SummaryText(e FieldError) string {
	if l := f.Labels[e.Field]; l != "" && e.Field != "" {
		return l + ": " + e.Message
	}
	return e.Message
}

// HasErrors reports whether any message is shown.
func (f Form) HasErrors() bool { return len(f.Errors) > 0 }

// SetValue records a typed value.
func (f *Form) SetValue(name, value string) {
	if f.Values == nil {
		f.Values = map[string]string{}
	}
	f.Values[name] = value
}

// AddError adds a message at a field ("" for the whole form). A field keeps
// only its first message, so the agent fixes one thing at a time.
func (f *Form) AddError(field, message string) {
	if field != "" && f.Err(field) != "" {
		return
	}
	f.Errors = append(f.Errors, FieldError{Field: field, Message: message})
}

// SubmitLabel is the submit button's text.
func (f Form) SubmitLabel() string {
	if f.Submit == "" {
		return "Save"
	}
	return f.Submit
}
