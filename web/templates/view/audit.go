package view

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
)

// AuditQuery is the audit trail's filters as they stand in the URL, so a
// view can be shared by its address: staff (e-mail), order (id), action,
// outcome, from and to (dates, YYYY-MM-DD, inclusive, in the viewer's
// zone) and text.
type AuditQuery struct {
	Staff, Order, Action, Outcome, From, To, Text string
}

// Values encodes the filters (empty ones left out) and the cursor.
func (q AuditQuery) Values(cursor string) url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"staff", q.Staff}, {"order", q.Order}, {"action", q.Action}, {"outcome", q.Outcome},
		{"from", q.From}, {"to", q.To}, {"text", q.Text}, {"cursor", cursor}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	return v
}

// Href is path with the filters and cursor.
func (q AuditQuery) Href(path, cursor string) string {
	if e := q.Values(cursor).Encode(); e != "" {
		return path + "?" + e
	}
	return path
}

// auditActionName is an action in words ("Capture"), from the operation
// catalogue (orders.Info).
func auditActionName(action string) string {
	if o, ok := orders.Info(omclient.Operation(action)); ok {
		return o.AuditLabel
	}
	if name, ok := shopActionNames[action]; ok {
		return name
	}
	return humanize(action)
}

// KnownAuditAction reports whether action is an order-change action.
func KnownAuditAction(action string) bool {
	_, ok := orders.Info(omclient.Operation(action))
	return ok
}

// PendingText says how many money changes await review.
func PendingText(n int64) string {
	if n == 1 {
		return "1 money change"
	}
	return groupDigits(n) + " money changes"
}

// AuditActionOptions is the action filter's choices.
func AuditActionOptions(selected string) []Option {
	out := []Option{{Value: "", Label: "Any action", Selected: selected == ""}}
	for _, o := range orders.Catalogue() {
		out = append(out, Option{Value: string(o.Op), Label: o.AuditLabel, Selected: string(o.Op) == selected})
	}
	return out
}

// outcomeTexts are the outcomes in words.
var outcomeTexts = map[audit.Outcome]string{
	audit.OutcomeSucceeded: "Succeeded",
	audit.OutcomeRefused:   "Refused",
	audit.OutcomeFailed:    "Failed, not sent",
	audit.OutcomeUnknown:   "Unknown",
	audit.OutcomePending:   "In progress",
}

// AuditOutcomeOptions is the outcome filter's choices.
func AuditOutcomeOptions(selected string) []Option {
	out := []Option{{Value: "", Label: "Any outcome", Selected: selected == ""}}
	for _, o := range audit.Outcomes {
		out = append(out, Option{Value: string(o), Label: outcomeTexts[o], Selected: string(o) == selected})
	}
	return out
}

// outcomeBadge is an attempt's outcome as a badge; the word carries the
// meaning, the class only the colour.
func outcomeBadge(o audit.Outcome) Badge {
	if o == "" {
		o = audit.OutcomePending
	}
	text, ok := outcomeTexts[o]
	if !ok {
		text = humanize(string(o))
	}
	return Badge{Text: text, Class: "badge badge-" + string(o), Value: string(o)}
}

// reviewBadge is an attempt's review state ("" when not reviewed).
func reviewBadge(review string) Badge {
	switch review {
	case string(audit.ReviewReviewed):
		return Badge{Text: "Reviewed", Class: "badge badge-reviewed", Value: review}
	case string(audit.ReviewFlagged):
		return Badge{Text: "Flagged", Class: "badge badge-flagged", Value: review}
	}
	return Badge{}
}

// AuditRow is one attempt in the audit trail table.
type AuditRow struct {
	AttemptID, Href string
	Time            Time
	Staff           string
	OrderID         string
	OrderHref       string
	Action          string
	Outcome         Badge
	HTTPStatus      string
	ErrorCode       string
	CorrelationID   string
	Duration        string
	Review          Badge
	// Amount is the change's amount in the order's currency, and
	// References the order's provider and merchant references, both from
	// the order index ("" when the order is not indexed); set by WithOrder.
	Amount, References string
	// ApprovedBy is who approved a change that needed a second person;
	// Staff is then who asked for it (set by WithApproval).
	ApprovedBy string
}

