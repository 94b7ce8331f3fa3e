package handlers

import (
	"fmt"
	"net/url"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// Ceremony timeouts: the browser's, and the server's for the challenge it
// keeps in the session; an answer that comes later is refused.
const (
	passkeyLoginTimeout    = 2 * time.Minute
	passkeyRegisterTimeout = 5 * time.Minute
)

// RelyingParty is the WebAuthn relying party of passkeys for origin
// (scheme://host[:port], the address staff open): its ID is the origin's
// host, and only that origin may use the passkeys
// (https://www.w3.org/TR/webauthn-3/#relying-party-identifier).
func RelyingParty(origin string) (*webauthn.WebAuthn, error) {
	u, err := url.Parse(origin)
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("passkeys: %q is not an origin", origin)
	}
	w, err := webauthn.New(&webauthn.Config{
		RPID:          u.Hostname(),
		RPDisplayName: "ordercare",
		RPOrigins:     []string{origin},
		// No attestation: which authenticator model it is decides
		// nothing here, and asking for it shows people a privacy prompt.
		AttestationPreference: protocol.PreferNoAttestation,
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Enforce: true, Timeout: passkeyLoginTimeout, TimeoutUVD: passkeyLoginTimeout},
			Registration: webauthn.TimeoutConfig{Enforce: true, Timeout: passkeyRegisterTimeout, TimeoutUVD: passkeyRegisterTimeout},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("passkeys: %w", err)
	}
	return w, nil
}
