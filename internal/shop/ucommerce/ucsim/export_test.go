package ucsim

// Inspection that only this package's tests use.

// Refreshes counts the refresh grants answered with new tokens.
func (s *Sandbox) Refreshes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshes
}
