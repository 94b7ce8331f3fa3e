package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"ordercare/internal/audit"
	"ordercare/internal/staff"
)

// renewCodes asks for new recovery codes with form and returns the page
// and the codes it shows.
func (b *browser) renewCodes(form url.Values) (page, []string) {
	b.f.t.Helper()
	p := b.post("/account", "/account/recovery-codes", form)
	var codes []string
	p.doc.Find(`[data-testid="recovery-codes"] code`).Each(func(_ int, s *goquery.Selection) { codes = append(codes, s.Text()) })
	return p, codes
}

// New recovery codes take the current password or a code; they are shown
// once, and the old ones stop working at sign-in.
func TestNewRecoveryCodesReplaceTheOldOnes(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{mfa: staff.MFAOptional})
	b := f.browser()
	b.signIn("supervisor@example.com", testPassword, "")
	secret, old := b.enrolTOTP()

	p, codes := b.renewCodes(url.Values{"password": {"not my password"}})
	if p.resp.StatusCode != http.StatusUnauthorized || len(codes) != 0 ||
		!strings.Contains(p.doc.Find(`#recovery-password-error`).Text(), "not your current password") {
		t.Fatalf("wrong password: %d, %d codes, %q", p.resp.StatusCode, len(codes), p.doc.Find(`#recovery-password-error`).Text())
	}
	p, codes = b.renewCodes(url.Values{"code": {wrongCode(t, secret)}})
	if p.resp.StatusCode != http.StatusUnauthorized || len(codes) != 0 || p.doc.Find(`#recovery-code-error`).Text() == "" {
		t.Fatalf("wrong code: %d, %d codes", p.resp.StatusCode, len(codes))
	}
	p, codes = b.renewCodes(url.Values{"password": {testPassword}})
	if p.resp.StatusCode != http.StatusOK || len(codes) != staff.RecoveryCodeCount || codes[0] == old[0] {
		t.Fatalf("right password: %d, %d codes", p.resp.StatusCode, len(codes))
	}
	if n := b.get("/account").doc.Find(`[data-testid="recovery-codes"]`).Length(); n != 0 {
		t.Fatal("the new codes are shown again")
	}
	// A code from the app works as proof too (the next step's: the set-up
	// spent this one); the codes change again.
	_, again := b.renewCodes(url.Values{"code": {codeAt(t, secret, time.Now().Add(30*time.Second))}})
	if len(again) != staff.RecoveryCodeCount || again[0] == codes[0] {
		t.Fatalf("by code: %d codes", len(again))
	}
	b.signOut()

	for _, spent := range []string{old[1], codes[1]} {
		b.signIn("supervisor@example.com", testPassword, "")
		if p := b.post("/login/code", "/login/code", url.Values{"code": {spent}}); p.resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("a replaced recovery code signs in: %d", p.resp.StatusCode)
		}
	}
	if p := b.post("/login/code", "/login/code", url.Values{"code": {again[0]}}); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a new recovery code: %d", p.resp.StatusCode)
	}
	renewed := 0
	for _, s := range f.factorSteps() {
		if s == audit.FactorRecoveryCodesRenewed {
			renewed++
		}
	}
	if renewed != 2 {
		t.Fatalf("%d renewals audited, want 2 (%v)", renewed, f.factorSteps())
	}
}

// A member with only a passkey may make recovery codes too, and sign in
// with the password and one of them when the passkey is not at hand.
func TestRecoveryCodesBackUpAPasskey(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{mfa: staff.MFARequired, passkeys: true})
	b := f.browser()
	b.signIn("agent@example.com", testPassword, "")
	if n := b.get("/account").doc.Find(`[data-testid="recovery"]`).Length(); n != 0 {
		t.Fatal("recovery codes offered without a second factor")
	}
	b.addPasskey(newSoftKey(t), "phone")
	_, codes := b.renewCodes(url.Values{"password": {testPassword}})
	if len(codes) != staff.RecoveryCodeCount {
		t.Fatalf("%d codes", len(codes))
	}
	b.signOut()
	b.signIn("agent@example.com", testPassword, "")
	if p := b.post("/login/code", "/login/code", url.Values{"code": {codes[0]}}); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("password and recovery code: %d", p.resp.StatusCode)
	}
	if p := b.get("/test/agent"); p.resp.StatusCode != http.StatusOK {
		t.Fatalf("after the recovery code: %d", p.resp.StatusCode)
	}
}
