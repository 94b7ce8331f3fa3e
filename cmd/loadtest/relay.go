package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"ordercare/internal/app"
)

// The floor of the overhead ratio. `loadtest relay` is a process that
// does nothing but what any back office in a process of its own must:
// take an agent's GET /orders/{id}, read the order from the provider over
// a kept-alive connection and send the body back. No session, no
// database, no page. `overhead -floor` measures it beside the raw GET and
// the order page, in the same rounds: relay/raw is the ratio a back
// office of zero cost would reach on this machine, and page/relay is what
// the back office itself adds.

type relayHello struct {
	URL string `json:"url"`
}

func relayCmd(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("loadtest relay", flag.ContinueOnError)
	provider := fs.String("provider", "", "base URL of the provider")
	user := fs.String("user", "", "API username")
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on; another machine's load program needs a reachable one (e.g. :9100)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pass := os.Getenv(providerPasswordEnv)
	if *provider == "" || *user == "" || pass == "" {
		return fmt.Errorf("loadtest relay: -provider, -user and %s are required (the benchmarks start it; to start it yourself see docs/PERFORMANCE.md, \"On separate machines\")", providerPasswordEnv)
	}
	// The back office's own transport to the provider.
	client := &http.Client{Timeout: 30 * time.Second, Transport: app.ProviderTransport()}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		req, err := http.NewRequestWithContext(r.Context(), http.MethodGet,
			*provider+"/ordermanagement/v1/orders/"+url.PathEscape(r.PathValue("id")), nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req.SetBasicAuth(*user, pass)
		req.Header.Set("Accept", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer func() { _ = resp.Body.Close() }()
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if err := json.NewEncoder(out).Encode(relayHello{URL: "http://" + ln.Addr().String()}); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
	case err := <-served:
		return err
	}
	shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// startRelay starts `loadtest relay` in front of the sandbox.
func startRelay(ctx context.Context, sb *sandbox) (*child, string, error) {
	var hello relayHello
	c, err := startChild(ctx, []string{"relay", "-provider", sb.url, "-user", sb.user},
		[]string{providerPasswordEnv + "=" + sb.pass}, &hello)
	if err == nil && hello.URL == "" {
		c.stop()
		err = errors.New("it reported no address")
	}
	if err != nil {
		return nil, "", fmt.Errorf("relay process: %w", err)
	}
	return c, hello.URL, nil
}
