package omclient

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Text is a string field that tolerates a JSON number where the schema says
// string (the provider's own samples send postal codes, references and
// tracking numbers as numbers). It always encodes as a JSON string.
type Text string

// UnmarshalJSON accepts a string, a number (kept as its literal digits) or null.
func (t *Text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || bytes.Equal(b, []byte("null")):
		*t = ""
		return nil
	case b[0] == '"':
		if s, ok := plainString(b); ok {
			*t = Text(s)
			return nil
		}
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = Text(s)
		return nil
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*t = Text(n.String())
		return nil
	case bytes.Equal(b, []byte("true")) || bytes.Equal(b, []byte("false")):
		*t = Text(b)
		return nil
	}
	return fmt.Errorf("omclient: cannot decode %.20s as text", b)
}

// plainString returns what a JSON string literal decodes to when that is
// simply the bytes between its quotes: no escape, no control character,
// valid UTF-8 (encoding/json hands UnmarshalJSON a well-formed literal).
// Most strings of an order are so, and decoding each with json.Unmarshal
// (a validation pass and a decoder of its own) was a quarter of the
// order's decoding time.
func plainString(b []byte) (string, bool) {
	if len(b) < 2 || b[len(b)-1] != '"' {
		return "", false
	}
	in := b[1 : len(b)-1]
	for _, c := range in {
		if c == '\\' || c == '"' || c < 0x20 {
			return "", false
		}
	}
	if !utf8.Valid(in) {
		return "", false
	}
	return string(in), true
}

// String returns the text.
func (t Text) String() string { return string(t) }

// Currency is an ISO 4217 code, compared and stored upper-case (the spec's
// examples are lower-case, the docs' samples upper-case).
type Currency string

// UnmarshalJSON upper-cases the code.
func (c *Currency) UnmarshalJSON(b []byte) error {
	var t Text
	if err := t.UnmarshalJSON(b); err != nil {
		return err
	}
	*c = Currency(strings.ToUpper(strings.TrimSpace(string(t))))
	return nil
}

// String returns the upper-case code.
func (c Currency) String() string { return strings.ToUpper(string(c)) }

// Time is a timestamp that decodes RFC 3339 with or without fractional
// seconds or zone, and encodes RFC 3339 in UTC.
type Time struct{ time.Time }

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05Z0700", "2006-01-02 15:04:05", "2006-01-02"}

// UnmarshalJSON accepts the layouts in timeLayouts, an empty string or null.
func (t *Time) UnmarshalJSON(b []byte) error {
	var s Text
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	for _, layout := range timeLayouts {
		if v, err := time.Parse(layout, string(s)); err == nil {
			// A zone offset can push year 0000 or 9999 out of the four
			// digits RFC 3339 can write back; refuse rather than emit a
			// timestamp nobody can read.
			if y := v.UTC().Year(); y < 1 || y > 9999 {
				return fmt.Errorf("omclient: time %q is outside years 1-9999", s)
			}
			t.Time = v.UTC()
			return nil
		}
	}
	return fmt.Errorf("omclient: cannot decode %q as a time", s)
}

// MarshalJSON writes RFC 3339 in UTC.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.Time.IsZero() {
		return []byte(`null`), nil
	}
	return json.Marshal(t.Time.UTC().Format(time.RFC3339))
}

// IsZero reports whether the time is unset (used by omitzero).
func (t Time) IsZero() bool { return t.Time.IsZero() }
