package orders

import (
	"strings"
	"testing"
	"time"

	"ordercare/internal/omclient"
)

var actionsNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// orderIn builds an order in status s with amounts that status implies: 100.00
// authorized, 40.00 captured when part-captured, all captured when
// captured, all refunded when closed.
func orderIn(s omclient.Status) *omclient.Order {
	o := &omclient.Order{
		OrderID: "0b0d9c34-5a5c-4b5e-9f27-2a6a3a7f2c11", Status: s, FraudStatus: omclient.FraudAccepted,
		OrderAmount: 10000, OriginalOrderAmount: 10000, RemainingAuthorizedAmount: 10000,
		PurchaseCurrency: "EUR", PurchaseCountry: "DE",
		CreatedAt: omclient.Time{Time: actionsNow.Add(-5 * day)},
		ExpiresAt: omclient.Time{Time: actionsNow.Add(23 * day)},
	}
	capture := func(amount int64) {
		o.Captures = append(o.Captures, omclient.Capture{CaptureID: "cap-1", CapturedAmount: amount})
		o.CapturedAmount += amount
		o.RemainingAuthorizedAmount -= amount
	}
	switch s {
	case omclient.StatusPartCaptured:
		capture(4000)
	case omclient.StatusCaptured:
		capture(10000)
	case omclient.StatusCancelled:
		o.RemainingAuthorizedAmount = 0
	case omclient.StatusExpired:
		o.RemainingAuthorizedAmount = 0
		o.ExpiresAt = omclient.Time{Time: actionsNow.Add(-day)}
	case omclient.StatusClosed:
		capture(10000)
		o.RefundedAmount = 10000
		o.Captures[0].RefundedAmount = 10000
	}
	return o
}

// allowedSet renders a list as "op op ..." of the allowed operations.
func allowedSet(list []Action) string {
	var ops []string
	for _, a := range list {
		if a.Allowed {
			ops = append(ops, string(a.Op))
		}
	}
	return strings.Join(ops, " ")
}

func TestActionsPerStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status omclient.Status
		want   string // allowed operations, in page order
	}{
		{omclient.StatusAuthorized, "create_capture update_authorization update_customer_details add_order_shipping_info update_merchant_references extend_authorization_time acknowledge cancel"},
		{omclient.StatusPartCaptured, "create_capture create_refund update_authorization update_customer_details add_order_shipping_info update_merchant_references extend_authorization_time release_remaining_authorization acknowledge"},
		{omclient.StatusCaptured, "create_refund add_order_shipping_info update_merchant_references acknowledge"},
		{omclient.StatusCancelled, ""},
		{omclient.StatusExpired, "add_order_shipping_info update_merchant_references"},
		{omclient.StatusClosed, "add_order_shipping_info update_merchant_references acknowledge"},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			t.Parallel()
			for _, p := range []omclient.Provider{omclient.ProviderKlarna, omclient.ProviderKustom} {
				list := Actions(orderIn(tt.status), p, actionsNow)
				if got := allowedSet(list); got != tt.want {
					t.Errorf("%s: allowed = %q\nwant %q", p, got, tt.want)
				}
				if len(list) != len(orderOps) {
					t.Errorf("%s: %d actions, want every order action listed (%d)", p, len(list), len(orderOps))
				}
				for _, a := range list {
					if a.Allowed != (a.Reason == "") {
						t.Errorf("%s %s: allowed=%v with reason %q", p, a.Op, a.Allowed, a.Reason)
					}
					if !a.Allowed && !strings.HasPrefix(a.Reason, a.Label+": not possible, ") {
						t.Errorf("%s %s: reason %q does not start with its label", p, a.Op, a.Reason)
					}
				}
			}
		})
	}
}

