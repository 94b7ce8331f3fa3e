package omsim

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"ordercare/internal/omclient"
)

// The state rules of Klarna's order management guides on docs.klarna.com. Each op* function checks one operation
// against the order's current state and, when allowed, changes rec in
// place; the caller persists rec only when no error is returned, inside the
// same exclusive transaction that loaded it.

// env is what an operation needs besides the order.
type env struct {
	now      time.Time
	provider omclient.Provider
	newID    func() string
}

// stamp is a timestamp as stored: stored times have whole seconds (the
// Time type encodes RFC 3339 without fractions), so new ones are truncated
// up front to keep memory and SQLite state identical.
func (e env) stamp() omclient.Time { return omclient.Time{Time: e.now.UTC().Truncate(time.Second)} }

const (
	// authorizationDays is the default lifetime of an authorization and the
	// length of one extension (KD, KU).
	authorizationDays = 28
	// klarnaMaxAuthorizationDays: Klarna never extends beyond 180 days after
	// creation (KD "Extended authorization expiration").
	klarnaMaxAuthorizationDays = 180
	// kustomMaxExtensionDays: Kustom allows at most 90 days of extension in
	// total (help.kustom.co 418423).
	kustomMaxExtensionDays = 90
	day                    = 24 * time.Hour
)

// kustomExtensionSince: Kustom extends only orders created on or after this
// date (help.kustom.co 418423).
var kustomExtensionSince = time.Date(2025, 9, 25, 0, 0, 0, 0, time.UTC)

// kustomNoExtensionCountries: Kustom offers no extension for these markets.
var kustomNoExtensionCountries = []string{"ES", "FR", "IT", "PT"}

// expire moves an order whose expires_at has passed out of its capturable
// states. Klarna's order management guides on docs.klarna.com leave PART_CAPTURED at expiry undocumented; the
// sandbox chooses EXPIRED for both AUTHORIZED and PART_CAPTURED, because the
// the provider's table of operations by status lists refunds and capture shipping info as allowed on EXPIRED
// orders "for existing captures", which only makes sense if part-captured
// orders can expire. The uncaptured rest is no longer authorized (KU: the
// customer is not charged for it), so remaining_authorized_amount becomes 0;
// the captures stay refundable.
func expire(o *omclient.Order, now time.Time) bool {
	if o.Status != omclient.StatusAuthorized && o.Status != omclient.StatusPartCaptured {
		return false
	}
	if o.ExpiresAt.IsZero() || now.Before(o.ExpiresAt.Time) {
		return false
	}
	o.Status = omclient.StatusExpired
	o.RemainingAuthorizedAmount = 0
	return true
}

// settle derives the status from the amounts after a change:
// captures move AUTHORIZED/PART_CAPTURED to PART_CAPTURED or CAPTURED; an
// order with nothing left to capture whose captures are fully refunded is
// CLOSED (KU help: "fully refunded" [partly inferred]). A part-captured order
// whose captures are refunded but which still has authorization left stays
// PART_CAPTURED: it can still be captured.
func settle(o *omclient.Order) {
	switch o.Status {
	case omclient.StatusAuthorized, omclient.StatusPartCaptured:
		if o.CapturedAmount > 0 {
			if o.RemainingAuthorizedAmount <= 0 {
				o.RemainingAuthorizedAmount = 0
				o.Status = omclient.StatusCaptured
			} else {
				o.Status = omclient.StatusPartCaptured
			}
		}
	}
	if (o.Status == omclient.StatusCaptured || o.Status == omclient.StatusExpired) &&
		o.CapturedAmount > 0 && o.RefundedAmount >= o.CapturedAmount && o.RemainingAuthorizedAmount == 0 {
		o.Status = omclient.StatusClosed
	}
}

// stateWord names a final or captured state for messages in the provider's
// "Order is X. Y not possible." style.
func stateWord(s omclient.Status) string {
	switch s {
	case omclient.StatusCaptured:
		return "fully captured"
	case omclient.StatusCancelled:
		return "cancelled"
	case omclient.StatusExpired:
		return "expired"
	case omclient.StatusClosed:
		return "closed"
	}
	return strings.ToLower(string(s))
}

