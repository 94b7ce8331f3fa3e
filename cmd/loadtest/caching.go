package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/uuid"

	"ordercare/internal/omclient"
)

func cachingCmd(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("loadtest caching", flag.ContinueOnError)
	var f stackFlags
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	return runCaching(ctx, f, out)
}

// hashedName matches the content hash static.Path puts in asset names.
var hashedName = regexp.MustCompile(`\.[0-9a-f]{12}\.(css|js)$`)

// runCaching checks what may be cached is, and what may not is not: the
// order page is compressed and no-store; assets have hashed names and a
// year's max-age; and a change at the provider shows on the next page view
// of every agent, including one who saw the order before.
func runCaching(ctx context.Context, f stackFlags, out io.Writer) (err error) {
	dir, cleanup, err := f.workDir()
	if err != nil {
		return err
	}
	defer cleanup()
	sb, err := f.startSandbox(ctx, dir)
	if err != nil {
		return err
	}
	defer sb.close()
	bo, err := startBackOffice(ctx, &f, dir, sb, 2)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, bo.stop()) }()
	agents, err := signInAgents(ctx, bo.url, 2)
	if err != nil {
		return err
	}
	a, b := agents[0], agents[1]
	fmt.Fprintln(out, "caching:")

	// The order page as a browser asks for it.
	id := sb.orderIDs[0]
	resp, raw, err := a.fetch(ctx, "/orders/"+id, "gzip, deflate, br")
	if err != nil {
		return err
	}
	plain, err := a.get(ctx, "/orders/"+id)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "  order page: Cache-Control %q, Content-Encoding %q, %d bytes on the wire for %d bytes of HTML\n",
		resp.Header.Get("Cache-Control"), resp.Header.Get("Content-Encoding"), len(raw), len(plain))
	var problems []string
	if resp.Header.Get("Cache-Control") != "no-store" {
		problems = append(problems, "order page is not Cache-Control: no-store")
	}
	if resp.Header.Get("Content-Encoding") == "" {
		problems = append(problems, "order page is not compressed")
	}

	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(plain))
	if err != nil {
		return err
	}
	var assets []string
	doc.Find(`link[rel="stylesheet"][href], script[src]`).Each(func(_ int, s *goquery.Selection) {
		if v, ok := s.Attr("href"); ok {
			assets = append(assets, v)
		}
		if v, ok := s.Attr("src"); ok {
			assets = append(assets, v)
		}
	})
	if len(assets) == 0 {
		problems = append(problems, "order page links no stylesheet or script")
	}
	for _, p := range assets {
		resp, raw, err := a.fetch(ctx, p, "gzip, deflate, br")
		if err != nil {
			return err
		}
		cc := resp.Header.Get("Cache-Control")
		fmt.Fprintf(out, "  %s: Cache-Control %q, Content-Encoding %q, %d bytes on the wire\n", p, cc, resp.Header.Get("Content-Encoding"), len(raw))
		if !hashedName.MatchString(p) {
			problems = append(problems, p+" has no content hash in its name")
		}
		if !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
			problems = append(problems, p+" is not cached for a year as immutable")
		}
	}

	// Fresh provider state: both agents have seen the order; the provider
	// changes it; both must see the change on their next view.
	changed, ref, err := changeSomeOrder(ctx, sb)
	if err != nil {
		return err
	}
	for _, ag := range []*agent{a, b} {
		if _, err := ag.get(ctx, "/orders/"+changed); err != nil {
			return err
		}
	}
	if err := setReference(ctx, sb, changed, ref+"-2"); err != nil {
		return err
	}
	for i, ag := range []*agent{a, b} {
		body, err := ag.get(ctx, "/orders/"+changed)
		if err != nil {
			return err
		}
		ok := bytes.Contains(body, []byte(ref+"-2"))
		fmt.Fprintf(out, "  agent %d sees the provider's change on the next view: %t\n", i+1, ok)
		if !ok {
			problems = append(problems, fmt.Sprintf("agent %d was shown a stale order", i+1))
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	fmt.Fprintln(out, "  all checks passed")
	return nil
}

// fetch GETs path with the given Accept-Encoding and returns the response
// and its body as sent (not decompressed).
func (a *agent) fetch(ctx context.Context, path, acceptEncoding string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+path, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Accept-Encoding", acceptEncoding)
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: status %d", path, resp.StatusCode)
	}
	return resp, body, err
}

// changeSomeOrder sets merchant_reference1 on the first demo order whose
// state allows it, through the provider API.
func changeSomeOrder(ctx context.Context, sb *sandbox) (id, ref string, err error) {
	ref = "LOAD-" + randomHex(4)
	var errs []error
	for _, id := range sb.orderIDs {
		err := setReference(ctx, sb, id, ref)
		if err == nil {
			return id, ref, nil
		}
		errs = append(errs, err)
	}
	return "", "", fmt.Errorf("no demo order took a merchant reference: %w", errors.Join(errs...))
}

func setReference(ctx context.Context, sb *sandbox, id, ref string) error {
	c, err := omclient.New(omclient.Config{BaseURL: sb.url, Provider: omclient.ProviderKustom, Username: sb.user, Password: sb.pass})
	if err != nil {
		return err
	}
	call, err := c.Prepare(id, "", uuid.NewString(), &omclient.UpdateMerchantReferencesRequest{MerchantReference1: &ref})
	if err != nil {
		return err
	}
	_, err = c.Send(ctx, call)
	return err
}
