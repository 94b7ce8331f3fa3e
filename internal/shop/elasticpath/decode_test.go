package elasticpath

import (
	"encoding/json"
	"testing"
)

// Unknown fields are ignored; whole amounts written as floats are read;
// a fraction of a minor unit is refused; an order without id or status is
// an error, not an empty panel.
func TestDecodeOrder(t *testing.T) {
	var o Order
	in := `{"id":"a","status":"processing","new_field":{"x":1},"meta":{"display_price":{"with_tax":{"amount":1234.0,"currency":"EUR"}}}}`
	if err := json.Unmarshal([]byte(in), &o); err != nil {
		t.Fatal(err)
	}
	if o.Total().Amount != 1234 || checkOrder(&o) != nil {
		t.Fatalf("order = %+v", o)
	}
	if err := json.Unmarshal([]byte(`{"meta":{"with_tax":{"amount":12.5}}}`), &o); err == nil {
		t.Fatal("12.5 minor units accepted")
	}
	if err := checkOrder(&Order{Status: "processing"}); err == nil {
		t.Fatal("an order without id accepted")
	}
}
