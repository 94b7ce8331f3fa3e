package view

import (
	"ordercare/internal/bulk"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
)

// BulkBar is the order list's bulk form: the change to make to the
// ticked orders, or to all orders of the list as filtered (List, the
// list's query string). Only members who change orders get it.
type BulkBar struct {
	CSRF string
	Ops  []Option
	List string
	Max  int
}

// NewBulkBar is the bar for the list of q, status and f.
func NewBulkBar(csrf, q, status string, f ListFilter, limits bulk.Limits) *BulkBar {
	b := &BulkBar{CSRF: csrf, List: ListHrefValues(q, status, f).Encode(), Max: limits.MaxOrders}
	for _, op := range bulk.Ops {
		b.Ops = append(b.Ops, Option{Value: string(op), Label: BulkOpLabel(op)})
	}
	return b
}

// BulkOpLabel names a bulk change as the bar offers it.
func BulkOpLabel(op omclient.Operation) string {
	if op == omclient.OpCreateCapture {
		return "Capture in full"
	}
	return orders.ActionLabel(op)
}
