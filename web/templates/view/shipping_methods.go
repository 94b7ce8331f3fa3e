package view

// ShippingMethodOptions are the provider's shipping methods for a select.
func ShippingMethodOptions(methods []string) []Option {
	out := []Option{{Value: "", Label: "Not given"}}
	for _, m := range methods {
		out = append(out, Option{Value: m, Label: shippingMethodName(m)})
	}
	return out
}

// shippingMethodNames are the provider's shipping method codes in words
// (the API reference's shipping_method values).
var shippingMethodNames = map[string]string{ // #nosec G101 -- shipping method names in words, not credentials
	"PickUpStore": "Pick-up in store", "Home": "Home delivery", "BoxReg": "Parcel locker (registered)",
	"BoxUnreg": "Parcel locker (unregistered)", "PickUpPoint": "Pick-up point", "Own": "Own delivery",
	"Postal": "Postal delivery", "DHLPackstation": "DHL Packstation", "Digital": "Digital delivery",
	"Undefined": "Undefined", "PickUpWarehouse": "Pick-up at warehouse", "ClickCollect": "Click and collect",
	"PalletDelivery": "Pallet delivery",
}

// shippingMethodName is a shipping method code in words; an unknown code
// is shown as it came.
func shippingMethodName(code string) string {
	if n, ok := shippingMethodNames[code]; ok {
		return n
	}
	return code
}
