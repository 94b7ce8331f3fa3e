package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"ordercare/internal/audit"
	"ordercare/internal/staff"
)

// options posts a passkey form's fields to a passkey options route (as
// passkey.js does) and decodes the JSON answer into v.
func (b *browser) options(from, path string, form url.Values, v any) page {
	b.f.t.Helper()
	p := b.post(from, path, form)
	if p.resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal([]byte(p.body), v); err != nil {
			b.f.t.Fatalf("%s: %v in %q", path, err, p.body)
		}
	}
	return p
}

// addPasskey registers k under name through the account page.
func (b *browser) addPasskey(k *softKey, name string) page {
	t := b.f.t
	t.Helper()
	var o creationOptions
	if p := b.options("/account", "/account/passkeys/options", url.Values{"name": {name}}, &o); p.resp.StatusCode != http.StatusOK {
		t.Fatalf("registration options: %d %s", p.resp.StatusCode, p.body)
	}
	return b.post("/account", "/account/passkeys", url.Values{"name": {name}, "credential": {k.create(o)}})
}

// passkeySignIn asks for a challenge from page from (the sign-in page or
// the code form) and answers it with k.
func (b *browser) passkeySignIn(k *softKey, from string) page {
	t := b.f.t
	t.Helper()
	var o requestOptions
	if p := b.options(from, "/login/passkey/options", nil, &o); p.resp.StatusCode != http.StatusOK {
		t.Fatalf("sign-in options: %d %s", p.resp.StatusCode, p.body)
	}
	return b.post(from, "/login/passkey", url.Values{"credential": {k.get(o)}})
}

