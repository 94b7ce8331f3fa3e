package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/oidctest"
	"ordercare/internal/sso"
	"ordercare/internal/staff"
)

// Single sign-on against a provider the test starts (internal/oidctest):
// the browser follows the redirects to the provider, which approves at
// once, and back.

// ssoFoundation is a back office whose single sign-on goes to a provider
// of its own; amr are the "amr" values that count as a second factor.
func ssoFoundation(t *testing.T, mfa staff.MFAPolicy, amr ...string) (*foundation, *oidctest.Provider) {
	t.Helper()
	p := oidctest.Start("ordercare", "provider-client-secret")
	t.Cleanup(p.Close)
	client := sso.New(sso.Settings{Issuer: p.Issuer, ClientID: "ordercare", ClientSecret: "provider-client-secret", Name: "Test IdP",
		RoleClaim: "groups", MFAAMR: amr, Roles: map[string]staff.Role{
			"oc-agents": staff.RoleAgent, "oc-supervisors": staff.RoleSupervisor, "oc-admins": staff.RoleAdmin}})
	return newFoundation(t, foundationOpts{mfa: mfa, sso: client}), p
}

// ssoStart clicks the sign-in page's single sign-on button and lets the
// provider answer: the callback URL it sends the browser back to.
func (b *browser) ssoStart(next string) *url.URL {
	t := b.f.t
	t.Helper()
	login := b.get("/login?next=" + url.QueryEscape(next))
	href, ok := login.doc.Find(`[data-testid="sso-button"]`).Attr("href")
	if !ok || !strings.Contains(login.doc.Find(`[data-testid="sso-button"]`).Text(), "Sign in with Test IdP") {
		t.Fatalf("no single sign-on button on /login:\n%s", login.body)
	}
	start := b.get(href)
	if start.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: %d %s", start.resp.StatusCode, start.body)
	}
	resp, err := b.Client.Get(start.resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || back.Path != "/login/sso/callback" {
		t.Fatalf("provider: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return back
}

// sso signs in through the provider and returns the callback's answer.
func (b *browser) sso(next string) page {
	b.f.t.Helper()
	back := b.ssoStart(next)
	return b.get(back.RequestURI())
}

// csrfCookie is the browser's CSRF cookie.
func (b *browser) csrfCookie() string {
	for _, c := range b.Client.Jar.Cookies(mustURL(b.f.srv.URL)) {
		if strings.Contains(c.Name, "csrf") {
			return c.Value
		}
	}
	return ""
}

func loginError(p page) string {
	return strings.TrimSpace(p.doc.Find(`[data-testid="login-error"]`).Text())
}

func TestSSOSignsInAJustInTimeMemberWithTheMappedRole(t *testing.T) {
	t.Parallel()
	f, p := ssoFoundation(t, "")
	p.SignInAs(oidctest.User{Subject: "s-1", Email: "Dana@Example.com", EmailVerified: true, Groups: []string{"staff", "oc-supervisors"}})
	b := f.browser()
	b.get("/test/touch") // a session before sign-in (one an attacker could plant)
	before, csrfBefore := b.sessionCookie(), b.token("/login")

	back := b.ssoStart("/test/supervisor")
	res := b.get(back.RequestURI())
	if res.resp.StatusCode != http.StatusSeeOther || res.resp.Header.Get("Location") != "/test/supervisor" {
		t.Fatalf("callback: %d %q %s", res.resp.StatusCode, res.resp.Header.Get("Location"), loginError(res))
	}
	if after := b.sessionCookie(); after == "" || after == before {
		t.Fatal("session token not renewed at single sign-on")
	}
	if b.csrfCookie() == "" || b.token("/account") == csrfBefore {
		t.Fatal("CSRF token not renewed at single sign-on")
	}
	if got := b.get("/test/supervisor"); got.resp.StatusCode != http.StatusOK {
		t.Fatalf("supervisor page: %d", got.resp.StatusCode)
	}
	if got := b.get("/test/admin"); got.resp.StatusCode != http.StatusForbidden {
		t.Fatalf("admin page: %d", got.resp.StatusCode)
	}
	m, err := f.h.Staff.GetByEmail(t.Context(), "dana@example.com")
	if err != nil || m.Role != staff.RoleSupervisor {
		t.Fatalf("member %+v %v", m, err)
	}
	staffEvents, signIns := f.events(audit.KindStaff), f.events(audit.KindSignIn)
	if len(staffEvents) != 2 || staffEvents[0].Detail["change"] != "sso_created" || staffEvents[0].Detail["role"] != "supervisor" ||
		staffEvents[0].Detail["claim_value"] != "oc-supervisors" || staffEvents[0].Detail["issuer"] != p.Issuer ||
		staffEvents[1].Detail["change"] != "sso_linked" || staffEvents[1].Detail["subject"] != "s-1" {
		t.Fatalf("staff events %+v", staffEvents)
	}
	if len(signIns) != 1 || signIns[0].Detail["method"] != "sso" || signIns[0].Actor.StaffID != m.ID {
		t.Fatalf("sign-in events %+v", signIns)
	}
	// A replayed answer of the provider is refused: its flow was used.
	if replay := b.get(back.RequestURI()); replay.resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("replayed answer: %d", replay.resp.StatusCode)
	}
	if fails := f.events(audit.KindSignInFailed); len(fails) != 1 || fails[0].Reason != "sso_state" {
		t.Fatalf("replay events %+v", fails)
	}
	if strings.Contains(f.logs.String(), "dana@example.com") {
		t.Fatal("the server log holds the e-mail address")
	}

	// At the next sign-in the provider's groups say agent: the role follows,
	// and the change is recorded.
	b.signOut()
	p.SignInAs(oidctest.User{Subject: "s-1", Email: "dana@example.com", EmailVerified: true, Groups: []string{"oc-agents"}})
	if res := b.sso("/"); res.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second sign-in: %d %s", res.resp.StatusCode, loginError(res))
	}
	if got := b.get("/test/supervisor"); got.resp.StatusCode != http.StatusForbidden {
		t.Fatalf("supervisor page after the role became agent: %d", got.resp.StatusCode)
	}
	staffEvents = f.events(audit.KindStaff)
	if last := staffEvents[len(staffEvents)-1]; len(staffEvents) != 3 || last.Detail["change"] != "sso_role" ||
		last.Detail["from"] != "supervisor" || last.Detail["to"] != "agent" {
		t.Fatalf("role change events %+v", staffEvents)
	}
}

