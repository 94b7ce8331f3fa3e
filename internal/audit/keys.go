package audit

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// SigningKeyName is the key name in checkpoint signatures ("— ordercare-audit …").
const SigningKeyName = "ordercare-audit"

// File names beside admin.db / audit.db.
const (
	KeyFileName         = "audit.key"         // the signing key, 0600
	PubFileName         = "audit.pub"         // the verifier key, for anyone who checks
	CheckpointsFileName = "audit.checkpoints" // the append-only checkpoint file
)

// ErrNoSigningKey: outside sandbox mode the signing key must be configured.
var ErrNoSigningKey = errors.New("audit: no checkpoint signing key: set ORDERCARE_AUDIT_SIGNING_KEY or create " + KeyFileName +
	" beside the database (`admin audit keygen`)")

// SigningKey is a checkpoint signing key: the signer and the verifier key
// text ("ordercare-audit+<hash>+<base64>") that checks its signatures.
type SigningKey struct {
	Signer      note.Signer
	VerifierKey string
}

// ParseSigningKey reads a note signing key ("PRIVATE+KEY+ordercare-audit+…")
// and derives its verifier key.
func ParseSigningKey(skey string) (SigningKey, error) {
	skey = strings.TrimSpace(skey)
	s, err := note.NewSigner(skey)
	if err != nil {
		return SigningKey{}, fmt.Errorf("audit: signing key: %w", err)
	}
	// PRIVATE+KEY+<name>+<hash>+<base64(alg || seed)>; NewSigner has
	// checked the shape, so only the seed is left to read (base64 may hold
	// '+' itself, so cut the four fields off the front).
	rest := skey
	for range 4 {
		_, rest, _ = strings.Cut(rest, "+")
	}
	raw, err := base64.StdEncoding.DecodeString(rest)
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return SigningKey{}, errors.New("audit: signing key: not an ed25519 key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(s.Name(), pub)
	if err != nil {
		return SigningKey{}, fmt.Errorf("audit: verifier key: %w", err)
	}
	return SigningKey{Signer: s, VerifierKey: vkey}, nil
}

// GenerateSigningKey makes a new ed25519 checkpoint key; it returns the
// signing key text (secret) and the verifier key text (public).
func GenerateSigningKey() (skey, vkey string, err error) {
	skey, vkey, err = note.GenerateKey(rand.Reader, SigningKeyName)
	if err != nil {
		return "", "", fmt.Errorf("audit: generate key: %w", err)
	}
	return skey, vkey, nil
}

// LoadSigningKey finds the checkpoint signing key: the configured key text
// when not empty (ORDERCARE_AUDIT_SIGNING_KEY), else the key file in dir.
// When neither exists and create is true (sandbox mode) a key is generated
// and saved to the key file (0600). The verifier key is written to the
// .pub file in dir whenever that file is missing, so that whoever checks
// the checkpoints finds it there.
func LoadSigningKey(configured, dir string, create bool) (SigningKey, error) {
	keyFile, pubFile := filepath.Join(dir, KeyFileName), filepath.Join(dir, PubFileName)
	text := configured
	if strings.TrimSpace(text) == "" {
		b, err := os.ReadFile(keyFile) // #nosec G304 -- a fixed name in the operator's configured data folder
		switch {
		case err == nil:
			text = string(b)
		case errors.Is(err, os.ErrNotExist) && create:
			skey, _, err := GenerateSigningKey()
			if err != nil {
				return SigningKey{}, err
			}
			if err := writeNew(keyFile, skey+"\n", 0o600); err != nil {
				return SigningKey{}, err
			}
			text = skey
		case errors.Is(err, os.ErrNotExist):
			return SigningKey{}, ErrNoSigningKey
		default:
			return SigningKey{}, fmt.Errorf("audit: %w", err)
		}
	}
	k, err := ParseSigningKey(text)
	if err != nil {
		return SigningKey{}, err
	}
	if _, err := os.Stat(pubFile); errors.Is(err, os.ErrNotExist) {
		if err := writeNew(pubFile, k.VerifierKey+"\n", 0o644); err != nil {
			return SigningKey{}, err
		}
	}
	return k, nil
}

// writeNew creates path with data; it never overwrites an existing file.
func writeNew(path, data string, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm) // #nosec G304 -- a fixed name in the operator's configured data folder
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	if _, err := f.WriteString(data); err != nil {
		_ = f.Close() // the write error is the one to report
		return fmt.Errorf("audit: write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close() // the sync error is the one to report
		return fmt.Errorf("audit: sync %s: %w", path, err)
	}
	return f.Close()
}

// ReadVerifierKey reads a verifier key from a .pub file.
func ReadVerifierKey(path string) (note.Verifier, error) {
	b, err := os.ReadFile(path) // #nosec G304 -- the operator names the key file to verify with
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	v, err := note.NewVerifier(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("audit: verifier key %s: %w", path, err)
	}
	return v, nil
}
