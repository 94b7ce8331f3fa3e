package config

import (
	"strings"
	"testing"
)

const testTokenKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // 32 bytes

// Ucommerce runs against its built-in sandbox in sandbox mode; against a
// real Ucommerce it needs the key that seals the refresh token and the
// whitelisted callback, each refused in one line when missing or wrong.
func TestShopUcommerceSettings(t *testing.T) {
	c, err := parseShop(t, map[string]string{"ORDERCARE_SHOP": "ucommerce"})
	if err != nil || c.ShopPlatform() != ShopUcommerce || !c.ShopSandbox() {
		t.Fatalf("sandbox: %q, %v", c.ShopPlatform(), err)
	}
	real := func(extra map[string]string) map[string]string {
		env := map[string]string{"ORDERCARE_SHOP": "ucommerce", "ORDERCARE_SHOP_URL": "https://shop.example",
			"ORDERCARE_SHOP_CLIENT_ID": "id", "ORDERCARE_SHOP_CLIENT_SECRET": "secret",
			"ORDERCARE_SHOP_TOKEN_KEY": testTokenKey, "ORDERCARE_SHOP_REDIRECT_URL": "https://ops.example/shop/connect/callback"}
		for k, v := range extra {
			env[k] = v
		}
		return env
	}
	c, err = parseShop(t, real(nil))
	if err != nil || len(c.Shop.TokenKey) != 32 || c.ShopSandbox() {
		t.Fatalf("real Ucommerce: %v", err)
	}
	for _, tc := range []struct {
		extra map[string]string
		want  string
	}{
		{map[string]string{"ORDERCARE_SHOP_TOKEN_KEY": ""}, "ORDERCARE_SHOP_TOKEN_KEY is required"},
		{map[string]string{"ORDERCARE_SHOP_TOKEN_KEY": "c2hvcnQ="}, "not 32 bytes in base64"},
		{map[string]string{"ORDERCARE_SHOP_TOKEN_KEY": "not base64!"}, "not 32 bytes in base64"},
		{map[string]string{"ORDERCARE_SHOP_REDIRECT_URL": ""}, "ORDERCARE_SHOP_REDIRECT_URL"},
		{map[string]string{"ORDERCARE_SHOP_REDIRECT_URL": "http://ops.example/shop/connect/callback"}, "not an https URL"},
		{map[string]string{"ORDERCARE_SHOP_REDIRECT_URL": "https://ops.example/elsewhere"}, "/shop/connect/callback"},
	} {
		_, err := parseShop(t, real(tc.extra))
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: err = %v, want one line with %q", tc.extra, err, tc.want)
		}
	}
}