// An existing member is matched case-insensitively: no second account.
func TestSSOMatchesAnExistingMemberInAnyCase(t *testing.T) {
	t.Parallel()
	f, p := ssoFoundation(t, "")
	p.SignInAs(oidctest.User{Subject: "s-2", Email: "AGENT@example.COM", EmailVerified: true, Groups: []string{"oc-agents"}})
	b := f.browser()
	if res := b.sso(""); res.resp.StatusCode != http.StatusSeeOther || res.resp.Header.Get("Location") != "/" {
		t.Fatalf("callback: %d %q %s", res.resp.StatusCode, res.resp.Header.Get("Location"), loginError(res))
	}
	if signIns := f.events(audit.KindSignIn); len(signIns) != 1 || signIns[0].Actor.StaffID != f.ids[staff.RoleAgent] {
		t.Fatalf("sign-in events %+v", signIns)
	}
	if ev := f.events(audit.KindStaff); len(ev) != 1 || ev[0].Detail["change"] != "sso_linked" {
		t.Fatalf("staff events for an existing member of the same role: %+v", ev)
	}
}

// Once a member signed in through the provider, another account there
// carrying their address (handed on to someone else) is refused: the
// issuer and subject are the person, the address only linked them once.
func TestSSOAnotherAccountWithALinkedMembersAddressIsRefused(t *testing.T) {
	t.Parallel()
	f, p := ssoFoundation(t, "")
	p.SignInAs(oidctest.User{Subject: "first-owner", Email: "agent@example.com", EmailVerified: true, Groups: []string{"oc-agents"}})
	first := f.browser()
	if res := first.sso("/"); res.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first owner: %d %s", res.resp.StatusCode, loginError(res))
	}
	first.signOut()
	p.SignInAs(oidctest.User{Subject: "next-owner", Email: "agent@example.com", EmailVerified: true, Groups: []string{"oc-admins"}})
	b := f.browser()
	res := b.sso("/")
	if res.resp.StatusCode != http.StatusForbidden || !strings.Contains(loginError(res), "signs in with another account") {
		t.Fatalf("next owner: %d %q", res.resp.StatusCode, loginError(res))
	}
	if fails := f.events(audit.KindSignInFailed); len(fails) != 1 || fails[0].Reason != "sso_other_account" {
		t.Fatalf("failed sign-ins %+v", fails)
	}
	if m, _ := f.h.Staff.Get(t.Context(), f.ids[staff.RoleAgent]); m.Role != staff.RoleAgent {
		t.Fatalf("the other account changed the member's role to %s", m.Role)
	}
}

