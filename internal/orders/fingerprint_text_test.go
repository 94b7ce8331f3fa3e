package orders_test

import (
	"testing"

	"ordercare/internal/omclient"
	"ordercare/internal/orders"
)

func TestFingerprintRoundTrip(t *testing.T) {
	t.Parallel()
	for _, fp := range []orders.Fingerprint{
		{Status: omclient.StatusAuthorized, OrderAmount: 14997},
		{Status: omclient.StatusPartCaptured, OrderAmount: 200000000, CapturedAmount: 1, RefundedAmount: 0, Captures: 1},
		{Status: omclient.StatusClosed, OrderAmount: 5, CapturedAmount: 5, RefundedAmount: 5, Captures: 3, Refunds: 2},
	} {
		s := orders.EncodeFingerprint(fp)
		got, err := orders.ParseFingerprint(s)
		if err != nil || got != fp {
			t.Errorf("%q: parsed %+v, %v; want %+v", s, got, err, fp)
		}
	}
}

func TestFingerprintRefusesDamagedValues(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"", "v1", "v2.AUTHORIZED.1.0.0.0.0", "v1.authorized.1.0.0.0.0", "v1.AUTHORIZED.1.0.0.0",
		"v1.AUTHORIZED.1.0.0.0.0.0", "v1.AUTHORIZED.01.0.0.0.0", "v1.AUTHORIZED.+1.0.0.0.0", "v1.AUTHORIZED.-1.0.0.0.0",
		"v1.AUTHORIZED.200000001.0.0.0.0", "v1.AUTHORIZED.1.0.0.0.100001", "v1.AUTHORIZED.1 .0.0.0.0", "v1.AUTHORIZED.1.0.0.0.0\n",
	} {
		if fp, err := orders.ParseFingerprint(s); err == nil {
			t.Errorf("%q parsed as %+v, want an error", s, fp)
		}
	}
}

// FuzzParseFingerprint: whatever the form sends, a value that parses is
// exactly the text EncodeFingerprint writes for it, so no edited value can
// pass as another order state.
func FuzzParseFingerprint(f *testing.F) {
	f.Add("v1.AUTHORIZED.14997.0.0.0.0")
	f.Add("v1.PART_CAPTURED.10000.2500.0.1.0")
	f.Add("v1.AUTHORIZED.+1.0.0.0.0")
	f.Add("v1.CLOSED.5.5.5.3.2")
	f.Fuzz(func(t *testing.T, s string) {
		fp, err := orders.ParseFingerprint(s)
		if err != nil {
			return
		}
		if got := orders.EncodeFingerprint(fp); got != s {
			t.Fatalf("%q parsed to %+v, which encodes as %q", s, fp, got)
		}
	})
}
