package view

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"ordercare/internal/audit"
)

// EventView is one stored event as the detail page shows it.
type EventView struct {
	Seq      int64
	Kind     string
	Time     Time
	Staff    string
	Role     string
	ClientIP string
	Agent    string
	PrevHash string
	Hash     string
	Detail   []Field
}

func newEventView(e audit.Event, loc *time.Location) EventView {
	return EventView{Seq: e.Seq, Kind: string(e.Kind), Time: newTime(e.Time, loc), Staff: orDash(e.Actor.Email),
		Role: e.Actor.Role, ClientIP: e.Actor.ClientIP, Agent: e.Actor.UserAgent, PrevHash: e.PrevHash, Hash: e.Hash,
		Detail: sortedFields(e.Detail)}
}

// sortedFields lists a map by key.
func sortedFields(m map[string]string) []Field {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]Field, 0, len(keys))
	for _, k := range keys {
		out = append(out, Field{Label: k, Value: m[k]})
	}
	return out
}

// ChangeRow is one value an attempt touched.
type ChangeRow struct {
	Field, Before, After string
	Changed              bool
}

// moneyText shows a recorded amount ("149.97 EUR", the log's plain form)
// as every page shows money to this reader ("149,97 €"); any other value
// as it is.
func moneyText(v, numbers string) string {
	amount, cur, ok := strings.Cut(v, " ")
	if !ok {
		return v
	}
	return plainMoney(amount, cur, numbers, v)
}

// changeRows pairs before and after values by key.
func changeRows(before, after map[string]string, numbers string) []ChangeRow {
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	var out []ChangeRow
	for _, k := range sorted {
		b, bok := before[k]
		a, aok := after[k]
		row := ChangeRow{Field: k, Before: orDash(moneyText(b, numbers)), After: orDash(moneyText(a, numbers))}
		if !aok && after == nil {
			row.After = "not read"
		}
		row.Changed = bok && aok && a != b
		out = append(out, row)
	}
	return out
}

// prettyJSON indents a JSON body for reading; anything else is returned
// as it is.
func prettyJSON(body []byte) string {
	if len(body) == 0 {
		return ""
	}
	var b bytes.Buffer
	if err := json.Indent(&b, body, "", "  "); err != nil {
		return string(body)
	}
	return b.String()
}