// WithApproval names who asked for and who approved a change sent after
// approval: the attempt's actor is whoever sent it, which for an approved
// change is its approver, not the agent who asked.
func (r *AuditRow) WithApproval(a audit.Approval) {
	if a.ApprovedBy == "" {
		return
	}
	r.ApprovedBy = a.ApprovedBy
	if a.RequestedBy != "" {
		r.Staff = a.RequestedBy
	}
}

// WithOrder adds what the order index knows of the row's order: the
// amount in its currency (the audit log keeps minor units) and its
// references, which staff recognise sooner than an order id.
func (r *AuditRow) WithOrder(o orders.IndexedOrder, amount int64, numbers string) {
	if amount != 0 && o.Currency != "" {
		r.Amount = newMoney(amount, o.Currency, numbers).Text
	}
	var refs []string
	for _, ref := range []string{o.KlarnaReference, o.MerchantReference1} {
		if ref != "" {
			refs = append(refs, ref)
		}
	}
	r.References = strings.Join(refs, " · ")
}

// AttemptHref is the detail page of an attempt.
func AttemptHref(attemptID string) string { return "/audit/attempts/" + url.PathEscape(attemptID) }

// NewAuditRow builds a table row from the search index.
func NewAuditRow(r audit.AttemptRow, loc *time.Location) AuditRow {
	row := AuditRow{
		AttemptID: r.AttemptID, Href: AttemptHref(r.AttemptID), Time: newTime(r.Time, loc),
		Staff: orDash(r.StaffEmail), OrderID: r.OrderID, Action: auditActionName(r.Action),
		Outcome: outcomeBadge(r.Outcome), ErrorCode: r.ErrorCode, CorrelationID: r.CorrelationID,
		Review: reviewBadge(r.Review),
	}
	if r.OrderID != "" {
		row.OrderHref = OrderPath(r.OrderID)
	}
	if r.HTTPStatus != 0 {
		row.HTTPStatus = strconv.Itoa(r.HTTPStatus)
	}
	if r.Outcome != "" {
		row.Duration = strconv.FormatInt(r.DurationMS, 10) + " ms"
	}
	return row
}

// AuditView is the audit trail page and its table region.
type AuditView struct {
	Query          AuditQuery
	StaffOptions   []Option
	ActionOptions  []Option
	OutcomeOptions []Option
	// Zone is the viewer's time zone, in which dates are read and shown.
	Zone string
	// Error explains a filter that could not be used (nothing is listed).
	Error     string
	Rows      []AuditRow
	CountText string
	NextHref  string
	FirstHref string
	// ExportHref downloads the attempts of the current filters as CSV.
	ExportHref string
	Chain      ChainView
	// CanVerify shows the "verify now" button (supervisors and admins).
	CanVerify bool
	CSRF      string
	// ReviewText links the to-review queue ("12 money changes to review").
	ReviewText string
}

// AuditCountText says how many attempts match.
func AuditCountText(n int64, filtered bool) string {
	noun, verb := "attempts", "match"
	if n == 1 {
		noun, verb = "attempt", "matches"
	}
	if filtered {
		return groupDigits(n) + " " + noun + " " + verb + " the filters"
	}
	return groupDigits(n) + " " + noun + " in the audit trail"
}

// groupDigits writes 1234567 as "1,234,567".
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return "-" + groupDigits(-n)
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ChainView is the audit page's chain status box.
type ChainView struct {
	// State is "ok", "broken", "never" or "running" (for the colour and tests).
	State    string
	Heading  string
	Detail   string
	Problems []string
	// Checkpoint describes the signed checkpoints.
	Checkpoint string
	// Running says who started the verification in progress.
	Running string
}