// events lists the audit events of a kind, oldest first.
func (f *foundation) events(kind audit.Kind) []audit.Event {
	f.t.Helper()
	ctx := f.t.Context()
	n, _, err := f.audit.Head(ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []audit.Event
	for seq := int64(1); seq <= n; seq++ {
		e, err := f.audit.Event(ctx, seq)
		if err != nil {
			f.t.Fatal(err)
		}
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// A supervisor whose role needs a second factor adds a passkey on their
// account page (that counts as the factor: the pages open), signs out, and
// signs in with the passkey alone: no e-mail, no password, no code.
func TestPasskeyRegisteredOnAccountSignsInWithoutPassword(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{mfa: staff.MFARequiredForMoney, passkeys: true})
	b := f.browser()
	b.signIn("supervisor@example.com", testPassword, "")
	if p := b.get("/test/supervisor"); p.resp.StatusCode != http.StatusSeeOther || p.resp.Header.Get("Location") != "/account" {
		t.Fatalf("before a second factor: %d %q", p.resp.StatusCode, p.resp.Header.Get("Location"))
	}
	if n := b.get("/account").doc.Find(`[data-testid="passkey-add"]`).Length(); n != 1 {
		t.Fatalf("account page offers %d passkey forms", n)
	}
	k := newSoftKey(t)
	if p := b.addPasskey(k, "  work laptop "); p.resp.StatusCode != http.StatusSeeOther || p.resp.Header.Get("Location") != "/account" {
		t.Fatalf("register: %d %s", p.resp.StatusCode, p.body)
	}
	acct := b.get("/account")
	if got := strings.TrimSpace(acct.doc.Find(`[data-testid="passkey-name"]`).Text()); got != "work laptop" {
		t.Fatalf("listed passkey %q", got)
	}
	if got := acct.doc.Find(`[data-testid="flash"]`).Text(); !strings.Contains(got, "work laptop") {
		t.Fatalf("flash %q", got)
	}
	if p := b.get("/test/supervisor"); p.resp.StatusCode != http.StatusOK {
		t.Fatalf("after adding a passkey the page answers %d", p.resp.StatusCode)
	}
	b.signOut()

	login := b.get("/login")
	if login.doc.Find(`form[action="/login/passkey"] button`).Length() != 1 {
		t.Fatal("the sign-in page has no passkey button")
	}
	p := b.passkeySignIn(k, "/login")
	if p.resp.StatusCode != http.StatusSeeOther || p.resp.Header.Get("Location") != "/" {
		t.Fatalf("passkey sign-in: %d %q %s", p.resp.StatusCode, p.resp.Header.Get("Location"), p.body)
	}
	if p := b.get("/test/supervisor"); p.resp.StatusCode != http.StatusOK {
		t.Fatalf("signed in with a passkey, the page answers %d", p.resp.StatusCode)
	}
	if acct := b.get("/account"); strings.Contains(acct.doc.Find(`[data-testid="passkey"]`).Text(), "last used never") {
		t.Fatal("the passkey's last use is not shown")
	}

	ins := f.events(audit.KindSignIn)
	last := ins[len(ins)-1]
	if last.Detail["factor"] != staff.FactorPasskey || last.Detail["passkey_name"] != "work laptop" || last.Actor.Email != "supervisor@example.com" {
		t.Fatalf("sign-in event %+v", last)
	}
	if got := strings.Join(f.factorSteps(), ","); got != audit.FactorEnrolled {
		t.Fatalf("second-factor events %q", got)
	}
}

// The same signed answer twice, a second challenge answered with a
// counter that did not move, an answer for another origin, and an answer
// without a challenge in the session are all refused, and audited.
func TestPasskeySignInRefusesReplayCounterAndOrigin(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{mfa: staff.MFAOptional, passkeys: true})
	b := f.browser()
	b.signIn("agent@example.com", testPassword, "")
	k := newSoftKey(t)
	if p := b.addPasskey(k, "phone"); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("register: %d", p.resp.StatusCode)
	}
	b.signOut()

	// One answer, posted twice: the challenge is spent by the first.
	var o requestOptions
	b.options("/login", "/login/passkey/options", nil, &o)
	if o.PublicKey.UserVerification != "required" {
		t.Fatalf("passwordless sign-in asks user verification %q", o.PublicKey.UserVerification)
	}
	answer := k.get(o)
	if p := b.post("/login", "/login/passkey", url.Values{"credential": {answer}}); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first answer: %d %s", p.resp.StatusCode, p.body)
	}
	b.signOut()
	p := b.post("/login", "/login/passkey", url.Values{"credential": {answer}})
	if p.resp.StatusCode != http.StatusUnauthorized || !strings.Contains(p.doc.Find(`[data-testid="login-error"]`).Text(), "passkey was not accepted") {
		t.Fatalf("replayed answer: %d %q", p.resp.StatusCode, p.doc.Find(`[data-testid="login-error"]`).Text())
	}

	// A fresh challenge signed with the counter already used (a cloned key).
	b.options("/login", "/login/passkey/options", nil, &o)
	cloned := k.sign(o.PublicKey.Challenge, flagUP|flagUV)
	if p := b.post("/login", "/login/passkey", url.Values{"credential": {cloned}}); p.resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("counter not moved: %d", p.resp.StatusCode)
	}
	// Another site's origin.
	b.options("/login", "/login/passkey/options", nil, &o)
	k.origin = "https://ordercare.test.evil.example"
	if p := b.post("/login", "/login/passkey", url.Values{"credential": {k.get(o)}}); p.resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("other origin: %d", p.resp.StatusCode)
	}
	k.origin = testOrigin
	// No user verification on a passwordless sign-in.
	b.options("/login", "/login/passkey/options", nil, &o)
	k.counter++
	if p := b.post("/login", "/login/passkey", url.Values{"credential": {k.sign(o.PublicKey.Challenge, flagUP)}}); p.resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no user verification: %d", p.resp.StatusCode)
	}
	if p := b.get("/test/agent"); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("refused answers signed someone in: %d", p.resp.StatusCode)
	}
	// The key still works with a fresh challenge and a higher counter.
	if p := b.passkeySignIn(k, "/login"); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("good answer after refusals: %d", p.resp.StatusCode)
	}

	var reasons []string
	for _, e := range f.events(audit.KindSignInFailed) {
		reasons = append(reasons, e.Reason)
	}
	if len(reasons) != 4 || reasons[0] != "passkey_no_challenge" {
		t.Fatalf("refusals audited as %q", reasons)
	}
	for _, r := range reasons[1:] {
		if !strings.HasPrefix(r, "passkey_") {
			t.Fatalf("refusals audited as %q", reasons)
		}
	}
	if !strings.Contains(reasons[1], "sign_counter") {
		t.Fatalf("the cloned key's refusal is audited as %q", reasons[1])
	}
}

