package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/a-h/templ"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/money"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/internal/shop"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// The common machinery of the order-change forms. A form
// handler is three steps:
//
//	cf, ok, err := h.openForm(c, omclient.OpCancel) // order read, action allowed?
//	if !ok { return err }
//	ch, ok := cf.readCommon(c)                     // key, expected, reason, ticket
//	... parse the form's own fields into ch.Body, cf.Form.AddError(...) ...
//	if !ok || cf.Form.HasErrors() { return render(422) }
//	return h.submitChange(c, cf, ch, flash, render)
//
// where render re-renders the form's own template from cf (values kept,
// messages at the fields) and flash says what changed on success.

// changeForm is one form being shown or processed: the order as read for
// it, the action it performs, and the shared view model.
type changeForm struct {
	Order   *omclient.Order
	Capture *omclient.Capture // per-capture forms only
	Action  orders.Action
	Form    view.Form
	// twin is the shop's order when the form offers to change it too
	// (order_shop_also.go).
	twin *shop.Twin
}

// formRenderer renders the form's own template for cf at status (the
// handler's closure over its own view model).
type formRenderer func(status int) error

// maxReasonOther and maxTicket bound the free-text reason and the helpdesk
// reference.
const (
	maxReasonOther = 255
	maxTicket      = 64
)

// openForm reads the order (and capture) of the form's URL and checks that
// orders.Actions allows op. ok is false when a response has already been
// decided: err is then what the handler returns (an error page for a bad
// id or a provider failure, the form panel with the reason when the
// order's state does not allow the action; no API call is made).
func (h *Handlers) openForm(c echo.Context, op omclient.Operation) (cf *changeForm, ok bool, err error) {
	id := c.Param("id")
	if !omclient.ValidOrderID(id) {
		return nil, false, publicError(http.StatusNotFound, "“"+id+"” is not an order id.")
	}
	sr := h.startShopAlso(c, op)
	o, err := h.readOrder(c, id)
	if err != nil {
		if sr != nil {
			<-sr.done
		}
		if c.Request().Context().Err() != nil {
			return nil, false, err
		}
		v := view.FromProviderError(err, id, h.Provider)
		return nil, false, respond(c, v.Status, h.page(c, v.Heading, templates.NavOrders), templates.OrderError(v), templates.OrderError(v))
	}
	now := h.now()
	cf = &changeForm{Order: o}
	var actions []orders.Action
	if captureID := c.Param("capture_id"); captureID != "" {
		i := slices.IndexFunc(o.Captures, func(x omclient.Capture) bool { return x.CaptureID == captureID })
		if i < 0 {
			return nil, false, publicError(http.StatusNotFound, "The order has no capture "+captureID+".")
		}
		cf.Capture = &o.Captures[i]
		actions = orders.CaptureActions(o, cf.Capture, h.Provider, now)
	} else {
		actions = orders.Actions(o, h.Provider, now)
	}
	a, found := orders.FindAction(actions, op)
	if !found {
		return nil, false, publicError(http.StatusNotFound, view.ProviderName(h.Provider)+" does not offer “"+orders.ActionLabel(op)+"”.")
	}
	cf.Action = a
	cf.Form = h.newForm(c, o, a)
	h.offerShop(c, cf, sr)
	// A resubmit of a key already on record goes on to the pipeline even
	// when the order's state no longer offers the action: after an unknown
	// outcome the lost try may itself have made the action impossible
	// (cancelled, fully captured), and only the replay of that key can tell
	// the agent what happened. The provider dedups by key: nothing twice.
	if !a.Allowed && !(c.Request().Method == http.MethodPost && h.keyUsed(c, c.FormValue(view.FieldKey))) {
		cf.Form.Disallowed = a.Reason
		return nil, false, h.renderForm(c, http.StatusConflict, cf.Form, templates.FormPanel(cf.Form))
	}
	return cf, true, nil
}

