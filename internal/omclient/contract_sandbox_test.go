package omclient_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"ordercare/internal/omclient"
	"ordercare/internal/omclient/omclienttest"
	"ordercare/internal/omsim"
)

// The client against the real sandbox (internal/omsim) over HTTP, every
// operation, with each request and each of the sandbox's responses checked
// against the provider's document: the client, the sandbox and the spec
// agree with each other.

func sandboxOrder() omsim.NewOrder {
	line := sampleLine()
	return omsim.NewOrder{PurchaseCountry: "SE", PurchaseCurrency: "SEK", Locale: "sv-SE", OrderAmount: 50000,
		OrderLines: []omclient.OrderLine{line, line}, BillingAddress: sampleAddress(), ShippingAddress: sampleAddress(),
		MerchantReference1: "10001", MerchantReference2: "501", MerchantData: "meta",
		Customer:             &omclient.Customer{DateOfBirth: "1981-09-06", Type: "person"},
		InitialPaymentMethod: &omclient.InitialPaymentMethod{Type: "INVOICE", Description: "Pay later"}}
}

func TestContractAgainstSandbox(t *testing.T) {
	doc, router := loadSpec(t)
	for _, provider := range []omclient.Provider{omclient.ProviderKustom, omclient.ProviderKlarna} {
		t.Run(string(provider), func(t *testing.T) {
			ctx := context.Background()
			sb, err := omsim.New(ctx, omsim.Options{Provider: provider, Username: ctUser, Password: ctPass})
			if err != nil {
				t.Fatal(err)
			}
			defer sb.Close()
			cr := &contractRecorder{t: t, router: router, user: ctUser, pass: ctPass, seen: map[string]int{}}
			srv := httptest.NewServer(cr.wrap(sb))
			defer srv.Close()
			c, err := omclient.New(omclient.Config{BaseURL: srv.URL, Provider: provider, Username: ctUser, Password: ctPass})
			if err != nil {
				t.Fatal(err)
			}
			if c.Environment() != omclient.EnvSandbox {
				t.Errorf("environment %s", c.Environment())
			}

			id, err := sb.CreateOrder(ctx, sandboxOrder())
			if err != nil {
				t.Fatal(err)
			}
			keyN := 0
			key := func(what string) string {
				keyN++
				return "ct-" + string(provider) + "-" + what + "-" + time.Now().Format("150405.000000") + "-" + string(rune('a'+keyN%26))
			}
			runAllOperations(t, c, id, "", key)

			o, err := c.GetOrder(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if o.Status != omclient.StatusCaptured || o.CapturedAmount != 25000 || o.RefundedAmount != 5000 ||
				o.RemainingAuthorizedAmount != 0 || len(o.Captures) != 1 || len(o.Refunds) != 1 || o.MerchantReference1 != "10002" || o.MerchantReference2 != "" {
				t.Errorf("order after the run: status %s captured %d refunded %d remaining %d captures %d refunds %d refs %q %q",
					o.Status, o.CapturedAmount, o.RefundedAmount, o.RemainingAuthorizedAmount, len(o.Captures), len(o.Refunds), o.MerchantReference1, o.MerchantReference2)
			}

			// Documented refusals validate too, and arrive as typed errors.
			if err := omclienttest.Exec(ctx, c, id, "", key("cancel-captured"), omclient.CancelRequest{}); !omclient.IsCode(err, omclient.CodeCancelNotAllowed) {
				t.Errorf("cancel after capture: %v", err)
			}
			if _, err := omclienttest.Created(ctx, c, id, key("over"), &omclient.CaptureRequest{CapturedAmount: 1}); !omclient.IsCode(err, omclient.CodeCaptureNotAllowed) {
				t.Errorf("capture beyond the authorization: %v", err)
			}
			if _, err := omclienttest.Created(ctx, c, id, key("over-refund"), &omclient.RefundRequest{RefundedAmount: 30000}); !omclient.IsCode(err, omclient.CodeRefundNotAllowed) {
				t.Errorf("over-refund: %v", err)
			}
			unknown := "00000000-0000-4000-8000-000000000000"
			if _, err := c.GetOrder(ctx, unknown); !omclient.IsNotFound(err) || !omclient.IsCode(err, omclient.CodeNoSuchOrder) {
				t.Errorf("unknown order: %v", err)
			}
			var ae *omclient.APIError
			if _, err := c.GetOrder(ctx, unknown); !errors.As(err, &ae) || ae.CorrelationID == "" {
				t.Errorf("a sandbox error carries a correlation id: %v", err)
			}

			// A second order for cancel.
			id2, err := sb.CreateOrder(ctx, sandboxOrder())
			if err != nil {
				t.Fatal(err)
			}
			if err := omclienttest.Exec(ctx, c, id2, "", key("cancel"), omclient.CancelRequest{}); err != nil {
				t.Fatalf("cancel: %v", err)
			}
			if o, err := c.GetOrder(ctx, id2); err != nil || o.Status != omclient.StatusCancelled {
				t.Errorf("cancelled order: %+v %v", o, err)
			}

			seen := cr.operations()
			for _, op := range allOperationIDs(doc) {
				skipped := provider == omclient.ProviderKustom &&
					(op == "triggerSendOut" || op == "extendDueDate" || op == "getOptionsForExtendDueDate")
				if seen[op] == 0 && !skipped {
					t.Errorf("operation %s was never exercised against the sandbox", op)
				}
				if seen[op] != 0 && skipped {
					t.Errorf("operation %s reached the Kustom sandbox", op)
				}
			}
		})
	}
}

// TestSandboxRetriesAreExactlyOnce: faults injected by the sandbox (5xx,
// 429, a reset after applying) are retried with the same key and the
// change lands once.
func TestSandboxRetriesAreExactlyOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		kind  omsim.FaultKind
		times int
	}{
		{"503 twice", omsim.Fault503, 2},
		{"500 once", omsim.Fault500, 1},
		{"429 once", omsim.Fault429, 1},
		{"reset after apply", omsim.FaultResetAfterApply, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			sb, err := omsim.New(ctx, omsim.Options{Username: ctUser, Password: ctPass})
			if err != nil {
				t.Fatal(err)
			}
			defer sb.Close()
			srv := httptest.NewServer(sb)
			defer srv.Close()
			c, err := omclient.New(omclient.Config{BaseURL: srv.URL, Username: ctUser, Password: ctPass,
				Retry: omclient.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}})
			if err != nil {
				t.Fatal(err)
			}
			id, err := sb.CreateOrder(ctx, sandboxOrder())
			if err != nil {
				t.Fatal(err)
			}
			before, err := sb.Applied(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			sb.SetFaults(omsim.Faults{Rules: []omsim.FaultRule{{Method: "POST", PathContains: "/captures", Kind: tt.kind, Times: tt.times, RetryAfter: time.Millisecond}}})
			capID, err := omclienttest.Created(ctx, c, id, "exactly-once-"+strings.ReplaceAll(tt.name, " ", "-"), &omclient.CaptureRequest{CapturedAmount: 25000})
			if err != nil || capID == "" {
				t.Fatalf("capture: %q %v", capID, err)
			}
			after, err := sb.Applied(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			o, err := sb.Order(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if after-before != 1 || o.CapturedAmount != 25000 || len(o.Captures) != 1 || o.Captures[0].CaptureID != capID {
				t.Errorf("applied %d changes, captured %d in %d captures (id %q vs %q); want exactly one", after-before, o.CapturedAmount, len(o.Captures), o.Captures[0].CaptureID, capID)
			}
		})
	}
}
