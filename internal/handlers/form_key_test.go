package handlers

import "testing"

// TestFormKeysGrowInTimeOrder: the keys forms mint sort in the order they
// were minted (UUID v7), so the audit log's index of keys grows at its end;
// a v4 key of a form opened before the change is still accepted.
func TestFormKeysGrowInTimeOrder(t *testing.T) {
	t.Parallel()
	prev := newKey()
	for range 200 {
		k := newKey()
		if k <= prev || !validKey(k) {
			t.Fatalf("key %s minted after %s does not sort after it (or is refused)", k, prev)
		}
		prev = k
	}
	if !validKey("3f1c9a52-6d1e-4b8e-9a57-0c2f1e4d8b11") {
		t.Fatal("a v4 key of an open form is refused")
	}
}