// newForm is the shared view model of a freshly rendered form: a new
// idempotency key and the order's fingerprint.
func (h *Handlers) newForm(c echo.Context, o *omclient.Order, a orders.Action) view.Form {
	return view.Form{
		Action:     string(a.Op),
		Title:      a.Label,
		OrderID:    o.OrderID,
		CaptureID:  a.CaptureID,
		OrderTitle: orderTitle(o),
		OrderHref:  view.OrderPath(o.OrderID),
		Path:       view.ActionPath(o.OrderID, a.Op, a.CaptureID),
		Danger:     a.Op == omclient.OpCancel || a.Op == omclient.OpReleaseRemaining || a.Op == omclient.OpCreateRefund,
		Submit:     a.Label,
		CSRF:       csrfToken(c),
		Key:        newKey(),
		Expected:   EncodeFingerprint(orders.FingerprintOf(o)),
		Values:     map[string]string{},
		Labels:     map[string]string{},
	}
}

// orderTitle is how the forms name the order: "Order K4MADNY", else its id.
func orderTitle(o *omclient.Order) string {
	if ref := strings.TrimSpace(string(o.KlarnaReference)); ref != "" {
		return "Order " + ref
	}
	return "Order " + o.OrderID
}

// renderForm answers with a form: the panel alone for htmx (it replaces the
// order page's #order-form), else the form's own page.
func (h *Handlers) renderForm(c echo.Context, status int, f view.Form, panel templ.Component) error {
	p := h.page(c, f.Title+" · "+f.OrderTitle, templates.NavOrders)
	return respond(c, status, p, templates.FormPage(f, panel), panel)
}

// formValue reads one posted field, trimmed. Forms read only the names
// they know (never echo's Bind), so no other field can reach a request.
func formValue(c echo.Context, name string) string {
	return strings.TrimSpace(c.FormValue(name))
}

// readValues copies the named posted fields into the form's values.
func (cf *changeForm) readValues(c echo.Context, names ...string) {
	for _, n := range names {
		cf.Form.SetValue(n, formValue(c, n))
	}
}

// readCommon reads the hidden fields and the reason into the form (values
// kept for re-rendering) and returns the Change with everything but the
// body. ok is false when any of them is invalid; the messages are in
// cf.Form and nothing may be sent.
func (cf *changeForm) readCommon(c echo.Context) (orders.Change, bool) {
	f := &cf.Form
	ch := orders.Change{Op: cf.Action.Op, OrderID: cf.Order.OrderID, CaptureID: cf.Action.CaptureID, Detail: attemptDetail(c)}
	ok := true

	key := formValue(c, view.FieldKey)
	if validKey(key) {
		f.Key = key
		ch.IdempotencyKey = key
	} else {
		// f.Key already holds a fresh one from newForm.
		f.AddError("", "The form's request key was missing or damaged, so nothing was sent. A new key has been made: check the values and submit again.")
		ok = false
	}
	fp, err := ParseFingerprint(formValue(c, view.FieldExpected))
	if err != nil {
		// f.Expected holds the order as just read; the agent looks again.
		f.AddError("", "The form's record of the order's state was missing or damaged, so nothing was sent. It now holds the order as it is: check the order and submit again.")
		ok = false
	} else {
		f.Expected = EncodeFingerprint(fp)
		ch.Expected = &fp
	}

	// A confirmation of a change like a recent one (the intent rule); the
	// pipeline refuses it unless it matches this very draft.
	ch.Confirm = formValue(c, view.FieldConfirm)
	reason, ticket, whyOK := readWhy(c, f, string(cf.Action.Op))
	ch.Reason, ch.Ticket = reason, ticket
	ok = ok && whyOK
	return ch, ok
}

