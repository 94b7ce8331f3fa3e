package handlers

import (
	"net/http"

	"ordercare/internal/staff"
)

// moneyFormRoutes are the rows of the money forms (change amount and
// lines, capture, refund), appended to the routes table: agents and up,
// never the auditor, not even to look at a form. Each form also has a
// preview URL its inputs post to as the agent types; it sends nothing.
func (h *Handlers) moneyFormRoutes() []Route {
	return []Route{
		{Name: "orders.amount", Method: http.MethodGet, Path: "/orders/:id/amount", Handler: h.showAmountForm, Min: staff.RoleAgent},
		{Name: "orders.amount.submit", Method: http.MethodPost, Path: "/orders/:id/amount", Handler: h.submitAmount, Min: staff.RoleAgent},
		{Name: "orders.amount.preview", Method: http.MethodPost, Path: "/orders/:id/amount/preview", Handler: h.previewAmount, Min: staff.RoleAgent},
		{Name: "orders.capture", Method: http.MethodGet, Path: "/orders/:id/capture", Handler: h.showCaptureForm, Min: staff.RoleAgent},
		{Name: "orders.capture.submit", Method: http.MethodPost, Path: "/orders/:id/capture", Handler: h.submitCapture, Min: staff.RoleAgent},
		{Name: "orders.capture.preview", Method: http.MethodPost, Path: "/orders/:id/capture/preview", Handler: h.previewCapture, Min: staff.RoleAgent},
		{Name: "orders.refund", Method: http.MethodGet, Path: "/orders/:id/refund", Handler: h.showRefundForm, Min: staff.RoleAgent},
		{Name: "orders.refund.submit", Method: http.MethodPost, Path: "/orders/:id/refund", Handler: h.submitRefund, Min: staff.RoleAgent},
		{Name: "orders.refund.preview", Method: http.MethodPost, Path: "/orders/:id/refund/preview", Handler: h.previewRefund, Min: staff.RoleAgent},
	}
}
