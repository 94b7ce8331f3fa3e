package omsim

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"ordercare/internal/money"
	"ordercare/internal/omclient"
)

// The demo data: a deterministic generator (fixed seed, times relative to
// the clock) of orders across every status, fraud status, payment method
// and market of demo_data.go. Histories are not written by hand: each order
// is created and then captured, refunded, cancelled, released or updated
// through the same rule functions the API uses, at past moments, so the
// amounts, statuses and capture allocations are exactly what the sandbox
// itself would have produced.

// demoSeed fixes the generator: the same clock time gives the same orders.
var demoSeed = [2]uint64{0x6f72646572636172, 0x652d73616e64626f} // "ordercare-sandbo"

// demoScenario is the intended end state of one demo order.
type demoScenario struct {
	status omclient.Status
	fraud  omclient.FraudStatus
	shape  string
}

func demoScenarios() []demoScenario {
	var out []demoScenario
	add := func(n int, st omclient.Status, fraud omclient.FraudStatus, shape string) {
		for range n {
			out = append(out, demoScenario{st, fraud, shape})
		}
	}
	A, P, R := omclient.FraudAccepted, omclient.FraudPending, omclient.FraudRejected
	add(6, omclient.StatusAuthorized, A, "plain")
	add(4, omclient.StatusAuthorized, A, "expiring")
	add(3, omclient.StatusAuthorized, P, "pending")
	add(1, omclient.StatusAuthorized, R, "plain")
	add(1, omclient.StatusAuthorized, A, "reduced")
	add(1, omclient.StatusAuthorized, A, "shipping-info")
	add(5, omclient.StatusPartCaptured, A, "one-capture")
	add(3, omclient.StatusPartCaptured, A, "partial-refund")
	add(1, omclient.StatusPartCaptured, A, "expiring")
	add(1, omclient.StatusPartCaptured, A, "two-captures")
	add(5, omclient.StatusCaptured, A, "full")
	add(3, omclient.StatusCaptured, A, "two-captures")
	add(3, omclient.StatusCaptured, A, "partial-refund")
	add(1, omclient.StatusCaptured, A, "return-fee")
	add(2, omclient.StatusCaptured, A, "released")
	add(6, omclient.StatusCancelled, A, "plain")
	add(1, omclient.StatusCancelled, R, "plain")
	add(6, omclient.StatusExpired, A, "plain")
	add(2, omclient.StatusExpired, A, "part-captured")
	add(6, omclient.StatusClosed, A, "full-refund")
	add(3, omclient.StatusClosed, A, "two-refunds")
	return out
}

type demoGen struct {
	rng      *rand.Rand
	now      time.Time
	provider omclient.Provider
}

func (g *demoGen) uuid() string {
	var b uuid.UUID
	for i := 0; i < 16; i += 8 {
		v := g.rng.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j)) // #nosec G115 -- keeping only the low byte is the point: the 64 bits are split into 8 bytes
		}
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return b.String()
}

func (g *demoGen) klarnaRef() string {
	b := make([]byte, 7)
	for i := range b {
		b[i] = klarnaRefAlphabet[g.rng.IntN(len(klarnaRefAlphabet))]
	}
	return string(b)
}

func (g *demoGen) digits(n int) string {
	var sb strings.Builder
	for range n {
		sb.WriteByte(byte('0' + g.rng.IntN(10))) // #nosec G115 -- IntN(10) is 0..9, so the value is '0'..'9'
	}
	return sb.String()
}

func (g *demoGen) days(lo, hi float64) time.Duration {
	return time.Duration((lo + g.rng.Float64()*(hi-lo)) * float64(day))
}

func (g *demoGen) env(at time.Time) env {
	return env{now: at, provider: g.provider, newID: g.uuid}
}

func pick[T any](g *demoGen, xs []T) T { return xs[g.rng.IntN(len(xs))] }

