package view

import (
	"strings"
	"testing"
	"time"

	"ordercare/internal/omclient"
	"ordercare/internal/orders"
)

func TestQueryHint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		q        string
		wantHint bool
	}{
		{"", false},
		{"ORDER-1001", false},
		{"anna@example.com", false},
		{"0b0d9c34", false},
		{"0b0d9c34-5a5c", false},
		{"0b0d9c34-5a5c-4b5e-9f27-2a6a3a7f2c11", false},
		{"0b0d9c34-5a5c-4b5e-9f27-2a6a3a7f2c1g", true},
		{"0b0d9c345-a5c-4b5e", true},
		{"0b0d9c34-5a5c-4b5e-9f27-2a6a3a7f2c11-00", true},
		{"ORD-2026-000123-ABCDEFGHIJKLMNOP", false},
		{strings.Repeat("a", 256), true},
		{"abc\x00def", true},
	}
	for _, tt := range tests {
		if got := QueryHint(tt.q); (got != "") != tt.wantHint {
			t.Errorf("QueryHint(%q) = %q, want hint: %v", tt.q, got, tt.wantHint)
		}
	}
}

func TestSearchViewPaging(t *testing.T) {
	t.Parallel()
	page := orders.SearchPage{
		Orders:     []orders.IndexedOrder{{OrderID: "a", Status: omclient.StatusCaptured, Amount: 1234, Currency: "JPY", CustomerName: "Anna"}},
		NextCursor: "Y3Vyc29y",
	}
	v := NewSearchView("anna & co", "CAPTURED", "", page, time.UTC, "en-US")
	if v.NextHref != "/orders?cursor=Y3Vyc29y&q=anna+%26+co&status=CAPTURED" {
		t.Errorf("next = %q", v.NextHref)
	}
	if v.FirstHref != "" {
		t.Errorf("first page has a first link %q", v.FirstHref)
	}
	if v.Rows[0].Amount.Text != "¥1,234" || v.Rows[0].Href != "/orders/a" {
		t.Errorf("row = %+v", v.Rows[0])
	}
	var selected []string
	for _, o := range v.Statuses {
		if o.Selected {
			selected = append(selected, o.Value)
		}
	}
	if len(selected) != 1 || selected[0] != "CAPTURED" {
		t.Errorf("selected statuses = %v", selected)
	}
	empty := NewSearchView("zz", "", "abc", orders.SearchPage{}, time.UTC, "en-US")
	if empty.Empty == "" || empty.FirstHref != "/orders?q=zz" {
		t.Errorf("empty later page: %+v", empty)
	}
}

// NewSearchView is NewListView without filters beyond the status: the
// search the tests make.
func NewSearchView(q, status, cursor string, page orders.SearchPage, loc *time.Location, numbers string) SearchView {
	return NewListView(q, status, ListFilter{}, cursor, page, loc, numbers)
}