func opAcknowledge(rec *record, _ env) *apiError {
	// the provider's table of operations by status marks acknowledge on CANCELLED/EXPIRED/CLOSED as unknown. The
	// sandbox refuses it on orders that can no longer be fulfilled
	// (CANCELLED, EXPIRED) and allows it on CLOSED, which was captured,
	// i.e. fulfilled. Acknowledging twice is allowed and changes nothing.
	switch s := rec.Order.Status; s {
	case omclient.StatusCancelled, omclient.StatusExpired:
		return notAllowed("Order is %s. Acknowledgement not possible.", stateWord(s))
	}
	rec.Acknowledged = true
	return nil
}

// increaseAllowed reports whether the payment method supports raising the
// authorized amount (the provider's amount and time rules on docs.klarna.com). Both generations of KD identifiers are accepted
// (INVOICE_BUSINESS = B2B_INVOICE, ACCOUNT = BASE_ACCOUNT). The current KD
// table (seed 001) excludes CH for INVOICE, B2B_INVOICE, BASE_ACCOUNT and
// DIRECT_DEBIT alike; FIXED_AMOUNT is limited to the union of its two market
// lists (the newer one contains the older); DEFERRED_INTEREST is US only
// (older KD).
func increaseAllowed(method, country string) bool {
	country = strings.ToUpper(country)
	switch strings.ToUpper(method) {
	case "INVOICE", "INVOICE_BUSINESS", "B2B_INVOICE", "ACCOUNT", "BASE_ACCOUNT", "DIRECT_DEBIT":
		return country != "CH"
	case "FIXED_AMOUNT":
		return slices.Contains([]string{"AT", "DE", "DK", "FI", "FR", "NL", "NO", "SE"}, country)
	case "DEFERRED_INTEREST":
		return country == "US"
	}
	return false
}

func paymentMethod(o *omclient.Order) string {
	if o.InitialPaymentMethod == nil {
		return ""
	}
	return strings.ToUpper(string(o.InitialPaymentMethod.Type))
}

func opUpdateAuthorization(rec *record, _ env, req *omclient.UpdateAuthorizationRequest) *apiError {
	o := &rec.Order
	if o.Status != omclient.StatusAuthorized && o.Status != omclient.StatusPartCaptured {
		return notAllowed("Update not allowed.")
	}
	if req.OrderAmount < o.CapturedAmount {
		return notAllowed("Resulting authorization amount %d cannot be less than the captured amount %d for order. Order authorization cannot be updated",
			req.OrderAmount, o.CapturedAmount)
	}
	if req.OrderAmount > o.OrderAmount && !increaseAllowed(paymentMethod(o), string(o.PurchaseCountry)) {
		pm := paymentMethod(o)
		if pm == "" {
			pm = "unknown"
		}
		return notAllowed("Payment method %s does not support increasing the order amount in %s. Update not allowed.",
			pm, strings.ToUpper(string(o.PurchaseCountry)))
	}
	o.OrderAmount = req.OrderAmount
	o.RemainingAuthorizedAmount = req.OrderAmount - o.CapturedAmount
	// Supplied lines replace all lines; omitted lines delete them (KD).
	o.OrderLines = slices.Clone(req.OrderLines)
	// [inferred from the documented rules] lowering a part-captured order to its captured
	// amount makes it CAPTURED.
	settle(o)
	return nil
}

func opCancel(rec *record, _ env) *apiError {
	o := &rec.Order
	if o.CapturedAmount > 0 || len(o.Captures) > 0 {
		// Also the answer on CLOSED orders (the order amount endpoint on docs.klarna.com).
		return newErr(http.StatusForbidden, codeCancelNotAllowed, "Order has previous captures. Cancel not possible.")
	}
	switch s := o.Status; s {
	case omclient.StatusCancelled, omclient.StatusExpired, omclient.StatusClosed:
		// [inferred from the documented rules] EXPIRED cannot be cancelled either.
		return newErr(http.StatusForbidden, codeCancelNotAllowed, "Order is %s. Cancel not possible.", stateWord(s))
	}
	o.Status = omclient.StatusCancelled
	o.RemainingAuthorizedAmount = 0
	return nil
}