// price converts a catalogue price into a shop price of the market.
func (m *demoMarket) price(p demoProduct) int64 {
	v := float64(p.eurCents) * m.factor
	r := int64(math.Round(v/float64(m.step))) * m.step
	if r < m.step {
		r = m.step
	}
	if p.kind == omclient.LineTypeGiftCard {
		return r
	}
	return r - m.minus
}

func line(typ, ref, name string, qty, unit, discount, rate int64) omclient.OrderLine {
	total := money.LineTotal(qty, unit, discount)
	return omclient.OrderLine{
		Type: omclient.Text(typ), Reference: omclient.Text(ref), Name: omclient.Text(name),
		Quantity: qty, QuantityUnit: "pcs", UnitPrice: unit, TaxRate: rate,
		TotalAmount: total, TotalDiscountAmount: discount, TotalTaxAmount: money.TaxIncluded(total, rate),
	}
}

// orderLines builds 1..4 product lines (at least minProducts), maybe a
// discount line, a shipping fee and, in the US, a sales tax line.
func (g *demoGen) orderLines(m *demoMarket, minProducts int, allowDiscountLine bool) []omclient.OrderLine {
	n := minProducts + g.rng.IntN(4-minProducts+1)
	products := slices.Clone(demoProducts)
	g.rng.Shuffle(len(products), func(i, j int) { products[i], products[j] = products[j], products[i] })
	var lines []omclient.OrderLine
	var subtotal int64
	for _, p := range products[:n] {
		qty := int64(1)
		if g.rng.IntN(4) == 0 && p.kind == omclient.LineTypePhysical {
			qty = 2 + int64(g.rng.IntN(2))
		}
		unit := m.price(p)
		var discount int64
		if p.kind == omclient.LineTypePhysical && g.rng.IntN(5) == 0 {
			// 15 % off this line, rounded to whole minor units.
			discount = qty * unit * 15 / 100
		}
		rate := m.taxRate
		if p.kind == omclient.LineTypeGiftCard {
			rate = 0 // gift cards are not taxed at sale
		}
		name := p.name
		if m.country == "JP" {
			if ja, ok := demoProductNamesJA[p.reference]; ok {
				name = ja
			}
		}
		l := line(p.kind, p.reference, name, qty, unit, discount, rate)
		slug := strings.ToLower(p.reference)
		l.ProductURL = omclient.Text("https://shop.example/" + strings.ToLower(m.country) + "/p/" + slug)
		l.ImageURL = omclient.Text("https://shop.example/img/" + slug + ".jpg")
		if p.brand != "" && g.rng.IntN(2) == 0 {
			l.ProductIdentifiers = &omclient.ProductIdentifiers{
				Brand: omclient.Text(p.brand), CategoryPath: omclient.Text(p.category),
				GlobalTradeItemNumber: omclient.Text("73" + g.digits(11)),
			}
		}
		lines = append(lines, l)
		subtotal += l.TotalAmount
	}
	if allowDiscountLine && g.rng.IntN(4) == 0 {
		d := subtotal / 10
		lines = append(lines, line(omclient.LineTypeDiscount, "WELCOME10", "Welcome discount 10 %", 1, -d, 0, m.taxRate))
		subtotal -= d
	}
	// Free delivery above about 100 EUR, sometimes paid express anyway.
	if subtotal < int64(10000*m.factor) || g.rng.IntN(3) == 0 {
		lines = append(lines, line(omclient.LineTypeShippingFee, "SHIP-STD", "Standard delivery", 1, m.shippingFee, 0, m.taxRate))
	}
	if m.country == "US" {
		var taxable int64
		for _, l := range lines {
			taxable += l.TotalAmount
		}
		tax := taxable * 8875 / 100000 // New York City combined rate 8.875 %
		lines = append(lines, line(omclient.LineTypeSalesTax, "SALES-TAX", "Sales tax", 1, tax, 0, 0))
	}
	return lines
}

func sumLines(lines []omclient.OrderLine) int64 {
	var s int64
	for _, l := range lines {
		s += l.TotalAmount
	}
	return s
}

