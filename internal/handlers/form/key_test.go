package form

import "testing"

// TestFormKeysGrowInTimeOrder: the keys forms mint sort in the order they
// were minted (UUID v7), so the audit log's index of keys grows at its end;
// a v4 key of a form opened before the change is still accepted.
func TestFormKeysGrowInTimeOrder(t *testing.T) {
	t.Parallel()
	prev := NewKey()
	for range 200 {
		k := NewKey()
		if k <= prev || !ValidKey(k) {
			t.Fatalf("key %s minted after %s does not sort after it (or is refused)", k, prev)
		}
		prev = k
	}
	if !ValidKey("3f1c9a52-6d1e-4b8e-9a57-0c2f1e4d8b11") {
		t.Fatal("a v4 key of an open form is refused")
	}
}
