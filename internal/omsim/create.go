package omsim

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"ordercare/internal/omclient"
)

// NewOrder is what exists at purchase time: the JSON body of
// POST /sandbox/orders and the argument of CreateOrder.
type NewOrder struct {
	PurchaseCountry        string                           `json:"purchase_country"`
	PurchaseCurrency       string                           `json:"purchase_currency"`
	Locale                 string                           `json:"locale"`
	OrderAmount            int64                            `json:"order_amount"`
	OrderLines             []omclient.OrderLine             `json:"order_lines"`
	BillingAddress         *omclient.Address                `json:"billing_address,omitempty"`
	ShippingAddress        *omclient.Address                `json:"shipping_address,omitempty"`
	MerchantReference1     string                           `json:"merchant_reference1,omitempty"`
	MerchantReference2     string                           `json:"merchant_reference2,omitempty"`
	MerchantData           string                           `json:"merchant_data,omitempty"`
	Customer               *omclient.Customer               `json:"customer,omitempty"`
	InitialPaymentMethod   *omclient.InitialPaymentMethod   `json:"initial_payment_method,omitempty"`
	SelectedShippingOption *omclient.SelectedShippingOption `json:"selected_shipping_option,omitempty"`
	// FraudStatus defaults to ACCEPTED.
	FraudStatus omclient.FraudStatus `json:"fraud_status,omitempty"`
	// ExpiresAt defaults to creation + 28 days. A past value is allowed: the
	// order is then EXPIRED at once (handy for tests).
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// InvalidOrderError is CreateOrder's refusal of a NewOrder, with the
// messages the HTTP endpoint answers in its 400/422 body.
type InvalidOrderError struct {
	Status   int
	Code     string
	Messages []string
}

func (e *InvalidOrderError) Error() string {
	return fmt.Sprintf("omsim: invalid order (%s): %s", e.Code, strings.Join(e.Messages, "; "))
}

var (
	countryPattern  = regexp.MustCompile(`^[A-Za-z]{2}$`)
	currencyPattern = regexp.MustCompile(`^[A-Za-z]{3}$`)
)

func (o *NewOrder) validate() *apiError {
	var ck checker
	if !countryPattern.MatchString(o.PurchaseCountry) {
		ck.badf("purchase_country must be an ISO 3166-1 alpha-2 code.")
	}
	if !currencyPattern.MatchString(o.PurchaseCurrency) {
		ck.badf("purchase_currency must be an ISO 4217 code.")
	}
	ck.size("locale", o.Locale, 32)
	ck.between("order_amount", o.OrderAmount, 0, maxAmount)
	ck.checkLines("order_lines", o.OrderLines)
	if len(o.OrderLines) == 0 {
		ck.badf("order_lines must hold at least one line.")
	}
	ck.checkSum("order_amount", o.OrderAmount, "order_lines", o.OrderLines)
	ck.checkAddress("billing_address", o.BillingAddress)
	ck.checkAddress("shipping_address", o.ShippingAddress)
	ck.size("merchant_reference1", o.MerchantReference1, 255)
	ck.size("merchant_reference2", o.MerchantReference2, 255)
	ck.size("merchant_data", o.MerchantData, 6000)
	switch o.FraudStatus {
	case "", omclient.FraudAccepted, omclient.FraudPending, omclient.FraudRejected:
	default:
		ck.badf("fraud_status must be one of ACCEPTED, PENDING, REJECTED.")
	}
	return ck.err()
}

// build turns a validated NewOrder into a stored record.
func (o *NewOrder) build(id, klarnaRef string, now time.Time) *record {
	created := now.UTC().Truncate(time.Second)
	expires := created.Add(authorizationDays * day)
	if o.ExpiresAt != nil {
		expires = o.ExpiresAt.UTC().Truncate(time.Second)
	}
	fraud := o.FraudStatus
	if fraud == "" {
		fraud = omclient.FraudAccepted
	}
	ord := omclient.Order{
		OrderID:                   id,
		Status:                    omclient.StatusAuthorized,
		FraudStatus:               fraud,
		OrderAmount:               o.OrderAmount,
		OriginalOrderAmount:       o.OrderAmount,
		RemainingAuthorizedAmount: o.OrderAmount,
		PurchaseCurrency:          omclient.Currency(strings.ToUpper(o.PurchaseCurrency)),
		PurchaseCountry:           omclient.Text(strings.ToUpper(o.PurchaseCountry)),
		Locale:                    omclient.Text(o.Locale),
		OrderLines:                slices.Clone(o.OrderLines),
		MerchantReference1:        omclient.Text(o.MerchantReference1),
		MerchantReference2:        omclient.Text(o.MerchantReference2),
		MerchantData:              omclient.Text(o.MerchantData),
		KlarnaReference:           omclient.Text(klarnaRef),
		Customer:                  o.Customer,
		BillingAddress:            cloneAddress(o.BillingAddress),
		ShippingAddress:           cloneAddress(o.ShippingAddress),
		CreatedAt:                 omclient.Time{Time: created},
		ExpiresAt:                 omclient.Time{Time: expires},
		InitialPaymentMethod:      o.InitialPaymentMethod,
		SelectedShippingOption:    o.SelectedShippingOption,
	}
	if ord.ShippingAddress == nil {
		ord.ShippingAddress = cloneAddress(o.BillingAddress)
	}
	return &record{Order: ord, OriginalExpiresAt: expires}
}

// klarnaRefAlphabet avoids look-alike characters (0/O, 1/I) like the
// provider's short references (e.g. K4MADNY).
const klarnaRefAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func randomKlarnaReference() string {
	b := make([]byte, 7)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	for i := range b {
		b[i] = klarnaRefAlphabet[int(b[i])%len(klarnaRefAlphabet)]
	}
	return string(b)
}

// CreateOrder creates an AUTHORIZED order with the full amount remaining and
// returns its id. A NewOrder that fails validation gives *InvalidOrderError.
func (s *Sandbox) CreateOrder(ctx context.Context, o NewOrder) (string, error) {
	if e := o.validate(); e != nil {
		return "", &InvalidOrderError{Status: e.status, Code: e.code, Messages: e.messages}
	}
	rec := o.build(uuid.NewString(), randomKlarnaReference(), s.clock.Now())
	if err := s.insert(ctx, rec); err != nil {
		return "", err
	}
	return rec.Order.OrderID, nil
}

func (s *Sandbox) insert(ctx context.Context, rec *record) error {
	doc, err := rec.encode()
	if err != nil {
		return err
	}
	return s.store.tx(ctx, func(t txn) error {
		return t.save(rec.Order.OrderID, rec.Order.CreatedAt.Time, doc)
	})
}

// handleCreateOrder is POST /sandbox/orders: 201 {"order_id": "..."} with a
// Location header; honours Klarna-Idempotency-Key like the API.
func (s *Sandbox) handleCreateOrder(c *call) response {
	return s.idempotent(c, func(t txn, now time.Time) (outcome, error) {
		if e := c.readBody(); e != nil {
			return outcome{resp: errorResponse(e, c.corrID)}, nil
		}
		var o NewOrder
		if _, e := decodeBody(c.body, &o, "purchase_country", "purchase_currency", "order_amount", "order_lines"); e != nil {
			return outcome{resp: errorResponse(e, c.corrID)}, nil
		}
		if e := o.validate(); e != nil {
			return outcome{resp: errorResponse(e, c.corrID)}, nil
		}
		rec := o.build(uuid.NewString(), randomKlarnaReference(), now)
		doc, err := rec.encode()
		if err != nil {
			return outcome{}, err
		}
		if err := t.save(rec.Order.OrderID, rec.Order.CreatedAt.Time, doc); err != nil {
			return outcome{}, err
		}
		resp := jsonResponse(http.StatusCreated, map[string]string{"order_id": rec.Order.OrderID})
		resp.Header["Location"] = location(c.r, apiPrefix+rec.Order.OrderID)
		return outcome{resp: resp, save: true}, nil
	})
}

// handleListOrders is GET /sandbox/orders: {"order_ids": [...]}, newest
// first. The real API has no listing (the Order Management API reference on docs.klarna.com); this exists so demos and tests
// can discover the seeded orders.
func (s *Sandbox) handleListOrders(c *call) response {
	ids, err := s.OrderIDs(c.r.Context())
	if err != nil {
		s.log.Error("omsim: list failed", "correlation_id", c.corrID, "err", err)
		return errorResponse(newErr(http.StatusInternalServerError, codeInternal, "An unexpected error occurred."), c.corrID)
	}
	if ids == nil {
		ids = []string{}
	}
	return jsonResponse(http.StatusOK, map[string][]string{"order_ids": ids})
}

// handleSetFraudStatus is POST /sandbox/orders/{order_id}/fraud-status with
// {"fraud_status": "ACCEPTED"|"REJECTED"}: the end of a manual fraud review,
// which the provider announces by push notification (the order statuses on docs.klarna.com).
func (s *Sandbox) handleSetFraudStatus(c *call) response {
	var req struct {
		FraudStatus omclient.FraudStatus `json:"fraud_status"`
	}
	validate := func() *apiError {
		if e := c.readBody(); e != nil {
			return e
		}
		if _, e := decodeBody(c.body, &req, "fraud_status"); e != nil {
			return e
		}
		return checkFraudStatus(req.FraudStatus)
	}
	return s.change(c, nfFraud, validate, func(rec *record, _ env) (response, *apiError) {
		rec.Order.FraudStatus = req.FraudStatus
		return noContent(), nil
	})
}

func checkFraudStatus(f omclient.FraudStatus) *apiError {
	switch f {
	case omclient.FraudAccepted, omclient.FraudPending, omclient.FraudRejected:
		return nil
	}
	return badValue("fraud_status must be one of ACCEPTED, PENDING, REJECTED.")
}

// Order returns an order's state as the API would show it now.
func (s *Sandbox) Order(ctx context.Context, id string) (*omclient.Order, error) {
	rec, err := s.record(ctx, id)
	if err != nil {
		return nil, err
	}
	return &rec.Order, nil
}

// Applied returns how many changes were applied to the order (idempotent
// replays and refusals not counted), for exactly-once tests.
func (s *Sandbox) Applied(ctx context.Context, orderID string) (int, error) {
	rec, err := s.record(ctx, orderID)
	if err != nil {
		return 0, err
	}
	return rec.Applied, nil
}

// OrderIDs lists every order id, newest created first.
func (s *Sandbox) OrderIDs(ctx context.Context) ([]string, error) {
	return s.store.list(ctx)
}

func (s *Sandbox) record(ctx context.Context, id string) (*record, error) {
	nid, ok := normalizeOrderID(id)
	if !ok {
		return nil, ErrNoSuchOrder
	}
	doc, found, err := s.store.load(ctx, nid)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, ErrNoSuchOrder
	}
	rec, err := decodeRecord(doc)
	if err != nil {
		return nil, err
	}
	expire(&rec.Order, s.clock.Now())
	return rec, nil
}