func (g *demoGen) shippingInfo(m *demoMarket, withReturn bool) omclient.ShippingInfo {
	var number string
	switch m.carrier.number {
	case "gb":
		number = string(rune('A'+g.rng.IntN(26))) + string(rune('A'+g.rng.IntN(26))) + g.digits(9) + "GB" // #nosec G115 -- IntN(26) is 0..25, so each rune is 'A'..'Z'
	case "1z":
		number = "1Z" + strings.ToUpper(fmt.Sprintf("%03X", g.rng.IntN(4096))) + g.digits(13)
	default:
		var n int
		// The markets table is constant ("d" and a digit count); a malformed
		// entry would give an empty number, which the demo tests would show.
		_, _ = fmt.Sscanf(m.carrier.number, "d%d", &n)
		number = g.digits(n)
	}
	si := omclient.ShippingInfo{
		ShippingCompany: omclient.Text(m.carrier.company),
		ShippingMethod:  omclient.Text(m.carrier.method),
		TrackingNumber:  omclient.Text(number),
		TrackingURI:     omclient.Text(fmt.Sprintf(m.carrier.uriFormat, number)),
	}
	if withReturn {
		rn := g.digits(len(number))
		si.ReturnShippingCompany = omclient.Text(m.carrier.returnCompany)
		si.ReturnTrackingNumber = omclient.Text(rn)
		si.ReturnTrackingURI = omclient.Text(fmt.Sprintf(m.carrier.uriFormat, rn))
	}
	return si
}

// demoRecords generates the demo orders as of now.
func demoRecords(now time.Time, provider omclient.Provider) ([]*record, error) {
	rng := rand.New(rand.NewPCG(demoSeed[0], demoSeed[1])) // #nosec G404 -- the demo data must be the same on every run, so a fixed-seed PRNG; nothing secret is drawn
	g := &demoGen{rng: rng, now: now.UTC().Truncate(time.Second), provider: provider}
	scenarios := demoScenarios()
	g.rng.Shuffle(len(scenarios), func(i, j int) { scenarios[i], scenarios[j] = scenarios[j], scenarios[i] })
	recs := make([]*record, 0, len(scenarios))
	for i, sc := range scenarios {
		rec, err := g.order(i, sc)
		if err != nil {
			return nil, fmt.Errorf("omsim: demo order %d (%s/%s): %w", i, sc.status, sc.shape, err)
		}
		recs = append(recs, rec)
	}
	return recs, nil
}

func marketByCountry(c string) *demoMarket {
	for i := range demoMarkets {
		if demoMarkets[i].country == c {
			return &demoMarkets[i]
		}
	}
	panic("omsim: no demo market " + c)
}

