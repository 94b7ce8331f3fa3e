package epsim

import (
	"net/http"
	"strconv"

	"ordercare/internal/shop/shopsim"
)

// writeJSON answers v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	shopsim.WriteJSON(w, status, v, `{"errors":[{"status":"500","title":"Internal Server Error"}]}`)
}

// writeError answers the platform's error shape,
// {"errors":[{"status":"404","title":"Not Found","detail":"…"}]}; status
// is a string as the authentication document's Error schema has it.
func writeError(w http.ResponseWriter, status int, title, detail string) {
	e := map[string]string{"status": strconv.Itoa(status), "title": title}
	if detail != "" {
		e["detail"] = detail
	}
	writeJSON(w, status, map[string]any{"errors": []any{e}})
}
