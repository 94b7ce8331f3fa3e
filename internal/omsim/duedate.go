package omsim

import (
	"fmt"
	"slices"
	"strings"

	"ordercare/internal/omclient"
)

// Due-date extension (the extend due date endpoints on docs.klarna.com): a paid option per capture (each
// capture is one customer invoice), only for pay-later methods, Klarna only.
// The sandbox offers 14 and 30 extra days with fees in the order's currency
// (minor units; JPY has no minor unit) and allows one extension per capture.

var dueDateDays = []int64{14, 30}

// dueDateFees are the fees for 14 and 30 days, per currency, in minor units.
var dueDateFees = map[string][2]int64{
	"EUR": {295, 495},
	"SEK": {2900, 4900},
	"NOK": {2900, 4900},
	"DKK": {2500, 3900},
	"GBP": {250, 450},
	"USD": {299, 499},
	"PLN": {1200, 2000},
	"CHF": {300, 500},
	"JPY": {300, 500},
	"CZK": {7500, 12500},
	"AUD": {450, 750},
	"NZD": {500, 800},
	"CAD": {400, 650},
}

// payLaterMethods are the methods that send the customer an invoice with a
// due date.
var payLaterMethods = []string{"INVOICE", "INVOICE_BUSINESS", "B2B_INVOICE"}

func dueDateOptions(rec *record, captureID string) (*omclient.ExtendDueDateOptions, *apiError) {
	o := &rec.Order
	i, err := captureFor(o, captureID, "Due date cannot be extended.")
	if err != nil {
		return nil, err
	}
	pm := paymentMethod(o)
	if !slices.Contains(payLaterMethods, pm) {
		if pm == "" {
			pm = "unknown"
		}
		return nil, notAllowed("Payment method %s has no due date. Due date cannot be extended.", pm)
	}
	cur := strings.ToUpper(string(o.PurchaseCurrency))
	opts := &omclient.ExtendDueDateOptions{Currency: omclient.Currency(cur), Options: []omclient.DueDateOption{}}
	c := o.Captures[i]
	if _, done := rec.DueDateDays[captureID]; done || c.RefundedAmount >= c.CapturedAmount {
		// Already extended or nothing left to pay: no options are offered.
		return opts, nil
	}
	fees, ok := dueDateFees[cur]
	if !ok {
		fees = dueDateFees["EUR"]
	}
	for k, d := range dueDateDays {
		opts.Options = append(opts.Options, omclient.DueDateOption{Amount: fees[k], NumberOfDays: d})
	}
	return opts, nil
}

func opExtendDueDate(rec *record, _ env, captureID string, days int64) *apiError {
	opts, err := dueDateOptions(rec, captureID)
	if err != nil {
		return err
	}
	if _, done := rec.DueDateDays[captureID]; done {
		return notAllowed("The due date of capture %s has already been extended. Due date cannot be extended.", captureID)
	}
	if len(opts.Options) == 0 {
		return notAllowed("Capture %s is fully refunded. Due date cannot be extended.", captureID)
	}
	if !slices.ContainsFunc(opts.Options, func(o omclient.DueDateOption) bool { return o.NumberOfDays == days }) {
		var allowed []string
		for _, o := range opts.Options {
			allowed = append(allowed, fmt.Sprint(o.NumberOfDays))
		}
		return badValue("number_of_days must be one of %s.", strings.Join(allowed, ", "))
	}
	if rec.DueDateDays == nil {
		rec.DueDateDays = map[string]int64{}
	}
	rec.DueDateDays[captureID] = days
	return nil
}
