// Command soakserver is the back office exactly as `admin serve` builds and
// runs it (config.Parse, app.Build, App.Run, built-in sandbox when
// ORDERCARE_OM_URL is empty), plus one loopback-only endpoint for
// scripts/soak.sh: GET http://$SOAK_DEBUG_ADDR/goroutines answers
// runtime.NumGoroutine(). The production binary has no such endpoint; the
// soak needs the goroutine count of a live server without stopping it.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"ordercare/internal/app"
	"ordercare/internal/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "soakserver: "+err.Error())
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := config.Parse("soakserver", os.Args[1:], os.Getenv, os.Stderr)
	if err != nil {
		return err
	}
	debugAddr := os.Getenv("SOAK_DEBUG_ADDR")
	if debugAddr == "" {
		return errors.New("SOAK_DEBUG_ADDR (a loopback host:port) is required")
	}
	host, _, err := net.SplitHostPort(debugAddr)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		return fmt.Errorf("SOAK_DEBUG_ADDR %q must be a loopback address", debugAddr)
	}
	// Warnings only: one access-log line per request would make the soak
	// measure the log file too.
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.Build(ctx, cfg, app.WithLogger(log))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", debugAddr)
	if err != nil {
		_ = a.Close()
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /goroutines", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(strconv.Itoa(runtime.NumGoroutine()) + "\n"))
	})
	debug := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = debug.Serve(ln) }()
	defer debug.Close()
	return a.Run(ctx)
}
