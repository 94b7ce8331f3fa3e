package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/staff"
)

// noteEvents are the order's note events in the audit log.
func (a *ordersApp) noteEvents(orderID string) []audit.Event {
	a.t.Helper()
	evs, err := a.h.Audit.NoteEvents(a.t.Context(), orderID)
	if err != nil {
		a.t.Fatal(err)
	}
	return evs
}

// addNote opens the order page (which indexes the order) and posts its
// note form with the page's CSRF token.
func (ag *agent) addNote(orderID, note string) answer {
	ag.a.t.Helper()
	page := ag.get("/orders/"+orderID, nil)
	tok := page.doc.Find(`[data-testid="note-form"] input[name="_csrf"]`).AttrOr("value", "")
	if tok == "" {
		ag.a.t.Fatalf("the order page has no note form (%d)", page.resp.StatusCode)
	}
	return ag.post("/orders/"+orderID+"/notes", url.Values{"_csrf": {tok}, "note": {note}}, nil)
}

func anyOrder(*omclient.Order) bool { return true }

// TestNoteIsRecordedAndShown: an agent's note is an audit event of kind
// note with who and the text as typed (line breaks kept), shown on the
// order page and in its history; a second note follows the first.
func TestNoteIsRecordedAndShown(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	id := a.demoOrder(anyOrder).OrderID
	ag := a.signedIn(staff.RoleAgent)
	r := ag.addNote(id, "  Customer called: parcel left at the neighbour's.\r\nCall back Monday.  ")
	if r.resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(r.resp.Header.Get("Location"), "#order-notes") {
		t.Fatalf("add note: %d %q %s", r.resp.StatusCode, r.resp.Header.Get("Location"), text(r.doc.Find("main")))
	}
	want := "Customer called: parcel left at the neighbour's.\nCall back Monday."
	evs := a.noteEvents(id)
	if len(evs) != 1 || evs[0].Kind != audit.KindNote || evs[0].Reason != want || evs[0].Actor.Email != "agent@example.com" {
		t.Fatalf("note events: %+v", evs)
	}
	sup := a.signedIn(staff.RoleSupervisor)
	if r := sup.addNote(id, "Checked with the carrier."); r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second note: %d", r.resp.StatusCode)
	}
	page := ag.get("/orders/"+id, nil)
	notes := page.testid("note")
	if notes.Length() != 2 || notes.First().Find(`[data-testid="note-text"]`).Text() != want ||
		text(notes.First().Find(`[data-testid="note-staff"]`)) != "agent@example.com" ||
		text(notes.Last().Find(`[data-testid="note-text"]`)) != "Checked with the carrier." {
		t.Fatalf("notes on the page: %d %q", notes.Length(), text(notes))
	}
	hist := page.doc.Find(`#order-history [data-testid="history-item"][data-source="note"]`)
	if all := text(hist); hist.Length() != 2 || !strings.Contains(all, "Internal note by agent@example.com Customer called") ||
		!strings.Contains(all, "Internal note by supervisor@example.com Checked with the carrier.") {
		t.Fatalf("history notes: %d %q", hist.Length(), text(hist))
	}
	// The panel alone, as htmx loads it after an in-place change.
	if p := ag.htmx("/orders/"+id+"/notes", ""); p.testid("note").Length() != 2 {
		t.Fatalf("notes panel: %d %s", p.resp.StatusCode, p.body)
	}
}

// TestNoteRefusedKeepsWhatWasTyped: an empty note, one over 1,000
// characters and one with a control character are refused with a message
// at the field, the text kept in it, and nothing recorded.
func TestNoteRefusedKeepsWhatWasTyped(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	id := a.demoOrder(anyOrder).OrderID
	ag := a.signedIn(staff.RoleAgent)
	long := strings.Repeat("x", 1001)
	for _, c := range []struct{ typed, msg string }{
		{"   ", "Write the note before adding it."},
		{long, "A note has at most 1,000 characters; this one has 1,001."},
		{"bell\x07here", "invisible control character (U+0007)"},
		{"abc\u202Eevil", "invisible control character (U+202E)"},
	} {
		r := ag.addNote(id, c.typed)
		got := text(r.testid("note-error"))
		if r.resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(got, c.msg) {
			t.Fatalf("%q: %d %q, want %q", c.typed[:min(len(c.typed), 10)], r.resp.StatusCode, got, c.msg)
		}
		area := r.doc.Find(`#note-text`)
		if area.Text() != c.typed || area.AttrOr("aria-invalid", "") != "true" {
			t.Fatalf("%q: the field holds %q", c.typed[:min(len(c.typed), 10)], area.Text())
		}
	}
	if n := len(a.noteEvents(id)); n != 0 {
		t.Fatalf("%d refused notes were recorded", n)
	}
}

// TestNoteRules: the auditor gets no form and may not post one; a post
// without the CSRF token is refused; no route edits or removes a note.
func TestNoteRules(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	id := a.demoOrder(anyOrder).OrderID
	ag := a.signedIn(staff.RoleAgent)
	ag.addNote(id, "first")

	aud := a.signedIn(staff.RoleAuditor)
	page := aud.get("/orders/"+id, nil)
	if page.testid("note-form").Length() != 0 || page.testid("note").Length() != 1 {
		t.Fatalf("auditor: form %d, notes %d", page.testid("note-form").Length(), page.testid("note").Length())
	}
	if r := aud.post("/orders/"+id+"/notes", url.Values{"_csrf": {aud.csrfToken()}, "note": {"auditor's"}}, nil); r.resp.StatusCode != http.StatusForbidden {
		t.Fatalf("auditor's note: %d", r.resp.StatusCode)
	}
	if r := ag.post("/orders/"+id+"/notes", url.Values{"note": {"no token"}}, nil); r.resp.StatusCode != http.StatusForbidden {
		t.Fatalf("note without CSRF token: %d", r.resp.StatusCode)
	}
	for _, m := range []string{http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if r := ag.send(m, "/orders/"+id+"/notes", nil, http.Header{"X-CSRF-Token": {ag.csrfToken()}}); r.resp.StatusCode != http.StatusMethodNotAllowed && r.resp.StatusCode != http.StatusNotFound {
			t.Fatalf("%s of the notes: %d", m, r.resp.StatusCode)
		}
	}
	if evs := a.noteEvents(id); len(evs) != 1 || evs[0].Reason != "first" {
		t.Fatalf("notes after the refused attempts: %+v", evs)
	}
	// An order nobody opened here gets no note.
	if r := ag.post("/orders/00000000-0000-4000-8000-000000000000/notes", url.Values{"_csrf": {ag.csrfToken()}, "note": {"x"}}, nil); r.resp.StatusCode != http.StatusNotFound {
		t.Fatalf("note on an unknown order: %d", r.resp.StatusCode)
	}
}
