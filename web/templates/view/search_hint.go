package view

import (
	"strings"

	"ordercare/internal/omclient"
)

// Query hints.
const (
	// MaxQueryLen is the longest query searched; references are at most
	// 255 characters, names 100.
	MaxQueryLen = 255
)

// QueryHint returns a hint for a query that looks like a mistake, or "".
// Queries with a hint are still searched (an order id prefix is a valid
// search), the hint only tells the agent what an order id looks like.
func QueryHint(q string) string {
	q = strings.TrimSpace(q)
	if q == "" {
		return ""
	}
	if len([]rune(q)) > MaxQueryLen {
		return "That search is too long: type the start of a reference, e-mail address or name (at most 255 characters)."
	}
	for _, r := range q {
		if r < 0x20 || r == 0x7f {
			return "That search contains control characters; type a reference, e-mail address, name or order id."
		}
	}
	if looksLikeBrokenOrderID(q) {
		return "“" + q + "” looks like an order id but is not a complete one: an order id has 32 hexadecimal digits in groups of 8-4-4-4-12, like 0b0d9c34-5a5c-4b5e-9f27-2a6a3a7f2c11. Orders already seen are still matched by the start of their id."
	}
	return ""
}

// looksLikeBrokenOrderID: a UUID-shaped string with a wrong character,
// or hexadecimal digits and dashes whose groups break the 8-4-4-4-12 shape
// (too long a group, too many groups). A clean prefix of an id, such as
// "0b0d9c34-5a5c", is a fine search and gets no hint.
func looksLikeBrokenOrderID(q string) bool {
	if omclient.ValidOrderID(q) || !strings.Contains(q, "-") {
		return false
	}
	if len(q) == 36 && q[8] == '-' && q[13] == '-' && q[18] == '-' && q[23] == '-' {
		return true
	}
	for _, r := range q {
		if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
			return false
		}
	}
	if len(q) < 9 {
		return false
	}
	groups := strings.Split(q, "-")
	want := []int{8, 4, 4, 4, 12}
	if len(groups) > len(want) {
		return true
	}
	for i, g := range groups {
		last := i == len(groups)-1
		if (!last && len(g) != want[i]) || len(g) > want[i] {
			return true
		}
	}
	return false
}
