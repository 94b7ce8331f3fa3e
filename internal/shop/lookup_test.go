package shop_test

import (
	"errors"
	"net/http/httptest"
	"testing"

	"ordercare/internal/omclient"
	"ordercare/internal/shop"
	ep "ordercare/internal/shop/elasticpath"
	"ordercare/internal/shop/elasticpath/epsim"
)

func TestElasticPathLookup(t *testing.T) {
	sb, err := epsim.New(epsim.Options{ClientID: "id", ClientSecret: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	c, err := ep.New(ep.Config{BaseURL: srv.URL, ClientID: "id", ClientSecret: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	id, err := sb.Create(epsim.NewOrder{OrderNumber: "SO-7", ExternalRef: "pay-7", Currency: "EUR",
		Items: []epsim.NewItem{{Name: "Mug", SKU: "M", Quantity: 1, UnitPrice: 990}}})
	if err != nil {
		t.Fatal(err)
	}
	src := &shop.ElasticPath{Client: c, Links: shop.Links{IDField: "merchant_reference2", NumberField: "merchant_reference1"}}

	tw, err := src.Lookup(t.Context(), &omclient.Order{OrderID: "pay-7", MerchantReference2: omclient.Text(id)})
	if err != nil || tw.ID != id || tw.FoundBy != "order id in merchant_reference2" || len(tw.Lines) != 1 || tw.Total != 990 {
		t.Fatalf("by id: %+v, %v", tw, err)
	}
	// An id the shop does not know (a CRM number, say) falls back to the number.
	tw, err = src.Lookup(t.Context(), &omclient.Order{OrderID: "pay-7", MerchantReference1: "SO-7", MerchantReference2: "CRM-1"})
	if err != nil || tw.ID != id || tw.FoundBy != "order number in merchant_reference1" {
		t.Fatalf("by number: %+v, %v", tw, err)
	}
	var nf *shop.NotFoundError
	if _, err := src.Lookup(t.Context(), &omclient.Order{OrderID: "x", MerchantReference1: "SO-8"}); !errors.As(err, &nf) {
		t.Fatalf("unknown number: %v", err)
	}
	if _, err := src.Lookup(t.Context(), &omclient.Order{OrderID: "x"}); !errors.Is(err, shop.ErrNoReference) {
		t.Fatalf("no reference: %v", err)
	}
	if p := shop.Describe(&shop.NotFoundError{Tried: []string{`order number "SO-8" from merchant_reference1`}}, "Elastic Path"); p.Kind != "not-found" {
		t.Fatalf("describe: %+v", p)
	}
}