// refused checks a callback that must not sign anyone in: its status, a
// message on the sign-in page, the audit reason, and that no page opens.
func refused(t *testing.T, f *foundation, b *browser, res page, status int, msg, reason string) {
	t.Helper()
	if res.resp.StatusCode != status || !strings.Contains(loginError(res), msg) {
		t.Fatalf("answer %d %q, want %d with %q", res.resp.StatusCode, loginError(res), status, msg)
	}
	fails := f.events(audit.KindSignInFailed)
	if len(fails) == 0 || fails[len(fails)-1].Reason != reason || fails[len(fails)-1].Detail["method"] != "sso" {
		t.Fatalf("failed sign-in events %+v, want reason %s", fails, reason)
	}
	if got := b.get("/test/agent"); got.resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(got.resp.Header.Get("Location"), "/login") {
		t.Fatalf("signed in after a refusal: %d", got.resp.StatusCode)
	}
	if n := len(f.events(audit.KindSignIn)); n != 0 {
		t.Fatalf("%d sign-in events after a refusal", n)
	}
}

func TestSSOStateIsBoundToTheSessionAndUsedOnce(t *testing.T) {
	t.Parallel()
	f, p := ssoFoundation(t, "")
	p.SignInAs(oidctest.User{Subject: "s-3", Email: "agent@example.com", EmailVerified: true, Groups: []string{"oc-agents"}})

	// Another state than the one this session started.
	b := f.browser()
	back := b.ssoStart("/")
	q := back.Query()
	q.Set("state", "0123456789abcdef")
	back.RawQuery = q.Encode()
	refused(t, f, b, b.get(back.RequestURI()), http.StatusBadRequest, "does not belong to a sign-in started in this browser", "sso_state")

	// The provider's answer taken to another browser (a forged link: an
	// attacker's code in a victim's browser) is refused.
	back = b.ssoStart("/")
	other := f.browser()
	other.get("/login")
	refused(t, f, other, other.get(back.RequestURI()), http.StatusBadRequest, "does not belong", "sso_state")

	// A flow serves one answer: the first use (a wrong state) spent it.
	back = b.ssoStart("/")
	good := back.RequestURI()
	q = back.Query()
	q.Set("state", "wrong")
	back.RawQuery = q.Encode()
	b.get(back.RequestURI())
	refused(t, f, b, b.get(good), http.StatusBadRequest, "does not belong", "sso_state")
}

