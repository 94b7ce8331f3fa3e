package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// agent is one signed-in member: its own cookie jar (session and CSRF
// cookies) and its own connections, like a browser.
type agent struct {
	base   string
	client *http.Client
}

// newAgent makes a client that keeps its connection alive and does not
// follow redirects (so the sign-in's 303 is seen). Like a browser it asks
// for gzip; Go's transport then decompresses transparently.
func newAgent(base string) *agent {
	jar, _ := cookiejar.New(nil)
	return &agent{base: base, client: &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		Transport:     &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Minute},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// signIn fetches the sign-in form for its CSRF token and posts it.
func (a *agent) signIn(ctx context.Context, email, password string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+"/login", nil)
	if err != nil {
		return err
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return err
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return fmt.Errorf("sign-in form: %w", err)
	}
	tok, ok := doc.Find(`input[name="_csrf"]`).Attr("value")
	if !ok || tok == "" {
		return fmt.Errorf("sign-in form without CSRF field (status %d)", resp.StatusCode)
	}
	form := url.Values{"email": {email}, "password": {password}, "_csrf": {tok}}
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = a.client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("sign-in of %s: status %d, want 303", email, resp.StatusCode)
	}
	return nil
}

// get fetches path and reads the whole body; any status but 200 is an error.
func (a *agent) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+path, nil)
	if err != nil {
		return nil, err
	}
	return do(a.client, req)
}

func do(c *http.Client, req *http.Request) ([]byte, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return body, fmt.Errorf("%s %s: status %d", req.Method, req.URL.Path, resp.StatusCode)
	}
	return body, nil
}

// signInAgents signs in n agents one after the other (sign-in hashing is
// deliberately expensive; doing it in parallel would only measure argon2).
func signInAgents(ctx context.Context, base string, n int) ([]*agent, error) {
	out := make([]*agent, n)
	for i := range n {
		a := newAgent(base)
		if err := a.signIn(ctx, agentEmail(i), agentPassword); err != nil {
			return nil, err
		}
		out[i] = a
	}
	return out, nil
}

// rawClient reads orders straight from the sandbox with Basic auth: the
// provider's own latency, the baseline of the overhead ratio. Each worker
// has its own, so each keeps one connection like an agent's browser.
// A rawClient of the relay (relay.go) reads the same orders through it.
type rawClient struct {
	base, path, user, pass string
	client                 *http.Client
}

func newRawClient(sb *sandbox) *rawClient {
	return &rawClient{base: sb.url, path: "/ordermanagement/v1/orders/", user: sb.user, pass: sb.pass, client: newWorkerClient()}
}

func newRelayClient(relayURL string) *rawClient {
	return &rawClient{base: relayURL, path: "/orders/", client: newWorkerClient()}
}

func newWorkerClient() *http.Client {
	return &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Minute},
	}
}

func (r *rawClient) getOrder(ctx context.Context, id string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.base+r.path+id, nil)
	if err != nil {
		return nil, err
	}
	if r.user != "" {
		req.SetBasicAuth(r.user, r.pass)
	}
	req.Header.Set("Accept", "application/json")
	return do(r.client, req)
}