// readWhy reads the reason (one of op's, or "Other" with a text) and the
// optional helpdesk ticket into f, with a message at each field that is
// missing or wrong; ok is false then.
func readWhy(c echo.Context, f *view.Form, op string) (reason, ticket string, ok bool) {
	ok = true
	for _, n := range []string{view.FieldReason, view.FieldReasonOther, view.FieldTicket} {
		f.SetValue(n, formValue(c, n))
	}
	if f.Labels == nil {
		f.Labels = map[string]string{}
	}
	f.Labels[view.FieldReason], f.Labels[view.FieldReasonOther], f.Labels[view.FieldTicket] = "Reason", "Other reason", "Helpdesk ticket"
	reason, other, ticket := f.Value(view.FieldReason), f.Value(view.FieldReasonOther), f.Value(view.FieldTicket)
	reasons := view.ReasonsFor(op)
	i := slices.IndexFunc(reasons, func(o view.Option) bool { return o.Value == reason })
	switch {
	case reason == "":
		f.AddError(view.FieldReason, "Choose why you are making this change")
		ok = false
	case i < 0:
		f.AddError(view.FieldReason, "Choose a reason from the list")
		ok = false
	case reason == view.ReasonOther:
		if msg := checkText(other, true, maxReasonOther); msg != "" {
			f.AddError(view.FieldReasonOther, strings.Replace(msg, "Enter a value", "Say why (the reason is “Other”)", 1))
			ok = false
		} else {
			reason = "Other: " + other
		}
	default:
		reason = reasons[i].Label
	}
	if msg := checkText(ticket, false, maxTicket); msg != "" {
		f.AddError(view.FieldTicket, msg)
		ok = false
	}
	return reason, ticket, ok
}

// keyUsed reports whether the idempotency key already has an audited
// attempt: a resubmit of a form that was sent, which the pipeline answers
// (replay or retry) even when the values now equal the order's, so "nothing
// changed" guards must let it through.
func (h *Handlers) keyUsed(c echo.Context, key string) bool {
	if key == "" || h.Audit == nil {
		return false
	}
	as, err := h.attemptsByKey(c, key)
	return err == nil && len(as) > 0
}

// attemptsByKeyKey holds, in the echo context, a request's lookup of its
// form's idempotency key.
const attemptsByKeyKey = "attempts_by_key"

type keyLookup struct {
	key string
	as  []audit.Attempt
	err error
}

// attemptsByKey returns the audited attempts sent with key, read once per
// request: a refund's submit asks up to three times (is the action still
// allowed, is it the same form again, is it held for approval) before the
// pipeline, which records the new attempt, is called.
func (h *Handlers) attemptsByKey(c echo.Context, key string) ([]audit.Attempt, error) {
	if l, ok := c.Get(attemptsByKeyKey).(keyLookup); ok && l.key == key {
		return l.as, l.err
	}
	as, err := h.Audit.AttemptsByKey(c.Request().Context(), key)
	c.Set(attemptsByKeyKey, keyLookup{key, as, err})
	return as, err
}

// checkText is the shared rule for a single-line text field: printable,
// at most max characters, and present when required. It returns the
// message to show, or "".
func checkText(s string, required bool, max int) string {
	switch {
	case !utf8.ValidString(s):
		return "Use plain text"
	case strings.ContainsFunc(s, func(r rune) bool { return r != ' ' && !unicode.IsPrint(r) }):
		return "Use printable characters only (no line breaks or control characters)"
	case required && s == "":
		return "Enter a value"
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Sprintf("At most %d characters (you typed %d)", max, n)
	}
	return ""
}

// newKey mints a form's idempotency key, time-ordered (audit.NewID).
func newKey() string { return audit.NewID() }

// validKey accepts the canonical text of a UUID v7, the keys forms mint,
// or v4, the keys they minted before (a form still open in a browser).
func validKey(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && (u.Version() == 7 || u.Version() == 4) && u.String() == s
}

// EncodeFingerprint writes the order's fingerprint into the form's
// "expected" field: "v1.<status>.<order>.<captured>.<refunded>.<captures>.<refunds>".
func EncodeFingerprint(fp orders.Fingerprint) string {
	return strings.Join([]string{"v1", string(fp.Status),
		strconv.FormatInt(fp.OrderAmount, 10), strconv.FormatInt(fp.CapturedAmount, 10), strconv.FormatInt(fp.RefundedAmount, 10),
		strconv.Itoa(fp.Captures), strconv.Itoa(fp.Refunds)}, ".")
}

// errFingerprint: the "expected" field is not one EncodeFingerprint wrote.
var errFingerprint = errors.New("handlers: damaged order fingerprint")

