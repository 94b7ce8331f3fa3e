package app

import (
	"net/url"

	"ordercare/internal/config"
	"ordercare/internal/omclient"
	"ordercare/web/templates/view"
)

var providerNames = map[omclient.Provider]string{omclient.ProviderKustom: "Kustom", omclient.ProviderKlarna: "Klarna"}

var presetLabels = map[string]string{
	"kustom": "Kustom", "kustom-playground": "Kustom",
	"klarna-eu": "Klarna EU", "klarna-na": "Klarna North America", "klarna-oc": "Klarna Oceania",
	"klarna-eu-playground": "Klarna EU", "klarna-na-playground": "Klarna North America", "klarna-oc-playground": "Klarna Oceania",
}

// banner names the environment for the banner on every page.
func banner(cfg config.Config, c omclient.Reader) view.EnvBanner {
	provider := providerNames[c.Provider()]
	if cfg.Sandbox() {
		return view.EnvBanner{Label: "Built-in sandbox (imitating " + provider + ")", Kind: view.EnvSandbox}
	}
	name, ok := presetLabels[cfg.OMURL]
	if !ok {
		name = provider
		if u, err := url.Parse(c.BaseURL()); err == nil && u.Host != "" {
			name += " at " + u.Host
		}
	}
	switch c.Environment() {
	case omclient.EnvSandbox:
		return view.EnvBanner{Label: "Sandbox: " + name, Kind: view.EnvSandbox}
	case omclient.EnvPlayground:
		return view.EnvBanner{Label: name + " playground", Kind: view.EnvPlayground}
	}
	return view.EnvBanner{Label: "LIVE: " + name, Kind: view.EnvLive}
}
