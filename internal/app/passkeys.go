package app

import (
	"fmt"
	"net"
	"net/url"

	"github.com/go-webauthn/webauthn/webauthn"

	"ordercare/internal/handlers"
)

// relyingParty is the WebAuthn relying party of passkeys for publicURL
// (ORDERCARE_PUBLIC_URL), or for http://localhost with the port the
// server listens on when none is set. A host that is an IP address cannot
// be a relying party ID (browsers refuse it), so passkeys are then off
// (nil) and the reason is returned for the log.
func relyingParty(publicURL string, ln net.Addr) (*webauthn.WebAuthn, string, error) {
	origin := publicURL
	if origin == "" {
		_, port, err := net.SplitHostPort(ln.String())
		if err != nil {
			return nil, "", fmt.Errorf("passkeys: %w", err)
		}
		origin = "http://localhost:" + port
	}
	u, err := url.Parse(origin)
	if err != nil {
		return nil, "", fmt.Errorf("passkeys: %w", err)
	}
	if net.ParseIP(u.Hostname()) != nil {
		return nil, "ORDERCARE_PUBLIC_URL names an IP address; passkeys need a host name (localhost will do on this machine)", nil
	}
	w, err := handlers.RelyingParty(origin)
	return w, "", err
}
