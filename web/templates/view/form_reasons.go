package view

import (
	"ordercare/internal/omclient"
)

// Reason codes of the "why" select, in display order. The label is what is
// stored in the audit log as the reason ("Other: <text>" for other).
var (
	reasonCustomer   = Option{Value: "customer_request", Label: "Customer request"}
	reasonCorrection = Option{Value: "data_correction", Label: "Data correction"}
	reasonOther      = Option{Value: "other", Label: "Other"}
	reasonShipped    = Option{Value: "shipped", Label: "Shipped in full"}
	reasonPartial    = Option{Value: "partial_shipment", Label: "Partial shipment"}
	reasonStock      = Option{Value: "out_of_stock", Label: "Item out of stock"}
	reasonFraud      = Option{Value: "suspected_fraud", Label: "Suspected fraud"}
	reasonGoodwill   = Option{Value: "goodwill", Label: "Goodwill"}
)

// actionReasons are the reasons each action offers besides the ones every
// action has (customer request, data correction, other): a capture is
// made because goods shipped, a cancel because of fraud or stock, and so
// on. An action not listed offers the common ones only.
var actionReasons = map[string][]Option{
	string(omclient.OpCreateCapture): {reasonShipped, reasonPartial, {Value: "delivered", Label: "Delivered (digital goods or a service)"}},
	string(omclient.OpCreateRefund): {reasonStock, {Value: "goods_returned", Label: "Goods returned"}, reasonGoodwill, reasonFraud,
		{Value: "damaged", Label: "Arrived damaged or faulty"}},
	string(omclient.OpCancel): {reasonFraud, reasonStock, {Value: "duplicate_order", Label: "Duplicate order"},
		{Value: "not_delivered", Label: "Cannot be delivered"}},
	string(omclient.OpReleaseRemaining):        {{Value: "order_complete", Label: "Order complete: nothing more will ship"}, reasonStock},
	string(omclient.OpUpdateAuthorization):     {reasonStock, reasonGoodwill, {Value: "price_correction", Label: "Price corrected"}},
	string(omclient.OpAcknowledge):             {{Value: "order_received", Label: "Order received in the shop's system"}},
	string(omclient.OpExtendAuthorizationTime): {{Value: "delivery_delayed", Label: "Delivery delayed"}, {Value: "backorder", Label: "Item on back order"}},
	string(omclient.OpUpdateCustomerDetails):   {{Value: "delivery_failed", Label: "Delivery failed at the old address"}},
	string(omclient.OpAddOrderShippingInfo):    {reasonShipped, reasonPartial},
	string(omclient.OpAddCaptureShippingInfo):  {reasonShipped, reasonPartial},
	string(omclient.OpTriggerSendOut):          {{Value: "invoice_not_received", Label: "Customer did not receive the invoice"}},
	string(omclient.OpExtendDueDate):           {{Value: "payment_delayed", Label: "Customer needs more time to pay"}},
}

// ReasonsFor are the reasons offered for the action op (an
// omclient.Operation): its own first, then customer request and data
// correction, "Other" last.
func ReasonsFor(op string) []Option {
	own := actionReasons[op]
	out := make([]Option, 0, len(own)+3)
	out = append(out, own...)
	return append(out, reasonCustomer, reasonCorrection, reasonOther)
}

// ReasonOther is the reason code that needs a text.
const ReasonOther = "other"
