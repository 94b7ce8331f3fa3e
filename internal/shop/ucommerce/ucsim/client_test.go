package ucsim_test

import (
	"errors"
	"net/http"
	"testing"

	"ordercare/internal/omsim"
	uc "ordercare/internal/shop/ucommerce"
)

// seedShaped is an order in the documented shape ("Orders" in Ucommerce's
// headless documentation), every field filled: amounts as the platform's
// decimals, nested statuses, shipments with their own lines.
const seedShaped = `{
  "id": "5b8a5c0e-1f4e-4d7a-9d0c-2a4f6c8e0b11",
  "orderNumber": "WEB-10042",
  "orderStatus": {"id": "2", "name": "New order", "allowOrderEdit": true, "allowUpdate": true, "alwaysAvailable": false,
    "externalId": null, "pipeline": null, "renderInMenu": true, "renderChildren": false, "sort": 2,
    "nextOrderStatus": {"id": "3", "name": "Completed order", "allowOrderEdit": false, "allowUpdate": false,
      "alwaysAvailable": false, "externalId": null, "nextOrderStatus": null, "pipeline": "ToCompletedOrder",
      "renderInMenu": true, "renderChildren": false, "sort": 3}},
  "createdDate": "2026-11-30T09:12:00Z",
  "completedDate": "2026-11-30T09:15:00Z",
  "cultureCode": "sv-SE",
  "discount": null,
  "discountTotal": "0.00",
  "note": null,
  "orderTotal": "149.90",
  "paymentTotal": 0,
  "shippingTotal": "49.00",
  "subTotal": "100.90",
  "tax": "29.98",
  "vat": "29.98",
  "store": {"id": "st-1", "name": "Webshop SE", "description": "Swedish store"},
  "billingAddress": {"addressName": "Home", "attention": "", "city": "Vetlanda", "companyName": "",
    "country": {"id": "752", "name": "Sweden", "cultureCode": "sv-SE"}, "emailAddress": "asa@example.com",
    "firstName": "Åsa", "id": "ad-1", "lastName": "Öberg", "line1": "Testgatan 10", "line2": "",
    "mobilePhoneNumber": "", "phoneNumber": "+46701234567", "postalCode": "574 31", "state": ""},
  "billingCurrency": {"id": "cur-sek", "isoCode": "SEK", "exchangeRate": 100},
  "customer": {"id": "cu-1", "firstName": "Åsa", "lastName": "Öberg", "emailAddress": "asa@example.com", "phoneNumber": "+46701234567"},
  "customProperties": [], "orderProperties": [], "discounts": [],
  "orderLines": [{"id": "ol-1", "sku": "MUG-1", "productName": "Mug", "price": "50.45", "quantity": "2", "discount": "0",
    "tax": "20.18", "total": "100.90", "taxRate": "25", "variantSku": null, "unitDiscount": null, "discounts": [], "orderLineProperties": []}],
  "payments": [{"id": "9f0e2d4c-6b8a-4e1f-a3c5-7d9b1f3e5a70", "amount": "149.90", "fee": "0", "feePercentage": "0", "feeTotal": "0",
    "grossAmount": null, "transactionId": "kl-order-1", "tax": null, "taxRate": null,
    "paymentMethod": {"id": "pm-1", "name": "Klarna", "description": "", "displayName": "Klarna", "feePercent": "0",
      "fees": [{"amount": "0", "priceGroupId": "pg-1"}], "imageId": null, "imageUrl": null, "paymentMethodProperties": []}}],
  "shipments": [{"id": "sh-1", "shipmentDiscount": null, "shipmentName": "Standard", "shipmentPrice": "49.00", "shipmentPriceTotal": "49.00",
    "tax": "9.80", "taxRate": "25", "vat": "9.80", "vatRate": "25", "trackAndTrace": null, "deliveryNote": "Leave at the door",
    "shipmentAddress": {"addressName": "Home", "attention": "", "city": "Vetlanda", "companyName": "",
      "country": {"id": "752", "name": "Sweden", "cultureCode": "sv-SE"}, "emailAddress": "asa@example.com",
      "firstName": "Åsa", "id": "ad-2", "lastName": "Öberg", "line1": "Testgatan 10", "line2": "",
      "mobilePhoneNumber": "", "phoneNumber": "", "postalCode": "574 31", "state": ""},
    "shippingMethod": {"id": "sm-1", "name": "Postnord", "defaultPaymentMethod": null, "eligiblePaymentMethods": []},
    "orderLines": [{"id": "ol-1", "sku": "MUG-1", "productName": "Mug", "price": "50.45", "quantity": "2", "discount": "0",
      "tax": "20.18", "total": "100.90", "taxRate": "25", "variantSku": null, "unitDiscount": null, "discounts": "{[discount1, discount2]}"}]}],
  "orderAddresses": [],
  "additionalAddresses": null
}`