// NewChainView builds the chain status from the last verification and the
// checkpoint state.
func NewChainView(st audit.VerificationStatus, cps audit.CheckpointStatus, loc *time.Location) ChainView {
	v := ChainView{State: "never", Heading: "The chain has not been verified yet"}
	if last := st.Last; last != nil {
		when := newTime(last.Time, loc).Text
		who := orDash(last.By)
		detail := fmt.Sprintf("%s events checked on %s by %s in %s.", groupDigits(last.Events), when, who, durationText(last.DurationMS))
		if last.Checked {
			detail += fmt.Sprintf(" %s signed checkpoints matched; %s events since the latest one.", groupDigits(int64(last.Matched)), groupDigits(last.Uncovered))
		}
		v.Detail = detail
		v.Problems = last.Problems
		if last.OK {
			v.State, v.Heading = "ok", "The audit trail verifies"
		} else {
			v.State, v.Heading = "broken", "The audit trail does not verify"
			if last.FirstBad != 0 {
				v.Problems = append([]string{fmt.Sprintf("Event %d: %s", last.FirstBad, last.Reason)}, v.Problems...)
			}
		}
	}
	if st.Running {
		v.State = "running"
		v.Running = fmt.Sprintf("A verification started by %s on %s is running; reload the page to see its result.", orDash(st.By), newTime(st.Since, loc).Text)
	}
	switch {
	case !cps.Enabled:
		v.Checkpoint = "Signed checkpoints are off: only the hash chain protects the log."
	case cps.LastErr != "":
		v.Checkpoint = "The last checkpoint could not be written: " + cps.LastErr
	case cps.Last.Count == 0 && cps.Last.Time.IsZero():
		v.Checkpoint = "Signed checkpoints are on; none is written yet."
	default:
		v.Checkpoint = fmt.Sprintf("Latest signed checkpoint: %s events, %s. Verifier key: %s",
			groupDigits(cps.Last.Count), newTime(cps.Last.Time, loc).Text, cps.VerifierKey)
	}
	return v
}

func durationText(ms int64) string {
	if ms < 1000 {
		return strconv.FormatInt(ms, 10) + " ms"
	}
	return strconv.FormatFloat(float64(ms)/1000, 'f', 1, 64) + " s"
}

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

// ReviewEntry is a review or a check of an attempt.
type ReviewEntry struct {
	Time    Time
	By      string
	What    Badge
	Comment string
	Detail  []Field
}

// AttemptView is the detail page of one attempt.
type AttemptView struct {
	Row   AuditRow
	Title string
	// Reason and Ticket are what the agent gave for the change.
	Reason, Ticket, IdempotencyKey string
	// RequestBody is the request exactly as sent, pretty-printed when it
	// is JSON; RequestRaw says whether it was shown unchanged.
	RequestBody string
	Changes     []ChangeRow
	// Answer is the provider's answer: outcome, status, codes, ids.
	Answer        []Field
	ErrorMessages []string
	Requested     EventView
	Completed     *EventView
	Reviews       []ReviewEntry
	// CanReview shows the review form and, for unknown outcomes, the
	// "check now" button (supervisors and admins; never the auditor).
	CanReview bool
	CanCheck  bool
	CSRF      string
	// Comment and Error keep a review that was refused.
	Comment, Error string
}

