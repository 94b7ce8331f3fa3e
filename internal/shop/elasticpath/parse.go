package elasticpath

import (
	"bytes"
	"encoding/json"
)

// ParseUpdate reads back a body that Update.JSON wrote, so that a change
// kept on record (the audit trail's request) can be sent again exactly as
// it was: the platform's PUT sets values rather than adding to them, so
// the same body twice changes nothing more.
func ParseUpdate(b []byte) (Update, error) {
	var in struct {
		Data struct {
			Type            string   `json:"type"`
			OrderNumber     *string  `json:"order_number"`
			ExternalRef     *string  `json:"external_ref"`
			ShippingAddress *Address `json:"shipping_address"`
			Status          string   `json:"status"`
			Shipping        string   `json:"shipping"`
		} `json:"data"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return Update{}, &ValidationError{Field: "update", Message: "not a body this client wrote: " + err.Error()}
	}
	d := in.Data
	var u Update
	switch {
	case d.Type != "order":
		return Update{}, &ValidationError{Field: "update", Message: "the body's type is not order"}
	case d.ShippingAddress != nil && d.Status == "" && d.Shipping == "":
		u = Update{kind: updateAddress, ShippingAddress: *d.ShippingAddress}
		if d.OrderNumber != nil {
			u.OrderNumber = *d.OrderNumber
		}
		if d.ExternalRef != nil {
			u.ExternalRef = *d.ExternalRef
		}
	case d.Status == StatusCancelled && d.Shipping == "" && d.ShippingAddress == nil:
		u = Cancel()
	case d.Shipping == ShippingFulfilled && d.Status == "" && d.ShippingAddress == nil:
		u = Fulfil()
	default:
		return Update{}, &ValidationError{Field: "update", Message: "not one of the platform's update bodies"}
	}
	if err := u.validate(); err != nil {
		return Update{}, err
	}
	return u, nil
}
