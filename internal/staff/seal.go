package staff

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
)

// SealKeySize is the length of the key that seals second-factor secrets.
const SealKeySize = 32

// sealer protects second-factor material at rest in admin.db: TOTP secrets
// are encrypted with AES-256-GCM (the member id is the additional data, so
// a sealed secret copied to another member's row does not open), and
// recovery codes are stored as HMAC-SHA256 under a key derived from the
// same key. A copy of admin.db alone (a backup, a stolen disk image) then
// yields neither a working TOTP secret nor a way to test recovery codes
// offline. The key lives outside admin.db (see Options.SealKey).
type sealer struct {
	aead   cipher.AEAD
	macKey []byte
}

func newSealer(key []byte) (*sealer, error) {
	if len(key) != SealKeySize {
		return nil, fmt.Errorf("staff: seal key must be %d bytes, not %d", SealKeySize, len(key))
	}
	enc := derive(key, "ordercare staff totp secret v1")
	block, err := aes.NewCipher(enc)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead, macKey: derive(key, "ordercare staff recovery code v1")}, nil
}

// derive is HMAC-SHA256(key, label): one key per use from one stored key.
func derive(key []byte, label string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(label))
	return m.Sum(nil)
}

func (s *sealer) seal(memberID int64, plain []byte) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return s.aead.Seal(nonce, nonce, plain, []byte(strconv.FormatInt(memberID, 10))), nil
}

var errUnseal = errors.New("staff: a stored second-factor secret does not open with this seal key")

func (s *sealer) open(memberID int64, sealed []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, errUnseal
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(strconv.FormatInt(memberID, 10)))
	if err != nil {
		return nil, errUnseal
	}
	return plain, nil
}

// codeHash is the stored form of a recovery code of a member.
func (s *sealer) codeHash(memberID int64, code string) string {
	m := hmac.New(sha256.New, s.macKey)
	m.Write([]byte(strconv.FormatInt(memberID, 10) + ":" + code))
	return hex.EncodeToString(m.Sum(nil))
}
