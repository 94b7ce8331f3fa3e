package staff

import (
	_ "embed"
	"sort"
	"strings"
	"sync"
)

// commonPasswords is the list of common passwords that members may not
// choose (OWASP ASVS 5.0, 6.2.4: at least the top 3,000). It is the
// "passwords" frequency list of Dropbox's zxcvbn 4.4.2 (MIT licence; as
// shipped in the Go module github.com/trustelem/zxcvbn v1.0.1, data/
// passwords.txt), lower-cased, only entries of 8 to 64 characters (shorter
// ones fail the length rule anyway), sorted: 15,769 entries. It ships in
// the binary, so no password is ever sent anywhere to be checked.
//
//go:embed common_passwords.txt
var commonPasswordsFile string

var commonPasswords = sync.OnceValue(func() []string {
	return strings.Fields(commonPasswordsFile)
})

// isCommonPassword reports whether pw, in any case, is on the list.
func isCommonPassword(pw string) bool {
	list := commonPasswords()
	p := strings.ToLower(pw)
	i := sort.SearchStrings(list, p)
	return i < len(list) && list[i] == p
}
