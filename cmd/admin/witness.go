package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"ordercare/internal/witness"
)

// witnessKeyFile is the witness's own signing key in its folder.
const witnessKeyFile = "witness.key"

// witnessCmd: `admin witness` serves a checkpoint witness for one back
// office's audit log (internal/witness), with its own key and state in
// -dir; run it on another machine and point the back office at it with
// ORDERCARE_AUDIT_WITNESS_URL.
func witnessCmd(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("admin witness", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "address to listen on (host:port)")
	dir := fs.String("dir", "./witness", "folder of the witness's key ("+witnessKeyFile+") and state ("+witness.StateFileName+")")
	logKey := fs.String("log-key", "", "the back office's verifier key (audit.pub's text, or the file); required")
	if err := fs.Parse(args); err != nil {
		return err
	}
	text := strings.TrimSpace(*logKey)
	if b, err := os.ReadFile(text); err == nil { // #nosec G304 -- the operator names the key file
		text = strings.TrimSpace(string(b))
	}
	lv, err := note.NewVerifier(text)
	if err != nil {
		return fmt.Errorf("admin witness: -log-key: not a verifier key (audit.pub's text, or its file): %w", err)
	}
	signer, vkey, err := witnessKey(*dir)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", *addr, err)
	}
	srv := &http.Server{Handler: witness.New(*dir, lv, signer), ReadHeaderTimeout: 10 * time.Second}
	log := e.logger()
	log.Info("audit witness listening", slog.String("addr", ln.Addr().String()), slog.String("witness_key_id", vkey))
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// witnessKey loads the witness's key from dir, making it for a witness
// that holds nothing yet; a witness with state and no key refuses (a new
// key would vouch for what it never saw).
func witnessKey(dir string) (note.Signer, string, error) {
	path := filepath.Join(dir, witnessKeyFile)
	b, err := os.ReadFile(path) // #nosec G304 -- a fixed name in the operator's witness folder
	if errors.Is(err, os.ErrNotExist) {
		if _, serr := os.Stat(filepath.Join(dir, witness.StateFileName)); serr == nil {
			return nil, "", fmt.Errorf("admin witness: %s holds a checkpoint but %s is missing: restore the key", dir, witnessKeyFile)
		}
		skey, _, gerr := note.GenerateKey(rand.Reader, "ordercare-witness")
		if gerr != nil {
			return nil, "", gerr
		}
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, "", err
		}
		if err := os.WriteFile(path, []byte(skey+"\n"), 0o600); err != nil {
			return nil, "", err
		}
		b = []byte(skey)
	} else if err != nil {
		return nil, "", err
	}
	s, err := note.NewSigner(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, "", fmt.Errorf("admin witness: %s: %w", path, err)
	}
	return s, fmt.Sprintf("%s+%08x", s.Name(), s.KeyHash()), nil
}
