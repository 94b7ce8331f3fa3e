package audit

import (
	"testing"
)

// chain builds n chained rows in memory, as the writer would store them.
func chain(t testing.TB, n int) []row {
	prev := GenesisHash
	rows := make([]row, n)
	for i := range rows {
		r, err := encodeRow(sampleEvent(i + 1))
		if err != nil {
			t.Fatal(err)
		}
		r.Time = formatTime(t0)
		r.Seq, r.PrevHash = int64(i+1), prev
		r.Hash = r.computeHash()
		prev = r.Hash
		rows[i] = r
	}
	return rows
}

// FuzzVerifyFindsAnyByteEdit changes one byte of one column of one event
// and requires the checker to name exactly that event.
func FuzzVerifyFindsAnyByteEdit(f *testing.F) {
	f.Add(uint8(2), uint8(0), uint16(0), uint8(1))   // seq
	f.Add(uint8(0), uint8(11), uint16(3), uint8(32)) // reason
	f.Add(uint8(4), uint8(14), uint16(20), uint8(7)) // request body
	f.Add(uint8(3), uint8(15), uint16(5), uint8(1))  // before_json
	f.Add(uint8(1), uint8(25), uint16(63), uint8(9)) // prev_hash
	f.Add(uint8(2), uint8(1), uint16(18), uint8(1))  // time
	f.Fuzz(func(t *testing.T, event, column uint8, pos uint16, xor uint8) {
		if xor == 0 {
			return
		}
		rows := chain(t, 5)
		i := int(event) % len(rows)
		r := &rows[i]
		vals := r.values()
		c := int(column) % len(vals)
		if len(vals[c]) == 0 {
			return
		}
		v := []byte(string(vals[c]))
		v[int(pos)%len(v)] ^= xor
		if !setColumn(r, c, v) {
			return // an integer column edited into a non-integer cannot be stored in a STRICT table
		}
		var ck chainChecker
		for _, r := range rows {
			ck.add(r, nil)
		}
		res := ck.result()
		want := int64(i + 1)
		if columnOrder[c] == "seq" {
			want = r.Seq // FirstBad names the event by the seq it carries
		}
		if res.OK || res.FirstBad != want {
			t.Fatalf("edit of event %d column %s: %+v", i+1, columnOrder[c], res)
		}
	})
}

// setColumn stores v as column c of r, as an edit of the file would.
func setColumn(r *row, c int, v []byte) bool {
	s := string(v)
	switch columnOrder[c] {
	case "seq", "staff_id", "http_status", "duration_ms":
		var n int64
		for _, ch := range s {
			if ch < '0' || ch > '9' || len(s) > 18 {
				return false
			}
			n = n*10 + int64(ch-'0')
		}
		if len(s) > 1 && s[0] == '0' {
			return false // "07" reads back as 7: the same stored value
		}
		switch columnOrder[c] {
		case "seq":
			r.Seq = n
		case "staff_id":
			r.StaffID = n
		case "http_status":
			r.HTTPStatus = n
		default:
			r.DurationMS = n
		}
		return true
	}
	fields := map[string]*string{
		"time": &r.Time, "kind": &r.Kind, "attempt_id": &r.AttemptID, "staff_email": &r.StaffEmail, "staff_role": &r.StaffRole,
		"client_ip": &r.ClientIP, "user_agent": &r.UserAgent, "order_id": &r.OrderID, "action": &r.Action, "reason": &r.Reason,
		"ticket": &r.Ticket, "idempotency_key": &r.IdempotencyKey, "before_json": &r.BeforeJSON, "after_json": &r.AfterJSON,
		"outcome": &r.Outcome, "error_code": &r.ErrorCode, "error_messages": &r.ErrorMessages, "correlation_id": &r.CorrelationID,
		"resource_id": &r.ResourceID, "detail_json": &r.DetailJSON, "prev_hash": &r.PrevHash,
	}
	if columnOrder[c] == "request" {
		r.Request = v
		return true
	}
	p, ok := fields[columnOrder[c]]
	if !ok {
		panic("unknown column " + columnOrder[c])
	}
	*p = s
	return true
}
