package ucsim

import "ordercare/internal/shop/elasticpath/epsim"

// Inspection and fault injection that only this package's tests use.

// Faults are the payment sandbox's vocabulary (see faultStatus).
type Faults = epsim.Faults

// SetFaults replaces the fault configuration (and resets the counts).
func (s *Sandbox) SetFaults(f Faults) { s.faults.SetFaults(f) }

// Refreshes counts the refresh grants answered with new tokens.
func (s *Sandbox) Refreshes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshes
}
