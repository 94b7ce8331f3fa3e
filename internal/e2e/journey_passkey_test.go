package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"ordercare/internal/config"
	"ordercare/internal/staff"
)

// A supervisor whose role needs a second factor adds a passkey on their
// account page instead of an authenticator app, signs out, and signs in
// with the passkey alone. Chromium's virtual authenticator (DevTools
// WebAuthn domain: https://chromedevtools.github.io/devtools-protocol/tot/WebAuthn/)
// stands for the phone or security key: a CTAP2 platform authenticator
// that stores discoverable credentials and verifies the user. The page is
// opened at localhost, the default relying party (an IP address cannot be
// one), and passkey.js runs under the real Content-Security-Policy.
func TestJourneyPasskeyRegisterAndSignIn(t *testing.T) {
	t.Parallel()
	axeScript(t)
	sam, authenticator := withPasskey(t, true)
	creds := sam.credentials(authenticator)
	if len(creds) != 1 || !creds[0].IsResidentCredential {
		t.Fatalf("the authenticator holds %d credentials (%+v)", len(creds), creds)
	}
	// The passkey is the second factor: the orders are open now.
	sam.open("/orders")
	if got := sam.path(); got != "/orders" {
		t.Fatalf("after adding a passkey /orders sent the supervisor to %s", got)
	}

	sam.markWindow()
	sam.click(`form[action="/logout"] button`)
	sam.waitNewDocument("the signed-out page")
	sam.checkAxe("the sign-in page with its passkey button")
	sam.markWindow()
	sam.click(`[data-testid="passkey-signin"] button[type="submit"]`)
	sam.waitNewDocument("the page after the passkey")
	if got := sam.text(`[data-testid="signed-in-as"]`); !strings.Contains(got, samEmail) {
		t.Fatalf("signed in as %q", got)
	}
	if got := sam.path(); got != "/" {
		t.Fatalf("after the passkey the supervisor is on %s", got)
	}
	if creds := sam.credentials(authenticator); creds[0].SignCount < 2 {
		t.Fatalf("the authenticator signed %v times", creds[0].SignCount)
	}

	// Removing it takes the password (a session left open elsewhere does
	// not strip the factor): a wrong one is refused next to the form,
	// which stays open; the right one removes the last second factor, and
	// the policy sends the supervisor back to set one up.
	sam.open("/account")
	sam.click(`[data-testid="passkey"] details summary`)
	sam.fill(`[data-testid="passkey-remove"] input[name="password"]`, "not the password")
	sam.markWindow()
	sam.click(`[data-testid="passkey-remove"] button[type="submit"]`)
	sam.waitNewDocument("the refused removal")
	if got := sam.text(`[data-testid="passkey-remove-error"]`); !strings.Contains(got, "not your current password") {
		t.Fatalf("refused removal says %q", got)
	}
	sam.checkAxe("the account page with a refused passkey removal")
	sam.fill(`[data-testid="passkey-remove"] input[name="password"]`, demoPassword)
	sam.markWindow()
	sam.click(`[data-testid="passkey-remove"] button[type="submit"]`)
	sam.waitNewDocument("the account page after the removal")
	if n := sam.count(`[data-testid="passkey"]`); n != 0 {
		t.Fatalf("%d passkeys listed after removing the only one", n)
	}
	sam.open("/orders")
	if got := sam.path(); got != "/account" {
		t.Fatalf("without a second factor /orders sent the supervisor to %s, want /account", got)
	}
}

// TestScreenshotPasskeys takes the README's picture of the account page
// with a passkey (run with -screenshots, like TestScreenshots).
func TestScreenshotPasskeys(t *testing.T) {
	if *screenshotDir == "" {
		t.Skip("no -screenshots folder given")
	}
	sam, _ := withPasskey(t, false)
	sam.colorScheme("light")
	sam.visible(`[data-testid="passkeys"]`)
	eval[bool](sam, `(document.querySelector('[data-testid="passkeys"]').scrollIntoView(), true)`)
	sam.screenshot(filepath.Join(*screenshotDir, "passkeys.png"))
}

// withPasskey starts a back office with ORDERCARE_MFA=required-for-money
// and a supervisor who is not a demo account, opens a tab at localhost
// with a virtual authenticator, signs the supervisor in (which lands on
// /account) and adds a passkey named "work laptop" there.
func withPasskey(t *testing.T, axe bool) (*page, webauthn.AuthenticatorID) {
	t.Helper()
	srv := startServer(t, func(c *config.Config) { c.MFA = string(staff.MFARequiredForMoney) })
	srv.AddMember(t, samEmail, staff.RoleSupervisor)
	b := startBrowser(t, srv)
	sam := b.newPage("sam")
	sam.base = strings.Replace(sam.base, "127.0.0.1", "localhost", 1)
	authenticator := sam.virtualAuthenticator()

	sam.open("/orders")
	sam.signIn(samEmail)
	if got := sam.path(); got != "/account" {
		t.Fatalf("after the password the supervisor is on %s, want /account", got)
	}
	if axe {
		sam.checkAxe("the account page with passkeys")
	}
	sam.fill("#passkey-name", "work laptop")
	sam.markWindow()
	sam.click(`[data-testid="passkey-add"] button[type="submit"]`)
	sam.waitNewDocument("the account page after adding the passkey")
	if got := sam.text(`[data-testid="passkey-name"]`); got != "work laptop" {
		t.Fatalf("listed passkey %q (status: %q)", got, sam.text(`[data-testid="flash"]`))
	}
	return sam, authenticator
}

// virtualAuthenticator turns on the tab's WebAuthn domain with a
// virtual CTAP2 platform authenticator that keeps discoverable
// credentials, verifies the user and answers presence checks itself.
func (p *page) virtualAuthenticator() webauthn.AuthenticatorID {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitTimeout)
	defer cancel()
	off := false
	if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{EnableUI: &off}); err != nil {
		p.t.Fatalf("%s: WebAuthn.enable: %v", p.name, err)
	}
	res, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
		Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21, Transport: webauthn.AuthenticatorTransportInternal,
		HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
	}})
	if err != nil {
		p.t.Fatalf("%s: WebAuthn.addVirtualAuthenticator: %v", p.name, err)
	}
	return res.AuthenticatorID
}

// credentials are the credentials the virtual authenticator holds.
func (p *page) credentials(id webauthn.AuthenticatorID) []*webauthn.Credential {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitTimeout)
	defer cancel()
	res, err := chromedp.Call(ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: id})
	if err != nil {
		p.t.Fatalf("%s: WebAuthn.getCredentials: %v", p.name, err)
	}
	return res.Credentials
}