// A member whose password is right and who has only a passkey is asked
// for the passkey on the code form: the options name only their passkeys.
func TestPasskeyIsTheSecondFactorAfterThePassword(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{mfa: staff.MFARequired, passkeys: true})
	b := f.browser()
	b.signIn("admin@example.com", testPassword, "")
	k := newSoftKey(t)
	if p := b.addPasskey(k, "security key"); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("register: %d", p.resp.StatusCode)
	}
	b.signOut()

	if p := b.signIn("admin@example.com", testPassword, "/test/admin"); p.resp.Header.Get("Location") != "/login/code?next=%2Ftest%2Fadmin" {
		t.Fatalf("password of a member with a passkey: %d %q", p.resp.StatusCode, p.resp.Header.Get("Location"))
	}
	code := b.get("/login/code?next=%2Ftest%2Fadmin")
	if code.doc.Find(`form[action="/login/passkey"]`).Length() != 1 {
		t.Fatal("the code form offers no passkey")
	}
	var o requestOptions
	b.options("/login/code", "/login/passkey/options", nil, &o)
	if len(o.PublicKey.AllowCredentials) != 1 || o.PublicKey.AllowCredentials[0].ID != b64.EncodeToString(k.id) {
		t.Fatalf("options after the password allow %+v", o.PublicKey.AllowCredentials)
	}
	p := b.post("/login/code", "/login/passkey", url.Values{"credential": {k.get(o)}, "next": {"/test/admin"}})
	if p.resp.StatusCode != http.StatusSeeOther || p.resp.Header.Get("Location") != "/test/admin" {
		t.Fatalf("passkey after the password: %d %q", p.resp.StatusCode, p.resp.Header.Get("Location"))
	}
	if p := b.get("/test/admin"); p.resp.StatusCode != http.StatusOK {
		t.Fatalf("signed in with password and passkey, the page answers %d", p.resp.StatusCode)
	}
}

// Names are checked next to the field and kept; a member renames and
// removes only their own passkeys; a removed passkey no longer signs in.
func TestPasskeyNameRenameAndRemove(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{mfa: staff.MFAOptional, passkeys: true})
	b := f.browser()
	b.signIn("agent@example.com", testPassword, "")

	var o creationOptions
	if p := b.options("/account", "/account/passkeys/options", url.Values{"name": {"  "}}, &o); p.resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(p.body, "name") {
		t.Fatalf("options for an empty name: %d %s", p.resp.StatusCode, p.body)
	}
	k := newSoftKey(t)
	long := strings.Repeat("x", staff.MaxPasskeyNameLen+1)
	b.options("/account", "/account/passkeys/options", url.Values{"name": {"ok"}}, &o)
	p := b.post("/account", "/account/passkeys", url.Values{"name": {long}, "credential": {k.create(o)}})
	if p.resp.StatusCode != http.StatusUnprocessableEntity || p.doc.Find(`[data-testid="passkey-name-error"]`).Text() == "" {
		t.Fatalf("too long a name: %d", p.resp.StatusCode)
	}
	if v, _ := p.doc.Find(`#passkey-name`).Attr("value"); v != long {
		t.Fatalf("the typed name was not kept: %q", v)
	}
	if p := b.addPasskey(k, "laptop"); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("register: %d %s", p.resp.StatusCode, p.body)
	}
	// The same authenticator again: the options exclude it.
	b.options("/account", "/account/passkeys/options", url.Values{"name": {"again"}}, &o)
	if len(o.PublicKey.ExcludeCredentials) != 1 {
		t.Fatalf("options exclude %d credentials", len(o.PublicKey.ExcludeCredentials))
	}
	id, _ := b.get("/account").doc.Find(`[data-testid="passkey"]`).Attr("data-passkey-id")

	other := f.browser()
	other.signIn("supervisor@example.com", testPassword, "")
	if p := other.post("/account", "/account/passkeys/"+id+"/remove", url.Values{"password": {testPassword}}); p.resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another member removing my passkey: %d", p.resp.StatusCode)
	}
	if p := other.post("/account", "/account/passkeys/"+id+"/rename", url.Values{"name": {"theirs"}}); p.resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another member renaming my passkey: %d", p.resp.StatusCode)
	}

	if p := b.post("/account", "/account/passkeys/"+id+"/rename", url.Values{"name": {""}}); p.resp.StatusCode != http.StatusUnprocessableEntity ||
		p.doc.Find(`[data-testid="passkey-name-error"]`).Length() != 1 {
		t.Fatalf("rename to nothing: %d", p.resp.StatusCode)
	}
	if p := b.post("/account", "/account/passkeys/"+id+"/rename", url.Values{"name": {"old laptop"}}); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("rename: %d", p.resp.StatusCode)
	}
	if got := b.get("/account").doc.Find(`[data-testid="passkey-name"]`).Text(); got != "old laptop" {
		t.Fatalf("renamed passkey listed as %q", got)
	}
	if p := b.post("/account", "/account/passkeys/"+id+"/remove", url.Values{"password": {testPassword}}); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %d", p.resp.StatusCode)
	}
	if n := b.get("/account").doc.Find(`[data-testid="passkey"]`).Length(); n != 0 {
		t.Fatalf("%d passkeys listed after removing the only one", n)
	}
	b.signOut()
	if p := b.passkeySignIn(k, "/login"); p.resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a removed passkey signs in: %d", p.resp.StatusCode)
	}
	steps := f.factorSteps()
	if strings.Join(steps, ",") != audit.FactorEnrolled+","+audit.FactorRemoved {
		t.Fatalf("second-factor events %q", steps)
	}
	removed := f.events(audit.KindSecondFactor)[1]
	if removed.Detail["factor"] != staff.FactorPasskey || removed.Detail["passkey_name"] != "old laptop" {
		t.Fatalf("removal event %+v", removed.Detail)
	}
}

