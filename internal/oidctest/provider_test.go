package oidctest

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The provider refuses what a real one refuses, so that a client test
// passing against it means the client did not cut the corner.
func TestProviderChecksTheClient(t *testing.T) {
	t.Parallel()
	p := Start("app", "app-secret")
	defer p.Close()
	p.SignInAs(User{Subject: "u", Email: "u@example.com", EmailVerified: true})
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	const cb = "https://app.example/cb"
	authorize := func(q url.Values) url.Values {
		t.Helper()
		resp, err := noRedirect.Get(p.Issuer + "/authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		u, err := url.Parse(resp.Header.Get("Location"))
		if err != nil || resp.StatusCode != http.StatusFound {
			t.Fatalf("authorize: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		return u.Query()
	}
	verifier := "a-verifier-long-enough-to-be-one-of-rfc-7636-s-43-chars"
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{"client_id": {"app"}, "redirect_uri": {cb}, "response_type": {"code"}, "scope": {"openid email"},
		"state": {"st"}, "nonce": {"n"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}

	// Without PKCE (or with the plain method) there is no code.
	for _, method := range []string{"", "plain"} {
		bad := url.Values{}
		for k, v := range q {
			bad[k] = v
		}
		bad.Set("code_challenge_method", method)
		if back := authorize(bad); back.Get("error") != "invalid_request" || back.Get("code") != "" || back.Get("state") != "st" {
			t.Fatalf("challenge method %q: %v", method, back)
		}
	}
	token := func(form url.Values, secret string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, p.Issuer+"/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("app", secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	exchange := func(code, v string) url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {cb}, "code_verifier": {v}}
	}
	if got := token(exchange(authorize(q).Get("code"), verifier), "wrong"); got != http.StatusUnauthorized {
		t.Fatalf("wrong client secret: %d", got)
	}
	if got := token(exchange(authorize(q).Get("code"), "another-verifier"), "app-secret"); got != http.StatusBadRequest {
		t.Fatalf("wrong verifier: %d", got)
	}
	code := authorize(q).Get("code")
	if got := token(exchange(code, verifier), "app-secret"); got != http.StatusOK {
		t.Fatalf("right exchange: %d", got)
	}
	if got := token(exchange(code, verifier), "app-secret"); got != http.StatusBadRequest {
		t.Fatalf("second use of a code: %d", got)
	}
	if p.Tokens() != 1 {
		t.Fatalf("%d tokens issued", p.Tokens())
	}
}
