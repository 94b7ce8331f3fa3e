package epsim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	ep "ordercare/internal/shop/elasticpath"
)

// The sandbox stores orders in the client's own types: they are the
// platform's OrderResponse and OrderItemResponse, and the contract tests
// hold both sides to the platform's document.
type (
	orderDoc = ep.Order
	itemDoc  = ep.Item
)

const maxBody = 1 << 20

func (s *Sandbox) handleGet(w http.ResponseWriter, id string) {
	s.answerRecord(w, id, func(rec *record) any { return rec.order })
}

func (s *Sandbox) handleItems(w http.ResponseWriter, id string) {
	s.answerRecord(w, id, func(rec *record) any { return append([]itemDoc{}, rec.items...) })
}

// answerRecord answers {"data": pick(order id's record)}, or 404; pick
// runs under the lock and must copy what it returns.
func (s *Sandbox) answerRecord(w http.ResponseWriter, id string, pick func(*record) any) {
	s.mu.Lock()
	rec, ok := s.orders[id]
	var data any
	if ok {
		data = pick(rec)
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found", "Order not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data})
}

// handleList is GET /v2/orders with the eq filters the back office uses
// (order_number, external_ref); other filters of the document are refused
// with 400 rather than silently ignored.
func (s *Sandbox) handleList(w http.ResponseWriter, r *http.Request) {
	var field, value string
	if f := r.URL.Query().Get("filter"); f != "" {
		inner, ok := strings.CutPrefix(f, "eq(")
		inner, ok2 := strings.CutSuffix(inner, ")")
		field, value, _ = strings.Cut(inner, ",")
		if !ok || !ok2 || (field != "order_number" && field != "external_ref") {
			writeError(w, http.StatusBadRequest, "Bad Request", "the sandbox filters only eq(order_number,…) and eq(external_ref,…)")
			return
		}
		value = strings.TrimSpace(value)
	}
	s.mu.Lock()
	out := []orderDoc{}
	for i := len(s.byNumber) - 1; i >= 0; i-- { // newest first
		o := s.orders[s.byNumber[i]].order
		if field == "" || (field == "order_number" && o.OrderNumber == value) || (field == "external_ref" && o.ExternalRef == value) {
			out = append(out, o)
		}
	}
	s.mu.Unlock()
	page := map[string]any{"current": 1, "limit": 100, "offset": 0, "total": 1}
	writeJSON(w, http.StatusOK, map[string]any{"data": out,
		"links": map[string]any{"current": r.URL.String(), "first": r.URL.String(), "last": r.URL.String()},
		"meta":  map[string]any{"page": page, "results": map[string]any{"total": len(out)}}})
}

// updateBody is the union of OrdersAddressData, OrdersCancelData and
// OrdersFulfilledData; pointers tell a missing field from an empty one.
type updateBody struct {
	Data *struct {
		Type            string      `json:"type"`
		OrderNumber     *string     `json:"order_number"`
		ExternalRef     *string     `json:"external_ref"`
		ShippingAddress *ep.Address `json:"shipping_address"`
		Status          *string     `json:"status"`
		Shipping        *string     `json:"shipping"`
	} `json:"data"`
}

