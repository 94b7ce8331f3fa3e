package app_test

import (
	"io"
	"testing"

	"ordercare/internal/app"
	"ordercare/internal/omclient"
	"ordercare/internal/omclient/omclienttest"
)

// A change whose answer was lost may be resubmitted with the same key after
// the back office restarts; the built-in sandbox must still recognise the
// key (it scopes keys per API user), so the capture happens once.
func TestBuiltinSandboxKnowsKeysAcrossRestarts(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	ctx := t.Context()
	const key = "9f1c7a52-3b6e-4d0a-9d61-0c2f2b8e7a11"

	a, stop := start(t, cfg, io.Discard)
	ids, err := a.Sandbox().OrderIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var orderID string
	var remaining int64
	for _, id := range ids {
		o, err := a.Sandbox().Order(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if o.Status == omclient.StatusAuthorized && o.FraudStatus == omclient.FraudAccepted && o.RemainingAuthorizedAmount >= 200 {
			orderID, remaining = id, o.RemainingAuthorizedAmount
			break
		}
	}
	if orderID == "" {
		t.Fatal("no capturable demo order")
	}
	first, err := omclienttest.Created(ctx, sender(a), orderID, key, &omclient.CaptureRequest{CapturedAmount: 100})
	if err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	b, _ := start(t, cfg, io.Discard) // stopped by start's cleanup
	again, err := omclienttest.Created(ctx, sender(b), orderID, key, &omclient.CaptureRequest{CapturedAmount: 100})
	if err != nil {
		t.Fatal(err)
	}
	if again != first {
		t.Fatalf("resubmit after restart made capture %s, want the first answer %s", again, first)
	}
	o, err := b.Sandbox().Order(ctx, orderID)
	if err != nil {
		t.Fatal(err)
	}
	if o.RemainingAuthorizedAmount != remaining-100 || len(o.Captures) != 1 {
		t.Fatalf("after resubmit: remaining %d (want %d), %d captures (want 1)", o.RemainingAuthorizedAmount, remaining-100, len(o.Captures))
	}
}

// sender is the app's client to its built-in sandbox, used here as the
// shop's own systems would use theirs: the app hands out only its reads.
func sender(a *app.App) *omclient.Client {
	return a.Client().(*omclient.Client)
}
