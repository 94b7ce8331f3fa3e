package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Shop platforms (ORDERCARE_SHOP).
const (
	ShopNone        = "none"
	ShopElasticPath = "elasticpath"
	ShopUcommerce   = "ucommerce"
)

// DefaultShopTimeout bounds the shop read of the order page: the shop's
// panel waits at most this long, the payment order never waits for it.
const DefaultShopTimeout = 3 * time.Second

// The merchant references of a payment order that can name its twin.
const (
	RefMerchant1 = "merchant_reference1"
	RefMerchant2 = "merchant_reference2"
)

// ShopConfig is how the back office reaches the shop's own order system.
type ShopConfig struct {
	// Platform is elasticpath, ucommerce, or none. Empty: none against a
	// provider, the built-in Elastic Path sandbox in sandbox mode.
	Platform string
	// URL is the platform's API base URL; empty in sandbox mode runs the
	// built-in shop sandbox.
	URL string
	// ClientID and ClientSecret are the platform's API key.
	ClientID, ClientSecret string
	// IDReference is the payment order's field holding the shop's order
	// id; NumberReference the one holding the order number, searched when
	// the id is missing or unknown to the shop. Either may be "none".
	IDReference, NumberReference string
	// Timeout bounds the shop read of one page.
	Timeout time.Duration
	// TokenKey (32 bytes) encrypts Ucommerce's refresh token at rest in
	// the admin database; required with a real Ucommerce, random for the
	// built-in sandbox when empty.
	TokenKey []byte
	// RedirectURL is the connect flow's callback as whitelisted in
	// Ucommerce (https://…/shop/connect/callback); required with a real
	// Ucommerce, derived from ORDERCARE_ADDR for the built-in sandbox.
	RedirectURL string
}

func init() {
	options = append(options,
		option{"shop", "ORDERCARE_SHOP", "", "the shop's order system: elasticpath, ucommerce or none; empty: none, or the built-in Elastic Path sandbox in sandbox mode", func(c *Config, v string) error {
			c.Shop.Platform = strings.ToLower(strings.TrimSpace(v))
			return nil
		}},
		option{"shop-url", "ORDERCARE_SHOP_URL", "", "the shop platform's API base URL; empty in sandbox mode runs the built-in shop sandbox", func(c *Config, v string) error { c.Shop.URL = strings.TrimSpace(v); return nil }},
		option{"shop-client-id", "ORDERCARE_SHOP_CLIENT_ID", "", "the shop platform's client id", func(c *Config, v string) error { c.Shop.ClientID = strings.TrimSpace(v); return nil }},
		option{"shop-client-secret", "ORDERCARE_SHOP_CLIENT_SECRET", "", "the shop platform's client secret (prefer the environment variable)", func(c *Config, v string) error { c.Shop.ClientSecret = v; return nil }},
		option{"shop-id-reference", "ORDERCARE_SHOP_ID_REFERENCE", RefMerchant2, "the payment order's field that holds the shop's order id: merchant_reference1, merchant_reference2 or none", func(c *Config, v string) error {
			c.Shop.IDReference = strings.ToLower(strings.TrimSpace(v))
			return nil
		}},
		option{"shop-number-reference", "ORDERCARE_SHOP_NUMBER_REFERENCE", RefMerchant1, "the payment order's field that holds the shop's order number, searched when the id is missing: merchant_reference1, merchant_reference2 or none", func(c *Config, v string) error {
			c.Shop.NumberReference = strings.ToLower(strings.TrimSpace(v))
			return nil
		}},
		option{"shop-token-key", "ORDERCARE_SHOP_TOKEN_KEY", "", "Ucommerce: 32 bytes, base64, that encrypt the stored refresh token (openssl rand -base64 32)", func(c *Config, v string) error {
			v = strings.TrimSpace(v)
			if v == "" {
				c.Shop.TokenKey = nil
				return nil
			}
			k, err := base64.StdEncoding.DecodeString(v)
			if err != nil || len(k) != 32 {
				return errors.New("ORDERCARE_SHOP_TOKEN_KEY: not 32 bytes in base64 (make one with: openssl rand -base64 32)")
			}
			c.Shop.TokenKey = k
			return nil
		}},
		option{"shop-redirect-url", "ORDERCARE_SHOP_REDIRECT_URL", "", "Ucommerce: the connect flow's callback URL as whitelisted in the platform, ending in /shop/connect/callback", func(c *Config, v string) error {
			c.Shop.RedirectURL = strings.TrimSpace(v)
			return nil
		}},
		option{"shop-timeout", "ORDERCARE_SHOP_TIMEOUT", DefaultShopTimeout.String(), "how long the order page waits for the shop's order", func(c *Config, v string) error {
			d, err := time.ParseDuration(strings.TrimSpace(v))
			if err != nil || d <= 0 || d > time.Minute {
				return fmt.Errorf("ORDERCARE_SHOP_TIMEOUT: %q is not a duration up to 1m such as 3s", v)
			}
			c.Shop.Timeout = d
			return nil
		}},
	)
}