// handleUpdate is PUT /v2/orders/{id} with the rules of "Update an Order":
// only shipping, shipping_address, status (to cancelled), order_number and
// external_ref change; cancel only while not fulfilled; fulfil only when
// paid; shipping, shipping_address and status only while not fulfilled;
// external_ref at most 64 characters. Setting a state the order is
// already in (cancel a cancelled order, fulfil a fulfilled one) answers
// 200 unchanged, so a resent PUT after a lost answer is harmless.
func (s *Sandbox) handleUpdate(w http.ResponseWriter, r *http.Request, id string) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	var body updateBody
	if err == nil {
		err = json.Unmarshal(raw, &body)
	}
	if err != nil || body.Data == nil {
		writeError(w, http.StatusBadRequest, "Bad Request", "the body must be {\"data\": {...}}")
		return
	}
	d := body.Data
	if d.Type != "order" {
		writeError(w, http.StatusBadRequest, "Bad Request", "data.type must be order")
		return
	}
	kinds := 0
	for _, set := range []bool{d.ShippingAddress != nil, d.Status != nil, d.Shipping != nil} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		writeError(w, http.StatusBadRequest, "Bad Request", "send exactly one of shipping_address (with order_number and external_ref), status or shipping")
		return
	}
	if d.ExternalRef != nil && len([]rune(*d.ExternalRef)) > ep.MaxExternalRef {
		writeError(w, http.StatusBadRequest, "Bad Request", fmt.Sprintf("external_ref must be at most %d characters", ep.MaxExternalRef))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.recordForWrite(w, id)
	if rec == nil {
		return
	}
	o := rec.order
	fulfilled := o.Shipping == ep.ShippingFulfilled
	switch {
	case d.Status != nil:
		if *d.Status != ep.StatusCancelled {
			writeError(w, http.StatusBadRequest, "Bad Request", "status can only be updated to cancelled")
			return
		}
		if o.Status != ep.StatusCancelled {
			if fulfilled {
				writeError(w, http.StatusUnprocessableEntity, "Unprocessable Entity", "a fulfilled order cannot be cancelled")
				return
			}
			o.Status = ep.StatusCancelled
		}
	case d.Shipping != nil:
		if *d.Shipping != ep.ShippingFulfilled {
			writeError(w, http.StatusBadRequest, "Bad Request", "shipping can only be updated to fulfilled")
			return
		}
		if !fulfilled {
			if o.Payment != ep.PaymentPaid {
				writeError(w, http.StatusUnprocessableEntity, "Unprocessable Entity", "only a paid order can be fulfilled")
				return
			}
			if o.Status == ep.StatusCancelled {
				writeError(w, http.StatusUnprocessableEntity, "Unprocessable Entity", "a cancelled order cannot be fulfilled")
				return
			}
			o.Shipping, o.Status = ep.ShippingFulfilled, ep.StatusComplete
		}
	default:
		a := *d.ShippingAddress
		if o.ShippingAddress == nil || a != *o.ShippingAddress {
			if fulfilled {
				writeError(w, http.StatusUnprocessableEntity, "Unprocessable Entity", "the shipping address of a fulfilled order cannot change")
				return
			}
			o.ShippingAddress = &a
		}
		if d.OrderNumber != nil {
			o.OrderNumber = *d.OrderNumber
		}
		if d.ExternalRef != nil {
			o.ExternalRef = *d.ExternalRef
		}
	}
	if o != rec.order {
		o.Meta.Timestamps.UpdatedAt = s.clock.Now().UTC().Format(time.RFC3339Nano)
	}
	rec.order = o
	writeJSON(w, http.StatusOK, map[string]any{"data": o})
}

// NewOrder is the body of POST /sandbox/orders: {"data": NewOrder}, the
// platform's order fields plus its items; totals are computed from the
// items.
type NewOrder struct {
	OrderNumber     string             `json:"order_number"`
	ExternalRef     string             `json:"external_ref"`
	Status          string             `json:"status"`   // default processing
	Payment         string             `json:"payment"`  // default authorized
	Shipping        string             `json:"shipping"` // default unfulfilled
	Currency        string             `json:"currency"`
	Contact         *ep.Contact        `json:"contact"`
	BillingAddress  *ep.BillingAddress `json:"billing_address"`
	ShippingAddress *ep.Address        `json:"shipping_address"`
	Items           []NewItem          `json:"items"`
	// ExtraTotal is added to the total beyond the items (a fee the
	// payment order does not know): the demo's "totals differ" case.
	ExtraTotal int64 `json:"extra_total,omitempty"`
}

// NewItem is one item of a NewOrder; amounts in minor units, tax included.
type NewItem struct {
	Name      string `json:"name"`
	SKU       string `json:"sku"`
	Quantity  int64  `json:"quantity"`
	UnitPrice int64  `json:"unit_price"`
	Discount  int64  `json:"discount"` // taken off the line's value
	Tax       int64  `json:"tax"`      // tax in the line's value
}

