package main

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// The back office's SQLite writes per page come from internal/dbwatch
// (with -inprocess: it hooks the connections of this process).

// perRequest formats the commits between two snapshots per request.
func perRequest(before, after map[string]int64, requests int) string {
	var parts []string
	for _, name := range []string{"admin.db", "audit.db"} {
		parts = append(parts, fmt.Sprintf("%s %.2f", name, float64(after[name]-before[name])/float64(requests)))
	}
	for name, n := range after {
		if name != "admin.db" && name != "audit.db" && n > before[name] {
			parts = append(parts, fmt.Sprintf("%s %.2f", name, float64(n-before[name])/float64(requests)))
		}
	}
	return strings.Join(parts, ", ")
}

// rowsPerRequest formats the rows changed between two snapshots per
// request, by table, most first.
func rowsPerRequest(before, after map[string]int64, requests int) string {
	var names []string
	for name, n := range after {
		if n > before[name] {
			names = append(names, name)
		}
	}
	slices.SortFunc(names, func(a, b string) int {
		return cmp.Or(cmp.Compare(after[b]-before[b], after[a]-before[a]), cmp.Compare(a, b))
	})
	var parts []string
	for _, name := range names {
		parts = append(parts, fmt.Sprintf("%s %.2f", name, float64(after[name]-before[name])/float64(requests)))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
