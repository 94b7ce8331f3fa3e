package view

import (
	"strings"
	"testing"
	"time"

	"ordercare/internal/approvals"
	"ordercare/internal/orders"
	"ordercare/internal/shop"
)

// The approver of a change asked for in both systems reads that
// approving changes the shop's order too; a request without a shop half
// says nothing of the shop.
func TestApprovalItemNamesTheShopHalf(t *testing.T) {
	now := time.Now()
	r := approvals.Request{ID: "r1", OrderID: "o1", Op: "cancel", Currency: "EUR", Amount: 10000, Status: approvals.StatusPending,
		CreatedAt: now, ExpiresAt: now.Add(time.Hour), Shop: &orders.ShopHalf{Platform: "elasticpath", ShopOrderID: "shop-7", Action: shop.ActionCancel}}
	it := NewApprovalItem(r, ApprovalViewer{StaffID: 2, Role: "supervisor"}, now, nil)
	if !strings.Contains(it.Shop, "cancel the shop's order (shop-7)") {
		t.Errorf("shop line %q", it.Shop)
	}
	r.Shop = nil
	if it := NewApprovalItem(r, ApprovalViewer{StaffID: 2, Role: "supervisor"}, now, nil); it.Shop != "" {
		t.Errorf("a payment-only request names the shop: %q", it.Shop)
	}
}

// The shop's changes read as what they did in the History and the audit
// trail, not as their codes.
func TestShopActionsNamedInTheAuditTrail(t *testing.T) {
	for action, want := range map[string]string{shop.ActionCaptureFulfil: "Mark paid and fulfilled in the shop", shop.ActionCancel: "Cancel in the shop"} {
		if got := auditActionName(action); got != want {
			t.Errorf("auditActionName(%s) = %q, want %q", action, got, want)
		}
	}
}
