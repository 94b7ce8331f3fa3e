package epsim

// Inspection and control that only this package's tests use.

// TokensIssued counts the tokens handed out so far.
func (s *Sandbox) TokensIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued
}

// RevokeTokens ends every token at once, as a key rotation in the
// platform's back office would.
func (s *Sandbox) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}
