package intake

import (
	"context"
	"testing"
	"time"

	"ordercare/internal/omclient"
	"ordercare/internal/omclient/omclienttest"
)

// A change made at the provider directly (here: the sandbox through the
// bare client, as the shop or the portal would) shows in the index after
// the background re-read, oldest read first; orders that can no longer
// change are left alone.
func TestRefreshPicksUpProviderChanges(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	older, newer, done := e.newOrder(t, "REF-OLD"), e.newOrder(t, "REF-NEW"), e.newOrder(t, "REF-DONE")
	for _, id := range []string{older, done} {
		if _, err := e.svc.GetOrder(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	// The finished order: cancelled, and indexed after that.
	if _, err := omclienttest.Send(ctx, e.client, done, "", "", omclient.CancelRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.GetOrder(ctx, done); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	if _, err := e.svc.GetOrder(ctx, newer); err != nil {
		t.Fatal(err)
	}
	// Changes nobody made through the back office.
	if _, err := omclienttest.Send(ctx, e.client, older, "", "", &omclient.UpdateMerchantReferencesRequest{MerchantReference1: ptr("REF-OLD-2")}); err != nil {
		t.Fatal(err)
	}
	if _, err := omclienttest.Send(ctx, e.client, newer, "", "", omclient.CancelRequest{}); err != nil {
		t.Fatal(err)
	}

	r := NewRefresher(e.admin, e.svc, e.clock.Now, nil)
	if id, err := r.refreshOne(ctx); err != nil || id != "" {
		t.Fatalf("orders read a minute ago were re-read: %q %v", id, err)
	}
	e.clock.Advance(r.MinAge)
	readAt := e.clock.Now()
	if id, err := r.refreshOne(ctx); err != nil || id != older {
		t.Fatalf("first re-read: %q %v, want the oldest read %s", id, err, older)
	}
	o, _ := e.indexed(t, older)
	if o.MerchantReference1 != "REF-OLD-2" || !o.LastReadAt.Equal(readAt) {
		t.Fatalf("index after re-read: ref %q read at %v", o.MerchantReference1, o.LastReadAt)
	}
	if got := e.search(t, "ref-old-2"); len(got) != 1 || got[0] != older {
		t.Fatalf("search for the new reference: %v", got)
	}
	if id, err := r.refreshOne(ctx); err != nil || id != newer {
		t.Fatalf("second re-read: %q %v", id, err)
	}
	if o, _ := e.indexed(t, newer); o.Status != omclient.StatusCancelled {
		t.Fatalf("cancel at the provider not picked up: %s", o.Status)
	}
	// Both are cancelled now; the first re-read order is AUTHORIZED still
	// but was just read; nothing else is due.
	if id, err := r.refreshOne(ctx); err != nil || id != "" {
		t.Fatalf("third re-read: %q %v", id, err)
	}
}
func ptr[T any](v T) *T { return &v }
