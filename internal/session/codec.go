package session

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/alexedwards/scs/v2"
)

// sortedCodec encodes session data with gob, like scs.GobCodec, but with
// the keys in sorted order, so the same session always encodes to the same
// bytes. scs.GobCodec encodes the map in Go's random iteration order: with
// two keys (staff id and sign-in time) half the commits of an unchanged
// session would look changed to Store.CommitCtx, which skips only an
// unchanged one.
type sortedCodec struct{}

// sortedMagic starts every sortedCodec encoding. A gob stream starts with
// its first message's length, never 0, so data scs.GobCodec wrote (sessions
// from before this codec) cannot start with it, and Decode still reads them.
var sortedMagic = []byte("\x00ordercare-session-1\x00")

type sortedData struct {
	Deadline time.Time
	Keys     []string
	Values   []any
}

// Encode writes deadline and values with the keys sorted.
func (sortedCodec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	d := sortedData{Deadline: deadline, Keys: make([]string, 0, len(values)), Values: make([]any, 0, len(values))}
	for _, k := range slices.Sorted(maps.Keys(values)) {
		d.Keys = append(d.Keys, k)
		d.Values = append(d.Values, values[k])
	}
	var b bytes.Buffer
	b.Write(sortedMagic)
	if err := gob.NewEncoder(&b).Encode(&d); err != nil {
		return nil, fmt.Errorf("session: encode: %w", err)
	}
	return b.Bytes(), nil
}

// Decode reads what Encode wrote, or what scs.GobCodec wrote.
func (sortedCodec) Decode(b []byte) (time.Time, map[string]any, error) {
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
