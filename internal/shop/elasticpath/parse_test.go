package elasticpath

import (
	"bytes"
	"errors"
	"testing"
)

// A change kept on record is sent again byte for byte: every body this
// client writes reads back to itself, and anything else is refused
// before sending.
func TestParseUpdateRoundTrip(t *testing.T) {
	a := Address{FirstName: "Ann", LastName: "Lind", Line1: "Storgatan 1", City: "Malmö", Postcode: "21122", Country: "SE"}
	for _, u := range []Update{Cancel(), Fulfil(), UpdateReferences("1042", "ext", a), UpdateAddress(&Order{OrderNumber: "7", ExternalRef: "x"}, a)} {
		b, err := u.JSON()
		if err != nil {
			t.Fatal(err)
		}
		if err := roundTrip(b); err != nil {
			t.Errorf("%s: %v", b, err)
		}
	}
	for _, bad := range []string{`{}`, `{"data":{"type":"order"}}`, `{"data":{"type":"order","status":"complete"}}`,
		`{"data":{"type":"order","status":"cancelled","shipping":"fulfilled"}}`, `{"data":{"type":"cart","status":"cancelled"}}`,
		`{"data":{"type":"order","status":"cancelled","payment":"paid"}}`} {
		if _, err := ParseUpdate([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// errNotRoundTrip guards ParseUpdate's promise in tests.
var errNotRoundTrip = errors.New("elasticpath: the body does not read back to itself")

// roundTrip checks that b reads back to the same body.
func roundTrip(b []byte) error {
	u, err := ParseUpdate(b)
	if err != nil {
		return err
	}
	again, err := u.JSON()
	if err != nil {
		return err
	}
	if !bytes.Equal(again, b) {
		return errNotRoundTrip
	}
	return nil
}
