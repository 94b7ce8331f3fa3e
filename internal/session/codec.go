package session

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/alexedwards/scs/v2"
)

// sortedCodec encodes session data with the keys in sorted order, so the
// same session always encodes to the same bytes: Store.CommitCtx skips
// the write of an unchanged session, and scs.GobCodec encoded the map in
// Go's random iteration order, so half the commits of an unchanged session
// looked changed.
//
// The sessions of the back office hold int64s and strings (staff id,
// sign-in time, flash), which it writes in a small binary form (format 2):
// scs decodes the session on every request and encodes it again at the
// end of it, and gob took about 25 µs and 200 allocations to decode one
// (BenchmarkCodec). A session holding another type is written with gob
// (format 1). Decode reads both, and what scs.GobCodec wrote before them.
type sortedCodec struct{}

// The formats start with a marker. A gob stream starts with its first
// message's length, never 0, so data scs.GobCodec wrote cannot start with
// either marker.
var (
	sortedMagic  = []byte("\x00ordercare-session-1\x00") // gob of sortedData
	compactMagic = []byte("\x00ordercare-session-2\x00") // see encodeCompact
)

type sortedData struct {
	Deadline time.Time
	Keys     []string
	Values   []any
}

// Encode writes deadline and values with the keys in sorted order.
func (sortedCodec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	keys := slices.Sorted(maps.Keys(values))
	if b, ok := encodeCompact(deadline, keys, values); ok {
		return b, nil
	}
	d := sortedData{Deadline: deadline, Keys: keys, Values: make([]any, 0, len(values))}
	for _, k := range keys {
		d.Values = append(d.Values, values[k])
	}
	var b bytes.Buffer
	b.Write(sortedMagic)
	if err := gob.NewEncoder(&b).Encode(&d); err != nil {
		return nil, fmt.Errorf("session: encode: %w", err)
	}
	return b.Bytes(), nil
}

// Value tags of format 2.
const (
	tagInt64  = 'i'
	tagString = 's'
)

// encodeCompact writes format 2: the marker, the deadline in Unix
// nanoseconds (8 bytes, big-endian), then per key its length (uvarint),
// the key, a tag and the value: an int64 as a varint, a string as its
// length (uvarint) and bytes. ok is false when a value is of another type
// or a key or string is longer than maxCompactString.
func encodeCompact(deadline time.Time, keys []string, values map[string]any) ([]byte, bool) {
	b := make([]byte, 0, 64)
	b = append(b, compactMagic...)
	b = binary.BigEndian.AppendUint64(b, uint64(deadline.UnixNano())) // #nosec G115 -- the bits are read back as int64
	for _, k := range keys {
		if len(k) > maxCompactString {
			return nil, false
		}
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		switch v := values[k].(type) {
		case int64:
			b = append(b, tagInt64)
			b = binary.AppendVarint(b, v)
		case string:
			if len(v) > maxCompactString {
				return nil, false
			}
			b = append(b, tagString)
			b = binary.AppendUvarint(b, uint64(len(v)))
			b = append(b, v...)
		default:
			return nil, false
		}
	}
	return b, true
}

var errCompact = errors.New("session: decode: malformed session")

// maxCompactString bounds a string's length as read from a session record,
// so that a corrupt length can neither overflow an int nor make the decoder
// slice past the record: session values are ids, roles and tokens, far
// smaller than this.
const maxCompactString = 1 << 20

func decodeCompact(b []byte) (time.Time, map[string]any, error) {
	if len(b) < 8 {
		return time.Time{}, nil, errCompact
	}
	deadline := time.Unix(0, int64(binary.BigEndian.Uint64(b))) // #nosec G115 -- written from an int64
	b = b[8:]
	values := map[string]any{}
	str := func() (string, bool) {
		n, w := binary.Uvarint(b)
		if w <= 0 || n > maxCompactString {
			return "", false
		}
		end := w + int(n)
		if end > len(b) {
			return "", false
		}
		s := string(b[w:end])
		b = b[end:]
		return s, true
	}
	for len(b) > 0 {
		k, ok := str()
		if !ok || len(b) == 0 {
			return time.Time{}, nil, errCompact
		}
		tag := b[0]
		b = b[1:]
		switch tag {
		case tagInt64:
			v, w := binary.Varint(b)
			if w <= 0 {
				return time.Time{}, nil, errCompact
			}
			values[k], b = v, b[w:]
		case tagString:
			v, ok := str()
			if !ok {
				return time.Time{}, nil, errCompact
			}
			values[k] = v
		default:
			return time.Time{}, nil, errCompact
		}
	}
	return deadline, values, nil
}

// Decode reads what Encode wrote, or what scs.GobCodec wrote.
func (sortedCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	if rest, ok := bytes.CutPrefix(b, compactMagic); ok {
		return decodeCompact(rest)
	}
	rest, ok := bytes.CutPrefix(b, sortedMagic)
	if !ok {
		return scs.GobCodec{}.Decode(b)
	}
	var d sortedData
	if err := gob.NewDecoder(bytes.NewReader(rest)).Decode(&d); err != nil {
		return time.Time{}, nil, fmt.Errorf("session: decode: %w", err)
	}
	if len(d.Keys) != len(d.Values) {
		return time.Time{}, nil, fmt.Errorf("session: decode: %d keys for %d values", len(d.Keys), len(d.Values))
	}
	values := make(map[string]any, len(d.Keys))
	for i, k := range d.Keys {
		values[k] = d.Values[i]
	}
	return d.Deadline, values, nil
}
