package orders

import (
	"strconv"
	"time"

	"ordercare/internal/money"
	"ordercare/internal/omclient"
)

// touched returns the values of the order that op changes, as a supervisor
// reads them ("order_amount": "149.97 EUR", "shipping_address.city":
// "Berlin"). Called on the order re-read before sending (before-values) and
// on a fresh read after (after-values), so the audit trail shows
// "order amount 149.97 EUR -> 99.98 EUR" without reading JSON. Keys are the
// provider's JSON field names.
func touched(op omclient.Operation, o *omclient.Order, captureID string) map[string]string {
	if o == nil {
		return nil
	}
	m := map[string]string{}
	amount := func(key string, v int64) {
		m[key] = money.FormatPlain(v, o.PurchaseCurrency.String()) + " " + o.PurchaseCurrency.String()
	}
	count := func(key string, n int) { m[key] = strconv.Itoa(n) }
	switch op {
	case omclient.OpUpdateAuthorization:
		m["status"] = string(o.Status)
		amount("order_amount", o.OrderAmount)
		amount("remaining_authorized_amount", o.RemainingAuthorizedAmount)
		count("order_lines", len(o.OrderLines))
	case omclient.OpCancel, omclient.OpReleaseRemaining:
		m["status"] = string(o.Status)
		amount("remaining_authorized_amount", o.RemainingAuthorizedAmount)
	case omclient.OpUpdateCustomerDetails:
		a := o.ShippingAddress
		if a == nil {
			a = &omclient.Address{}
		}
		for k, v := range map[string]omclient.Text{
			"given_name": a.GivenName, "family_name": a.FamilyName, "organization_name": a.OrganizationName,
			"attention": a.Attention, "street_address": a.StreetAddress, "street_address2": a.StreetAddress2,
			"postal_code": a.PostalCode, "city": a.City, "region": a.Region, "country": a.Country,
			"email": a.Email, "phone": a.Phone, "title": a.Title,
		} {
			m["shipping_address."+k] = string(v)
		}
	case omclient.OpUpdateMerchantReferences:
		m["merchant_reference1"] = string(o.MerchantReference1)
		m["merchant_reference2"] = string(o.MerchantReference2)
	case omclient.OpExtendAuthorizationTime:
		m["expires_at"] = ""
		if !o.ExpiresAt.IsZero() {
			m["expires_at"] = o.ExpiresAt.UTC().Format(time.RFC3339)
		}
	case omclient.OpAddOrderShippingInfo:
		count("shipping_info", len(o.ShippingInfo))
	case omclient.OpCreateCapture:
		m["status"] = string(o.Status)
		amount("captured_amount", o.CapturedAmount)
		amount("remaining_authorized_amount", o.RemainingAuthorizedAmount)
		count("captures", len(o.Captures))
	case omclient.OpCreateRefund:
		m["status"] = string(o.Status)
		amount("refunded_amount", o.RefundedAmount)
		count("refunds", len(o.Refunds))
	case omclient.OpAddCaptureShippingInfo:
		if c := findCapture(o, captureID); c != nil {
			count("captures["+captureID+"].shipping_info", len(c.ShippingInfo))
		}
	case omclient.OpAcknowledge:
		m["status"] = string(o.Status)
	case omclient.OpTriggerSendOut, omclient.OpExtendDueDate:
		// Neither shows in the order: the send-out and the due date live at
		// the provider. The request body and outcome say what happened.
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

func findCapture(o *omclient.Order, id string) *omclient.Capture {
	for i := range o.Captures {
		if o.Captures[i].CaptureID == id {
			return &o.Captures[i]
		}
	}
	return nil
}
