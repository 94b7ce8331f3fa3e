package templates

import "net/url"

// SSOStartPath starts a single sign-on (the button's link).
const SSOStartPath = "/login/sso"

// ssoStartURL is the button's link, carrying where to go afterwards.
func ssoStartURL(next string) string {
	if next == "" {
		return SSOStartPath
	}
	return SSOStartPath + "?next=" + url.QueryEscape(next)
}
