package ucsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/google/uuid"

	uc "ordercare/internal/shop/ucommerce"
)

// Order status names of the platform's default order workflow.
const (
	StatusNew       = "New order"
	StatusCompleted = "Completed order"
	StatusCancelled = "Cancelled"
)

// handleGet answers both read paths with the stored order.
func (s *Sandbox) handleGet(w http.ResponseWriter, id, paymentGUID string) {
	s.mu.Lock()
	if paymentGUID != "" {
		id = s.byPayment[paymentGUID]
	}
	o := s.orders[id]
	var b []byte
	var err error
	if o != nil {
		b, err = json.Marshal(o)
	}
	s.mu.Unlock()
	switch {
	case o == nil && paymentGUID != "":
		writeError(w, http.StatusNotFound, "NotFound", "Payment with the supplied guid "+paymentGUID+" was not found")
	case o == nil:
		writeError(w, http.StatusNotFound, "NotFound", "Order with the supplied id "+id+" was not found")
	case err != nil:
		writeError(w, http.StatusInternalServerError, "InternalServerError", "the order could not be encoded")
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b)
	}
}

// handleCreate is POST /sandbox/orders: an order in the platform's own
// shape; id and payment ids are given when missing. 201 with the order.
func (s *Sandbox) handleCreate(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "BadRequest", "unreadable body")
		return
	}
	var o uc.Order
	if err := json.Unmarshal(body, &o); err != nil {
		writeError(w, http.StatusBadRequest, "BadRequest", "the body is not an order: "+err.Error())
		return
	}
	created, err := s.Create(o)
	if err != nil {
		writeError(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, created)
}

// Create stores an order: an id and payment ids are given when missing, a
// status "New order" and currency are required.
func (s *Sandbox) Create(o uc.Order) (*uc.Order, error) {
	if o.ID == "" {
		o.ID = uuid.NewString()
	}
	if o.OrderStatus == nil || o.OrderStatus.Name == "" {
		o.OrderStatus = &uc.OrderStatus{ID: "2", Name: StatusNew}
	}
	if o.BillingCurrency == nil || o.BillingCurrency.ISOCode == "" {
		return nil, errors.New("billingCurrency.isoCode is required")
	}
	for i := range o.Payments {
		if o.Payments[i].ID == "" {
			o.Payments[i].ID = uuid.NewString()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.orders[o.ID]; dup {
		return nil, fmt.Errorf("an order with id %s exists", o.ID)
	}
	s.orders[o.ID] = &o
	for _, p := range o.Payments {
		s.byPayment[p.ID] = o.ID
	}
	return &o, nil
}

// Order returns a copy of a stored order.
func (s *Sandbox) Order(id string) (uc.Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return uc.Order{}, false
	}
	return *o, true
}
