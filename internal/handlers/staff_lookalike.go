package handlers

import (
	"errors"
	"strings"

	"ordercare/internal/staff"
)

// lookalikeMessage is what the staff page says, next to the e-mail field,
// about an address refused as a possible impostor (staff.CheckEmailChars,
// look-alikes of an existing member), or "" for any other error.
func lookalikeMessage(err error) string {
	var scripts *staff.ScriptsError
	var like *staff.LookalikeError
	switch {
	case errors.As(err, &scripts):
		return "This address mixes letters of different scripts (" + strings.Join(scripts.Scripts, " and ") +
			"), so it could pass for another address. Type it in one script."
	case errors.Is(err, staff.ErrEmailInvisible):
		return "This address holds invisible or direction-changing characters (often pasted along), so it could pass for another address. Type it again."
	case errors.As(err, &like):
		return "This address looks like " + like.Existing + ", an existing member's, and could be mistaken for it. Use a clearly different address."
	}
	return ""
}
