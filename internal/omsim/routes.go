package omsim

import (
	"net/http"
	"slices"
	"strings"

	"ordercare/internal/omclient"
)

const (
	apiPrefix     = "/ordermanagement/v1/orders/"
	sandboxOrders = "/sandbox/orders"
)

type routed struct {
	fn                           func(*call) response
	orderID, captureID, refundID string
}

type routeError struct {
	*apiError
	allow string
}

type methods map[string]func(*call) response

// route maps a request to its operation. Unknown paths are 404 NOT_FOUND,
// known paths with another method 405. On Kustom, trigger-send-out and the
// two due-date paths do not exist (help.kustom.co lists them as removed with
// the upgrade to Kustom), so they answer exactly like any unknown path: 404
// NOT_FOUND. A 403 would suggest the operation exists but is refused for
// this order, which is not what a Kustom merchant faces.
func (s *Sandbox) route(r *http.Request) (routed, *routeError) {
	path := r.URL.Path
	var out routed
	var m methods
	switch {
	case strings.HasPrefix(path, apiPrefix):
		segs := strings.Split(path[len(apiPrefix):], "/")
		out.orderID = segs[0]
		m = s.apiMethods(segs[1:], &out)
		if out.orderID == "" {
			m = nil
		}
	case path == sandboxOrders:
		m = methods{http.MethodGet: s.handleListOrders, http.MethodPost: s.handleCreateOrder}
	case strings.HasPrefix(path, sandboxOrders+"/"):
		segs := strings.Split(path[len(sandboxOrders)+1:], "/")
		if len(segs) == 2 && segs[0] != "" && segs[1] == "fraud-status" {
			out.orderID = segs[0]
			m = methods{http.MethodPost: s.handleSetFraudStatus}
		}
	}
	if m == nil {
		return out, &routeError{apiError: newErr(http.StatusNotFound, codeNotFound, "No resource matches %s %s.", r.Method, path)}
	}
	fn, ok := m[r.Method]
	if !ok {
		allow := make([]string, 0, len(m))
		for k := range m {
			allow = append(allow, k)
		}
		slices.Sort(allow)
		return out, &routeError{
			apiError: newErr(http.StatusMethodNotAllowed, codeMethodNotAllowed, "Method %s is not allowed on %s.", r.Method, path),
			allow:    strings.Join(allow, ", "),
		}
	}
	out.fn = fn
	return out, nil
}

func (s *Sandbox) apiMethods(rest []string, out *routed) methods {
	klarna := s.opts.Provider == omclient.ProviderKlarna
	switch len(rest) {
	case 0:
		return methods{http.MethodGet: s.handleGetOrder}
	case 1:
		switch rest[0] {
		case "acknowledge":
			return methods{http.MethodPost: s.handleAcknowledge}
		case "authorization":
			return methods{http.MethodPatch: s.handleUpdateAuthorization}
		case "cancel":
			return methods{http.MethodPost: s.handleCancel}
		case "customer-details":
			return methods{http.MethodPatch: s.handleUpdateCustomerDetails}
		case "extend-authorization-time":
			return methods{http.MethodPost: s.handleExtendAuthorization}
		case "merchant-references":
			return methods{http.MethodPatch: s.handleUpdateMerchantReferences}
		case "release-remaining-authorization":
			return methods{http.MethodPost: s.handleRelease}
		case "shipping-info":
			return methods{http.MethodPost: s.handleAddOrderShippingInfo}
		case "captures":
			return methods{http.MethodGet: s.handleListCaptures, http.MethodPost: s.handleCreateCapture}
		case "refunds":
			return methods{http.MethodPost: s.handleCreateRefund}
		}
	case 2:
		if rest[1] == "" {
			return nil
		}
		switch rest[0] {
		case "captures":
			out.captureID = rest[1]
			return methods{http.MethodGet: s.handleGetCapture}
		case "refunds":
			out.refundID = rest[1]
			return methods{http.MethodGet: s.handleGetRefund}
		}
	case 3:
		if rest[0] != "captures" || rest[1] == "" {
			return nil
		}
		out.captureID = rest[1]
		switch rest[2] {
		case "shipping-info":
			return methods{http.MethodPost: s.handleAddCaptureShippingInfo}
		case "trigger-send-out":
			if klarna {
				return methods{http.MethodPost: s.handleTriggerSendOut}
			}
		case "extend-due-date-options":
			if klarna {
				return methods{http.MethodGet: s.handleDueDateOptions}
			}
		case "extend-due-date":
			if klarna {
				return methods{http.MethodPatch: s.handleExtendDueDate}
			}
		}
	}
	return nil
}
