package orders

import (
	"slices"
	"strings"
	"time"

	"ordercare/internal/omclient"
)

// Action is one change an agent may make to an order (or to one of its
// captures), and whether the order's current state allows it. The order
// page shows every action: allowed ones as links to their form, the others
// disabled with Reason, so an agent sees why ("Cancel: not possible, the
// order has captures") instead of wondering where the button went.
type Action struct {
	Op        omclient.Operation
	Label     string // "Cancel", "Capture", ...
	Allowed   bool
	Reason    string // when not allowed: a sentence that starts with Label
	CaptureID string // for per-capture actions; "" for order actions
}

// Authorization lifetime rules of Klarna's order management guides on docs.klarna.com.
const (
	// AuthorizationDays is the default authorization lifetime and the
	// length of one extension.
	AuthorizationDays = 28
	// KlarnaMaxAuthorizationDays: Klarna never extends an authorization
	// beyond 180 days after the order's creation.
	KlarnaMaxAuthorizationDays = 180
	// KustomMaxExtensionDays: Kustom extends by at most 90 days in total.
	KustomMaxExtensionDays = 90
)

// KustomExtensionSince: Kustom extends only orders created on or after
// this date (help.kustom.co 418423).
var KustomExtensionSince = time.Date(2025, 9, 25, 0, 0, 0, 0, time.UTC)

// kustomNoExtensionCountries: Kustom offers no extension in these markets.
var kustomNoExtensionCountries = []string{"ES", "FR", "IT", "PT"}

const day = 24 * time.Hour

// Actions lists the order-level actions of Klarna's order management guides on docs.klarna.com for the
// order as last read, each allowed or not with its reason. now is the
// agent's clock: an authorization whose expires_at has passed counts as
// expired even if the order was read before the provider flipped it.
// The provider stays the judge; this list only keeps agents from trying
// what is sure to be refused.
func Actions(o *omclient.Order, p omclient.Provider, now time.Time) []Action {
	out := make([]Action, 0, len(orderOps))
	for _, op := range orderOps {
		why := whyNot(o, p, now, op)
		out = append(out, newAction(op, why, ""))
	}
	return out
}

// CaptureActions lists the actions on one capture: add shipping info, and
// on Klarna also trigger send-out and extend due date (Kustom lacks those
// calls, so they are left out rather than shown disabled).
func CaptureActions(o *omclient.Order, c *omclient.Capture, p omclient.Provider, now time.Time) []Action {
	out := make([]Action, 0, len(captureOps))
	for _, op := range captureOps {
		if !p.Offers(op) {
			continue
		}
		why := ""
		if c == nil || !slices.ContainsFunc(o.Captures, func(x omclient.Capture) bool { return x.CaptureID == c.CaptureID }) {
			why = "the capture is not part of this order"
		}
		id := ""
		if c != nil {
			id = c.CaptureID
		}
		out = append(out, newAction(op, why, id))
	}
	return out
}

// FindAction returns the action for op in list.
func FindAction(list []Action, op omclient.Operation) (Action, bool) {
	i := slices.IndexFunc(list, func(a Action) bool { return a.Op == op })
	if i < 0 {
		return Action{}, false
	}
	return list[i], true
}

func newAction(op omclient.Operation, why, captureID string) Action {
	a := Action{Op: op, Label: ActionLabel(op), Allowed: why == "", CaptureID: captureID}
	if why != "" {
		a.Reason = a.Label + ": not possible, " + why
	}
	return a
}

// statusWhy says why a final or fully captured status stops an action.
func statusWhy(s omclient.Status) string {
	switch s {
	case omclient.StatusCaptured:
		return "the order is fully captured"
	case omclient.StatusCancelled:
		return "the order is cancelled"
	case omclient.StatusExpired:
		return "the authorization has expired"
	case omclient.StatusClosed:
		return "the order is closed"
	case "":
		return "the order's status is unknown"
	}
	return "the order is " + strings.ToLower(strings.ReplaceAll(string(s), "_", " "))
}