// NewAttemptView builds the detail page of an attempt.
func NewAttemptView(a audit.Attempt, row audit.AttemptRow, reviews []audit.Event, loc *time.Location, numbers string) AttemptView {
	r := a.Requested
	v := AttemptView{
		Row:    NewAuditRow(row, loc),
		Title:  auditActionName(r.Action) + " on order " + r.OrderID,
		Reason: r.Reason, Ticket: r.Ticket, IdempotencyKey: r.IdempotencyKey,
		RequestBody: prettyJSON(r.Request),
		Requested:   newEventView(r, loc),
	}
	var after map[string]string
	if c := a.Completed; c != nil {
		ev := newEventView(*c, loc)
		v.Completed = &ev
		after = c.After
		v.ErrorMessages = c.ErrorMessages
		add := func(label, value string) {
			if value != "" {
				v.Answer = append(v.Answer, Field{Label: label, Value: value})
			}
		}
		add("Outcome", outcomeBadge(c.Outcome).Text)
		if c.HTTPStatus != 0 {
			add("HTTP status", strconv.Itoa(c.HTTPStatus))
		}
		add("Error code", c.ErrorCode)
		add("Correlation id", c.CorrelationID)
		add("Capture or refund id", c.ResourceID)
		add("Duration", strconv.FormatInt(c.DurationMS, 10)+" ms")
		add("Calls sent", c.Detail["attempts"])
		add("Error", c.Detail["error"])
		add("Warning", c.Detail["warning"])
		add("Note", c.Detail["note"])
	}
	v.Changes = changeRows(r.Before, after, numbers)
	for _, e := range reviews {
		entry := ReviewEntry{Time: newTime(e.Time, loc), By: orDash(e.Actor.Email), Comment: e.Reason}
		switch e.Kind {
		case audit.KindReview:
			entry.What = reviewBadge(e.Detail["review"])
		case audit.KindReconciled:
			entry.What = Badge{Text: "Checked with the provider", Class: "badge badge-checked", Value: "checked"}
			// What the check saw and why it decided, amounts in the
			// log's plain form ("40.00 EUR"), read like the rest of the
			// page.
			d := map[string]string{}
			for k, val := range e.Detail {
				if k != "requested_seq" {
					d[k] = MoneyIn(val, numbers)
				}
			}
			entry.Detail = sortedFields(d)
		}
		v.Reviews = append(v.Reviews, entry)
	}
	return v
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

// ReviewQueueItem is one line of the to-review view.
type ReviewQueueItem struct {
	Row    AuditRow
	Amount string
	Reason string
	Ticket string
	Hints  []string
	// Checked is true for an unknown outcome that someone checked.
	Checked bool
}

// ReviewQueueView is the to-review page.
type ReviewQueueView struct {
	Unknown     []ReviewQueueItem
	Items       []ReviewQueueItem
	PendingText string
	NextHref    string
	FirstHref   string
	Zone        string
	OfficeHours string
	CanReview   bool
	CSRF        string
}

// NewReviewQueueView builds the to-review page.
func NewReviewQueueView(q audit.ReviewQueue, cursor string, loc *time.Location, office, numbers string) ReviewQueueView {
	v := ReviewQueueView{Zone: loc.String(), OfficeHours: office}
	item := func(it audit.ReviewItem) ReviewQueueItem {
		out := ReviewQueueItem{Row: NewAuditRow(it.AttemptRow, loc), Reason: it.Reason, Ticket: it.Ticket,
			Checked: it.ReconciledSeq != 0}
		if it.Amount != 0 && it.Currency != "" {
			out.Amount = newMoney(it.Amount, it.Currency, numbers).Text
		}
		for _, h := range it.Hints {
			out.Hints = append(out.Hints, MoneyIn(h.Text, numbers))
		}
		return out
	}
	for _, it := range q.Unknown {
		v.Unknown = append(v.Unknown, item(it))
	}
	for _, it := range q.Items {
		v.Items = append(v.Items, item(it))
	}
	noun := "money changes"
	if q.Pending == 1 {
		noun = "money change"
	}
	v.PendingText = groupDigits(q.Pending) + " " + noun + " not reviewed yet"
	if q.Next != "" {
		v.NextHref = "/audit/review?cursor=" + url.QueryEscape(string(q.Next))
	}
	if cursor != "" {
		v.FirstHref = "/audit/review"
	}
	return v
}

// EventRow is one event of the other-events list.
type EventRow struct {
	Seq     int64
	Time    Time
	Kind    string
	Staff   string
	Summary string
	Href    string // the attempt, for reviews and checks
}

// EventsView is the page of events that are not attempts.
type EventsView struct {
	Kind      string
	Kinds     []Option
	Rows      []EventRow
	NextHref  string
	FirstHref string
	Zone      string
}

// eventKinds are the kinds the other-events page filters by.
var eventKinds = []struct{ Value, Label string }{
	{string(audit.KindSignIn), "Sign-in"}, {string(audit.KindSignInFailed), "Failed sign-in"},
	{string(audit.KindSignOut), "Sign-out"}, {string(audit.KindLockout), "Lockout"},
	{string(audit.KindStaff), "Staff change"}, {string(audit.KindExport), "Export"},
	{string(audit.KindVerify), "Verification"}, {string(audit.KindReview), "Review"},
	{string(audit.KindReconciled), "Check with the provider"},
	{string(audit.KindApproval), "Four-eyes approval"},
	{string(audit.KindAcknowledged), "Acknowledged restore"},
	{string(audit.KindSecondFactor), "Second factor"},
	{string(audit.KindNote), "Internal note"},
}

// eventKindName is an event kind in words.
func eventKindName(k audit.Kind) string {
	for _, e := range eventKinds {
		if e.Value == string(k) {
			return e.Label
		}
	}
	return humanize(string(k))
}

// NewEventsView builds the other-events page.
func NewEventsView(p audit.EventPage, kind, cursor string, loc *time.Location, numbers string) EventsView {
	v := EventsView{Kind: kind, Zone: loc.String()}
	v.Kinds = append(v.Kinds, Option{Value: "", Label: "Any kind", Selected: kind == ""})
	for _, k := range eventKinds {
		v.Kinds = append(v.Kinds, Option{Value: k.Value, Label: k.Label, Selected: k.Value == kind})
	}
	for _, e := range p.Events {
		row := EventRow{Seq: e.Seq, Time: newTime(e.Time, loc), Kind: eventKindName(e.Kind), Staff: orDash(e.Actor.Email),
			Summary: eventSummary(e, numbers)}
		if e.AttemptID != "" {
			row.Href = AttemptHref(e.AttemptID)
		}
		if e.Kind == audit.KindApproval && e.Detail["approval_id"] != "" {
			row.Href = ApprovalHref(e.Detail["approval_id"])
		}
		v.Rows = append(v.Rows, row)
	}
	q := url.Values{}
	if kind != "" {
		q.Set("kind", kind)
	}
	if p.Next != "" {
		q.Set("cursor", string(p.Next))
		v.NextHref = "/audit/events?" + q.Encode()
	}
	if cursor != "" {
		q.Del("cursor")
		v.FirstHref = "/audit/events"
		if e := q.Encode(); e != "" {
			v.FirstHref += "?" + e
		}
	}
	return v
}

// eventSummary says in one line what an event records.
func eventSummary(e audit.Event, numbers string) string {
	d := e.Detail
	switch e.Kind {
	case audit.KindStaff:
		return joinNonEmpty(" ", humanize(d["change"]), d["target_email"], d["from"], arrowTo(d["to"]))
	case audit.KindExport:
		var parts []string
		for _, f := range sortedFields(d) {
			if strings.HasPrefix(f.Label, "filter.") {
				parts = append(parts, strings.TrimPrefix(f.Label, "filter.")+"="+f.Value)
			}
		}
		if len(parts) == 0 {
			return "CSV export of the whole audit trail"
		}
		return "CSV export: " + strings.Join(parts, ", ")
	case audit.KindVerify:
		if d["ok"] == "true" {
			return "Verified " + d["events"] + " events: intact"
		}
		return "Verified " + d["events"] + " events: does not verify"
	case audit.KindReview:
		return joinNonEmpty(": ", humanize(d["review"])+" "+auditActionName(e.Action)+" on order "+e.OrderID, e.Reason)
	case audit.KindReconciled:
		return "Checked order " + e.OrderID + " with the provider: status " + orDash(d["status"])
	case audit.KindApproval:
		return approvalSummary(e, numbers)
	case audit.KindAcknowledged:
		return joinNonEmpty(": ", d["summary"], e.Reason)
	case audit.KindSecondFactor:
		return joinNonEmpty(" ", humanize(d["factor"]), humanize(d["step"]), d["target_email"], e.Reason)
	}
	return e.Reason
}

func arrowTo(s string) string {
	if s == "" {
		return ""
	}
	return "→ " + s
}