func TestActionReasons(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		o    func() *omclient.Order
		p    omclient.Provider
		op   omclient.Operation
		want string
	}{
		{"cancel with captures", func() *omclient.Order { return orderIn(omclient.StatusPartCaptured) }, omclient.ProviderKlarna,
			omclient.OpCancel, "Cancel: not possible, the order has captures"},
		{"cancel when captured", func() *omclient.Order { return orderIn(omclient.StatusCaptured) }, omclient.ProviderKlarna,
			omclient.OpCancel, "Cancel: not possible, the order has captures"},
		{"cancel twice", func() *omclient.Order { return orderIn(omclient.StatusCancelled) }, omclient.ProviderKlarna,
			omclient.OpCancel, "Cancel: not possible, the order is already cancelled"},
		{"cancel expired", func() *omclient.Order { return orderIn(omclient.StatusExpired) }, omclient.ProviderKlarna,
			omclient.OpCancel, "Cancel: not possible, the authorization has expired"},
		{"capture during fraud review", func() *omclient.Order {
			o := orderIn(omclient.StatusAuthorized)
			o.FraudStatus = omclient.FraudPending
			return o
		}, omclient.ProviderKlarna, omclient.OpCreateCapture, "Capture: not possible, the order is waiting for fraud review"},
		{"capture rejected", func() *omclient.Order {
			o := orderIn(omclient.StatusAuthorized)
			o.FraudStatus = omclient.FraudRejected
			return o
		}, omclient.ProviderKlarna, omclient.OpCreateCapture, "Capture: not possible, the order was rejected in fraud review"},
		{"capture fully captured", func() *omclient.Order { return orderIn(omclient.StatusCaptured) }, omclient.ProviderKlarna,
			omclient.OpCreateCapture, "Capture: not possible, the order is fully captured"},
		{"capture nothing remaining", func() *omclient.Order {
			o := orderIn(omclient.StatusPartCaptured)
			o.RemainingAuthorizedAmount = 0
			return o
		}, omclient.ProviderKlarna, omclient.OpCreateCapture, "Capture: not possible, nothing is left to capture"},
		{"capture past expires_at before the provider flipped it", func() *omclient.Order {
			o := orderIn(omclient.StatusAuthorized)
			o.ExpiresAt = omclient.Time{Time: actionsNow.Add(-time.Minute)}
			return o
		}, omclient.ProviderKlarna, omclient.OpCreateCapture, "Capture: not possible, the authorization has expired"},
		{"refund without captures", func() *omclient.Order { return orderIn(omclient.StatusAuthorized) }, omclient.ProviderKlarna,
			omclient.OpCreateRefund, "Refund: not possible, the order has no captures"},
		{"refund fully refunded", func() *omclient.Order { return orderIn(omclient.StatusClosed) }, omclient.ProviderKlarna,
			omclient.OpCreateRefund, "Refund: not possible, everything captured has been refunded"},
		{"release without captures", func() *omclient.Order { return orderIn(omclient.StatusAuthorized) }, omclient.ProviderKlarna,
			omclient.OpReleaseRemaining, "Release remaining authorization: not possible, the order has no captures (cancel it instead)"},
		{"release when captured", func() *omclient.Order { return orderIn(omclient.StatusCaptured) }, omclient.ProviderKlarna,
			omclient.OpReleaseRemaining, "Release remaining authorization: not possible, the order is fully captured"},
		{"update authorization when captured", func() *omclient.Order { return orderIn(omclient.StatusCaptured) }, omclient.ProviderKlarna,
			omclient.OpUpdateAuthorization, "Change amount and lines: not possible, the order is fully captured"},
		{"merchant references when cancelled", func() *omclient.Order { return orderIn(omclient.StatusCancelled) }, omclient.ProviderKlarna,
			omclient.OpUpdateMerchantReferences, "Update merchant references: not possible, the order is cancelled"},
		{"acknowledge expired", func() *omclient.Order { return orderIn(omclient.StatusExpired) }, omclient.ProviderKlarna,
			omclient.OpAcknowledge, "Acknowledge: not possible, the authorization has expired"},
		{"extend expired", func() *omclient.Order { return orderIn(omclient.StatusExpired) }, omclient.ProviderKlarna,
			omclient.OpExtendAuthorizationTime, "Extend authorization time: not possible, the authorization has expired"},
		{"extend captured", func() *omclient.Order { return orderIn(omclient.StatusCaptured) }, omclient.ProviderKustom,
			omclient.OpExtendAuthorizationTime, "Extend authorization time: not possible, the order is fully captured"},
		{"klarna extend at 180 days", func() *omclient.Order {
			o := orderIn(omclient.StatusAuthorized)
			o.CreatedAt = omclient.Time{Time: actionsNow.Add(-170 * day)}
			o.ExpiresAt = omclient.Time{Time: o.CreatedAt.Add(180 * day)}
			return o
		}, omclient.ProviderKlarna, omclient.OpExtendAuthorizationTime,
			"Extend authorization time: not possible, the authorization already runs to the limit of 180 days after purchase"},
		{"kustom extend after 90 days of extension", func() *omclient.Order {
			o := orderIn(omclient.StatusAuthorized)
			o.CreatedAt = omclient.Time{Time: actionsNow.Add(-100 * day)}
			o.ExpiresAt = omclient.Time{Time: o.CreatedAt.Add((28 + 90) * day)}
			return o
		}, omclient.ProviderKustom, omclient.OpExtendAuthorizationTime,
			"Extend authorization time: not possible, the authorization has already been extended by the maximum of 90 days"},
		{"kustom extend in Spain", func() *omclient.Order {
			o := orderIn(omclient.StatusAuthorized)
			o.PurchaseCountry = "es"
			return o
		}, omclient.ProviderKustom, omclient.OpExtendAuthorizationTime,
			"Extend authorization time: not possible, Kustom does not extend orders from ES"},
		{"kustom extend old order", func() *omclient.Order {
			o := orderIn(omclient.StatusAuthorized)
			o.CreatedAt = omclient.Time{Time: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)}
			o.ExpiresAt = omclient.Time{Time: actionsNow.Add(day)}
			return o
		}, omclient.ProviderKustom, omclient.OpExtendAuthorizationTime,
			"Extend authorization time: not possible, Kustom extends only orders created on or after 25 September 2025"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, ok := FindAction(Actions(tt.o(), tt.p, actionsNow), tt.op)
			if !ok {
				t.Fatalf("%s not listed", tt.op)
			}
			if a.Allowed || a.Reason != tt.want {
				t.Errorf("%s: allowed=%v reason %q, want refused with %q", tt.op, a.Allowed, a.Reason, tt.want)
			}
		})
	}
}

