package handlers_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/pipelinetest"
	"ordercare/internal/staff"
)

func TestCancelFormConfirmsAndCancels(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 14997, nil)
	path := "/orders/" + o.OrderID + "/cancel"

	form := ag.get(path, nil)
	q := form.testid("confirm-question").Text()
	if !strings.Contains(q, "Cancel Order "+string(o.KlarnaReference)) || !strings.Contains(q, "149,97") {
		t.Errorf("confirmation %q does not name the order and its amount", q)
	}
	if got := form.doc.Find(`[data-testid="effect-remaining"] [data-testid="after"]`).Text(); !strings.Contains(got, "0,00") {
		t.Errorf("effect after %q, want the authorization going to 0,00", got)
	}
	applied := a.applied(o.OrderID)
	r := ag.post(path, ag.fill(path, map[string]string{"reason": "out_of_stock"}), nil)
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.resp.StatusCode)
	}
	if got := a.sandboxOrder(o.OrderID); got.Status != omclient.StatusCancelled || a.applied(o.OrderID) != applied+1 {
		t.Errorf("order %s after cancel", got.Status)
	}
	if flash := ag.get("/orders/"+o.OrderID, nil).testid("flash").Text(); !strings.Contains(flash, "cancelled: status Authorized → Cancelled") {
		t.Errorf("confirmation %q", flash)
	}
	at := a.lastAttempt(o.OrderID)
	if at.Requested.Action != "cancel" || at.Requested.Reason != "Item out of stock" || at.Requested.Before["status"] != "AUTHORIZED" ||
		at.Completed.Outcome != audit.OutcomeSucceeded || at.Completed.After["status"] != "CANCELLED" {
		t.Errorf("attempt: %+v / %+v", at.Requested, at.Completed)
	}
}

// TestCancelRefusedAfterACaptureElsewhere: another system captures the
// order at the moment the agent's cancel reaches the provider (after the
// pipeline's last look at the order), so the provider itself refuses with
// CANCEL_NOT_ALLOWED. The agent sees the provider's message, code and
// correlation id, and the log holds a refused attempt.
func TestCancelRefusedAfterACaptureElsewhere(t *testing.T) {
	t.Parallel()
	var target atomic.Value // order id whose cancel is preceded by a capture
	target.Store("")
	wrap := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id, _ := target.Load().(string)
			if id != "" && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/orders/"+id+"/cancel") {
				capture, _ := http.NewRequest(http.MethodPost, "/ordermanagement/v1/orders/"+id+"/captures",
					bytes.NewReader([]byte(`{"captured_amount":1000}`)))
				capture.SetBasicAuth(pipelinetest.User, pipelinetest.Password)
				capture.Header.Set("Content-Type", "application/json")
				capture.Header.Set("Klarna-Idempotency-Key", uuid.NewString())
				rec := httptest.NewRecorder()
				next.ServeHTTP(rec, capture)
				if rec.Code != http.StatusCreated {
					t.Errorf("capture elsewhere: %d %s", rec.Code, rec.Body)
				}
			}
			next.ServeHTTP(w, r)
		})
	}
	a := newOrdersApp(t, ordersAppOpts{wrapSandbox: wrap})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 14997, nil)
	path := "/orders/" + o.OrderID + "/cancel"
	v := ag.fill(path, nil)
	target.Store(o.OrderID)

	r := ag.post(path, v, nil)
	if r.resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("refused cancel: %d", r.resp.StatusCode)
	}
	kind, text, code, corr := outcome(r)
	if kind != "refused" || code != string(omclient.CodeCancelNotAllowed) || corr == "" || !strings.Contains(text, "Order has previous captures. Cancel not possible.") {
		t.Errorf("outcome %q code %q correlation %q: %q", kind, code, corr, text)
	}
	at := a.lastAttempt(o.OrderID)
	if at.Requested.Action != "cancel" || at.Completed.Outcome != audit.OutcomeRefused || at.Completed.ErrorCode != string(omclient.CodeCancelNotAllowed) ||
		at.Completed.CorrelationID != corr || at.Completed.HTTPStatus != http.StatusForbidden {
		t.Errorf("completed event: %+v", at.Completed)
	}
	if got := a.sandboxOrder(o.OrderID).Status; got != omclient.StatusPartCaptured {
		t.Errorf("order is %s, want PART_CAPTURED (captured elsewhere, not cancelled)", got)
	}
}