func (g *demoGen) order(i int, sc demoScenario) (*record, error) {
	m := &demoMarkets[i%len(demoMarkets)]
	switch {
	case sc.fraud == omclient.FraudPending && m.country != "US" && m.country != "GB":
		// Fraud review exists for US and UK merchants (KD "Pending orders").
		m = marketByCountry([]string{"US", "GB"}[i%2])
	case sc.shape == "return-fee" && !slices.Contains(returnFeeCountries, m.country):
		m = marketByCountry("DE")
	}

	// Age of the order and its authorization window.
	var age time.Duration
	switch {
	case sc.fraud == omclient.FraudPending:
		age = g.days(0.05, 0.9)
	case sc.shape == "expiring":
		age = g.days(25.2, 27.6) // expires within 3 days
	case sc.status == omclient.StatusAuthorized || sc.status == omclient.StatusPartCaptured:
		age = g.days(0.1, 24)
	case sc.status == omclient.StatusExpired:
		age = g.days(29, 60)
	default:
		age = g.days(1, 60)
	}
	created := g.now.Add(-age)
	// at returns a moment in the order's past at fraction f of its
	// capturable life (before expiry and before now).
	life := min(age, 27*day)
	at := func(f float64) time.Time { return created.Add(time.Duration(f * float64(life))) }

	person := pick(g, m.people)
	round := i / len(demoMarkets)
	if round%2 == 0 {
		// Every other round through the markets uses the market's longest
		// name, so long names (and the non-Latin ones) are always present.
		person = slices.MaxFunc(m.people, func(a, b demoPerson) int {
			return len([]rune(a.given+a.family)) - len([]rune(b.given+b.family))
		})
	}
	addr := pick(g, m.addresses)
	b2b := m.b2bMethod != "" && len(m.companies) > 0 && i%5 == 2 && sc.fraud == omclient.FraudAccepted
	splittable := sc.shape != "plain" && sc.shape != "full" && sc.shape != "full-refund" && sc.shape != "expiring" && sc.shape != "pending"
	minProducts := 1
	if splittable {
		minProducts = 2
	}
	if sc.status == omclient.StatusPartCaptured && sc.shape == "two-captures" {
		minProducts = 3 // two captures and something left
	}
	lines := g.orderLines(m, minProducts, !splittable)
	amount := sumLines(lines)

	billing := &omclient.Address{
		GivenName: omclient.Text(person.given), FamilyName: omclient.Text(person.family),
		StreetAddress: omclient.Text(addr.street), StreetAddress2: omclient.Text(addr.street2),
		PostalCode: omclient.Text(addr.postal), City: omclient.Text(addr.city), Region: omclient.Text(addr.region),
		Country: omclient.Text(m.country), Email: omclient.Text(person.email), Phone: omclient.Text(person.phone),
	}
	method := pick(g, m.methods)
	customer := &omclient.Customer{Type: "person"}
	if g.rng.IntN(2) == 0 {
		customer.DateOfBirth = omclient.Text(fmt.Sprintf("%d-%02d-%02d", 1950+g.rng.IntN(55), 1+g.rng.IntN(12), 1+g.rng.IntN(28)))
	}
	if b2b {
		co := pick(g, m.companies)
		if round%2 == 1 {
			co = slices.MaxFunc(m.companies, func(a, b demoCompany) int { return len(a.name) - len(b.name) })
		}
		billing.OrganizationName = omclient.Text(co.name)
		billing.Attention = omclient.Text(person.given + " " + person.family)
		method = demoMethod{m.b2bMethod, "Invoice for businesses", 0}
		customer = &omclient.Customer{Type: "organization", OrganizationEntityType: "LIMITED_COMPANY",
			OrganizationRegistrationID: omclient.Text(co.regID), VatID: omclient.Text(co.vatID)}
	}
	shipping := cloneAddress(billing)
	if !b2b && g.rng.IntN(4) == 0 {
		alt := pick(g, m.addresses)
		shipping.StreetAddress, shipping.StreetAddress2 = omclient.Text(alt.street), omclient.Text(alt.street2)
		shipping.PostalCode, shipping.City, shipping.Region = omclient.Text(alt.postal), omclient.Text(alt.city), omclient.Text(alt.region)
	}
	no := NewOrder{
		PurchaseCountry: m.country, PurchaseCurrency: m.currency, Locale: m.locale,
		OrderAmount: amount, OrderLines: lines, BillingAddress: billing, ShippingAddress: shipping,
		MerchantReference1: fmt.Sprintf("SO-%d", 100123+i*37+g.rng.IntN(30)),
		Customer:           customer,
		InitialPaymentMethod: &omclient.InitialPaymentMethod{
			Type: omclient.Text(method.typ), Description: omclient.Text(method.description), NumberOfInstallments: method.installments,
		},
		FraudStatus: sc.fraud,
	}
	if g.rng.IntN(3) == 0 {
		no.MerchantReference2 = fmt.Sprintf("CRM-%d", 40000+g.rng.IntN(9999))
	}
	if g.rng.IntN(2) == 0 {
		no.MerchantData = fmt.Sprintf(`{"channel":"%s","store":"%s-web"}`, pick(g, []string{"web", "app", "phone"}), strings.ToLower(m.country))
	}
	if m.carrier.method == "PickUpPoint" && g.rng.IntN(2) == 0 {
		no.SelectedShippingOption = &omclient.SelectedShippingOption{
			ID: omclient.Text("pp-" + g.digits(5)), Name: omclient.Text(m.carrier.company + " pick-up point"),
			Carrier: omclient.Text(m.carrier.company), Class: "standard", Method: "PickUpPoint", Type: "pickup-point",
			Price: m.shippingFee, TaxAmount: money.TaxIncluded(m.shippingFee, m.taxRate), TaxRate: m.taxRate,
		}
	}
	if e := no.validate(); e != nil {
		return nil, e
	}
	rec := no.build(g.uuid(), g.klarnaRef(), created)

	if err := g.history(rec, m, sc, lines, at); err != nil {
		return nil, err
	}
	expire(&rec.Order, g.now)
	if rec.Order.Status != sc.status {
		return nil, fmt.Errorf("ended %s, want %s", rec.Order.Status, sc.status)
	}
	// The history is the order's past, not changes made through this sandbox.
	rec.Applied = 0
	return rec, nil
}

