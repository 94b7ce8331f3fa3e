package epsim_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	ep "ordercare/internal/shop/elasticpath"
	"ordercare/internal/shop/elasticpath/epsim"
)

func ep0() epsim.NewOrder { return epsim.NewOrder{OrderNumber: "SO-9"} }

func refusal(t *testing.T, err error, status int, detail string) {
	t.Helper()
	var ae *ep.APIError
	if !errors.As(err, &ae) || ae.StatusCode != status || !strings.Contains(ae.Message(), detail) {
		t.Fatalf("err = %v, want HTTP %d saying %q", err, status, detail)
	}
}

func TestRuleCancelOnlyUnfulfilled(t *testing.T) {
	e := newEnv(t, nil)
	id := e.order(t, epsim.NewOrder{Payment: ep.PaymentPaid, Shipping: ep.ShippingFulfilled, Status: ep.StatusComplete})
	_, err := e.client.UpdateOrder(ctx(t), id, ep.Cancel())
	refusal(t, err, http.StatusUnprocessableEntity, "fulfilled order cannot be cancelled")
	if o, _ := e.sb.Order(id); o.Status != ep.StatusComplete {
		t.Fatalf("status after refused cancel = %s", o.Status)
	}
}

func TestRuleFulfilOnlyPaid(t *testing.T) {
	e := newEnv(t, nil)
	id := e.order(t, epsim.NewOrder{Payment: ep.PaymentAuthorized})
	_, err := e.client.UpdateOrder(ctx(t), id, ep.Fulfil())
	refusal(t, err, http.StatusUnprocessableEntity, "only a paid order can be fulfilled")
}

func TestRuleAddressFrozenOnceFulfilled(t *testing.T) {
	e := newEnv(t, nil)
	id := e.order(t, epsim.NewOrder{Payment: ep.PaymentPaid, Shipping: ep.ShippingFulfilled})
	o, _ := e.sb.Order(id)
	moved := *o.ShippingAddress
	moved.City = "Malmö"
	_, err := e.client.UpdateOrder(ctx(t), id, ep.UpdateAddress(&o, moved))
	refusal(t, err, http.StatusUnprocessableEntity, "shipping address of a fulfilled order")
	// The references still change, with the address sent as it is.
	got, err := e.client.UpdateOrder(ctx(t), id, ep.UpdateReferences("SO-10", "ref", *o.ShippingAddress))
	if err != nil || got.OrderNumber != "SO-10" {
		t.Fatalf("references on a fulfilled order = %+v, %v", got, err)
	}
}

// The client refuses a 65-character external_ref before sending; the
// sandbox refuses it too when sent by hand.
func TestRuleExternalRefLength(t *testing.T) {
	e := newEnv(t, nil)
	id := e.order(t, ep0())
	o, _ := e.sb.Order(id)
	long := strings.Repeat("x", 65)
	_, err := e.client.UpdateOrder(ctx(t), id, ep.UpdateReferences("SO-9", long, *o.ShippingAddress))
	var ve *ep.ValidationError
	if !errors.As(err, &ve) || ve.Field != "external_ref" {
		t.Fatalf("err = %v, want a ValidationError on external_ref", err)
	}
	if _, err := e.client.UpdateOrder(ctx(t), id, ep.UpdateReferences("SO-9", long[:64], *o.ShippingAddress)); err != nil {
		t.Fatalf("64 characters: %v", err)
	}

	tok := token(t, e)
	body, _ := json.Marshal(map[string]any{"data": map[string]any{"type": "order", "external_ref": long, "shipping_address": o.ShippingAddress}})
	req, _ := http.NewRequest(http.MethodPut, e.srv.URL+"/v2/orders/"+id, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		Errors []ep.ErrorEntry `json:"errors"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&env)
	if resp.StatusCode != http.StatusBadRequest || len(env.Errors) != 1 || env.Errors[0].Status != "400" {
		t.Fatalf("raw PUT with 65 characters: %d %+v, want 400 in the errors shape", resp.StatusCode, env)
	}
}

func TestNotFoundAndWithoutToken(t *testing.T) {
	e := newEnv(t, nil)
	_, err := e.client.GetOrder(ctx(t), "3fa85f64-5717-4562-b3fc-2c963f66afa6")
	if !ep.IsNotFound(err) {
		t.Fatalf("err = %v, want 404", err)
	}
	resp, err := http.Get(e.srv.URL + "/v2/orders/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without token: %d, want 401", resp.StatusCode)
	}
}

func token(t *testing.T, e *env) string {
	t.Helper()
	resp, err := http.PostForm(e.srv.URL+"/oauth/access_token", map[string][]string{
		"grant_type": {"client_credentials"}, "client_id": {testID}, "client_secret": {testSecret}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			AccessToken string `json:"access_token"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Data.AccessToken == "" {
		t.Fatalf("token: %v", err)
	}
	return out.Data.AccessToken
}
