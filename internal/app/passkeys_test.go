package app

import (
	"net"
	"testing"
)

// The relying party is the public URL's host, or localhost with the
// listening port; an IP address turns passkeys off with a reason.
func TestRelyingPartyFromPublicURL(t *testing.T) {
	t.Parallel()
	ln := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8123}
	for url, want := range map[string][2]string{
		"":                               {"localhost", "http://localhost:8123"},
		"https://backoffice.example.com": {"backoffice.example.com", "https://backoffice.example.com"},
	} {
		w, off, err := relyingParty(url, ln)
		if err != nil || off != "" || w.Config.RPID != want[0] || len(w.Config.RPOrigins) != 1 || w.Config.RPOrigins[0] != want[1] {
			t.Fatalf("%q: %+v %q %v", url, w, off, err)
		}
	}
	w, off, err := relyingParty("http://192.0.2.10:8080", ln)
	if err != nil || w != nil || off == "" {
		t.Fatalf("an IP address: %v %q %v", w, off, err)
	}
}