// ParseFingerprint reads an "expected" field strictly: a known status,
// non-negative amounts within the API's limit, and exactly the text
// EncodeFingerprint would write, so an edited or truncated value is an
// error rather than a different order state.
func ParseFingerprint(s string) (orders.Fingerprint, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 7 || parts[0] != "v1" || !slices.Contains(omclient.Statuses, omclient.Status(parts[1])) {
		return orders.Fingerprint{}, errFingerprint
	}
	var n [5]int64
	for i, p := range parts[2:] {
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil || v < 0 || (i < 3 && v > money.MaxAmount) || (i >= 3 && v > 100000) {
			return orders.Fingerprint{}, errFingerprint
		}
		n[i] = v
	}
	fp := orders.Fingerprint{Status: omclient.Status(parts[1]), OrderAmount: n[0], CapturedAmount: n[1], RefundedAmount: n[2],
		Captures: int(n[3]), Refunds: int(n[4])}
	if EncodeFingerprint(fp) != s {
		return orders.Fingerprint{}, errFingerprint
	}
	return fp, nil
}

// addValidation puts the client's field errors at their fields. Paths are
// the form's field names; a path with no field of its own goes to the
// nearest enclosing field ("shipping_info[2]" for
// "shipping_info[2].x" if only that exists), else to the summary with the
// path named.
func (cf *changeForm) addValidation(ve *omclient.ValidationError) {
	f := &cf.Form
	for _, fe := range ve.Fields {
		msg := sentence(fe.Message)
		field := fe.Field
		for field != "" {
			if _, ok := f.Values[field]; ok {
				break
			}
			field = parentPath(field)
		}
		if field == "" {
			f.AddError("", fe.Field+": "+fe.Message)
			continue
		}
		f.AddError(field, msg)
	}
}

// validateBody checks a request body with the client's rules before
// anything is sent, so its messages appear at the fields together with the
// form's own (Apply would report them too, but only after the form's
// checks had passed).
func (cf *changeForm) validateBody(body omclient.Request) {
	var ve *omclient.ValidationError
	if err := omclient.ValidateRequest(body); errors.As(err, &ve) {
		cf.addValidation(ve)
	}
}

// parentPath drops the last segment of a JSON path: "a[1].b" -> "a[1]" ->
// "a" -> "".
func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

