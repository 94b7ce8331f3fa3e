package app

import "net/http"

// MaxProviderConns is how many idle keep-alive connections to the provider
// are kept: one per agent with a provider call in flight. The default
// transport keeps 2, so with 10 or 50 agents most order pages opened a new
// connection (and against a real provider a new TLS handshake) and left a
// socket in TIME_WAIT (docs/PERFORMANCE.md, overhead benchmark).
const MaxProviderConns = 100

// ProviderTransport is the default transport keeping MaxProviderConns
// idle connections to the one provider host (also the load program's
// relay, cmd/loadtest, so that its floor reads the provider as the back
// office does).
func ProviderTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = MaxProviderConns
	t.MaxIdleConnsPerHost = MaxProviderConns
	return t
}