// open reports whether the authorization is still usable: AUTHORIZED or
// PART_CAPTURED and not past expires_at.
func open(o *omclient.Order, now time.Time) (bool, string) {
	if o.Status != omclient.StatusAuthorized && o.Status != omclient.StatusPartCaptured {
		return false, statusWhy(o.Status)
	}
	if !o.ExpiresAt.IsZero() && !now.Before(o.ExpiresAt.Time) {
		return false, "the authorization has expired"
	}
	return true, ""
}

// whyNot returns "" when op is allowed, else the reason clause.
func whyNot(o *omclient.Order, p omclient.Provider, now time.Time, op omclient.Operation) string {
	hasCaptures := len(o.Captures) > 0 || o.CapturedAmount > 0
	ok, why := open(o, now)
	switch op {
	case omclient.OpCreateCapture:
		if !ok {
			return why
		}
		switch o.FraudStatus {
		case omclient.FraudPending:
			return "the order is waiting for fraud review"
		case omclient.FraudRejected:
			return "the order was rejected in fraud review"
		}
		if Capturable(o) <= 0 {
			return "nothing is left to capture"
		}
	case omclient.OpCreateRefund:
		switch {
		case o.Status == omclient.StatusCancelled:
			return statusWhy(o.Status)
		case !hasCaptures:
			return "the order has no captures"
		case Refundable(o) <= 0:
			return "everything captured has been refunded"
		}
	case omclient.OpUpdateAuthorization, omclient.OpUpdateCustomerDetails:
		if !ok {
			return why
		}
	case omclient.OpAddOrderShippingInfo, omclient.OpUpdateMerchantReferences:
		if o.Status == omclient.StatusCancelled {
			return statusWhy(o.Status)
		}
	case omclient.OpExtendAuthorizationTime:
		if !ok {
			return why
		}
		return extendWhy(o, p)
	case omclient.OpReleaseRemaining:
		if !ok {
			return why
		}
		if !hasCaptures {
			return "the order has no captures (cancel it instead)"
		}
		if o.RemainingAuthorizedAmount <= 0 {
			return "nothing is left to release"
		}
	case omclient.OpAcknowledge:
		if o.Status == omclient.StatusCancelled || o.Status == omclient.StatusExpired {
			return statusWhy(o.Status)
		}
	case omclient.OpCancel:
		switch {
		case hasCaptures:
			return "the order has captures"
		case o.Status == omclient.StatusCancelled:
			return "the order is already cancelled"
		case !ok:
			return why
		}
	}
	return ""
}

// extendWhy applies the provider's extension limits (the provider's amount and time rules on docs.klarna.com) to an open
// authorization. Kustom counts its 90 days from the original expiry, which
// the order does not carry; it is taken as creation + AuthorizationDays, the
// default lifetime.
func extendWhy(o *omclient.Order, p omclient.Provider) string {
	created := o.CreatedAt.Time
	if p == omclient.ProviderKlarna {
		if created.IsZero() {
			return ""
		}
		if !o.ExpiresAt.Before(created.Add(KlarnaMaxAuthorizationDays * day)) {
			return "the authorization already runs to the limit of 180 days after purchase"
		}
		return ""
	}
	country := strings.ToUpper(string(o.PurchaseCountry))
	if slices.Contains(kustomNoExtensionCountries, country) {
		return "Kustom does not extend orders from " + country
	}
	if created.IsZero() {
		return ""
	}
	if created.Before(KustomExtensionSince) {
		return "Kustom extends only orders created on or after " + KustomExtensionSince.Format("2 January 2006")
	}
	limit := created.Add((AuthorizationDays + KustomMaxExtensionDays) * day)
	if !o.ExpiresAt.Before(limit) {
		return "the authorization has already been extended by the maximum of 90 days"
	}
	return ""
}
