package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/pquerna/otp/totp"

	"ordercare/internal/audit"
	"ordercare/internal/staff"
)

// factorSteps lists the steps of the second-factor events, oldest first.
func (f *foundation) factorSteps() []string {
	f.t.Helper()
	ctx := f.t.Context()
	n, _, err := f.audit.Head(ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	var steps []string
	for seq := int64(1); seq <= n; seq++ {
		e, err := f.audit.Event(ctx, seq)
		if err != nil {
			f.t.Fatal(err)
		}
		if e.Kind == audit.KindSecondFactor {
			steps = append(steps, e.Detail["step"])
		}
	}
	return steps
}

// enrolTOTP sets up an authenticator for the signed-in member through the
// account page and returns its secret and the recovery codes shown.
func (b *browser) enrolTOTP() (string, []string) {
	t := b.f.t
	t.Helper()
	if p := b.post("/account", "/account/totp", nil); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("begin set-up: %d", p.resp.StatusCode)
	}
	acct := b.get("/account")
	secret := acct.doc.Find(`[data-testid="totp-secret"]`).Text()
	uri := acct.doc.Find(`[data-testid="totp-uri"]`).Text()
	qr, _ := acct.doc.Find(`[data-testid="totp-qr"]`).Attr("src")
	if secret == "" || !strings.HasPrefix(uri, "otpauth://totp/") || !strings.Contains(uri, "secret="+secret) || !strings.HasPrefix(qr, "data:image/png;base64,") {
		t.Fatalf("set-up page: secret %q uri %q qr %.40q", secret, uri, qr)
	}
	// A wrong first code is refused next to the field, the key stays.
	p := b.post("/account", "/account/totp/confirm", url.Values{"code": {wrongCode(t, secret)}})
	if p.resp.StatusCode != http.StatusUnauthorized || p.doc.Find(`[data-testid="code-field-error"]`).Text() == "" ||
		p.doc.Find(`[data-testid="totp-secret"]`).Text() != secret {
		t.Fatalf("wrong first code: %d %q", p.resp.StatusCode, p.doc.Find(`main`).Text())
	}
	p = b.post("/account", "/account/totp/confirm", url.Values{"code": {codeNow(t, secret)}})
	var codes []string
	p.doc.Find(`[data-testid="recovery-codes"] code`).Each(func(_ int, s *goquery.Selection) { codes = append(codes, s.Text()) })
	if p.resp.StatusCode != http.StatusOK || len(codes) != staff.RecoveryCodeCount {
		t.Fatalf("confirm: %d, %d recovery codes", p.resp.StatusCode, len(codes))
	}
	return secret, codes
}

func codeNow(t *testing.T, secret string) string { t.Helper(); return codeAt(t, secret, time.Now()) }

func codeAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wrongCode is a code that none of the three accepted steps gives.
func wrongCode(t *testing.T, secret string) string {
	t.Helper()
	now := time.Now()
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		ok := false
		for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
			g, _ := totp.GenerateCode(secret, now.Add(d))
			ok = ok || g == c
		}
		if !ok {
			return c
		}
	}
	t.Fatal("no wrong code")
	return ""
}

// signOut signs the browser's member out.
func (b *browser) signOut() {
	b.f.t.Helper()
	if p := b.post("/account", "/logout", nil); p.resp.StatusCode != http.StatusSeeOther {
		b.f.t.Fatalf("sign-out: %d", p.resp.StatusCode)
	}
}

func TestTOTPEnrolmentThenSignInAsksForTheCodeOnce(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{mfa: staff.MFAOptional})
	b := f.browser()
	b.signIn("supervisor@example.com", testPassword, "")
	secret, _ := b.enrolTOTP()
	b.signOut()

	// The password alone now signs nobody in: it leads to the code form.
	p := b.signIn("supervisor@example.com", testPassword, "/test/supervisor")
	if p.resp.StatusCode != http.StatusSeeOther || p.resp.Header.Get("Location") != "/login/code?next=%2Ftest%2Fsupervisor" {
		t.Fatalf("password of an enrolled member: %d %q", p.resp.StatusCode, p.resp.Header.Get("Location"))
	}
	if p := b.get("/test/supervisor"); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("signed in with the password alone: %d", p.resp.StatusCode)
	}
	// The code of the step after the one the set-up used (the set-up's
	// own code is spent; one step of skew is allowed).
	code := codeAt(t, secret, time.Now().Add(30*time.Second))
	p = b.post("/login/code", "/login/code", url.Values{"code": {code}, "next": {"/test/supervisor"}})
	if p.resp.StatusCode != http.StatusSeeOther || p.resp.Header.Get("Location") != "/test/supervisor" {
		t.Fatalf("right code: %d %q", p.resp.StatusCode, p.resp.Header.Get("Location"))
	}
	if p := b.get("/test/supervisor"); p.resp.StatusCode != http.StatusOK {
		t.Fatalf("after the code: %d", p.resp.StatusCode)
	}
	b.signOut()

	// The same code again, even within its 30 seconds, is refused.
	b.signIn("supervisor@example.com", testPassword, "")
	p = b.post("/login/code", "/login/code", url.Values{"code": {code}})
	if p.resp.StatusCode != http.StatusUnauthorized || !strings.Contains(p.doc.Find(`[data-testid="code-error"]`).Text(), "already used") {
		t.Fatalf("replayed code: %d %q", p.resp.StatusCode, p.doc.Find(`[data-testid="code-error"]`).Text())
	}
	if p := b.get("/test/supervisor"); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("signed in with a replayed code: %d", p.resp.StatusCode)
	}
	if steps := f.factorSteps(); strings.Join(steps, ",") != "failed,enrolled,failed" {
		t.Fatalf("second-factor audit steps %v", steps)
	}
}