func TestSSONonceOfAnotherSignInIsRefused(t *testing.T) {
	t.Parallel()
	f, p := ssoFoundation(t, "")
	p.SignInAs(oidctest.User{Subject: "s-4", Email: "agent@example.com", EmailVerified: true, Groups: []string{"oc-agents"}})
	p.TamperNext(func(c map[string]any) { c["nonce"] = "replayed-from-another-sign-in" })
	b := f.browser()
	refused(t, f, b, b.sso("/"), http.StatusBadRequest, "issued for another sign-in", "sso_nonce")
}

func TestSSOUnverifiedEmailIsRefused(t *testing.T) {
	t.Parallel()
	f, p := ssoFoundation(t, "")
	p.SignInAs(oidctest.User{Subject: "s-5", Email: "erin@example.com", EmailVerified: false, Groups: []string{"oc-admins"}})
	b := f.browser()
	refused(t, f, b, b.sso("/"), http.StatusForbidden, "has not verified your e-mail address", "sso_email_unverified")
	if _, err := f.h.Staff.GetByEmail(t.Context(), "erin@example.com"); err == nil {
		t.Fatal("a member was made for an unverified address")
	}
}

func TestSSOWithoutAMappedGroupIsRefused(t *testing.T) {
	t.Parallel()
	f, p := ssoFoundation(t, "")
	p.SignInAs(oidctest.User{Subject: "s-6", Email: "finn@example.com", EmailVerified: true, Groups: []string{"marketing"}})
	b := f.browser()
	refused(t, f, b, b.sso("/"), http.StatusForbidden, "none of your groups there gives a role", "sso_no_role")
	if _, err := f.h.Staff.GetByEmail(t.Context(), "finn@example.com"); err == nil {
		t.Fatal("a member was made without a role")
	}
}

func TestSSODisabledMemberStaysOut(t *testing.T) {
	t.Parallel()
	f, p := ssoFoundation(t, "")
	if err := f.h.Staff.Disable(t.Context(), f.ids[staff.RoleSupervisor]); err != nil {
		t.Fatal(err)
	}
	p.SignInAs(oidctest.User{Subject: "s-7", Email: "Supervisor@Example.com", EmailVerified: true, Groups: []string{"oc-admins"}})
	b := f.browser()
	refused(t, f, b, b.sso("/"), http.StatusForbidden, "Your account is disabled in this back office", "sso_disabled")
	if m, _ := f.h.Staff.Get(t.Context(), f.ids[staff.RoleSupervisor]); !m.Disabled || m.Role != staff.RoleSupervisor {
		t.Fatalf("the provider changed a disabled member: %+v", m)
	}
}

func TestSSOLookalikeAddressIsRefused(t *testing.T) {
	t.Parallel()
	f, p := ssoFoundation(t, "")
	// "rn" looks like "m": admin@example.com's skeleton.
	p.SignInAs(oidctest.User{Subject: "s-8", Email: "adrnin@example.com", EmailVerified: true, Groups: []string{"oc-agents"}})
	b := f.browser()
	refused(t, f, b, b.sso("/"), http.StatusForbidden, "looks like another member's", "sso_lookalike")
}

