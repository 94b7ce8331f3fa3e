package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
)

// sandbox runs omsim on its own, with demo data, e.g. to point a back
// office at it with ORDERCARE_OM_URL=http://127.0.0.1:8089.
func sandbox(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("admin sandbox", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	addr := fs.String("addr", "127.0.0.1:8089", "address to listen on")
	userName := fs.String("user", "", "Basic auth username (random when empty)")
	password := fs.String("password", "", "Basic auth password (random when empty)")
	defProvider := e.getenv("ORDERCARE_OM_PROVIDER")
	if defProvider == "" {
		defProvider = string(omclient.ProviderKustom)
	}
	provider := fs.String("provider", defProvider, "provider to imitate: kustom or klarna (default from ORDERCARE_OM_PROVIDER, as the built-in sandbox)")
	dbPath := fs.String("db", "", "SQLite file for the sandbox's state (empty: in memory)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	*provider = strings.ToLower(strings.TrimSpace(*provider))
	if p := omclient.Provider(*provider); p != omclient.ProviderKustom && p != omclient.ProviderKlarna {
		return fmt.Errorf("sandbox: provider %q (-provider or ORDERCARE_OM_PROVIDER) is not kustom or klarna", *provider)
	}
	printCreds := *userName == "" || *password == ""
	if *userName == "" {
		*userName = "sandbox"
	}
	if *password == "" {
		var b [12]byte
		if _, err := rand.Read(b[:]); err != nil {
			return err
		}
		*password = hex.EncodeToString(b[:])
	}
	log := e.logger()
	sb, err := omsim.New(ctx, omsim.Options{Provider: omclient.Provider(*provider), Username: *userName, Password: *password,
		DBPath: *dbPath, Demo: true, Logger: log})
	if err != nil {
		return err
	}
	defer sb.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", *addr, err)
	}
	srv := &http.Server{Handler: sb, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	fmt.Fprintf(e.stdout, "sandbox (%s) listening on http://%s\n", *provider, ln.Addr())
	if printCreds {
		fmt.Fprintf(e.stdout, "credentials: ORDERCARE_OM_USER=%s ORDERCARE_OM_PASSWORD=%s\n", *userName, *password)
	}
	return serveUntilDone(ctx, srv, ln)
}

// serveUntilDone serves until ctx ends (a signal), then shuts down.
func serveUntilDone(ctx context.Context, srv *http.Server, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