func TestRecoveryCodeSignsInOnce(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{mfa: staff.MFAOptional})
	b := f.browser()
	b.signIn("admin@example.com", testPassword, "")
	_, codes := b.enrolTOTP()
	b.signOut()

	b.signIn("admin@example.com", testPassword, "")
	if p := b.post("/login/code", "/login/code", url.Values{"code": {codes[0]}}); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("recovery code: %d", p.resp.StatusCode)
	}
	if msg := b.get("/test/admin").resp.StatusCode; msg != http.StatusOK {
		t.Fatalf("after a recovery code: %d", msg)
	}
	if n := b.get("/account").doc.Find(`[data-testid="totp-status"]`).Text(); !strings.Contains(n, "9 unused recovery codes") {
		t.Fatalf("account page after one recovery code: %q", n)
	}
	b.signOut()
	b.signIn("admin@example.com", testPassword, "")
	if p := b.post("/login/code", "/login/code", url.Values{"code": {codes[0]}}); p.resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the same recovery code again: %d", p.resp.StatusCode)
	}
	steps := strings.Join(f.factorSteps(), ",")
	if !strings.Contains(steps, "recovery_code_used") || !strings.HasSuffix(steps, "failed") {
		t.Fatalf("second-factor audit steps %s", steps)
	}
}

func TestRequiredForMoneySendsToEnrolmentFirst(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{mfa: staff.MFARequiredForMoney,
		exempt: func(m *staff.Member) bool { return m.Email == "supervisor@example.com" }})

	// An agent may refund: after the password, every page but the account
	// page sends them to set up a second factor.
	ag := f.browser()
	ag.signIn("agent@example.com", testPassword, "")
	for _, path := range []string{"/test/agent", "/"} {
		if p := ag.get(path); p.resp.StatusCode != http.StatusSeeOther || p.resp.Header.Get("Location") != "/account" {
			t.Fatalf("%s before enrolment: %d %q", path, p.resp.StatusCode, p.resp.Header.Get("Location"))
		}
	}
	if p := ag.do(http.MethodPost, "/test/change", url.Values{"_csrf": {ag.token("/account")}}, nil); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a change before enrolment: %d", p.resp.StatusCode)
	}
	acct := ag.get("/account")
	if txt := acct.doc.Find(`[data-testid="mfa-policy"]`).Text(); !strings.Contains(txt, "needs a second factor before you can work") {
		t.Fatalf("policy text %q", txt)
	}
	ag.enrolTOTP()
	if p := ag.get("/test/agent"); p.resp.StatusCode != http.StatusOK {
		t.Fatalf("after enrolment: %d", p.resp.StatusCode)
	}

	// The read-only auditor moves no money: not sent.
	au := f.browser()
	au.signIn("auditor@example.com", testPassword, "")
	if p := au.get("/test/agent"); p.resp.StatusCode != http.StatusOK {
		t.Fatalf("auditor: %d", p.resp.StatusCode)
	}
	// An exempt member (a sandbox demo account) acts, and is told why.
	su := f.browser()
	su.signIn("supervisor@example.com", testPassword, "")
	if p := su.get("/test/supervisor"); p.resp.StatusCode != http.StatusOK {
		t.Fatalf("exempt supervisor: %d", p.resp.StatusCode)
	}
	if txt := su.get("/account").doc.Find(`[data-testid="mfa-policy"]`).Text(); !strings.Contains(txt, "exempt") {
		t.Fatalf("exempt policy text %q", txt)
	}
	// An admin is sent as well.
	ad := f.browser()
	ad.signIn("admin@example.com", testPassword, "")
	if p := ad.get("/test/admin"); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin before enrolment: %d", p.resp.StatusCode)
	}
}

func TestWrongCodesAtSignInLockTheAccount(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{mfa: staff.MFAOptional})
	b := f.browser()
	b.signIn("supervisor@example.com", testPassword, "")
	secret, _ := b.enrolTOTP() // one wrong code already
	b.signOut()
	b.signIn("supervisor@example.com", testPassword, "")
	var p page
	for range staff.DefaultLimits.MaxPerAccount {
		p = b.post("/login/code", "/login/code", url.Values{"code": {wrongCode(t, secret)}})
	}
	if p.resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after many wrong codes: %d", p.resp.StatusCode)
	}
	// Even a right code is refused while locked.
	if p := b.post("/login/code", "/login/code", url.Values{"code": {codeNow(t, secret)}}); p.resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right code while locked: %d", p.resp.StatusCode)
	}
}