// sentence capitalises a client message ("must be an http(s) URL").
func sentence(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// Messages of the outcomes a form reports.
const (
	msgUnknown = "Outcome unknown: the provider may have applied this change. It is safe to submit again: the same request key is reused, so it cannot be applied twice."
	msgStale   = "The order changed since you opened this form (for example captured in another tab). Check the amounts and submit again."
)

// submitChange sends ch through the pipeline and answers with what
// happened:
//   - succeeded: flash(res) as confirmation and the refreshed order page
//     (303 to it; for htmx the page content with HX-Retarget #order-page);
//   - refused: the form again with the provider's message, code and
//     correlation id, and a new key;
//   - unknown / failed: the form again, same key, safe to resubmit;
//   - validation errors: at their fields; stale: the fresh fingerprint;
//   - audit log unavailable: 503.
//
// render re-renders the form's own template from cf; it is called after
// cf has been updated (messages, key, fingerprint, and on a stale form the
// fresh order in cf.Order).
func (h *Handlers) submitChange(c echo.Context, cf *changeForm, ch orders.Change, flash func(orders.Result) string, render formRenderer) error {
	half := h.shopHalfFor(cf, ch)
	pr, err := h.applyChange(c, ch, half)
	res := pr.Result
	if err != nil {
		return h.changeNotSent(c, cf, ch, res, err, render)
	}
	f := &cf.Form
	switch res.Outcome {
	case audit.OutcomeSucceeded:
		msg := flash(res)
		if said := shopHalfSaid(half, pr); said != "" {
			msg = strings.TrimSuffix(msg, ".") + "." + said
		}
		if res.Replayed {
			msg += " (This form had already been submitted; nothing was sent again.)"
		}
		return h.changeSucceeded(c, cf.Order.OrderID, res.Order, msg)
	case audit.OutcomeRefused:
		if res.Order != nil {
			cf.Order = res.Order
			f.Expected = EncodeFingerprint(orders.FingerprintOf(res.Order))
		}
		f.Key = newKey()
		f.Outcome = providerOutcome(view.OutcomeRefused, view.ProviderName(h.Provider)+" refused the change", "Nothing was changed.", res)
		return render(http.StatusUnprocessableEntity)
	case audit.OutcomeUnknown:
		f.Outcome = providerOutcome(view.OutcomeUnknown, "Outcome unknown", msgUnknown, res)
		return render(http.StatusBadGateway)
	default: // failed: nothing reached the provider
		f.Outcome = providerOutcome(view.OutcomeFailed, "Not sent: the provider could not be reached",
			"The request did not reach "+view.ProviderName(h.Provider)+", so nothing was changed. Submit again in a moment: the same request key is reused.", res)
		return render(http.StatusBadGateway)
	}
}

// changeNotSent answers a change that err stopped (from the pipeline, or
// from recording an approval request): validation errors at their fields,
// a stale form with the fresh fingerprint, a reused key with a new one,
// the audit log down as 503. render re-renders the form's own template.
func (h *Handlers) changeNotSent(c echo.Context, cf *changeForm, ch orders.Change, res orders.Result, err error, render formRenderer) error {
	f := &cf.Form
	var ve *omclient.ValidationError
	var stale *orders.StaleError
	var held *orders.HeldError
	var twin *orders.TwinError
	var unsettled *orders.UnsettledError
	switch {
	case errors.As(err, &twin):
		f.Intent = view.TwinIntent(twin, h.orderNumbers(c, cf.Order), h.now(), agentZone(c))
		return render(http.StatusConflict)
	case errors.As(err, &unsettled):
		f.Intent = view.UnsettledIntent(unsettled, view.OrderPath(cf.Order.OrderID), h.orderNumbers(c, cf.Order), h.now(), agentZone(c))
		return render(http.StatusConflict)
	case errors.As(err, &ve):
		// The pipeline's own checks name amounts in the log's plain form
		// ("more than can be refunded 40.00 EUR").
		for i := range ve.Fields {
			ve.Fields[i].Message = view.MoneyIn(ve.Fields[i].Message, h.orderNumbers(c, cf.Order))
		}
		cf.addValidation(ve)
		return render(http.StatusUnprocessableEntity)
	case errors.As(err, &stale):
		cf.Order = stale.Order
		f.Expected = EncodeFingerprint(stale.Actual)
		f.Outcome = &view.Outcome{Kind: view.OutcomeStale, Heading: "Not sent: the order has changed", Message: msgStale}
		return render(http.StatusConflict)
	case errors.Is(err, orders.ErrKeyReused):
		f.Key = newKey()
		f.Outcome = &view.Outcome{Kind: view.OutcomeRejected, Heading: "Not sent: this form was already used for a different change",
			Message: "An earlier submit of this form sent other values. Check the order page to see whether that change was applied. A new request key has been made, so submitting again sends these values as a new change."}
		return render(http.StatusConflict)
	case errors.Is(err, orders.ErrAudit) && res.Outcome == "":
		return &PublicError{Status: http.StatusServiceUnavailable, Err: err,
			Message: "Not sent: the audit log is unavailable, and no change is sent without being recorded first. Try again in a moment; if it persists, tell an administrator."}
	case errors.Is(err, orders.ErrAudit):
		return &PublicError{Status: http.StatusServiceUnavailable, Err: err,
			Message: "The change was sent (outcome: " + string(res.Outcome) + "), but the audit log could not record its result. Reload the order to see its state, and tell a supervisor."}
	case errors.Is(err, omclient.ErrNotSupported):
		return &PublicError{Status: http.StatusNotFound, Err: err, Message: view.ProviderName(h.Provider) + " does not offer this action."}
	case errors.As(err, &held):
		// The pipeline's guard: the policy holds a change the form did not
		// expect to be held (the daily limit reached in another tab
		// meanwhile). Submitting again files the approval request.
		f.Outcome = &view.Outcome{Kind: view.OutcomeRejected, Heading: "Not sent: this change needs a second person’s approval",
			Message: view.MoneyIn(held.Why, h.orderNumbers(c, cf.Order)) + " Submit again to ask a supervisor for approval."}
		return render(http.StatusConflict)
	case c.Request().Context().Err() != nil:
		return err
	default:
		// The pipeline could not re-read the order before sending (or
		// waited too long for another change): nothing was sent.
		v := view.FromProviderError(err, cf.Order.OrderID, h.Provider)
		h.Log.Warn("change not sent", slog.String("order_id", cf.Order.OrderID), slog.String("op", string(ch.Op)),
			slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
		f.Outcome = &view.Outcome{Kind: view.OutcomeFailed, Heading: "Not sent: " + strings.ToLower(v.Heading[:1]) + v.Heading[1:],
			Message: "The order could not be checked with the provider before sending, so nothing was sent. Submit again in a moment.",
			Code:    v.Code, CorrelationID: v.CorrelationID}
		return render(http.StatusBadGateway)
	}
}

// providerOutcome describes the provider's answer in res.
func providerOutcome(kind, heading, message string, res orders.Result) *view.Outcome {
	out := &view.Outcome{Kind: kind, Heading: heading, Message: message, CorrelationID: res.CorrelationID, HTTPStatus: res.HTTPStatus}
	var ae *omclient.APIError
	if errors.As(res.APIErr, &ae) {
		out.Code, out.Messages = string(ae.ErrorCode), ae.ErrorMessages
		if out.Code == "" && ae.StatusCode != 0 {
			out.Code = "HTTP " + strconv.Itoa(ae.StatusCode)
		}
		if ae.CorrelationID != "" {
			out.CorrelationID = ae.CorrelationID
		}
	}
	return out
}

// changeSucceeded shows the refreshed order page with the confirmation:
// for htmx the page content replaces #order-page in place (and the URL
// becomes the order's); otherwise a 303 to the order page with a flash.
func (h *Handlers) changeSucceeded(c echo.Context, orderID string, fresh *omclient.Order, msg string) error {
	if !isHTMX(c) {
		h.flash(c, msg)
		return redirect(c, view.OrderPath(orderID))
	}
	if fresh == nil {
		// The pipeline's after-read failed; try once more, else let the
		// browser load the page.
		o, err := h.readOrder(c, orderID)
		if err != nil {
			h.flash(c, msg)
			return redirect(c, view.OrderPath(orderID))
		}
		fresh = o
	}
	v := view.FromOrder(fresh, h.Provider, h.now(), agentZone(c), h.orderNumbers(c, fresh))
	v.Flash = msg
	v.Shop = h.shopPanel(c, fresh, nil, v.Actions)
	if h.shopChanger() != nil {
		// A shop half that just failed is offered at once.
		if as, err := h.Audit.OrderAttempts(c.Request().Context(), orderID); err == nil {
			v.Shop.Missing = h.shopMissing(c, orderID, as)
		}
	}
	hd := c.Response().Header()
	hd.Set(hxRetarget, "#order-page")
	hd.Set(hxReswap, "outerHTML")
	hd.Set(hxPushURL, view.OrderPath(orderID))
	return render(c, http.StatusOK, templates.OrderPage(v))
}

// describeChanges writes the values that differ between before and after
// as "city Berlin → Hamburg; postal code 10115 → 20095", in the order of
// keys, using labels for the names ("" values shown as "(none)").
func describeChanges(before, after map[string]string, keys []string, labels map[string]string) string {
	var parts []string
	show := func(s string) string {
		if s == "" {
			return "(none)"
		}
		return s
	}
	for _, k := range keys {
		b, a := before[k], after[k]
		if b == a {
			continue
		}
		label := labels[k]
		if label == "" {
			label = k
		}
		parts = append(parts, label+" "+show(b)+" → "+show(a))
	}
	return strings.Join(parts, "; ")
}

// withTimeout bounds a provider read made by a form (due-date options).
func (h *Handlers) withTimeout(c echo.Context) (context.Context, context.CancelFunc) {
	if h.OMTimeout > 0 {
		return context.WithTimeout(c.Request().Context(), h.OMTimeout)
	}
	return context.WithCancel(c.Request().Context())
}
