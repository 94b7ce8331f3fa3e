package view

import (
	"testing"
	"time"

	"ordercare/internal/omclient"
)

func TestPaymentMethodText(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		pm   *omclient.InitialPaymentMethod
		want string
	}{
		{nil, "–"},
		{&omclient.InitialPaymentMethod{Type: "CARD", Description: "Card"}, "Card"},
		{&omclient.InitialPaymentMethod{Type: "PAY_IN_X", Description: "Ratenkauf", NumberOfInstallments: 6}, "Pay in x · Ratenkauf · 6 instalments"},
		{&omclient.InitialPaymentMethod{Description: "Swish"}, "Swish"},
	} {
		if got := paymentMethod(tt.pm); got != tt.want {
			t.Errorf("paymentMethod(%+v) = %q, want %q", tt.pm, got, tt.want)
		}
	}
}

func TestExpiryTextPerStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status  omclient.Status
		expires time.Duration
		want    string
	}{
		{omclient.StatusAuthorized, 3*24*time.Hour + time.Minute, "expires in 3 days"},
		{omclient.StatusAuthorized, 2 * time.Hour, "expires today at 14:00"},
		{omclient.StatusPartCaptured, 30 * time.Minute, "expires in 30 minutes"},
		{omclient.StatusExpired, -26 * time.Hour, "expired yesterday at 10:00"},
		{omclient.StatusAuthorized, -5 * 24 * time.Hour, "expired 5 days ago"},
		{omclient.StatusCaptured, 2 * 24 * time.Hour, ""},
		{omclient.StatusCancelled, 2 * 24 * time.Hour, ""},
	}
	for _, tt := range tests {
		o := &omclient.Order{OrderID: "x", Status: tt.status, ExpiresAt: omclient.Time{Time: testNow.Add(tt.expires)}}
		if got := fromOrder(o, omclient.ProviderKustom, testNow, time.UTC, "ja-JP").Header.ExpiresRelative; got != tt.want {
			t.Errorf("%s expiring at now%+v: %q, want %q", tt.status, tt.expires, got, tt.want)
		}
	}
}