// A disabled member's passkey signs nobody in.
func TestPasskeyOfDisabledMemberRefused(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{mfa: staff.MFAOptional, passkeys: true})
	b := f.browser()
	b.signIn("agent@example.com", testPassword, "")
	k := newSoftKey(t)
	b.addPasskey(k, "phone")
	b.signOut()
	if err := f.h.Staff.Disable(t.Context(), f.ids[staff.RoleAgent]); err != nil {
		t.Fatal(err)
	}
	if p := b.passkeySignIn(k, "/login"); p.resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("disabled member's passkey: %d", p.resp.StatusCode)
	}
}

// Without a relying party, or with second factors off, no passkey is
// offered and the routes answer 404.
func TestPasskeysOffWithoutRelyingPartyOrMFA(t *testing.T) {
	t.Parallel()
	for name, o := range map[string]foundationOpts{
		"no relying party": {mfa: staff.MFAOptional},
		"mfa off":          {passkeys: true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFoundation(t, o)
			b := f.browser()
			if n := b.get("/login").doc.Find(`form[action="/login/passkey"]`).Length(); n != 0 {
				t.Fatal("the sign-in page offers a passkey")
			}
			if p := b.post("/login", "/login/passkey/options", nil); p.resp.StatusCode != http.StatusNotFound {
				t.Fatalf("options: %d", p.resp.StatusCode)
			}
			b.signIn("agent@example.com", testPassword, "")
			if n := b.get("/account").doc.Find(`[data-testid="passkeys"]`).Length(); n != 0 {
				t.Fatal("the account page offers passkeys")
			}
		})
	}
}

