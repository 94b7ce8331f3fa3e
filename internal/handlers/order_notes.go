package handlers

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/staff"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// Internal notes: anyone who may change an order adds a note to it (who,
// when, the text), recorded as an audit event of kind "note" and shown on
// the order page and in its history. There is no route that edits or
// removes a note: the audit log allows neither, and a correction is
// another note.

// maxNote bounds a note, in characters.
const maxNote = 1000

// noteDraftKey carries a refused note to the order page (showOrder), so
// the page shows the message at the field with what was typed.
const noteDraftKey = "ordercare.note-draft"

// checkNote is the rule for a note's text: not empty, at most maxNote
// characters, and no character that cannot be shown (control characters
// other than line breaks and tabs, and the invisible direction changes
// that make text read differently from how it is stored). It returns the
// text to record (trimmed, line breaks as "\n") or the message to show.
func checkNote(s string) (string, string) {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	switch {
	case s == "":
		return "", "Write the note before adding it."
	case !utf8.ValidString(s):
		return "", "The note is not valid text; type it again."
	case utf8.RuneCountInString(s) > maxNote:
		return "", fmt.Sprintf("A note has at most %s characters; this one has %s. Shorten it, or add a second note.",
			groupThousands(maxNote), groupThousands(utf8.RuneCountInString(s)))
	}
	if i := strings.IndexFunc(s, unshowable); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return "", fmt.Sprintf("The note holds an invisible control character (U+%04X) that cannot be shown; remove it.", r)
	}
	return s, ""
}

// unshowable: control characters other than line breaks and tabs, and the
// bidirectional embeddings, overrides and isolates.
func unshowable(r rune) bool {
	if r == '\n' || r == '\t' {
		return false
	}
	return unicode.Is(unicode.Cc, r) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// groupThousands writes 1000 as "1,000".
func groupThousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// addNote is POST /orders/:id/notes. A refused note answers the order
// page with the message at the field and the text kept (422); an added
// one goes back to the order page's notes.
func (h *Handlers) addNote(c echo.Context) error {
	id := c.Param("id")
	if !omclient.ValidOrderID(id) {
		return publicError(http.StatusNotFound, "Not an order id.")
	}
	ctx := c.Request().Context()
	// Only an order someone opened (so indexed) gets notes: not any id.
	if _, found, err := h.Index.Get(ctx, id); err != nil {
		return err
	} else if !found {
		return publicError(http.StatusNotFound, "No such order here. Open it from the search first.")
	}
	typed := c.FormValue("note")
	text, problem := checkNote(typed)
	if problem == "" {
		ev := audit.Event{Time: h.now(), Kind: audit.KindNote, Actor: h.actor(c), OrderID: id, Reason: text}
		if _, err := h.Audit.Append(ctx, ev); err != nil {
			h.Log.Error("recording a note failed", slog.String("order_id", id), slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
			problem = "The note could not be saved; nothing was recorded. Try again."
		}
	}
	if problem != "" {
		c.Set(noteDraftKey, view.NotesPanel{Text: typed, Error: problem})
		return h.showOrder(c)
	}
	h.flash(c, "Note added.")
	return redirect(c, view.OrderPath(id)+"#order-notes")
}

// notesPanel builds the order page's notes from the note events read with
// the history; a refused note's text and message come from addNote.
func (h *Handlers) notesPanel(c echo.Context, orderID string, r historyReads) view.NotesPanel {
	p, _ := c.Get(noteDraftKey).(view.NotesPanel)
	p.Loaded, p.OrderID, p.CSRF = true, orderID, csrfToken(c)
	if m := h.currentStaff(c); m != nil {
		p.CanAdd = m.Role.Allows(staff.RoleAgent, false)
	}
	if r.err != nil {
		p.Failed = true
		return p
	}
	p.Notes = view.NewNotes(r.notes, agentZone(c))
	return p
}

// noteStatus is the order page's status: 422 when it answers a refused note.
func noteStatus(c echo.Context) int {
	if p, ok := c.Get(noteDraftKey).(view.NotesPanel); ok && p.Error != "" {
		return http.StatusUnprocessableEntity
	}
	return http.StatusOK
}

// showOrderNotes is GET /orders/:id/notes: the notes panel alone, for an
// order page rendered without it (htmx loads it into place); opened
// directly, the order page at its notes.
func (h *Handlers) showOrderNotes(c echo.Context) error {
	id := c.Param("id")
	if !omclient.ValidOrderID(id) {
		return publicError(http.StatusNotFound, "Not an order id.")
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, view.OrderPath(id)+"#order-notes")
	}
	return render(c, http.StatusOK, templates.OrderNotes(h.notesPanel(c, id, h.readHistory(c.Request().Context(), id))))
}
