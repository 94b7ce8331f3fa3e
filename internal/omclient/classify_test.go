package omclient

import (
	"net/http"
	"testing"
)

// Every operation's real path (ids included) is recognised as that
// operation, so provider-call metrics never need the path itself.
func TestOperationOfEveryOperation(t *testing.T) {
	for op, spec := range opSpecs {
		p := "https://api.example.com/base" + opPath(spec, "4c1fd4ae-order", "cap-77")
		got, ok := OperationOf(spec.method, p[len("https://api.example.com"):])
		if !ok || got != op {
			t.Errorf("%s %s: got %q, %v; want %q", spec.method, p, got, ok, op)
		}
	}
	if op, ok := OperationOf(http.MethodGet, "/"); ok {
		t.Errorf("GET / classified as %q", op)
	}
	if op, ok := OperationOf(http.MethodDelete, apiPrefix+"/orders/x"); ok {
		t.Errorf("DELETE classified as %q", op)
	}
}
