package omsim_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"

	"ordercare/internal/money"
	"ordercare/internal/omclient"
	"ordercare/internal/omclient/omclienttest"
	"ordercare/internal/omsim"
)

// The client of internal/omclient against the sandbox over real HTTP: every
// operation, in every order state of Klarna's order management guides on docs.klarna.com that the sandbox
// implements. Allowed cells must succeed; refused cells must surface as
// *omclient.APIError with the documented code.

var start = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

type env struct {
	t      *testing.T
	sb     *omsim.Sandbox
	clock  *omsim.FakeClock
	client *omclient.Client
}

func newEnv(t *testing.T, provider omclient.Provider) *env {
	t.Helper()
	clock := omsim.NewFakeClock(start)
	sb, err := omsim.New(context.Background(), omsim.Options{Provider: provider, Username: "M1-test", Password: "kco_test_api_x", Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(func() { srv.Close(); sb.Close() })
	c, err := omclient.New(omclient.Config{BaseURL: srv.URL, Provider: provider, Username: "M1-test", Password: "kco_test_api_x",
		Timeout: 10 * time.Second, Retry: omclient.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, sb: sb, clock: clock, client: c}
}

func line(name string, qty, unit int64) omclient.OrderLine {
	total := money.LineTotal(qty, unit, 0)
	return omclient.OrderLine{Type: "physical", Name: omclient.Text(name), Quantity: qty, UnitPrice: unit,
		TaxRate: 2500, TotalAmount: total, TotalTaxAmount: money.TaxIncluded(total, 2500)}
}

func (e *env) newOrder() string {
	e.t.Helper()
	id, err := e.sb.CreateOrder(context.Background(), omsim.NewOrder{
		PurchaseCountry: "SE", PurchaseCurrency: "SEK", Locale: "sv-SE", OrderAmount: 10000,
		OrderLines: []omclient.OrderLine{line("Sweater", 1, 6000), line("Socks", 2, 2000)},
		BillingAddress: &omclient.Address{GivenName: "Anna", FamilyName: "Lindqvist", StreetAddress: "Drottninggatan 53",
			PostalCode: "111 21", City: "Stockholm", Country: "SE", Email: "anna@example.se"},
		InitialPaymentMethod: &omclient.InitialPaymentMethod{Type: "INVOICE"},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

func key() string { return uuid.NewString() }

func (e *env) capture(id string, amount int64) string {
	e.t.Helper()
	c, err := omclienttest.Created(context.Background(), e.client, id, key(), &omclient.CaptureRequest{CapturedAmount: amount})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

type state struct {
	name  string
	want  omclient.Status
	build func(e *env) (orderID, captureID string)
}

var states = []state{
	{"authorized", omclient.StatusAuthorized, func(e *env) (string, string) { return e.newOrder(), "" }},
	{"part-captured", omclient.StatusPartCaptured, func(e *env) (string, string) {
		id := e.newOrder()
		return id, e.capture(id, 4000)
	}},
	{"captured", omclient.StatusCaptured, func(e *env) (string, string) {
		id := e.newOrder()
		return id, e.capture(id, 10000)
	}},
	{"cancelled", omclient.StatusCancelled, func(e *env) (string, string) {
		id := e.newOrder()
		if err := omclienttest.Exec(context.Background(), e.client, id, "", key(), omclient.CancelRequest{}); err != nil {
			e.t.Fatal(err)
		}
		return id, ""
	}},
	{"expired", omclient.StatusExpired, func(e *env) (string, string) {
		id := e.newOrder()
		e.clock.Advance(29 * 24 * time.Hour)
		return id, ""
	}},
	{"expired-with-captures", omclient.StatusExpired, func(e *env) (string, string) {
		id := e.newOrder()
		c := e.capture(id, 4000)
		e.clock.Advance(29 * 24 * time.Hour)
		return id, c
	}},
	{"closed", omclient.StatusClosed, func(e *env) (string, string) {
		id := e.newOrder()
		c := e.capture(id, 10000)
		if _, err := omclienttest.Created(context.Background(), e.client, id, key(), &omclient.RefundRequest{RefundedAmount: 10000}); err != nil {
			e.t.Fatal(err)
		}
		return id, c
	}},
}

const unknownCapture = "5f0c7a3e-2b1d-4c8e-9f6a-0d1e2f3a4b5c"

func orOther(c string) string {
	if c == "" {
		return unknownCapture
	}
	return c
}

var shipping = omclient.ShippingInfoRequest{ShippingInfo: []omclient.ShippingInfo{{ShippingCompany: "PostNord SE", ShippingMethod: "PickUpPoint",
	TrackingNumber: "00370712345678901234", TrackingURI: "https://tracking.postnord.com/se/?id=00370712345678901234"}}}

type operation struct {
	name   string
	klarna bool
	run    func(ctx context.Context, c *omclient.Client, id, capID string) error
	// want per state (states order): "" allowed, else the error code;
	// a leading "404:" marks a not-found answer.
	want []omclient.ErrorCode
}

const (
	na  = omclient.CodeNotAllowed
	cna = omclient.CodeCancelNotAllowed
	kna = omclient.CodeCaptureNotAllowed
	rna = omclient.CodeRefundNotAllowed
	ncp = omclient.CodeNoSuchCapture
)

var operations = []operation{
	{"get order", false, func(ctx context.Context, c *omclient.Client, id, _ string) error {
		o, err := c.GetOrder(ctx, id)
		if err == nil && o.OrderID != id {
			return errors.New("wrong order")
		}
		return err
	}, []omclient.ErrorCode{"", "", "", "", "", "", ""}},
	{"list captures", false, func(ctx context.Context, c *omclient.Client, id, _ string) error {
		_, err := c.ListCaptures(ctx, id)
		return err
	}, []omclient.ErrorCode{"", "", "", "", "", "", ""}},
	{"get capture", false, func(ctx context.Context, c *omclient.Client, id, capID string) error {
		_, err := c.GetCapture(ctx, id, orOther(capID))
		return err
	}, []omclient.ErrorCode{ncp, "", "", ncp, ncp, "", ""}},
	{"acknowledge", false, func(ctx context.Context, c *omclient.Client, id, _ string) error {
		return omclienttest.Exec(ctx, c, id, "", key(), omclient.AcknowledgeRequest{})
	}, []omclient.ErrorCode{"", "", "", na, na, na, ""}},
	{"update authorization", false, func(ctx context.Context, c *omclient.Client, id, _ string) error {
		return omclienttest.Exec(ctx, c, id, "", key(), &omclient.UpdateAuthorizationRequest{OrderAmount: 9000,
			OrderLines: []omclient.OrderLine{line("Sweater", 1, 6000), line("Socks", 1, 3000)}})
	}, []omclient.ErrorCode{"", "", na, na, na, na, na}},
	{"cancel", false, func(ctx context.Context, c *omclient.Client, id, _ string) error {
		return omclienttest.Exec(ctx, c, id, "", key(), omclient.CancelRequest{})
	}, []omclient.ErrorCode{"", cna, cna, cna, cna, cna, cna}},
	{"update customer details", false, func(ctx context.Context, c *omclient.Client, id, _ string) error {
		return omclienttest.Exec(ctx, c, id, "", key(), &omclient.UpdateCustomerDetailsRequest{ShippingAddress: &omclient.Address{
			StreetAddress: "Sveavägen 1", PostalCode: "111 57", City: "Stockholm", Country: "SE"}})
	}, []omclient.ErrorCode{"", "", na, na, na, na, na}},
	{"extend authorization time", false, func(ctx context.Context, c *omclient.Client, id, _ string) error {
		return omclienttest.Exec(ctx, c, id, "", key(), omclient.ExtendAuthorizationTimeRequest{})
	}, []omclient.ErrorCode{"", "", na, na, na, na, na}},
	{"update merchant references", false, func(ctx context.Context, c *omclient.Client, id, _ string) error {
		ref := "SO-100124"
		return omclienttest.Exec(ctx, c, id, "", key(), &omclient.UpdateMerchantReferencesRequest{MerchantReference1: &ref})
	}, []omclient.ErrorCode{"", "", "", na, "", "", ""}},
	{"release remaining authorization", false, func(ctx context.Context, c *omclient.Client, id, _ string) error {
		return omclienttest.Exec(ctx, c, id, "", key(), omclient.ReleaseRemainingRequest{})
	}, []omclient.ErrorCode{na, "", na, na, na, na, na}},
	{"add order shipping info", false, func(ctx context.Context, c *omclient.Client, id, _ string) error {
		return omclienttest.Exec(ctx, c, id, "", key(), shipping)
	}, []omclient.ErrorCode{"", "", "", na, "", "", ""}},
	{"create capture", false, func(ctx context.Context, c *omclient.Client, id, _ string) error {
		capID, err := omclienttest.Created(ctx, c, id, key(), &omclient.CaptureRequest{CapturedAmount: 1000,
			OrderLines: []omclient.OrderLine{line("Socks", 1, 1000)}, ShippingInfo: shipping.ShippingInfo})
		if err == nil {
			if got, gerr := c.GetCapture(ctx, id, capID); gerr != nil || got.CapturedAmount != 1000 {
				return errors.New("created capture not readable by its id")
			}
		}
		return err
	}, []omclient.ErrorCode{"", "", kna, kna, kna, kna, kna}},
	{"add capture shipping info", false, func(ctx context.Context, c *omclient.Client, id, capID string) error {
		return omclienttest.Exec(ctx, c, id, orOther(capID), key(), omclient.CaptureShippingInfoRequest(shipping))
	}, []omclient.ErrorCode{na, "", "", na, na, "", ""}},
	{"create refund", false, func(ctx context.Context, c *omclient.Client, id, _ string) error {
		refID, err := omclienttest.Created(ctx, c, id, key(), &omclient.RefundRequest{RefundedAmount: 1000, Description: "Returned socks",
			OrderLines: []omclient.OrderLine{line("Socks", 1, 1000)}})
		if err == nil {
			if got, gerr := c.GetRefund(ctx, id, refID); gerr != nil || got.RefundedAmount != 1000 {
				return errors.New("created refund not readable by its id")
			}
		}
		return err
	}, []omclient.ErrorCode{rna, "", "", rna, rna, "", rna}},
	{"trigger send-out", true, func(ctx context.Context, c *omclient.Client, id, capID string) error {
		return omclienttest.Exec(ctx, c, id, orOther(capID), key(), omclient.TriggerSendOutRequest{})
	}, []omclient.ErrorCode{na, "", "", na, na, "", ""}},
	{"extend due date options", true, func(ctx context.Context, c *omclient.Client, id, capID string) error {
		_, err := c.GetExtendDueDateOptions(ctx, id, orOther(capID))
		return err
	}, []omclient.ErrorCode{na, "", "", na, na, "", ""}},
	{"extend due date", true, func(ctx context.Context, c *omclient.Client, id, capID string) error {
		opts, err := c.GetExtendDueDateOptions(ctx, id, orOther(capID))
		days := int64(14)
		if err == nil && len(opts.Options) > 0 {
			days = opts.Options[len(opts.Options)-1].NumberOfDays
		}
		return omclienttest.Exec(ctx, c, id, orOther(capID), key(), &omclient.ExtendDueDateRequest{NumberOfDays: days})
	}, []omclient.ErrorCode{na, "", "", na, na, "", na}},
}

func TestClientAgainstSandboxMatrix(t *testing.T) {
	t.Parallel()
	for _, op := range operations {
		for i, st := range states {
			t.Run(op.name+"/"+st.name, func(t *testing.T) {
				t.Parallel()
				provider := omclient.ProviderKustom
				if op.klarna {
					provider = omclient.ProviderKlarna
				}
				e := newEnv(t, provider)
				ctx := context.Background()
				id, capID := st.build(e)
				before, err := e.client.GetOrder(ctx, id)
				if err != nil || before.Status != st.want {
					t.Fatalf("fixture: %v, %v; want %s", before, err, st.want)
				}
				applied, _ := e.sb.Applied(ctx, id)
				err = op.run(ctx, e.client, id, capID)
				want := op.want[i]
				if want == "" {
					if err != nil {
						t.Fatalf("allowed cell failed: %v", err)
					}
					return
				}
				var ae *omclient.APIError
				if !errors.As(err, &ae) {
					t.Fatalf("err %v (%T), want *omclient.APIError %s", err, err, want)
				}
				wantStatus := http.StatusForbidden
				if want == ncp {
					wantStatus = http.StatusNotFound
				}
				if ae.ErrorCode != want || ae.StatusCode != wantStatus || ae.CorrelationID == "" || len(ae.ErrorMessages) == 0 {
					t.Fatalf("error %+v, want %d %s with message and correlation id", ae, wantStatus, want)
				}
				if n, _ := e.sb.Applied(ctx, id); n != applied {
					t.Fatalf("a refused call was applied (%d -> %d)", applied, n)
				}
			})
		}
	}
}

func TestClientErrorsFromSandbox(t *testing.T) {
	t.Parallel()
	e := newEnv(t, omclient.ProviderKustom)
	ctx := context.Background()
	unknown := uuid.NewString()
	_, err := e.client.GetOrder(ctx, unknown)
	if !omclient.IsCode(err, omclient.CodeNoSuchOrder) || !omclient.IsNotFound(err) {
		t.Fatalf("unknown order: %v", err)
	}
	_, err = omclienttest.Created(ctx, e.client, unknown, key(), &omclient.RefundRequest{RefundedAmount: 100})
	if !omclient.IsCode(err, omclient.CodeNotFound) {
		t.Fatalf("refund on unknown order: %v", err)
	}
	id := e.newOrder()
	_, err = e.client.GetRefund(ctx, id, uuid.NewString())
	if !omclient.IsCode(err, omclient.CodeNotFound) {
		t.Fatalf("unknown refund: %v", err)
	}
	// Kustom has no send-out: the client refuses before calling.
	if err := omclienttest.Exec(ctx, e.client, id, unknownCapture, key(), omclient.TriggerSendOutRequest{}); !errors.Is(err, omclient.ErrNotSupported) {
		t.Fatalf("send-out on kustom: %v", err)
	}
	// Wrong credentials.
	bad, _ := omclient.New(omclient.Config{BaseURL: e.client.BaseURL(), Username: "M1-test", Password: "wrong"})
	var ae *omclient.APIError
	if _, err := bad.GetOrder(ctx, id); !errors.As(err, &ae) || ae.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong password: %v", err)
	}
}

// TestClientRetriesAndIdempotency: the client's retries with one key meet
// the sandbox's faults and replay, and a change is applied exactly once.
func TestClientRetriesAndIdempotency(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("503 twice then success: three requests, one capture", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, omclient.ProviderKustom)
		id := e.newOrder()
		e.sb.SetFaults(omsim.Faults{Rules: []omsim.FaultRule{{Method: "POST", PathContains: "/captures", Kind: omsim.Fault503, Times: 2}}})
		call, err := e.client.Prepare(id, "", key(), &omclient.CaptureRequest{CapturedAmount: 2500})
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.client.Send(ctx, call)
		if err != nil || res.Attempts != 3 || res.ResourceID == "" {
			t.Fatalf("send: %+v, %v", res, err)
		}
		if n, _ := e.sb.Applied(ctx, id); n != 1 {
			t.Fatalf("applied %d", n)
		}
	})

	t.Run("reset after apply, then the same key learns the outcome", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, omclient.ProviderKustom)
		id := e.newOrder()
		e.sb.SetFaults(omsim.Faults{Rules: []omsim.FaultRule{{Method: "POST", PathContains: "/captures", Kind: omsim.FaultResetAfterApply, Times: 1}}})
		call, err := e.client.Prepare(id, "", key(), &omclient.CaptureRequest{CapturedAmount: 2500})
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.client.Send(ctx, call)
		if err != nil {
			// The client may report the outcome as unknown; a later retry
			// with the same key must then find the one capture.
			if !errors.Is(err, omclient.ErrOutcomeUnknown) {
				t.Fatalf("send after reset: %v", err)
			}
			if res, err = e.client.Send(ctx, call); err != nil {
				t.Fatalf("retry: %v", err)
			}
		}
		o, _ := e.sb.Order(ctx, id)
		if len(o.Captures) != 1 || o.Captures[0].CaptureID != res.ResourceID {
			t.Fatalf("%d captures; result %+v", len(o.Captures), res)
		}
	})

	t.Run("same prepared call twice: identical results, applied once", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, omclient.ProviderKustom)
		id := e.newOrder()
		call, err := e.client.Prepare(id, "", key(), &omclient.RefundRequest{RefundedAmount: 500})
		if err != nil {
			t.Fatal(err)
		}
		e.capture(id, 10000)
		r1, err1 := e.client.Send(ctx, call)
		r2, err2 := e.client.Send(ctx, call)
		if err1 != nil || err2 != nil || r1.ResourceID != r2.ResourceID || r1.CorrelationID != r2.CorrelationID || r1.Status != 201 {
			t.Fatalf("%+v %v / %+v %v", r1, err1, r2, err2)
		}
		if o, _ := e.sb.Order(ctx, id); o.RefundedAmount != 500 {
			t.Fatalf("refunded %d", o.RefundedAmount)
		}
	})

	t.Run("429 with Retry-After is retried", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, omclient.ProviderKustom)
		id := e.newOrder()
		e.sb.SetFaults(omsim.Faults{Rules: []omsim.FaultRule{{Method: "GET", Kind: omsim.Fault429, Times: 1, RetryAfter: time.Second}}})
		if _, err := e.client.GetOrder(ctx, id); err != nil {
			t.Fatal(err)
		}
	})
}
