// Package templates holds the back office's templ components. Components
// receive view models (view.Page and the per-page models, in package view),
// never database rows or provider types they would have to reshape.
package templates

import "ordercare/web/templates/view"

// decidedNoun follows the navigation's count of new decisions.
func decidedNoun(n int) string {
	if n == 1 {
		return " new decision"
	}
	return " new decisions"
}

func navClass(p view.Page, item string) string {
	if p.Nav == item {
		return "nav-item active"
	}
	return "nav-item"
}

func ariaCurrent(p view.Page, item string) string {
	if p.Nav == item {
		return "page"
	}
	return "false"
}
