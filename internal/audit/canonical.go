package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The hash chain.
//
// Every event is stored as one row of `events`. Its hash is
//
//	hash = lower-hex( SHA-256( prev_hash || canonical(row) ) )
//
// where prev_hash is the previous event's hash as 64 lower-case hex ASCII
// characters ("0" x 64 for the first event) and canonical(row) is:
//
//	"ordercare-audit-v1\n"
//	then, for each column in columnOrder below (every column except hash):
//	    <column name> ":" <decimal byte length of value> ":" <value bytes> "\n"
//
// Values are the bytes exactly as stored in the row: integers in decimal
// ASCII, time as "2006-01-02T15:04:05.000000000Z" (UTC, fixed width), the
// request body as the raw bytes that were sent, and before/after/detail/
// error_messages as the stored JSON text ("" when empty). Hashing the stored
// bytes (not a re-encoding of decoded values) means that any byte edited in
// any column changes the hash, and that a verifier written in another
// language needs no JSON canonicalisation: it reads the columns and frames
// them. The length prefix makes the framing unambiguous.
//
// The instance that wrote the event (the instance column, added when
// several instances came to share one log) is framed the same way after
// prev_hash, as "instance:<length>:<name>\n", when it is not empty. Events
// stored before it existed, and those written without a name, have ''
// there and hash exactly as before, so the chain already signed stays
// valid; for an event with a name, editing or blanking it breaks the hash.

// GenesisHash is the prev_hash of the first event.
var GenesisHash = strings.Repeat("0", 64)

const canonicalHeader = "ordercare-audit-v1\n"

// timeLayout is fixed width so that stored times sort as text.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// columnOrder is the order of columns in canonical(row); hash is excluded.
var columnOrder = [...]string{
	"seq", "time", "kind", "attempt_id",
	"staff_id", "staff_email", "staff_role", "client_ip", "user_agent",
	"order_id", "action", "reason", "ticket", "idempotency_key",
	"request", "before_json", "after_json",
	"outcome", "http_status", "error_code", "error_messages",
	"correlation_id", "resource_id", "duration_ms", "detail_json",
	"prev_hash",
}

// row is an event in its stored representation.
type row struct {
	Seq            int64
	Time           string
	Kind           string
	AttemptID      string
	StaffID        int64
	StaffEmail     string
	StaffRole      string
	ClientIP       string
	UserAgent      string
	OrderID        string
	Action         string
	Reason         string
	Ticket         string
	IdempotencyKey string
	Request        []byte
	BeforeJSON     string
	AfterJSON      string
	Outcome        string
	HTTPStatus     int64
	ErrorCode      string
	ErrorMessages  string
	CorrelationID  string
	ResourceID     string
	DurationMS     int64
	DetailJSON     string
	PrevHash       string
	Hash           string
	// Instance is hashed after PrevHash when not empty (see the top).
	Instance string
}

// values returns the stored bytes of each column in columnOrder. An array
// of strings, not a slice of byte slices: the writer frames every event
// with it, and the string columns then cost no copy.
func (r *row) values() [len(columnOrder)]string {
	i := func(n int64) string { return strconv.FormatInt(n, 10) }
	return [...]string{
		i(r.Seq), r.Time, r.Kind, r.AttemptID,
		i(r.StaffID), r.StaffEmail, r.StaffRole, r.ClientIP, r.UserAgent,
		r.OrderID, r.Action, r.Reason, r.Ticket, r.IdempotencyKey,
		string(r.Request), r.BeforeJSON, r.AfterJSON,
		r.Outcome, i(r.HTTPStatus), r.ErrorCode, r.ErrorMessages,
		r.CorrelationID, r.ResourceID, i(r.DurationMS), r.DetailJSON,
		r.PrevHash,
	}
}