// ShopPlatform is the platform in use after the defaults: "" when the
// shop is off.
func (c Config) ShopPlatform() string {
	if c.Shop.IDReference == "" && c.Shop.NumberReference == "" {
		// Parse always sets both (to their defaults at least): a Config
		// built by hand without them has no shop.
		return ""
	}
	switch c.Shop.Platform {
	case ShopNone:
		return ""
	case "":
		if c.Sandbox() && c.Shop.URL == "" {
			return ShopElasticPath
		}
		return ""
	}
	return c.Shop.Platform
}

// ShopSandbox reports whether the built-in shop sandbox serves the shop.
func (c Config) ShopSandbox() bool { return c.ShopPlatform() != "" && c.Shop.URL == "" }

// validateShop checks the shop settings (called by Validate).
func (c Config) validateShop() error {
	s := c.Shop
	switch s.Platform {
	case "", ShopNone, ShopElasticPath, ShopUcommerce:
	default:
		return fmt.Errorf("ORDERCARE_SHOP: %q is not elasticpath, ucommerce or none", s.Platform)
	}
	for env, v := range map[string]string{"ORDERCARE_SHOP_ID_REFERENCE": s.IDReference, "ORDERCARE_SHOP_NUMBER_REFERENCE": s.NumberReference} {
		if v != RefMerchant1 && v != RefMerchant2 && v != ShopNone && v != "" {
			return fmt.Errorf("%s: %q is not merchant_reference1, merchant_reference2 or none", env, v)
		}
	}
	if s.IDReference == s.NumberReference && s.IDReference != ShopNone && s.IDReference != "" {
		return fmt.Errorf("ORDERCARE_SHOP_ID_REFERENCE and ORDERCARE_SHOP_NUMBER_REFERENCE both name %s: one field cannot hold both the id and the number", s.IDReference)
	}
	if c.ShopPlatform() == "" {
		if s.URL != "" {
			return errors.New("ORDERCARE_SHOP_URL is set but ORDERCARE_SHOP is not: say which platform it is (elasticpath or ucommerce)")
		}
		return nil
	}
	if (s.IDReference == ShopNone || s.IDReference == "") && (s.NumberReference == ShopNone || s.NumberReference == "") {
		return errors.New("ORDERCARE_SHOP_ID_REFERENCE and ORDERCARE_SHOP_NUMBER_REFERENCE are both none: nothing would link a payment order to its shop order")
	}
	if s.URL == "" {
		if !c.Sandbox() {
			return errors.New("ORDERCARE_SHOP_URL is required with ORDERCARE_SHOP against a real provider (the built-in shop sandbox runs only in sandbox mode)")
		}
		return nil
	}
	u, err := url.Parse(s.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return fmt.Errorf("ORDERCARE_SHOP_URL: %q is not an http(s) URL without credentials", s.URL)
	}
	if s.ClientID == "" || s.ClientSecret == "" {
		return errors.New("ORDERCARE_SHOP_CLIENT_ID and ORDERCARE_SHOP_CLIENT_SECRET are required with ORDERCARE_SHOP_URL")
	}
	if c.ShopPlatform() == ShopUcommerce {
		return s.validateUcommerce()
	}
	return nil
}

// validateUcommerce checks what the connect flow needs against a real
// Ucommerce: the key that seals the refresh token and the callback URL.
func (s ShopConfig) validateUcommerce() error {
	if len(s.TokenKey) != 32 {
		return errors.New("ORDERCARE_SHOP_TOKEN_KEY is required with ORDERCARE_SHOP=ucommerce: 32 bytes in base64 that encrypt the stored refresh token (openssl rand -base64 32)")
	}
	u, err := url.Parse(s.RedirectURL)
	if err != nil || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) || u.Host == "" || u.Path != "/shop/connect/callback" || u.RawQuery != "" {
		return fmt.Errorf("ORDERCARE_SHOP_REDIRECT_URL: %q is not an https URL ending in /shop/connect/callback (as whitelisted in Ucommerce)", s.RedirectURL)
	}
	return nil
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}