// Removing a passkey takes proof that the member is at the keyboard (their
// current password, or a code: from the app or an unused recovery code),
// as removing the authenticator app does: a session left open elsewhere
// does not strip a member of their second factor. A wrong proof counts
// against the sign-in lock-out; a recovery code spent on it is audited.
func TestPasskeyRemovalNeedsThePasswordOrACode(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{mfa: staff.MFAOptional, passkeys: true})
	b := f.browser()
	b.signIn("agent@example.com", testPassword, "")
	if p := b.addPasskey(newSoftKey(t), "laptop"); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("register: %d %s", p.resp.StatusCode, p.body)
	}
	if p := b.addPasskey(newSoftKey(t), "phone"); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("register: %d %s", p.resp.StatusCode, p.body)
	}
	ids := b.get("/account").doc.Find(`[data-testid="passkey"]`).Map(func(_ int, s *goquery.Selection) string {
		id, _ := s.Attr("data-passkey-id")
		return id
	})
	if len(ids) != 2 {
		t.Fatalf("%d passkeys listed", len(ids))
	}
	listed := func() int { return b.get("/account").doc.Find(`[data-testid="passkey"]`).Length() }

	for _, proof := range []url.Values{nil, {"password": {"not my password"}}, {"code": {"123456"}}} {
		p := b.post("/account", "/account/passkeys/"+ids[0]+"/remove", proof)
		if p.resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("remove with %v: %d", proof, p.resp.StatusCode)
		}
		if p.doc.Find(`[data-testid="passkey-remove-error"]`).Text() == "" {
			t.Fatalf("remove with %v: no error next to the proof", proof)
		}
		if n := listed(); n != 2 {
			t.Fatalf("remove with %v: %d passkeys left", proof, n)
		}
	}
	if got := f.factorSteps(); strings.Join(got, ",") != strings.Join([]string{audit.FactorEnrolled, audit.FactorEnrolled, audit.FactorFailed}, ",") {
		t.Fatalf("second-factor events after refused removals %q", got)
	}

	if p := b.post("/account", "/account/passkeys/"+ids[0]+"/remove", url.Values{"password": {testPassword}}); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove with the password: %d", p.resp.StatusCode)
	}
	if n := listed(); n != 1 {
		t.Fatalf("%d passkeys left after removing one", n)
	}
	_, codes := b.renewCodes(url.Values{"password": {testPassword}})
	if p := b.post("/account", "/account/passkeys/"+ids[1]+"/remove", url.Values{"code": {codes[0]}}); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove with a recovery code: %d", p.resp.StatusCode)
	}
	if n := listed(); n != 0 {
		t.Fatalf("%d passkeys left after removing both", n)
	}
	steps := f.factorSteps()
	want := []string{audit.FactorEnrolled, audit.FactorEnrolled, audit.FactorFailed, audit.FactorRemoved,
		audit.FactorRecoveryCodesRenewed, audit.FactorRecoveryCodeUsed, audit.FactorRemoved}
	if strings.Join(steps, ",") != strings.Join(want, ",") {
		t.Fatalf("second-factor events %q, want %q", steps, want)
	}
}

// A passkey signs in on its own, so adding one to a session signed in a
// while ago (a desk left unlocked) takes the password or a code first;
// right after signing in (the policy's set-up included) it does not.
func TestAddingAPasskeyLongAfterSignInNeedsThePassword(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{mfa: staff.MFAOptional, passkeys: true})
	var later atomic.Int64
	f.h.Now = func() time.Time { return time.Now().Add(time.Duration(later.Load())) }
	b := f.browser()
	b.signIn("agent@example.com", testPassword, "")
	if p := b.addPasskey(newSoftKey(t), "laptop"); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("register right after signing in: %d %s", p.resp.StatusCode, p.body)
	}
	if n := b.get("/account").doc.Find(`[data-testid="passkey-add"] input[name="password"]`).Length(); n != 0 {
		t.Fatal("the add form asks for the password right after signing in")
	}

	later.Store(int64(time.Hour))
	if n := b.get("/account").doc.Find(`[data-testid="passkey-add"] input[name="password"]`).Length(); n != 1 {
		t.Fatal("the add form does not ask for the password an hour after signing in")
	}
	var o creationOptions
	for _, proof := range []url.Values{{}, {"password": {"not my password"}}} {
		proof.Set("name", "theirs")
		if p := b.options("/account", "/account/passkeys/options", proof, &o); p.resp.StatusCode != http.StatusUnauthorized ||
			!strings.Contains(p.body, "error") {
			t.Fatalf("options an hour after signing in with %v: %d %s", proof, p.resp.StatusCode, p.body)
		}
	}
	// Without options, no ceremony: the registration itself is refused.
	k := newSoftKey(t)
	if p := b.post("/account", "/account/passkeys", url.Values{"name": {"theirs"}, "credential": {"{}"}}); p.resp.StatusCode == http.StatusSeeOther {
		t.Fatalf("registration without options: %d", p.resp.StatusCode)
	}
	if p := b.options("/account", "/account/passkeys/options", url.Values{"name": {"phone"}, "password": {testPassword}}, &o); p.resp.StatusCode != http.StatusOK {
		t.Fatalf("options with the password: %d %s", p.resp.StatusCode, p.body)
	}
	if p := b.post("/account", "/account/passkeys", url.Values{"name": {"phone"}, "credential": {k.create(o)}}); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("register after the password: %d %s", p.resp.StatusCode, p.body)
	}
	if n := b.get("/account").doc.Find(`[data-testid="passkey"]`).Length(); n != 2 {
		t.Fatalf("%d passkeys listed", n)
	}
}