// appendCanonical appends the encoding the hash covers (see the comment
// at the top) to b.
func (r *row) appendCanonical(b []byte) []byte {
	b = append(b, canonicalHeader...)
	for k, v := range r.values() {
		b = append(b, columnOrder[k]...)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(len(v)), 10)
		b = append(b, ':')
		b = append(b, v...)
		b = append(b, '\n')
	}
	if r.Instance != "" {
		b = append(b, "instance:"...)
		b = strconv.AppendInt(b, int64(len(r.Instance)), 10)
		b = append(b, ':')
		b = append(b, r.Instance...)
		b = append(b, '\n')
	}
	return b
}

// computeHash returns the hash the row must carry given its prev_hash.
// The input is framed into one buffer, sized for a typical event so that
// the writer, which hashes every event in turn, allocates nothing more.
func (r *row) computeHash() string {
	b := make([]byte, 0, 2048)
	b = append(b, r.PrevHash...)
	sum := sha256.Sum256(r.appendCanonical(b))
	return hex.EncodeToString(sum[:])
}

// encodeRow turns an event into its stored representation (without seq,
// prev_hash and hash, which the writer assigns).
func encodeRow(e Event) (row, error) {
	before, err := encodeMap(e.Before)
	if err != nil {
		return row{}, fmt.Errorf("audit: before: %w", err)
	}
	after, err := encodeMap(e.After)
	if err != nil {
		return row{}, fmt.Errorf("audit: after: %w", err)
	}
	detail, err := encodeMap(e.Detail)
	if err != nil {
		return row{}, fmt.Errorf("audit: detail: %w", err)
	}
	msgs := ""
	if len(e.ErrorMessages) > 0 {
		b, err := marshalNoEscape(e.ErrorMessages)
		if err != nil {
			return row{}, fmt.Errorf("audit: error messages: %w", err)
		}
		msgs = b
	}
	req := []byte(e.Request)
	if req == nil {
		req = []byte{}
	}
	return row{
		Time:           formatTime(e.Time),
		Kind:           string(e.Kind),
		AttemptID:      storable(e.AttemptID),
		StaffID:        e.Actor.StaffID,
		StaffEmail:     storable(e.Actor.Email),
		StaffRole:      storable(e.Actor.Role),
		ClientIP:       storable(e.Actor.ClientIP),
		UserAgent:      storable(e.Actor.UserAgent),
		OrderID:        storable(e.OrderID),
		Action:         storable(e.Action),
		Reason:         storable(e.Reason),
		Ticket:         storable(e.Ticket),
		IdempotencyKey: storable(e.IdempotencyKey),
		Request:        bytes.Clone(req),
		BeforeJSON:     before,
		AfterJSON:      after,
		Outcome:        string(e.Outcome),
		HTTPStatus:     int64(e.HTTPStatus),
		ErrorCode:      storable(e.ErrorCode),
		ErrorMessages:  msgs,
		CorrelationID:  storable(e.CorrelationID),
		ResourceID:     storable(e.ResourceID),
		DurationMS:     e.DurationMS,
		DetailJSON:     detail,
	}, nil
}

// event decodes a stored row. Malformed JSON columns are an error: Verify
// reports them through the hash, readers through this error.
func (r *row) event() (Event, error) {
	t, err := r.time()
	if err != nil {
		return Event{}, err
	}
	e := Event{
		Seq: r.Seq, Time: t.UTC(), Kind: Kind(r.Kind), AttemptID: r.AttemptID,
		Actor:   Actor{StaffID: r.StaffID, Email: r.StaffEmail, Role: r.StaffRole, ClientIP: r.ClientIP, UserAgent: r.UserAgent},
		OrderID: r.OrderID, Action: r.Action, Reason: r.Reason, Ticket: r.Ticket, IdempotencyKey: r.IdempotencyKey,
		Outcome: Outcome(r.Outcome), HTTPStatus: int(r.HTTPStatus), ErrorCode: r.ErrorCode,
		CorrelationID: r.CorrelationID, ResourceID: r.ResourceID, DurationMS: r.DurationMS,
		PrevHash: r.PrevHash, Hash: r.Hash, Instance: r.Instance,
	}
	if len(r.Request) > 0 {
		e.Request = json.RawMessage(bytes.Clone(r.Request))
	}
	for _, m := range []struct {
		src string
		dst *map[string]string
	}{{r.BeforeJSON, &e.Before}, {r.AfterJSON, &e.After}, {r.DetailJSON, &e.Detail}} {
		if m.src == "" {
			continue
		}
		if err := json.Unmarshal([]byte(m.src), m.dst); err != nil {
			return Event{}, fmt.Errorf("audit: event %d: %w", r.Seq, err)
		}
	}
	if r.ErrorMessages != "" {
		if err := json.Unmarshal([]byte(r.ErrorMessages), &e.ErrorMessages); err != nil {
			return Event{}, fmt.Errorf("audit: event %d: %w", r.Seq, err)
		}
	}
	return e, nil
}