// opUpdateCustomerDetails merges the present fields of the shipping address
// into the order's (a present field overwrites, "" clears, KD). The provider's table of operations by status leaves
// CAPTURED and CLOSED open; the sandbox allows the update only while goods
// can still be shipped against the authorization (AUTHORIZED,
// PART_CAPTURED), the states for which KD describes the fresh risk check.
func opUpdateCustomerDetails(rec *record, _ env, present map[string]omclient.Text) *apiError {
	o := &rec.Order
	if o.Status != omclient.StatusAuthorized && o.Status != omclient.StatusPartCaptured {
		return notAllowed("Order is %s. Customer details cannot be updated.", stateWord(o.Status))
	}
	addr := omclient.Address{}
	if o.ShippingAddress != nil {
		addr = *o.ShippingAddress
	}
	for _, f := range addressFields(&addr) {
		if v, ok := present[f.name]; ok {
			*f.ptr = v
		}
	}
	// The risk check of the sandbox: the address must stay in the purchase
	// country, keep the fields a delivery needs, and have a region in the US.
	country := strings.ToUpper(string(o.PurchaseCountry))
	var missing []string
	for _, f := range []struct {
		name string
		v    omclient.Text
	}{{"given_name", addr.GivenName}, {"family_name", addr.FamilyName}, {"street_address", addr.StreetAddress},
		{"postal_code", addr.PostalCode}, {"city", addr.City}, {"country", addr.Country}} {
		if strings.TrimSpace(string(f.v)) == "" {
			missing = append(missing, f.name)
		}
	}
	if country == "US" && strings.TrimSpace(string(addr.Region)) == "" {
		missing = append(missing, "region")
	}
	if len(missing) > 0 {
		return newErr(http.StatusUnprocessableEntity, codeInvalidAddress,
			"The shipping and/or billing address is invalid: %s cannot be empty.", strings.Join(missing, ", "))
	}
	if country != "" && !strings.EqualFold(string(addr.Country), country) {
		return newErr(http.StatusUnprocessableEntity, codeInvalidAddress,
			"The shipping and/or billing address is invalid: the shipping country must be %s.", country)
	}
	addr.Country = omclient.Text(strings.ToUpper(string(addr.Country)))
	o.ShippingAddress = &addr
	return nil
}

// opExtendAuthorization moves expires_at per the provider's rule (the provider's amount and time rules on docs.klarna.com).
// Klarna: the new expiry is the call's time + 28 days (calling again the
// same day changes nothing visible), never beyond created_at + 180 days.
// Kustom: the call's time + 28 days, never more than 90 days beyond the
// original expiry, only for orders created on/after 2025-09-25 and not for
// ES, FR, IT, PT. Both refuse once the order is expired, cancelled, fully
// captured or closed. An expiry already at its limit is refused; an
// extension that would end before the current expiry keeps the current one.
func opExtendAuthorization(rec *record, e env) *apiError {
	o := &rec.Order
	if o.Status != omclient.StatusAuthorized && o.Status != omclient.StatusPartCaptured {
		return notAllowed("Order is %s. Authorization time cannot be extended.", stateWord(o.Status))
	}
	var limit time.Time
	switch e.provider {
	case omclient.ProviderKlarna:
		limit = o.CreatedAt.Time.Add(klarnaMaxAuthorizationDays * day)
		if !o.ExpiresAt.Before(limit) {
			return notAllowed("Order expiry is already %d days after its creation. Authorization time cannot be extended.", klarnaMaxAuthorizationDays)
		}
	default:
		country := strings.ToUpper(string(o.PurchaseCountry))
		if slices.Contains(kustomNoExtensionCountries, country) {
			return notAllowed("Orders from %s cannot be extended. Authorization time cannot be extended.", country)
		}
		if o.CreatedAt.Before(kustomExtensionSince) {
			return notAllowed("Orders created before %s cannot be extended. Authorization time cannot be extended.", kustomExtensionSince.Format("2006-01-02"))
		}
		orig := rec.OriginalExpiresAt
		if orig.IsZero() {
			orig = o.ExpiresAt.Time
		}
		limit = orig.Add(kustomMaxExtensionDays * day)
		if !o.ExpiresAt.Before(limit) {
			return notAllowed("Order authorization has already been extended by %d days. Authorization time cannot be extended.", kustomMaxExtensionDays)
		}
	}
	next := e.stamp().Add(authorizationDays * day)
	if next.After(limit) {
		next = limit
	}
	if next.After(o.ExpiresAt.Time) {
		o.ExpiresAt = omclient.Time{Time: next}
	}
	return nil
}