func TestExtendAllowedWithinLimits(t *testing.T) {
	t.Parallel()
	o := orderIn(omclient.StatusAuthorized)
	o.CreatedAt = omclient.Time{Time: actionsNow.Add(-100 * day)}
	o.ExpiresAt = omclient.Time{Time: o.CreatedAt.Add(110 * day)}
	for _, p := range []omclient.Provider{omclient.ProviderKlarna, omclient.ProviderKustom} {
		a, _ := FindAction(Actions(o, p, actionsNow), omclient.OpExtendAuthorizationTime)
		if !a.Allowed {
			t.Errorf("%s: extend refused (%q) for an order within its limits", p, a.Reason)
		}
	}
}

func TestCaptureActions(t *testing.T) {
	t.Parallel()
	o := orderIn(omclient.StatusCaptured)
	c := &o.Captures[0]

	klarna := CaptureActions(o, c, omclient.ProviderKlarna, actionsNow)
	if got, want := allowedSet(klarna), "add_capture_shipping_info trigger_send_out extend_due_date"; got != want {
		t.Errorf("klarna capture actions = %q, want %q", got, want)
	}
	for _, a := range klarna {
		if a.CaptureID != c.CaptureID {
			t.Errorf("%s: capture id %q, want %q", a.Op, a.CaptureID, c.CaptureID)
		}
	}
	// Kustom lacks send-out and due-date calls: not offered at all.
	if got, want := allowedSet(CaptureActions(o, c, omclient.ProviderKustom, actionsNow)), "add_capture_shipping_info"; got != want {
		t.Errorf("kustom capture actions = %q, want %q", got, want)
	}
	foreign := &omclient.Capture{CaptureID: "elsewhere"}
	for _, a := range CaptureActions(o, foreign, omclient.ProviderKlarna, actionsNow) {
		if a.Allowed {
			t.Errorf("%s allowed on a capture of another order", a.Op)
		}
	}
}
