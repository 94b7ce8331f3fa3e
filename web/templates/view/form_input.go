package view

import "strings"

// Input describes one form field for the shared Field component; its value
// and error come from the Form by Name.
type Input struct {
	Name  string
	Label string
	// Type is the input type: "text" (default), "email", "tel", "url",
	// "number", or "select" (then Options is the list).
	Type string
	// Options of a select (Option, below; Selected is ignored here:
	// the form's value picks the option).
	Options      []Option
	Hint         string // shown under the label, linked with aria-describedby
	Required     bool
	MaxLength    int
	Autocomplete string
	Inputmode    string
	// Placeholder, where a shape example helps ("https://…").
	Placeholder string
}

// FieldID is the element id of a field: names like
// "shipping_info[1].tracking_uri" become "f-shipping_info-1-tracking_uri".
func FieldID(name string) string {
	var b strings.Builder
	b.WriteString("f-")
	dash := false
	for _, r := range name {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
			dash = false
			continue
		}
		if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// ErrorID is the id of a field's error message, for aria-describedby.
func ErrorID(name string) string { return FieldID(name) + "-error" }

// HintID is the id of a field's hint, for aria-describedby.
func HintID(name string) string { return FieldID(name) + "-hint" }

// Option is one choice of a select.
type Option struct {
	Value, Label string
	Selected     bool
}
