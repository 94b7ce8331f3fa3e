// Package apptest is what the tests that drive the back office over HTTP
// share: the real app started the way cmd/admin starts it (built-in
// sandboxes, its own folder of databases), and a browser that keeps
// cookies, signs a member in through the sign-in form, reads a page's
// forms and posts them with their CSRF token. One copy of these keeps the
// tests' idea of "a member using the back office" the same everywhere.
//
// It is for tests only: production code must not import it (the
// architecture test checks that).
package apptest
