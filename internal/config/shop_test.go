package config

import (
	"io"
	"strings"
	"testing"
)

func parseShop(t *testing.T, env map[string]string) (Config, error) {
	t.Helper()
	if env["ORDERCARE_DB"] == "" {
		env["ORDERCARE_DB"] = t.TempDir() + "/admin.db"
	}
	return Parse("admin", nil, func(k string) string { return env[k] }, io.Discard)
}

// Sandbox mode shows the built-in Elastic Path twin unless turned off;
// against a provider the shop is off unless configured.
func TestShopDefaults(t *testing.T) {
	c, err := parseShop(t, map[string]string{})
	if err != nil || c.ShopPlatform() != ShopElasticPath || !c.ShopSandbox() ||
		c.Shop.IDReference != RefMerchant2 || c.Shop.NumberReference != RefMerchant1 {
		t.Fatalf("sandbox defaults: %+v, %v", c.Shop, err)
	}
	c, err = parseShop(t, map[string]string{"ORDERCARE_SHOP": "none"})
	if err != nil || c.ShopPlatform() != "" {
		t.Fatalf("ORDERCARE_SHOP=none: %q, %v", c.ShopPlatform(), err)
	}
	c, err = parseShop(t, map[string]string{"ORDERCARE_OM_URL": "kustom", "ORDERCARE_OM_USER": "u", "ORDERCARE_OM_PASSWORD": "p"})
	if err != nil || c.ShopPlatform() != "" {
		t.Fatalf("provider without shop: %q, %v", c.ShopPlatform(), err)
	}
	c, err = parseShop(t, map[string]string{"ORDERCARE_SHOP": "elasticpath", "ORDERCARE_SHOP_URL": "https://euwest.api.elasticpath.com",
		"ORDERCARE_SHOP_CLIENT_ID": "id", "ORDERCARE_SHOP_CLIENT_SECRET": "secret", "ORDERCARE_SHOP_ID_REFERENCE": "none"})
	if err != nil || c.ShopSandbox() || c.Shop.IDReference != ShopNone {
		t.Fatalf("configured platform: %+v, %v", c.Shop, err)
	}
}

func TestShopErrorsAreOneClearLine(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"ORDERCARE_SHOP": "magento"}, `"magento" is not elasticpath, ucommerce or none`},
		{map[string]string{"ORDERCARE_SHOP_ID_REFERENCE": "merchant_reference3"}, "ORDERCARE_SHOP_ID_REFERENCE"},
		{map[string]string{"ORDERCARE_SHOP_ID_REFERENCE": "merchant_reference1"}, "both name merchant_reference1"},
		{map[string]string{"ORDERCARE_SHOP_ID_REFERENCE": "none", "ORDERCARE_SHOP_NUMBER_REFERENCE": "none"}, "nothing would link"},
		{map[string]string{"ORDERCARE_SHOP": "elasticpath", "ORDERCARE_SHOP_URL": "https://shop.example"}, "ORDERCARE_SHOP_CLIENT_ID and ORDERCARE_SHOP_CLIENT_SECRET are required"},
		{map[string]string{"ORDERCARE_SHOP": "elasticpath", "ORDERCARE_SHOP_URL": "ftp://x"}, "not an http(s) URL"},
		{map[string]string{"ORDERCARE_SHOP_URL": "https://shop.example"}, "ORDERCARE_SHOP is not"},
		{map[string]string{"ORDERCARE_SHOP": "elasticpath", "ORDERCARE_OM_URL": "kustom", "ORDERCARE_OM_USER": "u", "ORDERCARE_OM_PASSWORD": "p"}, "ORDERCARE_SHOP_URL is required"},
		{map[string]string{"ORDERCARE_SHOP_TIMEOUT": "forever"}, "ORDERCARE_SHOP_TIMEOUT"},
	} {
		_, err := parseShop(t, tc.env)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: err = %v, want one line with %q", tc.env, err, tc.want)
		}
	}
}