// history replays the order's life through the rule functions.
func (g *demoGen) history(rec *record, m *demoMarket, sc demoScenario, lines []omclient.OrderLine, at func(float64) time.Time) error {
	do := func(t time.Time, op func(env) *apiError) error {
		expire(&rec.Order, t)
		if e := op(g.env(t)); e != nil {
			return e
		}
		return nil
	}
	capture := func(t time.Time, ls []omclient.OrderLine, amount int64, withReturn bool) error {
		req := &omclient.CaptureRequest{CapturedAmount: amount, OrderLines: ls,
			Description: "Shipped", Reference: "DN-" + g.digits(6),
			ShippingInfo: []omclient.ShippingInfo{g.shippingInfo(m, withReturn)}}
		return do(t, func(e env) *apiError { _, err := opCapture(rec, e, req); return err })
	}
	refund := func(t time.Time, ls []omclient.OrderLine, amount int64, why string) error {
		req := &omclient.RefundRequest{RefundedAmount: amount, OrderLines: ls, Description: why, Reference: "RMA-" + g.digits(5)}
		return do(t, func(e env) *apiError { _, err := opRefund(rec, e, req); return err })
	}
	// products: lines that can be captured on their own (positive totals).
	var products []omclient.OrderLine
	for _, l := range lines {
		if l.TotalAmount > 0 && l.Type != omclient.LineTypeSalesTax && l.Type != omclient.LineTypeShippingFee {
			products = append(products, l)
		}
	}
	first := products[:1]
	firstAmount := sumLines(first)
	full := sumLines(lines)
	// partial: a refund of one unit, or a price adjustment of ~15 %.
	partial := func(captured []omclient.OrderLine) ([]omclient.OrderLine, int64) {
		l := captured[0]
		if l.Quantity > 1 && l.TotalDiscountAmount == 0 {
			r := line(string(l.Type), string(l.Reference), string(l.Name), 1, l.UnitPrice, 0, l.TaxRate)
			return []omclient.OrderLine{r}, r.TotalAmount
		}
		amt := max(l.TotalAmount*15/100, 1)
		r := line(omclient.LineTypePhysical, string(l.Reference), "Price adjustment: damaged packaging", 1, amt, 0, l.TaxRate)
		return []omclient.OrderLine{r}, amt
	}

	switch sc.status {
	case omclient.StatusAuthorized:
		switch sc.shape {
		case "reduced":
			// The customer drops the last product before shipping.
			drop := slices.IndexFunc(lines, func(l omclient.OrderLine) bool {
				return l.Reference == products[len(products)-1].Reference
			})
			kept := slices.Delete(slices.Clone(lines), drop, drop+1)
			req := &omclient.UpdateAuthorizationRequest{OrderAmount: sumLines(kept), Description: "Item out of stock removed", OrderLines: kept}
			return do(at(0.2), func(e env) *apiError { return opUpdateAuthorization(rec, e, req) })
		case "shipping-info":
			if err := do(at(0.1), func(e env) *apiError { return opAcknowledge(rec, e) }); err != nil {
				return err
			}
			infos := []omclient.ShippingInfo{g.shippingInfo(m, false)}
			return do(at(0.3), func(e env) *apiError { return opAddOrderShippingInfo(rec, e, infos) })
		}
		if g.rng.IntN(2) == 0 && sc.fraud == omclient.FraudAccepted {
			return do(at(0.05), func(e env) *apiError { return opAcknowledge(rec, e) })
		}
		return nil
	case omclient.StatusCancelled:
		return do(at(0.1), func(e env) *apiError { return opCancel(rec, e) })
	case omclient.StatusExpired:
		if sc.shape == "part-captured" {
			return capture(at(0.2), first, firstAmount, false)
		}
		return nil
	case omclient.StatusPartCaptured:
		switch sc.shape {
		case "two-captures":
			if err := capture(at(0.2), first, firstAmount, false); err != nil {
				return err
			}
			second := products[1:2]
			if sumLines(second)+firstAmount >= full {
				return fmt.Errorf("second capture would complete the order")
			}
			return capture(at(0.5), second, sumLines(second), false)
		case "partial-refund":
			if err := capture(at(0.2), first, firstAmount, true); err != nil {
				return err
			}
			ls, amt := partial(first)
			return refund(at(0.7), ls, amt, "Partial refund")
		default:
			return capture(at(0.3), first, firstAmount, false)
		}
	case omclient.StatusCaptured:
		switch sc.shape {
		case "two-captures":
			split := len(lines) / 2
			if err := capture(at(0.2), lines[:split], sumLines(lines[:split]), false); err != nil {
				return err
			}
			return capture(at(0.45), lines[split:], sumLines(lines[split:]), false)
		case "released":
			if err := capture(at(0.3), first, firstAmount, false); err != nil {
				return err
			}
			return do(at(0.6), func(e env) *apiError { return opRelease(rec, e) })
		case "partial-refund":
			if err := capture(at(0.2), lines, full, true); err != nil {
				return err
			}
			ls, amt := partial(products)
			return refund(at(0.8), ls, amt, "Returned item")
		case "return-fee":
			if err := capture(at(0.2), lines, full, true); err != nil {
				return err
			}
			l := products[0]
			item := line(string(l.Type), string(l.Reference), string(l.Name), 1, l.UnitPrice, l.TotalDiscountAmount/max(l.Quantity, 1), l.TaxRate)
			fee := m.shippingFee
			feeLine := line(omclient.LineTypeReturnFee, "RETURN-FEE", "Return fee", 1, -fee, 0, m.taxRate)
			ls := []omclient.OrderLine{item, feeLine}
			return refund(at(0.8), ls, sumLines(ls), "Return with return fee")
		default:
			return capture(at(0.3), lines, full, g.rng.IntN(2) == 0)
		}
	case omclient.StatusClosed:
		if err := capture(at(0.2), lines, full, true); err != nil {
			return err
		}
		if sc.shape == "two-refunds" {
			if err := refund(at(0.6), first, firstAmount, "Returned item"); err != nil {
				return err
			}
			return refund(at(0.9), nil, full-firstAmount, "Rest of order returned")
		}
		return refund(at(0.7), lines, full, "Order returned")
	}
	return fmt.Errorf("no history for %s", sc.status)
}

// seedDemo stores the demo orders.
func (s *Sandbox) seedDemo(ctx context.Context) error {
	recs, err := demoRecords(s.clock.Now(), s.opts.Provider)
	if err != nil {
		return err
	}
	docs := make([][]byte, len(recs))
	for i, r := range recs {
		if docs[i], err = r.encode(); err != nil {
			return err
		}
	}
	return s.store.tx(ctx, func(t txn) error {
		for i, r := range recs {
			if err := t.save(r.Order.OrderID, r.Order.CreatedAt.Time, docs[i]); err != nil {
				return err
			}
		}
		return nil
	})
}