func TestExtendAuthorizationForm(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 5000, nil)
	a.clock.Advance(10 * 24 * time.Hour) // ten days later the expiry can move
	path := "/orders/" + o.OrderID + "/extend"

	applied := a.applied(o.OrderID)
	r := ag.post(path, ag.fill(path, nil), nil)
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d: %s", r.resp.StatusCode, r.testid("outcome").Text()+r.testid("form-disallowed").Text())
	}
	got := a.sandboxOrder(o.OrderID)
	if !got.ExpiresAt.After(o.ExpiresAt.Time) || a.applied(o.OrderID) != applied+1 {
		t.Errorf("expires %v, was %v", got.ExpiresAt, o.ExpiresAt)
	}
	at := a.lastAttempt(o.OrderID)
	if at.Requested.Action != "extend_authorization_time" || at.Requested.Before["expires_at"] == at.Completed.After["expires_at"] ||
		at.Completed.Outcome != audit.OutcomeSucceeded {
		t.Errorf("before %v after %v outcome %s", at.Requested.Before, at.Completed.After, at.Completed.Outcome)
	}
	if flash := ag.get("/orders/"+o.OrderID, nil).testid("flash").Text(); !strings.Contains(flash, "Authorization extended: expires") {
		t.Errorf("confirmation %q", flash)
	}
}

func TestReleaseRemainingForm(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 10000, nil)
	a.captureDirect(o.OrderID, 6000)
	path := "/orders/" + o.OrderID + "/release"

	form := ag.get(path, nil)
	if q := form.testid("confirm-question").Text(); !strings.Contains(q, "40,00") {
		t.Errorf("confirmation %q does not name the remaining 40,00 €", q)
	}
	r := ag.post(path, ag.fill(path, nil), nil)
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.resp.StatusCode)
	}
	got := a.sandboxOrder(o.OrderID)
	if got.Status != omclient.StatusCaptured || got.RemainingAuthorizedAmount != 0 {
		t.Errorf("after release: %s, remaining %d", got.Status, got.RemainingAuthorizedAmount)
	}
	at := a.lastAttempt(o.OrderID)
	if at.Requested.Before["remaining_authorized_amount"] != "40.00 EUR" || at.Completed.After["remaining_authorized_amount"] != "0.00 EUR" {
		t.Errorf("before %v after %v", at.Requested.Before, at.Completed.After)
	}
	if flash := ag.get("/orders/"+o.OrderID, nil).testid("flash").Text(); !strings.Contains(flash, "remaining authorized 40.00 EUR → 0.00 EUR") {
		t.Errorf("confirmation %q", flash)
	}
}

func TestAcknowledgeForm(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 10000, nil)
	path := "/orders/" + o.OrderID + "/acknowledge"

	// Offered only where orders.Actions allows it: the link is on the page.
	if ag.get("/orders/"+o.OrderID, nil).doc.Find(`#order-actions a[data-action="acknowledge"]`).Length() != 1 {
		t.Error("no acknowledge link on an authorized order")
	}
	applied := a.applied(o.OrderID)
	r := ag.post(path, ag.fill(path, nil), nil)
	if r.resp.StatusCode != http.StatusSeeOther || a.applied(o.OrderID) != applied+1 {
		t.Fatalf("submit: %d, applied %d", r.resp.StatusCode, a.applied(o.OrderID))
	}
	at := a.lastAttempt(o.OrderID)
	if at.Requested.Action != "acknowledge" || at.Requested.Before["status"] != "AUTHORIZED" || at.Completed.Outcome != audit.OutcomeSucceeded {
		t.Errorf("attempt %+v", at)
	}

	// Not on a cancelled order: the page shows why, the form says so.
	c := a.newOrder("DE", "EUR", "de-DE", 1000, nil)
	cp := "/orders/" + c.OrderID + "/cancel"
	if r := ag.post(cp, ag.fill(cp, nil), nil); r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel: %d", r.resp.StatusCode)
	}
	if r := ag.get("/orders/"+c.OrderID+"/acknowledge", nil); r.resp.StatusCode != http.StatusConflict ||
		!strings.Contains(r.testid("form-disallowed").Text(), "the order is cancelled") {
		t.Errorf("acknowledge on a cancelled order: %d %q", r.resp.StatusCode, r.testid("form-disallowed").Text())
	}
}