const seedOrderID, seedPaymentGUID = "5b8a5c0e-1f4e-4d7a-9d0c-2a4f6c8e0b11", "9f0e2d4c-6b8a-4e1f-a3c5-7d9b1f3e5a70"

// Both documented reads answer the documented order shape over HTTP, and
// the client reads every field the panel shows.
func TestClientReadsDocumentedShape(t *testing.T) {
	e := newEnv(t)
	e.post(t, seedShaped)
	e.connect(t)
	for name, read := range map[string]func() (*uc.Order, error){
		"by order id":     func() (*uc.Order, error) { return e.client.GetOrder(t.Context(), seedOrderID) },
		"by payment guid": func() (*uc.Order, error) { return e.client.GetOrderByPayment(t.Context(), seedPaymentGUID) },
	} {
		o, err := read()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		total, err := o.OrderTotal.Minor(2)
		if err != nil || total != 14990 {
			t.Errorf("%s: orderTotal = %d, %v; want 14990", name, total, err)
		}
		if o.OrderNumber != "WEB-10042" || o.OrderStatus.Name != "New order" || o.OrderStatus.NextOrderStatus.Name != "Completed order" ||
			o.BillingCurrency.ISOCode != "SEK" || len(o.OrderLines) != 1 || o.OrderLines[0].SKU != "MUG-1" ||
			o.Payments[0].TransactionID != "kl-order-1" || o.Shipments[0].ShipmentAddress.Line1 != "Testgatan 10" ||
			o.Shipments[0].ShipmentAddress.Country.CultureCode != "sv-SE" || o.BillingAddress.PostalCode != "574 31" {
			t.Errorf("%s: read %+v", name, o)
		}
	}
}

// A missing order is the documented 404 with the platform's words; a
// missing payment too.
func TestClientNotFound(t *testing.T) {
	e := newEnv(t)
	e.connect(t)
	_, err := e.client.GetOrder(t.Context(), "no-such-order")
	var ae *uc.APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusNotFound || !uc.IsNotFound(err) ||
		ae.Message() != "Order with the supplied id no-such-order was not found" || ae.Errors[0].Error != "NotFound" {
		t.Fatalf("err = %v, want the documented NotFound", err)
	}
	if _, err := e.client.GetOrderByPayment(t.Context(), "0e0e0e0e-0000-4000-8000-000000000000"); !uc.IsNotFound(err) {
		t.Fatalf("payment: err = %v, want NotFound", err)
	}
}

// 504 is the documented retryable failure: the read is tried again and
// succeeds; 500 is not retried.
func TestClientRetriesOnly504(t *testing.T) {
	e := newEnv(t)
	e.post(t, seedShaped)
	e.connect(t)
	e.sb.SetFaults(omsim.Faults{Rules: []omsim.FaultRule{{Kind: omsim.Fault503, PathContains: "/api/v1/orders/", Times: 2}}})
	if _, err := e.client.GetOrder(t.Context(), seedOrderID); err != nil {
		t.Fatalf("after two 504s: %v", err)
	}
	e.sb.SetFaults(omsim.Faults{Rules: []omsim.FaultRule{{Kind: omsim.Fault500, PathContains: "/api/v1/orders/", Times: 1}}})
	_, err := e.client.GetOrder(t.Context(), seedOrderID)
	var ae *uc.APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusInternalServerError {
		t.Fatalf("500: err = %v, want the 500 itself (not retried into success)", err)
	}
}

// Never connected: reads say so, without calling the API.
func TestClientNotConnected(t *testing.T) {
	e := newEnv(t)
	if _, err := e.client.GetOrder(t.Context(), seedOrderID); !errors.Is(err, uc.ErrNotConnected) {
		t.Fatalf("err = %v, want ErrNotConnected", err)
	}
}
