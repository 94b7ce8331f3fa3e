package view

import (
	"sort"
	"time"

	"ordercare/internal/audit"
)

// NotesPanel is the order page's internal notes: every note, oldest first,
// and the form to add one (for those who may change the order).
type NotesPanel struct {
	// Loaded: the notes were read with the page; otherwise htmx loads the
	// panel (a page rendered after an in-place change).
	Loaded  bool
	OrderID string
	Notes   []Note
	// CanAdd: the viewer may change the order, so may add a note.
	CanAdd bool
	CSRF   string
	// Text is what was typed, kept when it was refused with Error.
	Text, Error string
	// Failed: the notes could not be read.
	Failed bool
}

// Note is one note as shown.
type Note struct {
	Time  Time
	Staff string
	Text  string
}

// NotesPath is the notes panel's URL (GET: the panel; POST: add a note).
func NotesPath(orderID string) string { return OrderPath(orderID) + "/notes" }

// NewNotes builds the notes of an order from its note events.
func NewNotes(events []audit.Event, loc *time.Location) []Note {
	var out []Note
	for _, e := range events {
		out = append(out, Note{Time: newTime(e.Time, loc), Staff: orDash(e.Actor.Email), Text: e.Reason})
	}
	return out
}

// MergeNoteHistory adds an order's notes to its history, newest first.
func MergeNoteHistory(items []HistoryItem, events []audit.Event, loc *time.Location) []HistoryItem {
	if len(events) == 0 {
		return items
	}
	for _, e := range events {
		items = append(items, HistoryItem{Time: newTime(e.Time, loc), at: e.Time, Source: "note", Title: "Internal note",
			Staff: orDash(e.Actor.Email), Detail: e.Reason})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].at.After(items[j].at) })
	return items
}