func opUpdateMerchantReferences(rec *record, _ env, ref1, ref2 *string) *apiError {
	o := &rec.Order
	if o.Status == omclient.StatusCancelled {
		return notAllowed("Can not update a cancelled order")
	}
	if ref1 != nil {
		o.MerchantReference1 = omclient.Text(*ref1)
	}
	if ref2 != nil {
		o.MerchantReference2 = omclient.Text(*ref2)
	}
	return nil
}

func opRelease(rec *record, _ env) *apiError {
	o := &rec.Order
	switch o.Status {
	case omclient.StatusPartCaptured:
	case omclient.StatusAuthorized:
		return notAllowed("Order has no captures. Remaining authorization cannot be released.")
	default:
		return notAllowed("Order is %s. Remaining authorization cannot be released.", stateWord(o.Status))
	}
	o.RemainingAuthorizedAmount = 0
	o.Status = omclient.StatusCaptured // [inferred from the documented rules]
	settle(o)
	return nil
}

// opAddOrderShippingInfo appends shipping info to the order. The provider's table of operations by status leaves
// CANCELLED, EXPIRED and CLOSED open; the sandbox refuses only CANCELLED,
// where nothing can ever ship, and keeps at most 500 entries.
func opAddOrderShippingInfo(rec *record, _ env, infos []omclient.ShippingInfo) *apiError {
	o := &rec.Order
	if o.Status == omclient.StatusCancelled {
		return notAllowed("Order is cancelled. Shipping info cannot be added to order.")
	}
	if len(o.ShippingInfo)+len(infos) > 500 {
		return notAllowed("An order holds at most 500 shipping info entries. Shipping info cannot be added to order.")
	}
	o.ShippingInfo = append(o.ShippingInfo, infos...)
	return nil
}

func opCapture(rec *record, e env, req *omclient.CaptureRequest) (string, *apiError) {
	o := &rec.Order
	switch o.Status {
	case omclient.StatusAuthorized, omclient.StatusPartCaptured:
	case omclient.StatusCaptured:
		// Nothing remains: the over-capture message is the documented one.
		return "", newErr(http.StatusForbidden, codeCaptureNotAllowed,
			"Captured amount is higher than the remaining authorized amount. Capture not possible.")
	default:
		return "", newErr(http.StatusForbidden, codeCaptureNotAllowed, "Order is %s. Capture not possible.", stateWord(o.Status))
	}
	// [inferred error code] capturing during fraud review fails (krokedil
	// #20); a rejected order cannot be captured either.
	switch o.FraudStatus {
	case omclient.FraudPending:
		return "", newErr(http.StatusForbidden, codeCaptureNotAllowed, "Order is pending fraud review. Capture not possible.")
	case omclient.FraudRejected:
		return "", newErr(http.StatusForbidden, codeCaptureNotAllowed, "Order was rejected by fraud review. Capture not possible.")
	}
	if req.CapturedAmount > o.RemainingAuthorizedAmount {
		return "", newErr(http.StatusForbidden, codeCaptureNotAllowed,
			"Captured amount is higher than the remaining authorized amount. Capture not possible.")
	}
	id := e.newID()
	c := omclient.Capture{
		CaptureID:       id,
		KlarnaReference: omclient.Text(fmt.Sprintf("%s-%d", o.KlarnaReference, len(o.Captures)+1)),
		CapturedAmount:  req.CapturedAmount,
		CapturedAt:      e.stamp(),
		Description:     omclient.Text(req.Description),
		Reference:       omclient.Text(req.Reference),
		OrderLines:      slices.Clone(req.OrderLines),
		BillingAddress:  cloneAddress(o.BillingAddress),
		ShippingAddress: cloneAddress(o.ShippingAddress),
		ShippingInfo:    slices.Clone(req.ShippingInfo),
	}
	o.Captures = append(o.Captures, c)
	o.CapturedAmount += req.CapturedAmount
	o.RemainingAuthorizedAmount -= req.CapturedAmount
	rec.Acknowledged = true
	settle(o)
	return id, nil
}

func cloneAddress(a *omclient.Address) *omclient.Address {
	if a == nil {
		return nil
	}
	c := *a
	return &c
}

func findCapture(o *omclient.Order, id string) int {
	return slices.IndexFunc(o.Captures, func(c omclient.Capture) bool { return c.CaptureID == id })
}

