package pair_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"ordercare/internal/approvals"
	"ordercare/internal/audit"
	"ordercare/internal/db"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/orders"
	"ordercare/internal/pipelinetest"
	"ordercare/internal/shop"
	ep "ordercare/internal/shop/elasticpath"
	"ordercare/internal/shop/elasticpath/epsim"
	"ordercare/internal/shop/pair"
)

// pairEnv is the payment sandbox and the Elastic Path sandbox, each over
// real HTTP, with the pipeline sending shop halves to the latter.
type pairEnv struct {
	adm  *db.DB
	om   *omsim.Sandbox
	shop *epsim.Sandbox
	svc  *orders.Service
	log  *audit.Log
	src  *shop.ElasticPath
}

var agent = audit.Actor{StaffID: 3, Email: "agent@example.com", Role: "agent"}

func newPairEnv(t *testing.T) *pairEnv {
	t.Helper()
	pe := pipelinetest.New(t, pipelinetest.Options{})
	sb, err := epsim.New(epsim.Options{ClientID: "id", ClientSecret: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	shopSrv := httptest.NewServer(sb)
	t.Cleanup(shopSrv.Close)
	c, err := ep.New(ep.Config{BaseURL: shopSrv.URL, ClientID: "id", ClientSecret: "secret", Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	src := &shop.ElasticPath{Client: c, Links: shop.Links{IDField: "merchant_reference2", NumberField: "merchant_reference1"}}
	pe.Orders.SetShop(pair.Halves{Changer: src})
	return &pairEnv{adm: pe.Admin, om: pe.Sandbox, shop: sb, svc: pe.Orders, log: pe.Log, src: src}
}

// twins creates an authorized payment order and its shop order, linked
// through the merchant references, and returns both ids.
func (e *pairEnv) twins(t *testing.T) (string, string) {
	t.Helper()
	addr := &ep.Address{FirstName: "Erika", LastName: "Mustermann", Line1: "Hauptstr. 1", Postcode: "10115", City: "Berlin", Country: "DE",
		Instructions: "Leave at the back door"}
	shopID, err := e.shop.Create(epsim.NewOrder{OrderNumber: "SO-1", Currency: "EUR", ShippingAddress: addr,
		Items: []epsim.NewItem{{Name: "Shirt", SKU: "A", Quantity: 1, UnitPrice: 10000}}})
	if err != nil {
		t.Fatal(err)
	}
	a := &omclient.Address{GivenName: "Erika", FamilyName: "Mustermann", Email: "erika@example.com", StreetAddress: "Hauptstr. 1",
		PostalCode: "10115", City: "Berlin", Country: "DE"}
	id, err := e.om.CreateOrder(context.Background(), omsim.NewOrder{PurchaseCountry: "DE", PurchaseCurrency: "EUR", Locale: "de-DE",
		OrderAmount: 10000, OrderLines: []omclient.OrderLine{{Type: "physical", Reference: "A", Name: "Shirt", Quantity: 1, UnitPrice: 10000,
			TaxRate: 1900, TotalAmount: 10000, TotalTaxAmount: 1597}},
		BillingAddress: a, ShippingAddress: a, MerchantReference1: "SO-1", MerchantReference2: shopID})
	if err != nil {
		t.Fatal(err)
	}
	return id, shopID
}

// twin reads the shop's twin of the payment order id.
func (e *pairEnv) twin(t *testing.T, id string) *shop.Twin {
	t.Helper()
	o, err := e.svc.GetOrder(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	tw, err := e.src.Lookup(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	return tw
}

// resendMissing sends again the one shop half the order is missing and
// fails unless it succeeds.
func (e *pairEnv) resendMissing(t *testing.T, id string) {
	t.Helper()
	as, _ := e.log.OrderAttempts(t.Context(), id)
	missing := orders.MissingHalves(as)
	if len(missing) != 1 {
		t.Fatalf("missing %+v", missing)
	}
	sr, err := e.svc.ApplyMissingHalf(t.Context(), agent, id, missing[0].PairID)
	if err != nil || sr.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("resend = %+v, %v", sr, err)
	}
}

// half prepares the shop half of action for the payment order id.
func (e *pairEnv) half(t *testing.T, id, action string, ed shop.Edit) *orders.ShopHalf {
	t.Helper()
	tw := e.twin(t, id)
	h, why, err := pair.Half(e.src, tw, action, ed)
	if err != nil || h == nil {
		t.Fatalf("half: %v (%s)", err, why)
	}
	return h
}

// Cancel in both: two attempts, the payment's first, each naming the
// pair, the shop's linked to the payment's; both systems cancelled.
func TestPairCancelBothSystems(t *testing.T) {
	e := newPairEnv(t)
	id, shopID := e.twins(t)
	ch := orders.Change{Op: omclient.OpCancel, OrderID: id, IdempotencyKey: audit.NewID(), Reason: "Customer request", Ticket: "HD-1"}
	res, err := e.svc.ApplyPair(t.Context(), agent, ch, e.half(t, id, shop.ActionCancel, shop.Edit{}))
	if err != nil || res.Outcome != audit.OutcomeSucceeded || res.Shop == nil || res.Shop.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("ApplyPair = %+v, %v", res, err)
	}
	if o, _ := e.shop.Order(shopID); o.Status != ep.StatusCancelled {
		t.Errorf("shop order %s, want cancelled", o.Status)
	}
	as, err := e.log.OrderAttempts(t.Context(), id)
	if err != nil || len(as) != 2 {
		t.Fatalf("attempts %d, %v", len(as), err)
	}
	shopA, payA := as[0], as[1] // newest first
	if payA.Requested.Action != string(omclient.OpCancel) || shopA.Requested.Action != shop.ActionCancel {
		t.Fatalf("attempts in order %s, %s", payA.Requested.Action, shopA.Requested.Action)
	}
	if p := payA.Requested.Detail[orders.DetailPairID]; p != ch.IdempotencyKey || shopA.Requested.Detail[orders.DetailPairID] != p ||
		shopA.Completed.Detail[orders.DetailPairID] != p {
		t.Errorf("pair ids %q / %q", p, shopA.Requested.Detail[orders.DetailPairID])
	}
	if shopA.Requested.Detail["linked_attempt"] != payA.AttemptID || shopA.Requested.Reason != "Customer request" || shopA.Requested.Ticket != "HD-1" {
		t.Errorf("shop attempt %+v", shopA.Requested)
	}
	if m := orders.MissingHalves(as); len(m) != 0 {
		t.Errorf("missing halves after both succeeded: %+v", m)
	}
}

// The shop down while the address changes: the payment's address is
// changed, the shop half failed and is found missing; sent again once the
// shop is back, the shop's address is the new one with its delivery
// instructions kept, and nothing is missing any more.
func TestPairAddressShopDownThenOfferedAgain(t *testing.T) {
	e := newPairEnv(t)
	id, shopID := e.twins(t)
	newAddr := shop.EditAddress{FirstName: "Erika", LastName: "Mustermann", Line1: "Jungfernstieg 5", Postcode: "20095", City: "Hamburg", Country: "de"}
	h := e.half(t, id, shop.ActionAddress, shop.Edit{Address: &newAddr})
	e.shop.SetFaults(epsim.Faults{Rules: []epsim.FaultRule{{Method: "PUT", Kind: epsim.Fault500}}})
	body := &omclient.UpdateCustomerDetailsRequest{ShippingAddress: &omclient.Address{GivenName: "Erika", FamilyName: "Mustermann",
		StreetAddress: "Jungfernstieg 5", PostalCode: "20095", City: "Hamburg", Country: "DE", Email: "erika@example.com"}}
	ch := orders.Change{Op: omclient.OpUpdateCustomerDetails, OrderID: id, IdempotencyKey: audit.NewID(), Reason: "Data correction", Body: body}
	res, err := e.svc.ApplyPair(t.Context(), agent, ch, h)
	if err != nil || res.Outcome != audit.OutcomeSucceeded || res.Shop == nil || res.Shop.Outcome == audit.OutcomeSucceeded {
		t.Fatalf("ApplyPair = %+v, %v", res, err)
	}
	if o, _ := e.om.Order(t.Context(), id); o.ShippingAddress.City != "Hamburg" {
		t.Errorf("payment city %s: the payment half is not undone", o.ShippingAddress.City)
	}
	as, _ := e.log.OrderAttempts(t.Context(), id)
	missing := orders.MissingHalves(as)
	if len(missing) != 1 || missing[0].Half.Action != shop.ActionAddress || missing[0].Last == nil || missing[0].Last.Outcome() == audit.OutcomeSucceeded {
		t.Fatalf("missing %+v", missing)
	}

	e.shop.SetFaults(epsim.Faults{})
	sr, err := e.svc.ApplyMissingHalf(t.Context(), agent, id, missing[0].PairID)
	if err != nil || sr.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("ApplyMissingHalf = %+v, %v", sr, err)
	}
	o, _ := e.shop.Order(shopID)
	if a := o.ShippingAddress; a.City != "Hamburg" || a.Line1 != "Jungfernstieg 5" || a.Country != "DE" || a.Instructions != "Leave at the back door" || o.OrderNumber != "SO-1" {
		t.Errorf("shop order after the second try %+v", o)
	}
	as, _ = e.log.OrderAttempts(t.Context(), id)
	if m := orders.MissingHalves(as); len(m) != 0 {
		t.Errorf("still missing %+v", m)
	}
	if as[0].Requested.Detail["linked_attempt"] != res.AttemptID || as[0].Requested.Reason != "Data correction" {
		t.Errorf("second try %+v", as[0].Requested)
	}
	if _, err := e.svc.ApplyMissingHalf(t.Context(), agent, id, missing[0].PairID); err != orders.ErrNoMissingHalf {
		t.Errorf("a third try: %v", err)
	}
}

// A lost answer on the shop's PUT: the outcome is unknown and the half is
// offered again; sending it again changes the shop's order once.
func TestPairLostShopAnswerResentOnce(t *testing.T) {
	e := newPairEnv(t)
	id, shopID := e.twins(t)
	h := e.half(t, id, shop.ActionReferences, shop.Edit{OrderNumber: "SO-1B", ExternalRef: id})
	e.shop.SetFaults(epsim.Faults{Rules: []epsim.FaultRule{{Method: "PUT", Kind: epsim.FaultResetAfterApply, Times: 1}}})
	n := "SO-1B"
	ch := orders.Change{Op: omclient.OpUpdateMerchantReferences, OrderID: id, IdempotencyKey: audit.NewID(), Reason: "Data correction",
		Body: &omclient.UpdateMerchantReferencesRequest{MerchantReference1: &n}}
	res, err := e.svc.ApplyPair(t.Context(), agent, ch, h)
	if err != nil || res.Outcome != audit.OutcomeSucceeded || res.Shop == nil || res.Shop.Outcome != audit.OutcomeUnknown {
		t.Fatalf("ApplyPair = %+v, %v", res, err)
	}
	e.resendMissing(t, id)
	o, _ := e.shop.Order(shopID)
	if o.OrderNumber != "SO-1B" || o.ExternalRef != id {
		t.Errorf("shop order %s / %s", o.OrderNumber, o.ExternalRef)
	}
	if found, _ := e.src.Client.FindByNumber(t.Context(), "SO-1B"); len(found) != 1 {
		t.Errorf("%d shop orders numbered SO-1B, want 1", len(found))
	}
	// The resend read the order, found the number set and sent nothing.
	if n := e.shop.Writes(shopID); n != 1 {
		t.Errorf("the shop received %d changes, want 1", n)
	}
}

// Capture everything and mark fulfilled: the shop's order is authorized,
// so its half reports the capture first (the order becomes paid) and then
// fulfils it; one shop attempt, its after-values paid and fulfilled.
func TestPairCaptureFullyThenFulfilled(t *testing.T) {
	e := newPairEnv(t)
	id, shopID := e.twins(t)
	tw := e.twin(t, id)
	if tw.Payment != ep.PaymentAuthorized || tw.FulfilAction() != shop.ActionCaptureFulfil {
		t.Fatalf("twin payment %s, action %s", tw.Payment, tw.FulfilAction())
	}
	h := e.half(t, id, tw.FulfilAction(), shop.Edit{})
	ch := orders.Change{Op: omclient.OpCreateCapture, OrderID: id, IdempotencyKey: audit.NewID(), Reason: "Shipped in full",
		Body: &omclient.CaptureRequest{CapturedAmount: 10000}}
	res, err := e.svc.ApplyPair(t.Context(), agent, ch, h)
	if err != nil || res.Outcome != audit.OutcomeSucceeded || res.Shop == nil || res.Shop.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("ApplyPair = %+v, %v", res, err)
	}
	o, _ := e.shop.Order(shopID)
	if o.Payment != ep.PaymentPaid || o.Shipping != ep.ShippingFulfilled {
		t.Errorf("shop order %s / %s, want paid and fulfilled", o.Payment, o.Shipping)
	}
	if a := res.Shop.After; a["shop.payment"] != ep.PaymentPaid || a["shop.shipping"] != ep.ShippingFulfilled {
		t.Errorf("after-values %v", a)
	}
	as, _ := e.log.OrderAttempts(t.Context(), id)
	if len(as) != 2 || as[0].Requested.Action != shop.ActionCaptureFulfil || as[0].Requested.Before["shop.payment"] != ep.PaymentAuthorized {
		t.Errorf("attempts %+v", as)
	}
}

// The capture's answer is lost: the half's outcome is unknown; sent
// again, it reads the shop's transactions, finds the capture made and
// sends only the fulfilment (one capture, one fulfil in all).
func TestPairLostCaptureAnswerNotCapturedTwice(t *testing.T) {
	e := newPairEnv(t)
	id, shopID := e.twins(t)
	h := e.half(t, id, shop.ActionCaptureFulfil, shop.Edit{})
	e.shop.SetFaults(epsim.Faults{Rules: []epsim.FaultRule{{Method: "POST", PathContains: "/capture", Kind: epsim.FaultResetAfterApply, Times: 1}}})
	ch := orders.Change{Op: omclient.OpCreateCapture, OrderID: id, IdempotencyKey: audit.NewID(), Reason: "Shipped in full",
		Body: &omclient.CaptureRequest{CapturedAmount: 10000}}
	res, err := e.svc.ApplyPair(t.Context(), agent, ch, h)
	if err != nil || res.Shop == nil || res.Shop.Outcome != audit.OutcomeUnknown {
		t.Fatalf("ApplyPair = %+v, %v", res, err)
	}
	if o, _ := e.shop.Order(shopID); o.Payment != ep.PaymentPaid || o.Shipping == ep.ShippingFulfilled {
		t.Fatalf("after the lost answer: %s / %s, want paid, not fulfilled", o.Payment, o.Shipping)
	}
	e.resendMissing(t, id)
	if o, _ := e.shop.Order(shopID); o.Shipping != ep.ShippingFulfilled {
		t.Errorf("shop shipping %s", o.Shipping)
	}
	if n := e.shop.Writes(shopID); n != 2 {
		t.Errorf("the shop received %d changes, want 2 (one capture, one fulfil)", n)
	}
}

// A payment change the provider refuses sends nothing to the shop.
func TestPairRefusedPaymentSendsNoShopHalf(t *testing.T) {
	e := newPairEnv(t)
	id, shopID := e.twins(t)
	h := e.half(t, id, shop.ActionCancel, shop.Edit{})
	capt := orders.Change{Op: omclient.OpCreateCapture, OrderID: id, IdempotencyKey: audit.NewID(), Reason: "Shipped in full",
		Body: &omclient.CaptureRequest{CapturedAmount: 10000}}
	if res, err := e.svc.Apply(t.Context(), agent, capt); err != nil || res.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("capture %+v, %v", res, err)
	}
	ch := orders.Change{Op: omclient.OpCancel, OrderID: id, IdempotencyKey: audit.NewID(), Reason: "Customer request", ProviderDecides: true}
	res, err := e.svc.ApplyPair(t.Context(), agent, ch, h)
	if err != nil || res.Outcome != audit.OutcomeRefused || res.Shop != nil {
		t.Fatalf("ApplyPair = %+v, %v", res, err)
	}
	if o, _ := e.shop.Order(shopID); o.Status == ep.StatusCancelled {
		t.Error("the shop order was cancelled although the payment cancel was refused")
	}
	as, _ := e.log.OrderAttempts(t.Context(), id)
	if m := orders.MissingHalves(as); len(m) != 0 {
		t.Errorf("a refused payment change offers its shop half: %+v", m)
	}
}

// Four-eyes holds the pair as one intent: the request keeps the shop's
// half, the approver sees it, nothing reaches either system before the
// approval, and approving sends both, linked.
func TestPairHeldForApprovalSendsBoth(t *testing.T) {
	e := newPairEnv(t)
	id, shopID := e.twins(t)
	ap, err := approvals.Open(t.Context(), e.adm, e.log, e.svc, approvals.Policy{Thresholds: map[string]int64{"EUR": 5000}, TTL: time.Hour}, nil)
	if err != nil {
		t.Fatal(err)
	}
	o, err := e.svc.GetOrder(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	ch := orders.Change{Op: omclient.OpCancel, OrderID: id, IdempotencyKey: audit.NewID(), Reason: "Customer request"}
	why, err := ap.Check(t.Context(), agent, o, ch)
	if err != nil || why == "" {
		t.Fatalf("the cancel of 100.00 EUR is not held: %q, %v", why, err)
	}
	r, created, err := ap.SubmitPair(t.Context(), agent, o, ch, why, e.half(t, id, shop.ActionCancel, shop.Edit{}))
	if err != nil || !created {
		t.Fatal(created, err)
	}
	if got, _ := ap.Get(t.Context(), r.ID); got.Shop == nil || got.Shop.Action != shop.ActionCancel || got.Shop.ShopOrderID != shopID {
		t.Fatalf("the stored request lost its shop half: %+v", got.Shop)
	}
	if so, _ := e.shop.Order(shopID); so.Status == ep.StatusCancelled {
		t.Fatal("the shop order was cancelled before the approval")
	}
	supervisor := audit.Actor{StaffID: 9, Email: "boss@example.com", Role: "supervisor"}
	done, res, err := ap.ApproveConfirmed(t.Context(), supervisor, r.ID, "Checked with the customer", "")
	if err != nil || done.Status != approvals.StatusExecuted || res.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("Approve = %+v, %+v, %v", done, res, err)
	}
	if so, _ := e.shop.Order(shopID); so.Status != ep.StatusCancelled {
		t.Errorf("shop order %s after the approval", so.Status)
	}
	as, _ := e.log.OrderAttempts(t.Context(), id)
	if len(as) != 2 || as[0].Requested.Detail["linked_attempt"] != as[1].AttemptID || as[0].Requested.Actor.Email != supervisor.Email ||
		as[1].Requested.Detail[orders.DetailPairID] != ch.IdempotencyKey || as[0].Requested.Detail[orders.DetailPairID] != ch.IdempotencyKey {
		t.Errorf("attempts %+v", as)
	}
}

// A double submit of a paired change (the same form key twice) answers
// with both earlier results: nothing is sent to either system again, and
// the audit keeps one attempt per system.
func TestPairDoubleSubmitSendsNothingAgain(t *testing.T) {
	e := newPairEnv(t)
	id, shopID := e.twins(t)
	ch := orders.Change{Op: omclient.OpCancel, OrderID: id, IdempotencyKey: audit.NewID(), Reason: "Customer request"}
	h := e.half(t, id, shop.ActionCancel, shop.Edit{})
	first, err := e.svc.ApplyPair(t.Context(), agent, ch, h)
	if err != nil || first.Shop == nil || first.Shop.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("first = %+v, %v", first, err)
	}
	again, err := e.svc.ApplyPair(t.Context(), agent, ch, h)
	if err != nil || !again.Replayed || again.Shop == nil || again.Shop.Outcome != audit.OutcomeSucceeded || again.Shop.AttemptID != first.Shop.AttemptID {
		t.Fatalf("again = %+v (shop %+v), %v", again, again.Shop, err)
	}
	if as, _ := e.log.OrderAttempts(t.Context(), id); len(as) != 2 {
		t.Errorf("%d attempts, want one per system", len(as))
	}
	if n := e.shop.Writes(shopID); n != 1 {
		t.Errorf("the shop received %d changes, want 1", n)
	}
}
