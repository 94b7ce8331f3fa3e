package epsim

import (
	"net/http"

	"ordercare/internal/omsim"
)

// Faults, FaultRule and the fault kinds are the payment sandbox's
// (omsim): one vocabulary for both sandboxes. Fault429 answers 503 here
// (the platform documents no rate-limit answer).
type (
	Faults    = omsim.Faults
	FaultRule = omsim.FaultRule
)

// The fault kinds the shop sandbox injects.
const (
	Fault500             = omsim.Fault500
	Fault503             = omsim.Fault503
	FaultHang            = omsim.FaultHang
	FaultResetAfterApply = omsim.FaultResetAfterApply
	FaultMalformedJSON   = omsim.FaultMalformedJSON
)

// SetFaults replaces the fault configuration (and resets the counts).
func (s *Sandbox) SetFaults(f Faults) { s.faults.SetFaults(f) }

func faultStatus(k omsim.FaultKind) int {
	if k == Fault503 {
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