// A session without a second factor of a member who has one (set up in
// another browser) is asked for its code, not sent to set one up again.
func TestSessionWithoutTheFactorOfAnEnrolledMemberIsAskedForTheCode(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{mfa: staff.MFARequiredForMoney})
	first, second := f.browser(), f.browser()
	first.signIn("agent@example.com", testPassword, "")
	second.signIn("agent@example.com", testPassword, "")
	secret, _ := second.enrolTOTP()
	p := first.get("/test/agent")
	if p.resp.StatusCode != http.StatusSeeOther || p.resp.Header.Get("Location") != "/login/code?next=%2Ftest%2Fagent" {
		t.Fatalf("the other session: %d %q", p.resp.StatusCode, p.resp.Header.Get("Location"))
	}
	p = first.post("/login/code", "/login/code", url.Values{"code": {codeAt(t, secret, time.Now().Add(30*time.Second))}, "next": {"/test/agent"}})
	if p.resp.StatusCode != http.StatusSeeOther || p.resp.Header.Get("Location") != "/test/agent" {
		t.Fatalf("code: %d %q", p.resp.StatusCode, p.resp.Header.Get("Location"))
	}
	if p := first.get("/test/agent"); p.resp.StatusCode != http.StatusOK {
		t.Fatalf("after the code: %d", p.resp.StatusCode)
	}
}

// The authenticator key (alone or in its otpauth:// URI), the recovery
// codes and the password appear neither in the log nor in any audit event,
// whatever the member does with them: set-up, a wrong code, sign-in with a
// recovery code, removal.
func TestSecondFactorSecretsStayOutOfLogsAndAudit(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{mfa: staff.MFAOptional})
	b := f.browser()
	b.signIn("supervisor@example.com", testPassword, "")
	secret, codes := b.enrolTOTP()
	b.signOut()
	b.signIn("supervisor@example.com", testPassword, "")
	b.post("/login/code", "/login/code", url.Values{"code": {codes[1] + "x"}})
	if p := b.post("/login/code", "/login/code", url.Values{"code": {codes[0]}}); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("recovery code: %d", p.resp.StatusCode)
	}
	if p := b.post("/account", "/account/totp/remove", url.Values{"code": {codes[2]}}); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %d", p.resp.StatusCode)
	}

	secrets := append([]string{secret, testPassword}, codes...)
	logs := f.logs.String()
	ctx := t.Context()
	n, _, err := f.audit.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var trail strings.Builder
	for seq := int64(1); seq <= n; seq++ {
		e, err := f.audit.Event(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		j, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		trail.Write(j)
	}
	if !strings.Contains(trail.String(), audit.FactorRecoveryCodeUsed) {
		t.Fatalf("the trail lacks the recovery code's use: %s", trail.String())
	}
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Fatalf("the log holds %q:\n%s", s, logs)
		}
		if strings.Contains(trail.String(), s) {
			t.Fatalf("the audit trail holds %q:\n%s", s, trail.String())
		}
	}
	if strings.Contains(logs, "otpauth") || strings.Contains(trail.String(), "otpauth") {
		t.Fatal("an otpauth:// URI was logged or audited")
	}
}

// Removing the authenticator takes a current code (or a recovery code):
// without one, or with a wrong or already used one, it stays, and the
// refusal is audited and counts against the lock-out.
func TestTOTPRemovalNeedsACurrentCode(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{mfa: staff.MFAOptional})
	b := f.browser()
	b.signIn("supervisor@example.com", testPassword, "")
	secret, _ := b.enrolTOTP()
	enrolled := func() bool {
		return strings.Contains(b.get("/account").doc.Find(`[data-testid="totp-status"]`).Text(), "Set up")
	}
	// The step before now is at or before the one the set-up's code
	// used, so its code is spent, whenever the clock ticked.
	spent := codeAt(t, secret, time.Now().Add(-30*time.Second))
	for _, code := range []string{"", wrongCode(t, secret), spent} {
		p := b.post("/account", "/account/totp/remove", url.Values{"code": {code}})
		if p.resp.StatusCode != http.StatusUnauthorized || p.doc.Find(`[data-testid="code-field-error"]`).Text() == "" {
			t.Fatalf("remove with %q: %d", code, p.resp.StatusCode)
		}
		if !enrolled() {
			t.Fatalf("remove with %q removed it", code)
		}
	}
	if p := b.post("/account", "/account/totp/remove", url.Values{"code": {codeAt(t, secret, time.Now().Add(30*time.Second))}}); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove with the next code: %d", p.resp.StatusCode)
	}
	if enrolled() {
		t.Fatal("still set up after the removal")
	}
	want := "failed,enrolled,failed,failed,failed,removed"
	if steps := strings.Join(f.factorSteps(), ","); steps != want {
		t.Fatalf("second-factor events %s, want %s", steps, want)
	}
}
