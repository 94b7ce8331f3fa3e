package handlers_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"testing"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
	"github.com/go-webauthn/webauthn/protocol/webauthncose"
)

// Passkeys in handler tests are made by softKey, an authenticator in Go:
// an ECDSA P-256 key (COSE ES256), attestation "none", and assertions
// signed over authenticatorData || SHA-256(clientDataJSON), byte for byte
// as WebAuthn Level 3 lays them out (§6.1 authenticator data, §6.5.1
// attested credential data, §8.7 none attestation, §6.3.3 assertions:
// https://www.w3.org/TR/webauthn-3/).

// testOrigin is the origin the relying party of the handler tests expects.
const testOrigin = "https://ordercare.test"

type softKey struct {
	t       *testing.T
	key     *ecdsa.PrivateKey
	id      []byte
	handle  []byte // the user handle stored at registration (resident key)
	counter uint32
	origin  string
	rpID    string
}

func newSoftKey(t *testing.T) *softKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	return &softKey{t: t, key: k, id: id, origin: testOrigin, rpID: "ordercare.test"}
}

var b64 = base64.RawURLEncoding

// Authenticator data flags (§6.1).
const (
	flagUP = 0x01
	flagUV = 0x04
	flagAT = 0x40
)

func (k *softKey) authData(flags byte, attested []byte) []byte {
	h := sha256.Sum256([]byte(k.rpID))
	out := append(h[:], flags)
	out = binary.BigEndian.AppendUint32(out, k.counter)
	return append(out, attested...)
}

func (k *softKey) clientData(typ, challenge string) []byte {
	raw, err := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": k.origin, "crossOrigin": false})
	if err != nil {
		k.t.Fatal(err)
	}
	return raw
}

// creationOptions is what the handlers send for navigator.credentials.create.
type creationOptions struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		User      struct {
			ID string `json:"id"`
		} `json:"user"`
		ExcludeCredentials []struct {
			ID string `json:"id"`
		} `json:"excludeCredentials"`
	} `json:"publicKey"`
}

// requestOptions is what they send for navigator.credentials.get.
type requestOptions struct {
	PublicKey struct {
		Challenge        string `json:"challenge"`
		UserVerification string `json:"userVerification"`
		AllowCredentials []struct {
			ID string `json:"id"`
		} `json:"allowCredentials"`
	} `json:"publicKey"`
}

// create answers creation options as a browser would: the registration
// response JSON.
func (k *softKey) create(o creationOptions) string {
	t := k.t
	t.Helper()
	handle, err := b64.DecodeString(o.PublicKey.User.ID)
	if err != nil {
		t.Fatalf("user.id %q: %v", o.PublicKey.User.ID, err)
	}
	k.handle = handle
	cose, err := webauthncbor.Marshal(webauthncose.EC2PublicKeyData{
		PublicKeyData: webauthncose.PublicKeyData{KeyType: int64(webauthncose.EllipticKey), Algorithm: int64(webauthncose.AlgES256)},
		Curve:         1, // P-256
		XCoord:        k.key.X.FillBytes(make([]byte, 32)),
		YCoord:        k.key.Y.FillBytes(make([]byte, 32)),
	})
	if err != nil {
		t.Fatal(err)
	}
	attested := make([]byte, 16) // AAGUID: zero, as with attestation "none"
	attested = binary.BigEndian.AppendUint16(attested, uint16(len(k.id)))
	attested = append(append(attested, k.id...), cose...)
	obj, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": k.authData(flagUP|flagUV|flagAT, attested)})
	if err != nil {
		t.Fatal(err)
	}
	return k.credentialJSON(map[string]any{
		"clientDataJSON":    b64.EncodeToString(k.clientData("webauthn.create", o.PublicKey.Challenge)),
		"attestationObject": b64.EncodeToString(obj),
		"transports":        []string{"internal"},
	})
}

// get answers request options with an assertion, the counter one higher.
func (k *softKey) get(o requestOptions) string {
	k.counter++
	return k.sign(o.PublicKey.Challenge, flagUP|flagUV)
}

// sign makes an assertion over challenge with the current counter.
func (k *softKey) sign(challenge string, flags byte) string {
	t := k.t
	t.Helper()
	ad := k.authData(flags, nil)
	cd := k.clientData("webauthn.get", challenge)
	h := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, ad...), h[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, k.key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return k.credentialJSON(map[string]any{
		"clientDataJSON":    b64.EncodeToString(cd),
		"authenticatorData": b64.EncodeToString(ad),
		"signature":         b64.EncodeToString(sig),
		"userHandle":        b64.EncodeToString(k.handle),
	})
}

func (k *softKey) credentialJSON(response map[string]any) string {
	raw, err := json.Marshal(map[string]any{
		"id": b64.EncodeToString(k.id), "rawId": b64.EncodeToString(k.id), "type": "public-key",
		"authenticatorAttachment": "platform", "clientExtensionResults": map[string]any{}, "response": response,
	})
	if err != nil {
		k.t.Fatal(err)
	}
	return string(raw)
}