func (s *Sandbox) handleCreate(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Data *NewOrder `json:"data"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody))
	if err := dec.Decode(&body); err != nil || body.Data == nil {
		writeError(w, http.StatusBadRequest, "Bad Request", "the body must be {\"data\": {...}}")
		return
	}
	id, err := s.Create(*body.Data)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request", err.Error())
		return
	}
	s.handleGet(w, id)
}

// Create adds an order and returns its id.
func (s *Sandbox) Create(n NewOrder) (string, error) {
	return s.create(uuid.NewString(), n)
}

func (s *Sandbox) create(id string, n NewOrder) (string, error) {
	switch {
	case len(n.Currency) != 3:
		return "", fmt.Errorf("currency must be a three-letter code")
	case len(n.Items) == 0:
		return "", fmt.Errorf("an order needs at least one item")
	case len([]rune(n.ExternalRef)) > ep.MaxExternalRef:
		return "", fmt.Errorf("external_ref must be at most %d characters", ep.MaxExternalRef)
	}
	o := orderDoc{Type: "order", ID: id, OrderNumber: n.OrderNumber, ExternalRef: n.ExternalRef,
		Status: or(n.Status, ep.StatusProcessing), Payment: or(n.Payment, ep.PaymentAuthorized), Shipping: or(n.Shipping, ep.ShippingUnfulfilled),
		Contact: n.Contact, BillingAddress: n.BillingAddress, ShippingAddress: n.ShippingAddress}
	var total, tax int64
	items := make([]itemDoc, 0, len(n.Items))
	for i, it := range n.Items {
		if it.Quantity <= 0 || it.Name == "" {
			return "", fmt.Errorf("item %d needs a name and a positive quantity", i)
		}
		v := it.Quantity*it.UnitPrice - it.Discount
		total += v
		tax += it.Tax
		items = append(items, itemDoc{Type: "order_item", ID: uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "%s/%d", id, i)).String(),
			Quantity: it.Quantity, ProductID: uuid.NewSHA1(uuid.NameSpaceOID, []byte(it.SKU)).String(), Name: it.Name, SKU: it.SKU,
			UnitPrice: &ep.Amount{Amount: ep.Minor(it.UnitPrice), Currency: n.Currency, IncludesTax: true},
			Value:     &ep.Amount{Amount: ep.Minor(v), Currency: n.Currency, IncludesTax: true}})
	}
	total += n.ExtraTotal
	price := func(a int64) *ep.Price {
		return &ep.Price{Amount: ep.Minor(a), Currency: n.Currency, Formatted: formatted(a, n.Currency)}
	}
	var paid, authorized int64
	switch o.Payment {
	case ep.PaymentPaid:
		paid = total
	case ep.PaymentAuthorized:
		authorized = total
	}
	o.Meta.DisplayPrice = &ep.Totals{WithTax: price(total), WithoutTax: price(total - tax), Tax: price(tax),
		Discount: price(0), Paid: price(paid), Authorized: price(authorized), WithoutDiscount: price(total)}
	now := s.clock.Now().UTC().Format(time.RFC3339Nano)
	o.Meta.Timestamps = ep.Timestamps{CreatedAt: now, UpdatedAt: now}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.orders[id]; dup {
		return "", fmt.Errorf("order %s exists", id)
	}
	s.orders[id] = &record{order: o, items: items, transactions: firstTransaction(id, o.Payment, n.Currency, total)}
	s.byNumber = append(s.byNumber, id)
	return id, nil
}

// Order returns a copy of the stored order (for tests).
func (s *Sandbox) Order(id string) (ep.Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.orders[id]
	if !ok {
		return ep.Order{}, false
	}
	return rec.order, true
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// formatted writes an amount the way the platform's "formatted" field
// does for the demo currencies (two decimals and the code).
func formatted(minor int64, currency string) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, minor/100, minor%100, currency)
}
