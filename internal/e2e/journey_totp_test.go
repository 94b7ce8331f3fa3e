package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"ordercare/internal/config"
	"ordercare/internal/staff"
)

// A supervisor who is not a demo account must set up an authenticator app
// before working (ORDERCARE_MFA=required-for-money): after the password
// they land on their account page, scan the QR code (here: read the key),
// confirm with a code, see their recovery codes, and from then on sign in
// with password and code.
func TestJourneyTOTPEnrolmentAndSignIn(t *testing.T) {
	t.Parallel()
	axeScript(t)
	sam := atEnrolment(t)
	sam.checkAxe("the authenticator set-up")
	secret := strings.TrimSpace(sam.text(`[data-testid="totp-secret"]`))
	if uri := sam.text(`[data-testid="totp-uri"]`); !strings.Contains(uri, "secret="+secret) {
		t.Fatalf("key URI %q does not hold the key %q", uri, secret)
	}
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	sam.fill("#confirm-code", code)
	sam.markWindow()
	sam.click(`[data-testid="totp-confirm"] button`)
	sam.waitNewDocument("the confirmation")
	if n := sam.count(`[data-testid="recovery-codes"] li`); n != staff.RecoveryCodeCount {
		t.Fatalf("%d recovery codes shown, want %d", n, staff.RecoveryCodeCount)
	}
	sam.checkAxe("the recovery codes")
	// Set up: the orders are open to them now.
	sam.open("/orders")
	if got := sam.path(); got != "/orders" {
		t.Fatalf("after the set-up /orders sent the supervisor to %s", got)
	}

	sam.markWindow()
	sam.click(`form[action="/logout"] button`)
	sam.waitNewDocument("the signed-out page")
	sam.fill("#login-email", samEmail)
	sam.fill("#login-password", demoPassword)
	sam.markWindow()
	sam.click(`form[action="/login"] button[type="submit"]`)
	sam.waitNewDocument("the code form")
	if got := sam.path(); got != "/login/code" {
		t.Fatalf("after the password the supervisor is on %s, want the code form", got)
	}
	sam.checkAxe("the code form")
	// The set-up's code is spent; the next step's is accepted (one step
	// of clock skew).
	next, err := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	sam.fill("#login-code", next)
	sam.markWindow()
	sam.click(`form[action="/login/code"] button[type="submit"]`)
	sam.waitNewDocument("the page after the code")
	if got := sam.text(`[data-testid="signed-in-as"]`); !strings.Contains(got, samEmail) {
		t.Fatalf("signed in as %q", got)
	}
	if got := sam.path(); got != "/" {
		t.Fatalf("after the code the supervisor is on %s", got)
	}
}

// samEmail is a supervisor who is not a demo account.
const samEmail = "sam.supervisor@example.com"

// atEnrolment starts a back office with ORDERCARE_MFA=required-for-money
// and a supervisor who is not a demo account, signs them in (which lands
// on /account) and starts the authenticator set-up: the page with the QR
// code, loaded.
func atEnrolment(t *testing.T) *page {
	t.Helper()
	srv := startServer(t, func(c *config.Config) { c.MFA = string(staff.MFARequiredForMoney) })
	srv.AddMember(t, samEmail, staff.RoleSupervisor)
	b := startBrowser(t, srv)
	sam := b.newPage("sam")
	sam.open("/orders")
	sam.signIn(samEmail)
	if got := sam.path(); got != "/account" {
		t.Fatalf("after the password the supervisor is on %s, want /account", got)
	}
	if txt := sam.text(`[data-testid="mfa-policy"]`); !strings.Contains(txt, "needs a second factor") {
		t.Fatalf("policy text %q", txt)
	}
	sam.markWindow()
	sam.click(`[data-testid="totp-begin"] button`)
	sam.waitNewDocument("the set-up page")
	// The QR code is an image the page really shows (its data: URL passes
	// the Content-Security-Policy).
	sam.waitFor("the QR code to load", `document.querySelector('[data-testid="totp-qr"]').naturalWidth > 0`)
	return sam
}

// TestScreenshotEnrolment takes the README's picture of the authenticator
// set-up (run with -screenshots, like TestScreenshots).
func TestScreenshotEnrolment(t *testing.T) {
	if *screenshotDir == "" {
		t.Skip("no -screenshots folder given")
	}
	sam := atEnrolment(t)
	sam.colorScheme("light")
	sam.screenshot(filepath.Join(*screenshotDir, "enrolment.png"))
}