func (r *row) time() (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, r.Time)
	if err != nil {
		return time.Time{}, fmt.Errorf("audit: event %d: time %q: %w", r.Seq, r.Time, err)
	}
	return t.UTC(), nil
}

// storedEvent is what r.event() decodes from r, the row stored for e,
// built from e instead: Append answers every event with it, and decoding
// the JSON columns back cost 7 µs per event. encoding/json replaces
// invalid UTF-8, so an event holding some in a map or an error message
// is decoded from its row.
func storedEvent(e Event, r row) (Event, error) {
	if !validUTF8(e.ErrorMessages, e.Before, e.After, e.Detail) || !plainText(e) {
		return r.event()
	}
	t, err := r.time()
	if err != nil {
		return Event{}, err
	}
	e.Seq, e.Time, e.PrevHash, e.Hash, e.Instance = r.Seq, t, r.PrevHash, r.Hash, r.Instance
	if len(e.Request) > 0 {
		e.Request = bytes.Clone(e.Request)
	} else {
		e.Request = nil
	}
	e.Before, e.After, e.Detail = cloneMap(e.Before), cloneMap(e.After), cloneMap(e.Detail)
	if len(e.ErrorMessages) > 0 {
		e.ErrorMessages = slices.Clone(e.ErrorMessages)
	} else {
		e.ErrorMessages = nil
	}
	return e, nil
}

// cloneMap copies m as a decoded row holds it: nil when empty.
func cloneMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return maps.Clone(m)
}

// validUTF8 reports whether every string of ss and every key and value of
// ms is valid UTF-8, which encoding/json stores unchanged.
func validUTF8(ss []string, ms ...map[string]string) bool {
	for _, s := range ss {
		if !utf8.ValidString(s) {
			return false
		}
	}
	for _, m := range ms {
		for k, v := range m {
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				return false
			}
		}
	}
	return true
}

// storable is s as a text column holds it on either database: valid
// UTF-8 without NUL, which PostgreSQL's text type cannot hold
// (https://www.postgresql.org/docs/current/datatype-character.html);
// each invalid byte and NUL becomes U+FFFD, as encoding/json writes
// invalid bytes in the JSON columns. The hash covers what is stored.
func storable(s string) string {
	if utf8.ValidString(s) && !strings.Contains(s, "\x00") {
		return s
	}
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", "\uFFFD"), "\uFFFD")
}

// plainText reports whether e's text columns are stored as given
// (storable changes none of them).
func plainText(e Event) bool {
	for _, s := range []string{e.AttemptID, e.Actor.Email, e.Actor.Role, e.Actor.ClientIP, e.Actor.UserAgent, e.OrderID,
		e.Action, e.Reason, e.Ticket, e.IdempotencyKey, e.ErrorCode, e.CorrelationID, e.ResourceID} {
		if storable(s) != s {
			return false
		}
	}
	return true
}

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// encodeMap stores a map as compact JSON with sorted keys, "" when empty.
func encodeMap(m map[string]string) (string, error) {
	if len(m) == 0 {
		return "", nil
	}
	// encoding/json writes map keys sorted, so equal maps give equal bytes.
	return marshalNoEscape(m)
}

// marshalNoEscape is compact JSON without HTML escaping, so that stored
// text reads as typed ("<", "&" in messages).
func marshalNoEscape(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}
