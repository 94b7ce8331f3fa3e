package orders

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"ordercare/internal/audit"
	"ordercare/internal/db/dbtest"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
)

// env is a real pipeline: the sandbox over HTTP, the real client, a real
// audit log and index in temp files.
type env struct {
	sb    *omsim.Sandbox
	svc   *Service
	log   *audit.Log
	index *Index
}

var agent = audit.Actor{StaffID: 3, Email: "agent@example.com", Role: "agent", ClientIP: "192.0.2.7", UserAgent: "test"}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvOn(t, dbtest.SQLite(t))
}

// newEnvOn is newEnv with the index on the backend's database.
func newEnvOn(t testing.TB, be dbtest.Backend) *env {
	t.Helper()
	ctx := context.Background()
	sb, err := omsim.New(ctx, omsim.Options{Username: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	client, err := omclient.New(omclient.Config{BaseURL: srv.URL, Username: "u", Password: "p",
		Timeout: 10 * time.Second, Retry: omclient.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	log, err := audit.Open(ctx, filepath.Join(dir, "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	ix, err := OpenIndex(ctx, be.Open(t))
	if err != nil {
		t.Fatal(err)
	}
	return &env{sb: sb, svc: NewService(client, log, ix, nil), log: log, index: ix}
}

// newOrder creates an AUTHORIZED order of 100.00 EUR (two lines) shipped to Berlin.
func (e *env) newOrder(t testing.TB) string {
	t.Helper()
	id, err := e.sb.CreateOrder(context.Background(), omsim.NewOrder{
		PurchaseCountry: "DE", PurchaseCurrency: "EUR", Locale: "de-DE", OrderAmount: 10000,
		OrderLines: []omclient.OrderLine{
			{Type: "physical", Reference: "A", Name: "Shirt", Quantity: 2, UnitPrice: 3000, TaxRate: 1900, TotalAmount: 6000, TotalTaxAmount: 958},
			{Type: "physical", Reference: "B", Name: "Shoes", Quantity: 1, UnitPrice: 4000, TaxRate: 1900, TotalAmount: 4000, TotalTaxAmount: 639},
		},
		BillingAddress:     &omclient.Address{GivenName: "Erika", FamilyName: "Mustermann", Email: "erika@example.com", StreetAddress: "Hauptstr. 1", PostalCode: "10115", City: "Berlin", Country: "DE"},
		ShippingAddress:    &omclient.Address{GivenName: "Erika", FamilyName: "Mustermann", Email: "erika@example.com", StreetAddress: "Hauptstr. 1", PostalCode: "10115", City: "Berlin", Country: "DE"},
		MerchantReference1: "SHOP-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (e *env) applied(t *testing.T, id string) int {
	t.Helper()
	n, err := e.sb.Applied(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *env) events(t *testing.T) int64 {
	t.Helper()
	n, _, err := e.log.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func capture(id string, amount int64) Change {
	return Change{Op: omclient.OpCreateCapture, OrderID: id, IdempotencyKey: uuid.NewString(),
		Reason: "customer request", Ticket: "HD-42", Body: &omclient.CaptureRequest{CapturedAmount: amount, Description: "first parcel"}}
}

func TestApplyCaptureChangesOrderAndRecordsBothEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	id := e.newOrder(t)
	before, err := e.svc.GetOrder(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	fp := FingerprintOf(before)
	ch := capture(id, 4000)
	ch.Expected = &fp
	res, err := e.svc.Apply(ctx, agent, ch)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != audit.OutcomeSucceeded || res.ResourceID == "" || res.APIErr != nil || res.Order == nil {
		t.Fatalf("result = %+v", res)
	}
	o, err := e.sb.Order(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if o.CapturedAmount != 4000 || o.Status != omclient.StatusPartCaptured || len(o.Captures) != 1 || o.Captures[0].CaptureID != res.ResourceID {
		t.Fatalf("sandbox order after capture: captured %d, status %s, captures %d", o.CapturedAmount, o.Status, len(o.Captures))
	}
	as, err := e.log.OrderAttempts(ctx, id)
	if err != nil || len(as) != 1 {
		t.Fatalf("attempts = %+v, %v", as, err)
	}
	a := as[0]
	req, done := a.Requested, a.Completed
	wantBody, _ := json.Marshal(ch.Body)
	if req.Actor != agent || req.Action != string(omclient.OpCreateCapture) || req.Reason != "customer request" || req.Ticket != "HD-42" ||
		req.IdempotencyKey != ch.IdempotencyKey || string(req.Request) != string(wantBody) {
		t.Fatalf("requested = %+v (request %s)", req, req.Request)
	}
	if req.Before["captured_amount"] != "0.00 EUR" || req.Before["remaining_authorized_amount"] != "100.00 EUR" || req.Before["status"] != "AUTHORIZED" {
		t.Fatalf("before = %v", req.Before)
	}
	if done == nil || done.Outcome != audit.OutcomeSucceeded || done.HTTPStatus != 201 || done.ResourceID != res.ResourceID ||
		done.After["captured_amount"] != "40.00 EUR" || done.After["status"] != "PART_CAPTURED" || done.After["captures"] != "1" || done.Seq <= req.Seq {
		t.Fatalf("completed = %+v", done)
	}
	if res.Before["captured_amount"] != "0.00 EUR" || res.After["captured_amount"] != "40.00 EUR" {
		t.Fatalf("result before/after = %v / %v", res.Before, res.After)
	}
	row, ok, err := e.index.Get(ctx, id)
	if err != nil || !ok || row.Status != omclient.StatusPartCaptured || row.RemainingAuthorized != 6000 {
		t.Fatalf("index = %+v %v %v", row, ok, err)
	}
	if v, err := e.log.Verify(ctx); err != nil || !v.OK || v.Events != 2 {
		t.Fatalf("verify = %+v %v", v, err)
	}
}

func TestApplyShippingAddressShowsCityBeforeAndAfter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	id := e.newOrder(t)
	addr := &omclient.Address{GivenName: "Erika", FamilyName: "Mustermann", Email: "erika@example.com",
		StreetAddress: "Jungfernstieg 7", PostalCode: "20354", City: "Hamburg", Country: "DE"}
	res, err := e.svc.Apply(ctx, agent, Change{Op: omclient.OpUpdateCustomerDetails, OrderID: id, IdempotencyKey: uuid.NewString(),
		Reason: "data correction", Body: &omclient.UpdateCustomerDetailsRequest{ShippingAddress: addr}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != audit.OutcomeSucceeded || res.Before["shipping_address.city"] != "Berlin" || res.After["shipping_address.city"] != "Hamburg" {
		t.Fatalf("result = %+v", res)
	}
	a, err := e.log.Attempt(ctx, res.AttemptID)
	if err != nil || a.Requested.Before["shipping_address.city"] != "Berlin" || a.Completed.After["shipping_address.city"] != "Hamburg" {
		t.Fatalf("attempt = %+v %v", a, err)
	}
}

func TestApplyRefusalIsRecorded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	id := e.newOrder(t)
	if res, err := e.svc.Apply(ctx, agent, capture(id, 10000)); err != nil || res.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("capture: %+v %v", res, err)
	}
	res, err := e.svc.Apply(ctx, agent, Change{Op: omclient.OpCancel, OrderID: id, IdempotencyKey: uuid.NewString(), Reason: "customer request"})
	if err != nil {
		t.Fatalf("a provider refusal is not an Apply error: %v", err)
	}
	if res.Outcome != audit.OutcomeRefused || !omclient.IsCode(res.APIErr, omclient.CodeCancelNotAllowed) {
		t.Fatalf("result = %+v", res)
	}
	a, err := e.log.Attempt(ctx, res.AttemptID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Outcome() != audit.OutcomeRefused || a.Completed.ErrorCode != string(omclient.CodeCancelNotAllowed) || a.Completed.HTTPStatus/100 != 4 ||
		a.Completed.CorrelationID == "" || a.Requested.Before["status"] != "CAPTURED" || a.Completed.After["status"] != "CAPTURED" {
		t.Fatalf("refused attempt = %+v / %+v", a.Requested, a.Completed)
	}
	if o, _ := e.sb.Order(ctx, id); o.Status != omclient.StatusCaptured {
		t.Fatalf("status = %s", o.Status)
	}
}

func TestApplyInvalidChangeSendsAndRecordsNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	id := e.newOrder(t)
	cases := []struct {
		name  string
		ch    Change
		field string
	}{
		{"negative capture", capture(id, -1), "captured_amount"},
		{"capture above remaining", capture(id, 10001), "captured_amount"},
		{"refund with nothing captured", Change{Op: omclient.OpCreateRefund, OrderID: id, IdempotencyKey: uuid.NewString(),
			Body: &omclient.RefundRequest{RefundedAmount: 100}}, "refunded_amount"},
		{"bad order id", capture("not-a-uuid", 100), "order_id"},
		{"wrong body type", Change{Op: omclient.OpCreateCapture, OrderID: id, IdempotencyKey: uuid.NewString(),
			Body: &omclient.RefundRequest{RefundedAmount: 100}}, ""},
		{"no idempotency key", Change{Op: omclient.OpCancel, OrderID: id}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.Apply(ctx, agent, tc.ch)
			if err == nil {
				t.Fatal("accepted")
			}
			var ve *omclient.ValidationError
			if tc.field != "" {
				if !errors.As(err, &ve) {
					t.Fatalf("err = %v, want a ValidationError", err)
				}
				if _, ok := ve.Field(tc.field); !ok {
					t.Fatalf("err = %v, want an error at %s", err, tc.field)
				}
			}
		})
	}
	if n := e.applied(t, id); n != 0 {
		t.Fatalf("sandbox applied %d changes, want 0", n)
	}
	if n := e.events(t); n != 0 {
		t.Fatalf("audit has %d events, want 0", n)
	}
}

func TestApplyStaleFormSendsNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	id := e.newOrder(t)
	shown, err := e.svc.GetOrder(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	fp := FingerprintOf(shown)
	// Another tab captures meanwhile.
	if res, err := e.svc.Apply(ctx, agent, capture(id, 1000)); err != nil || res.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("capture: %+v %v", res, err)
	}
	ch := capture(id, 2000)
	ch.Expected = &fp
	res, err := e.svc.Apply(ctx, agent, ch)
	var se *StaleError
	if !errors.Is(err, ErrStale) || !errors.As(err, &se) || se.Actual.CapturedAmount != 1000 || res.Order == nil || res.Order.CapturedAmount != 1000 {
		t.Fatalf("err = %v, result = %+v", err, res)
	}
	if n := e.applied(t, id); n != 1 {
		t.Fatalf("sandbox applied %d changes, want 1", n)
	}
	if n := e.events(t); n != 2 {
		t.Fatalf("audit has %d events, want 2 (the first capture only)", n)
	}
}

func TestApplySameKeyTwiceConcurrentlyCapturesOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	id := e.newOrder(t)
	for _, withFingerprint := range []bool{false, true} {
		// Two forms of different amounts: a second capture of the same
		// amount would need the agent's confirmation (intent.go).
		ch := capture(id, 1500)
		if withFingerprint {
			ch = capture(id, 1600)
		}
		if withFingerprint { // the form as rendered: later submits must not be "stale"
			o, err := e.svc.GetOrder(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			fp := FingerprintOf(o)
			ch.Expected = &fp
		}
		appliedBefore := e.applied(t, id)
		var wg sync.WaitGroup
		results := make([]Result, 4)
		errs := make([]error, 4)
		for i := range results {
			wg.Go(func() { results[i], errs[i] = e.svc.Apply(ctx, agent, ch) })
		}
		wg.Wait()
		replayed := 0
		for i := range results {
			if errs[i] != nil || results[i].Outcome != audit.OutcomeSucceeded || results[i].ResourceID != results[0].ResourceID {
				t.Fatalf("submit %d: %+v %v", i, results[i], errs[i])
			}
			if results[i].Replayed {
				replayed++
			}
		}
		if replayed != 3 {
			t.Fatalf("%d of 4 submits replayed, want 3", replayed)
		}
		if n := e.applied(t, id); n != appliedBefore+1 {
			t.Fatalf("sandbox applied %d changes, want 1", n-appliedBefore)
		}
		as, err := e.log.AttemptsByKey(ctx, ch.IdempotencyKey)
		if err != nil || len(as) != 1 {
			t.Fatalf("attempts with the key = %d, %v; want 1", len(as), err)
		}
	}
	if o, _ := e.sb.Order(ctx, id); o.CapturedAmount != 3100 || len(o.Captures) != 2 {
		t.Fatalf("captured %d in %d captures, want 3100 in 2", o.CapturedAmount, len(o.Captures))
	}
}

func TestApplyKeyReusedForOtherRequestSendsNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	id := e.newOrder(t)
	ch := capture(id, 1000)
	if _, err := e.svc.Apply(ctx, agent, ch); err != nil {
		t.Fatal(err)
	}
	ch.Body = &omclient.CaptureRequest{CapturedAmount: 2000}
	if _, err := e.svc.Apply(ctx, agent, ch); !errors.Is(err, ErrKeyReused) {
		t.Fatalf("err = %v, want ErrKeyReused", err)
	}
	if n := e.applied(t, id); n != 1 {
		t.Fatalf("applied %d, want 1", n)
	}
}

func TestApplyWithClosedAuditLogSendsNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	id := e.newOrder(t)
	e.log.Close()
	_, err := e.svc.Apply(ctx, agent, capture(id, 1000))
	if !errors.Is(err, ErrAudit) {
		t.Fatalf("err = %v, want ErrAudit", err)
	}
	if n := e.applied(t, id); n != 0 {
		t.Fatalf("sandbox applied %d changes with the audit log down, want 0", n)
	}
}

func TestApplyUnknownOutcomeThenRetryWithSameKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	id := e.newOrder(t)
	ch := capture(id, 2500)
	e.sb.SetFaults(omsim.Faults{Rules: []omsim.FaultRule{{Method: "POST", PathContains: "/captures", Kind: omsim.Fault503}}})
	res, err := e.svc.Apply(ctx, agent, ch)
	if err != nil || res.Outcome != audit.OutcomeUnknown || !errors.Is(res.APIErr, omclient.ErrOutcomeUnknown) {
		t.Fatalf("result = %+v, %v; want outcome unknown", res, err)
	}
	a, err := e.log.Attempt(ctx, res.AttemptID)
	if err != nil || a.Outcome() != audit.OutcomeUnknown || a.Completed.HTTPStatus != 503 {
		t.Fatalf("attempt = %+v %v", a.Completed, err)
	}
	// The provider recovers; the agent retries the same form (same key):
	// it is sent again, not answered from the log.
	e.sb.SetFaults(omsim.Faults{})
	res2, err := e.svc.Apply(ctx, agent, ch)
	if err != nil || res2.Outcome != audit.OutcomeSucceeded || res2.Replayed || res2.AttemptID == res.AttemptID {
		t.Fatalf("retry = %+v, %v", res2, err)
	}
	if o, _ := e.sb.Order(ctx, id); o.CapturedAmount != 2500 || len(o.Captures) != 1 {
		t.Fatalf("captured %d in %d captures", o.CapturedAmount, len(o.Captures))
	}
}

func TestApplyAppliedButUnknownIsResolvedByRetryingTheForm(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	id := e.newOrder(t)
	shown, err := e.svc.GetOrder(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	fp := FingerprintOf(shown)
	ch := capture(id, 10000)
	ch.Expected = &fp
	// Every answer is lost although the capture is applied.
	e.sb.SetFaults(omsim.Faults{Rules: []omsim.FaultRule{{Method: "POST", PathContains: "/captures", Kind: omsim.FaultResetAfterApply}}})
	res, err := e.svc.Apply(ctx, agent, ch)
	if err != nil || res.Outcome != audit.OutcomeUnknown {
		t.Fatalf("result = %+v, %v; want outcome unknown", res, err)
	}
	if n := e.applied(t, id); n != 1 {
		t.Fatalf("applied %d, want 1", n)
	}
	// The agent resubmits the same form: its fingerprint is now "stale"
	// and the amount exceeds what remains, both because of the attempt
	// itself; the same key must still be sent so the provider can answer.
	e.sb.SetFaults(omsim.Faults{})
	res2, err := e.svc.Apply(ctx, agent, ch)
	if err != nil || res2.Outcome != audit.OutcomeSucceeded || res2.ResourceID == "" {
		t.Fatalf("retry = %+v, %v", res2, err)
	}
	if n := e.applied(t, id); n != 1 {
		t.Fatalf("applied %d after the retry, want still 1", n)
	}
	if o, _ := e.sb.Order(ctx, id); len(o.Captures) != 1 || o.Captures[0].CaptureID != res2.ResourceID {
		t.Fatalf("captures = %+v", o.Captures)
	}
}

func TestApplyLostAnswerIsResolvedByTheSameKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	id := e.newOrder(t)
	// Applied, then the connection drops: the client retries with the same
	// key and gets the saved answer.
	e.sb.SetFaults(omsim.Faults{Rules: []omsim.FaultRule{{Method: "POST", PathContains: "/captures", Kind: omsim.FaultResetAfterApply, Times: 1}}})
	res, err := e.svc.Apply(ctx, agent, capture(id, 2500))
	if err != nil || res.Outcome != audit.OutcomeSucceeded || res.ResourceID == "" {
		t.Fatalf("result = %+v %v", res, err)
	}
	if o, _ := e.sb.Order(ctx, id); o.CapturedAmount != 2500 || len(o.Captures) != 1 {
		t.Fatalf("captured %d in %d captures", o.CapturedAmount, len(o.Captures))
	}
}
