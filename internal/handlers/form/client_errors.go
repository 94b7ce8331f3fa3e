package form

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"ordercare/internal/omclient"
	"ordercare/web/templates/view"
)

// ClientErrors checks a request body with the client's own rules
// before anything is sent, and puts each message at the form field rename
// maps its JSON path to ("" drops the path into the summary).
func ClientErrors(f *view.Form, body omclient.Request, rename func(path string) string) {
	err := omclient.ValidateRequest(body)
	var ve *omclient.ValidationError
	if !errors.As(err, &ve) {
		if err != nil {
			f.AddError("", "The change could not be checked: "+err.Error())
		}
		return
	}
	for _, fe := range ve.Fields {
		field := rename(fe.Field)
		if field == "" {
			f.AddError("", fe.Field+": "+fe.Message)
			continue
		}
		f.AddError(field, sentence(fe.Message))
	}
}

// ValidationErrors puts the client's field errors at their fields. Paths
// are the form's field names; a path with no field of its own goes to the
// nearest enclosing field ("shipping_info[2]" for "shipping_info[2].x" if
// only that exists), else to the summary with the path named.
func ValidationErrors(f *view.Form, ve *omclient.ValidationError) {
	for _, fe := range ve.Fields {
		msg := sentence(fe.Message)
		field := fe.Field
		for field != "" {
			if _, ok := f.Values[field]; ok {
				break
			}
			field = parentPath(field)
		}
		if field == "" {
			f.AddError("", fe.Field+": "+fe.Message)
			continue
		}
		f.AddError(field, msg)
	}
}

// parentPath drops the last segment of a JSON path: "a[1].b" -> "a[1]" ->
// "a" -> "".
func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

// sentence capitalises a client message ("must be an http(s) URL").
func sentence(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