// The provider's multi-factor sign-in counts as the second factor only
// when its amr is configured; otherwise the member's own is asked for.
func TestSSOProviderMFACountsOnlyWhenConfigured(t *testing.T) {
	t.Parallel()
	enrol := func(f *foundation) string {
		t.Helper()
		b := f.browser()
		b.signIn("supervisor@example.com", testPassword, "")
		secret, _ := b.enrolTOTP()
		b.signOut()
		return secret
	}
	user := oidctest.User{Subject: "s-9", Email: "supervisor@example.com", EmailVerified: true, Groups: []string{"oc-supervisors"}, AMR: []string{"pwd", "hwk"}}

	t.Run("configured", func(t *testing.T) {
		f, p := ssoFoundation(t, staff.MFARequiredForMoney, "mfa", "hwk")
		enrol(f)
		p.SignInAs(user)
		b := f.browser()
		if res := b.sso("/test/supervisor"); res.resp.StatusCode != http.StatusSeeOther || res.resp.Header.Get("Location") != "/test/supervisor" {
			t.Fatalf("callback: %d %q", res.resp.StatusCode, res.resp.Header.Get("Location"))
		}
		if got := b.get("/test/supervisor"); got.resp.StatusCode != http.StatusOK {
			t.Fatalf("page after the provider's factor: %d", got.resp.StatusCode)
		}
		signIns := f.events(audit.KindSignIn)
		if last := signIns[len(signIns)-1]; last.Detail["factor"] != staff.FactorProvider || last.Detail["method"] != "sso" {
			t.Fatalf("sign-in event %+v", last)
		}
	})

	t.Run("not configured", func(t *testing.T) {
		f, p := ssoFoundation(t, staff.MFARequiredForMoney)
		secret := enrol(f)
		p.SignInAs(user)
		b := f.browser()
		res := b.sso("/test/supervisor")
		if res.resp.StatusCode != http.StatusSeeOther || res.resp.Header.Get("Location") != "/login/code?next=%2Ftest%2Fsupervisor" {
			t.Fatalf("callback: %d %q", res.resp.StatusCode, res.resp.Header.Get("Location"))
		}
		if got := b.get("/test/supervisor"); got.resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("page before the code: %d", got.resp.StatusCode)
		}
		code := b.post("/login/code", "/login/code", url.Values{"code": {codeAt(t, secret, time.Now().Add(30*time.Second))}, "next": {"/test/supervisor"}})
		if code.resp.StatusCode != http.StatusSeeOther || code.resp.Header.Get("Location") != "/test/supervisor" {
			t.Fatalf("code: %d %q", code.resp.StatusCode, code.resp.Header.Get("Location"))
		}
		signIns := f.events(audit.KindSignIn)
		if last := signIns[len(signIns)-1]; last.Detail["factor"] != "totp" || last.Detail["method"] != "sso" {
			t.Fatalf("sign-in event %+v", last)
		}
	})

	t.Run("no factor of their own", func(t *testing.T) {
		f, p := ssoFoundation(t, staff.MFARequiredForMoney)
		p.SignInAs(oidctest.User{Subject: "s-10", Email: "new.agent@example.com", EmailVerified: true, Groups: []string{"oc-agents"}, AMR: []string{"mfa"}})
		b := f.browser()
		if res := b.sso("/test/agent"); res.resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("callback: %d %s", res.resp.StatusCode, loginError(res))
		}
		if got := b.get("/test/agent"); got.resp.StatusCode != http.StatusSeeOther || got.resp.Header.Get("Location") != "/account" {
			t.Fatalf("before enrolment: %d %q", got.resp.StatusCode, got.resp.Header.Get("Location"))
		}
	})
}

// Without a provider the routes answer 404 and the page has no button.
func TestSSOOffWithoutAProvider(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	b := f.browser()
	if b.get("/login").doc.Find(`[data-testid="sso-button"]`).Length() != 0 {
		t.Fatal("a single sign-on button without a provider")
	}
	for _, path := range []string{"/login/sso", "/login/sso/callback?code=x&state=y"} {
		if got := b.get(path); got.resp.StatusCode != http.StatusNotFound {
			t.Fatalf("%s: %d", path, got.resp.StatusCode)
		}
	}
}

// An unreachable provider is said so on the sign-in page; password
// sign-in still works.
func TestSSOProviderDown(t *testing.T) {
	t.Parallel()
	f, p := ssoFoundation(t, "")
	p.Close()
	b := f.browser()
	got := b.get("/login/sso")
	if got.resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(loginError(got), "Test IdP cannot be reached") {
		t.Fatalf("provider down: %d %q", got.resp.StatusCode, loginError(got))
	}
	if res := b.signIn("agent@example.com", testPassword, ""); res.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("password sign-in with the provider down: %d", res.resp.StatusCode)
	}
}