// captureFor finds a capture for the capture-scoped operations: an order
// without captures is refused with 403 NOT_ALLOWED (the capture endpoint on docs.klarna.com), an unknown
// capture is 404 NO_SUCH_CAPTURE (KD; the spec reuses NO_SUCH_ORDER's schema
// but KD names the code).
func captureFor(o *omclient.Order, captureID, action string) (int, *apiError) {
	if len(o.Captures) == 0 {
		return -1, notAllowed("Order has no captures. %s", action)
	}
	i := findCapture(o, captureID)
	if i < 0 {
		return -1, newErr(http.StatusNotFound, codeNoSuchCapture, "Capture could not be found. %s", strings.TrimSuffix(action, ".")+" "+captureID+".")
	}
	return i, nil
}

func opAddCaptureShippingInfo(rec *record, _ env, captureID string, infos []omclient.ShippingInfo) *apiError {
	o := &rec.Order
	i, err := captureFor(o, captureID, "Shipping info cannot be added to capture.")
	if err != nil {
		return err
	}
	c := &o.Captures[i]
	if len(c.ShippingInfo)+len(infos) > 500 {
		return notAllowed("A capture holds at most 500 shipping info entries. Shipping info cannot be added to capture.")
	}
	c.ShippingInfo = append(c.ShippingInfo, infos...)
	return nil
}

func opTriggerSendOut(rec *record, _ env, captureID string) *apiError {
	_, err := captureFor(&rec.Order, captureID, "Send-out not possible.")
	return err
}

// Return fees (the provider's amount and time rules on docs.klarna.com): only on orders fully captured in one capture, in the
// markets of the newer KD list (which contains the older one).
var returnFeeCountries = []string{"AT", "DE", "DK", "FI", "FR", "NL", "NO", "SE", "IT", "ES", "IE", "PT", "CZ", "AU", "GR"}

func opRefund(rec *record, e env, req *omclient.RefundRequest) (string, *apiError) {
	o := &rec.Order
	if len(o.Captures) == 0 || o.CapturedAmount == 0 {
		return "", newErr(http.StatusForbidden, codeRefundNotAllowed, "Order has no captures. Refund not possible.")
	}
	if req.RefundedAmount > o.CapturedAmount-o.RefundedAmount {
		return "", newErr(http.StatusForbidden, codeRefundNotAllowed, "Over refund is not allowed. Refund not possible.")
	}
	hasFee := slices.ContainsFunc(req.OrderLines, func(l omclient.OrderLine) bool { return l.Type == omclient.LineTypeReturnFee })
	if hasFee {
		country := strings.ToUpper(string(o.PurchaseCountry))
		if !slices.Contains(returnFeeCountries, country) {
			return "", newErr(http.StatusForbidden, codeRefundNotAllowed, "Return fees are not available in %s. Refund not possible.", country)
		}
		if len(o.Captures) != 1 || o.CapturedAmount != o.OrderAmount {
			return "", newErr(http.StatusForbidden, codeRefundNotAllowed, "A return fee requires the order to be fully captured in one capture. Refund not possible.")
		}
	}
	// Allocate the refund to captures, oldest first, each up to what is
	// still unrefunded on it (the capture schema's refunded_amount). The provider
	// allocates by order lines when it can; the sandbox's rule is simpler
	// but keeps the per-capture sums consistent.
	left := req.RefundedAmount
	for i := range o.Captures {
		if left == 0 {
			break
		}
		c := &o.Captures[i]
		room := c.CapturedAmount - c.RefundedAmount
		if room <= 0 {
			continue
		}
		n := min(room, left)
		c.RefundedAmount += n
		left -= n
	}
	id := e.newID()
	pm := paymentMethod(o)
	o.Refunds = append(o.Refunds, omclient.Refund{
		RefundID:       id,
		RefundedAmount: req.RefundedAmount,
		RefundedAt:     e.stamp(),
		Description:    omclient.Text(req.Description),
		Reference:      omclient.Text(req.Reference),
		OrderLines:     slices.Clone(req.OrderLines),
		// B2B invoice orders get the refund as a credit invoice (the refund schema).
		CreditInvoice: pm == "INVOICE_BUSINESS" || pm == "B2B_INVOICE",
	})
	o.RefundedAmount += req.RefundedAmount
	settle(o)
	return id, nil
}
