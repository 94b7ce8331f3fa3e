package staff

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Look-alike e-mail addresses. An admin who may not approve their own
// refund could otherwise add "supervisor@exаmple.com" (a Cyrillic "а"),
// sign in as it and approve it, while every list shows a familiar name.
// So a new member's address is refused when it mixes scripts, holds
// characters that show nothing (zero-width, bidi controls, fillers), or
// looks like an existing member's: equal "skeletons" in the sense of
// Unicode Technical Standard #39, "Unicode Security Mechanisms",
// section 4 (https://www.unicode.org/reports/tr39/#Confusable_Detection).

var (
	// ErrEmailScripts: the address mixes scripts ("Latin and Cyrillic").
	ErrEmailScripts = errors.New("staff: the e-mail address mixes scripts")
	// ErrEmailInvisible: it holds invisible, bidi or space characters.
	ErrEmailInvisible = errors.New("staff: the e-mail address holds invisible or direction-changing characters")
	// ErrEmailLookalike: it looks like an existing member's (LookalikeError
	// names whose).
	ErrEmailLookalike = errors.New("staff: the e-mail address looks like an existing member's")
)

// ScriptsError names the scripts an address mixes.
type ScriptsError struct{ Scripts []string }

func (e *ScriptsError) Error() string {
	return "staff: the e-mail address mixes scripts (" + strings.Join(e.Scripts, " and ") + ")"
}
func (e *ScriptsError) Unwrap() error { return ErrEmailScripts }

// LookalikeError names the existing member an address looks like.
type LookalikeError struct{ Existing string }

func (e *LookalikeError) Error() string {
	return "staff: the e-mail address looks like that of " + e.Existing + ", an existing member"
}
func (e *LookalikeError) Unwrap() error { return ErrEmailLookalike }

// CheckEmailChars refuses an address with invisible or bidi characters,
// or letters of more than one script (Common and Inherited characters,
// such as digits, "@", "." and combining accents, belong to any script).
func CheckEmailChars(email string) error {
	scripts := map[string]bool{}
	for _, r := range email {
		if invisible(r) {
			return fmt.Errorf("%w (U+%04X)", ErrEmailInvisible, r)
		}
		if r < 0x80 {
			if unicode.IsLetter(r) {
				scripts["Latin"] = true
			}
			continue
		}
		for name, table := range unicode.Scripts {
			if name != "Common" && name != "Inherited" && unicode.Is(table, r) {
				scripts[name] = true
				break
			}
		}
	}
	if len(scripts) > 1 {
		names := make([]string, 0, len(scripts))
		for n := range scripts {
			names = append(names, n)
		}
		slices.Sort(names)
		return &ScriptsError{Scripts: names}
	}
	return nil
}

// invisible reports a character that shows nothing or changes the
// direction of what follows: format characters (zero-width spaces and
// joiners, bidi marks, embeddings and isolates, the byte-order mark,
// the soft hyphen), default-ignorable ones (the Hangul filler),
// variation selectors, spaces and controls.
func invisible(r rune) bool {
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) ||
		unicode.Is(unicode.Variation_Selector, r) || unicode.Is(unicode.Bidi_Control, r) ||
		unicode.Is(unicode.Join_Control, r) || unicode.IsSpace(r) || unicode.IsControl(r)
}

// prototypes maps characters to the Latin letters they are confused with,
// a small part of Unicode's confusables.txt
// (https://www.unicode.org/Public/security/latest/confusables.txt): the
// Cyrillic and Greek letters drawn like lower-case Latin ones, and the
// ASCII look-alikes the file lists (m is "rn", 1 and | are "l"). As
// e-mail addresses are compared in lower case, "0" is mapped to "o" (the
// file maps it to "O"). Accented look-alikes are covered by decomposing
// first (NFD), as the skeleton algorithm does.
var prototypes = map[rune]string{
	// Latin and ASCII
	'm': "rn", '0': "o", '1': "l", '|': "l", 'ı': "i", 'ɡ': "g", 'ɑ': "a", 'ſ': "f",
	// Cyrillic
	'а': "a", 'е': "e", 'о': "o", 'р': "p", 'с': "c", 'у': "y", 'х': "x",
	'ѕ': "s", 'і': "i", 'ј': "j", 'һ': "h", 'ӏ': "l", 'ԁ': "d", 'ԛ': "q", 'ԝ': "w",
	// Greek
	'α': "a", 'ο': "o", 'ν': "v", 'ι': "i", 'ρ': "p",
}

// skeleton is the address in the form look-alikes share: lower-cased,
// decomposed, each character replaced by its prototype, invisible ones
// dropped, decomposed again (UTS #39 section 4, with the table above).
func skeleton(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch p, ok := prototypes[r]; {
		case ok:
			b.WriteString(p)
		case invisible(r):
		default:
			b.WriteRune(r)
		}
	}
	return norm.NFD.String(b.String())
}

// checkLookalike refuses email (normalised) when its characters are
// unsafe or its skeleton is an existing member's (another address:
// the same one is ErrExists).
func (s *Store) checkLookalike(ctx context.Context, email string) error {
	if err := CheckEmailChars(email); err != nil {
		return err
	}
	members, err := s.List(ctx)
	if err != nil {
		return err
	}
	sk := skeleton(email)
	for _, m := range members {
		if m.Email != email && skeleton(m.Email) == sk {
			return &LookalikeError{Existing: m.Email}
		}
	}
	return nil
}
