package omsim

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"ordercare/internal/money"
	"ordercare/internal/omclient"
)

func checkLineArithmetic(t *testing.T, where string, lines []omclient.OrderLine, amount int64) {
	t.Helper()
	var sum int64
	for i, l := range lines {
		if l.TotalAmount != money.LineTotal(l.Quantity, l.UnitPrice, l.TotalDiscountAmount) {
			t.Errorf("%s line %d: total %d != %d×%d−%d", where, i, l.TotalAmount, l.Quantity, l.UnitPrice, l.TotalDiscountAmount)
		}
		if l.TotalTaxAmount != money.TaxIncluded(l.TotalAmount, l.TaxRate) {
			t.Errorf("%s line %d: tax %d != %d", where, i, l.TotalTaxAmount, money.TaxIncluded(l.TotalAmount, l.TaxRate))
		}
		if !slices.Contains(omclient.LineTypes, string(l.Type)) {
			t.Errorf("%s line %d: type %q", where, i, l.Type)
		}
		sum += l.TotalAmount
	}
	if len(lines) > 0 && sum != amount {
		t.Errorf("%s: lines sum to %d, amount %d", where, sum, amount)
	}
}

func TestDemoDataInvariants(t *testing.T) {
	t.Parallel()
	now := testStart
	recs, err := demoRecords(now, omclient.ProviderKustom)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) < 60 {
		t.Fatalf("%d demo orders, want at least 60", len(recs))
	}
	statuses := map[omclient.Status]int{}
	fraud := map[omclient.FraudStatus]int{}
	currencies := map[string]bool{}
	methods := map[string]bool{}
	ids := map[string]bool{}
	var b2b, nonLatin, long, expiringSoon, partialRefunds, tracked int
	for _, r := range recs {
		o := r.Order
		statuses[o.Status]++
		fraud[o.FraudStatus]++
		currencies[string(o.PurchaseCurrency)] = true
		methods[string(o.InitialPaymentMethod.Type)] = true
		if ids[o.OrderID] || !uuidPattern.MatchString(o.OrderID) {
			t.Errorf("order id %q duplicate or malformed", o.OrderID)
		}
		ids[o.OrderID] = true
		where := o.OrderID + " " + string(o.Status)
		if o.CreatedAt.After(now) || o.CreatedAt.Before(now.Add(-61*day)) {
			t.Errorf("%s created %v, outside the last 60 days", where, o.CreatedAt)
		}
		if !strings.HasPrefix(string(o.MerchantReference1), "SO-") || len(o.KlarnaReference) != 7 {
			t.Errorf("%s references %q %q", where, o.MerchantReference1, o.KlarnaReference)
		}
		checkLineArithmetic(t, where, o.OrderLines, o.OrderAmount)
		var captured, refunded, capRefunded int64
		for _, c := range o.Captures {
			captured += c.CapturedAmount
			capRefunded += c.RefundedAmount
			if c.RefundedAmount > c.CapturedAmount {
				t.Errorf("%s capture %s over-refunded", where, c.CaptureID)
			}
			checkLineArithmetic(t, where+" capture", c.OrderLines, c.CapturedAmount)
			for _, si := range c.ShippingInfo {
				if strings.HasPrefix(string(si.TrackingURI), "https://") && strings.Contains(string(si.TrackingURI), string(si.TrackingNumber)) {
					tracked++
				}
			}
		}
		for _, rf := range o.Refunds {
			refunded += rf.RefundedAmount
			checkLineArithmetic(t, where+" refund", rf.OrderLines, rf.RefundedAmount)
		}
		if captured != o.CapturedAmount || refunded != o.RefundedAmount || capRefunded != refunded || refunded > captured {
			t.Errorf("%s sums: captured %d/%d refunded %d/%d allocated %d", where, captured, o.CapturedAmount, refunded, o.RefundedAmount, capRefunded)
		}
		switch o.Status {
		case omclient.StatusAuthorized, omclient.StatusPartCaptured:
			if o.RemainingAuthorizedAmount != o.OrderAmount-o.CapturedAmount || !o.ExpiresAt.After(now) {
				t.Errorf("%s remaining %d expires %v", where, o.RemainingAuthorizedAmount, o.ExpiresAt)
			}
			if o.ExpiresAt.Before(now.Add(3 * day)) {
				expiringSoon++
			}
		default:
			if o.RemainingAuthorizedAmount != 0 {
				t.Errorf("%s remaining %d", where, o.RemainingAuthorizedAmount)
			}
		}
		if o.Status == omclient.StatusClosed && refunded != captured {
			t.Errorf("%s closed but not fully refunded", where)
		}
		if o.Status == omclient.StatusAuthorized && o.CapturedAmount != 0 {
			t.Errorf("%s authorized with captures", where)
		}
		if refunded > 0 && refunded < captured {
			partialRefunds++
		}
		if o.BillingAddress.OrganizationName != "" {
			b2b++
		}
		name := string(o.BillingAddress.GivenName + o.BillingAddress.FamilyName)
		if strings.IndexFunc(name, func(r rune) bool { return unicode.In(r, unicode.Greek, unicode.Cyrillic, unicode.Han) }) >= 0 {
			nonLatin++
		}
		if len([]rune(name)) > 60 || len([]rune(o.BillingAddress.OrganizationName)) > 80 {
			long++
		}
		// A demo order must pass the API's own validation.
		var ck checker
		ck.checkAddress("billing_address", o.BillingAddress)
		ck.checkAddress("shipping_address", o.ShippingAddress)
		if e := ck.err(); e != nil {
			t.Errorf("%s: %v", where, e)
		}
	}
	for _, s := range omclient.Statuses {
		if statuses[s] == 0 {
			t.Errorf("no demo order is %s", s)
		}
	}
	for _, fs := range []omclient.FraudStatus{omclient.FraudAccepted, omclient.FraudPending, omclient.FraudRejected} {
		if fraud[fs] == 0 {
			t.Errorf("no demo order has fraud status %s", fs)
		}
	}
	for _, c := range []string{"SEK", "NOK", "DKK", "EUR", "GBP", "USD", "PLN", "CHF", "JPY"} {
		if !currencies[c] {
			t.Errorf("no demo order in %s", c)
		}
	}
	if len(methods) < 10 {
		t.Errorf("only %d payment methods: %v", len(methods), methods)
	}
	if b2b < 3 || nonLatin < 3 || long < 2 || expiringSoon < 3 || partialRefunds < 3 || tracked < 10 {
		t.Errorf("b2b %d, non-Latin %d, long %d, expiring within 3 days %d, partial refunds %d, tracked shipments %d",
			b2b, nonLatin, long, expiringSoon, partialRefunds, tracked)
	}

	// Deterministic: the same clock gives byte-identical orders.
	again, err := demoRecords(now, omclient.ProviderKustom)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(recs)
	b, _ := json.Marshal(again)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("demo data differs between two runs with the same clock")
	}
}

func TestDemoSeededOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, Options{Demo: true})
	ids, err := f.sb.OrderIDs(ctx)
	if err != nil || len(ids) < 60 {
		t.Fatalf("%d ids, %v", len(ids), err)
	}
	// Newest first.
	first, last := f.order(ids[0]), f.order(ids[len(ids)-1])
	if first.CreatedAt.Before(last.CreatedAt.Time) {
		t.Fatal("OrderIDs not newest first")
	}
	// Demo orders are readable and changeable through the API.
	for _, id := range ids {
		if r := f.do("GET", path(id), "", nil); r.status != 200 {
			t.Fatalf("GET demo order: %d", r.status)
		}
	}
	// Expiry of demo orders follows the clock: in 30 days no order is
	// AUTHORIZED any more.
	f.clock.Advance(30 * 24 * time.Hour)
	for _, id := range ids {
		if o := f.order(id); o.Status == omclient.StatusAuthorized || o.Status == omclient.StatusPartCaptured {
			t.Fatalf("order %s still %s after 30 days", id, o.Status)
		}
	}
}
