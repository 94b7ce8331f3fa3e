package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/shop/elasticpath/epsim"
	"ordercare/internal/shop/ucommerce/ucsim"
)

// shopsim runs a shop platform's sandbox on its own, holding the shop side
// of the payment sandbox's demo orders (the same ids whenever started), to
// point a back office at it with ORDERCARE_SHOP_URL.
func shopsim(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("admin shopsim", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	platform := fs.String("platform", "elasticpath", "shop platform to imitate: elasticpath or ucommerce")
	addr := fs.String("addr", "127.0.0.1:8091", "address to listen on")
	clientID := fs.String("client-id", "", "client id the sandbox accepts (random when empty)")
	secret := fs.String("client-secret", "", "client secret the sandbox accepts (random when empty)")
	demo := fs.Bool("demo", true, "fill the sandbox with the shop side of the demo payment orders")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *platform != "elasticpath" && *platform != "ucommerce" {
		return fmt.Errorf("--platform %q is not elasticpath or ucommerce", *platform)
	}
	printCreds := *clientID == "" || *secret == ""
	for _, p := range []*string{clientID, secret} {
		if *p == "" {
			var b [12]byte
			_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
			*p = hex.EncodeToString(b[:])
		}
	}
	sb, err := newShopSandbox(*platform, *clientID, *secret)
	if err != nil {
		return err
	}
	if *demo {
		orders, err := omsim.DemoOrders(time.Now(), omclient.ProviderKustom)
		if err != nil {
			return err
		}
		if err := sb.Seed(orders); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", *addr, err)
	}
	log := e.logger()
	srv := &http.Server{Handler: sb, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	fmt.Fprintf(e.stdout, "shop sandbox (%s) listening on http://%s\n", *platform, ln.Addr())
	if printCreds {
		fmt.Fprintf(e.stdout, "credentials: ORDERCARE_SHOP_CLIENT_ID=%s ORDERCARE_SHOP_CLIENT_SECRET=%s\n", *clientID, *secret)
	}
	if *platform == "ucommerce" {
		fmt.Fprintf(e.stdout, "connect: ORDERCARE_SHOP=ucommerce ORDERCARE_SHOP_URL=http://%s, then an admin opens /shop/connect (any redirect URL is accepted)\n", ln.Addr())
	}
	for sc, id := range sb.OutOfStep() {
		fmt.Fprintf(e.stdout, "out of step (%s): payment order %s\n", sc, id)
	}
	return serveUntilDone(ctx, srv, ln)
}

// shopSandbox is what shopsim serves of either platform's sandbox.
type shopSandbox interface {
	http.Handler
	Seed([]omclient.Order) error
	OutOfStep() map[epsim.Scenario]string
}

func newShopSandbox(platform, clientID, secret string) (shopSandbox, error) {
	if platform == "ucommerce" {
		return ucsim.New(ucsim.Options{ClientID: clientID, ClientSecret: secret})
	}
	return epsim.New(epsim.Options{ClientID: clientID, ClientSecret: secret})
}
