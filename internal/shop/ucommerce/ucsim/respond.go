package ucsim

import (
	"net/http"
	"strings"

	"ordercare/internal/omsim"
	"ordercare/internal/shop/elasticpath/epsim"
	"ordercare/internal/shop/shopsim"
)

// writeJSON answers v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	shopsim.WriteJSON(w, status, v, `{"errors":[{"error-description":"encoding failed","error":"InternalServerError"}]}`)
}

// writeError answers the documented error shape,
// {"errors":[{"error-description":"…","error":"NotFound"}]}.
func writeError(w http.ResponseWriter, status int, kind, description string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]string{{"error-description": description, "error": strings.ReplaceAll(kind, " ", "")}}})
}

// faultStatus answers the payment sandbox's fault kinds (as in epsim):
// Fault503 answers 504 here, the documentation's retryable failure;
// Fault500 its failure that is not retried. The API only reads, so a reset
// after applying is a plain lost answer (the connection is cut).
func faultStatus(k omsim.FaultKind) int {
	if k == epsim.Fault503 {
		return http.StatusGatewayTimeout
	}
	return http.StatusInternalServerError
}
