// Package e2e holds the back office's end-to-end tests: the real server
// (internal/app with its built-in sandbox and its own temporary databases)
// driven by Debian's headless Chromium through chromedp, through the
// journeys an agent and a supervisor take every day, with the keyboard
// alone where it matters, and checked by axe-core for accessibility.
//
// The package has no code of its own: everything is in its _test.go files.
// Run it with the rest (`bash scripts/test.sh`) or alone:
//
//	go test ./internal/e2e -v
//
// Without Chromium the tests skip; with CI=true they fail instead. On a
// failure each browser tab leaves a screenshot, its HTML and URL, and the
// server's log, in the test's artifact folder: with `go test -artifacts
// -outputdir DIR` (DIR must exist) under DIR/_artifacts, otherwise in a
// folder under the system temp dir; the test log names it.
//
// The README's screenshots come from the same harness:
//
//	go test ./internal/e2e -run TestScreenshots -screenshots ../../docs/screenshots
package e2e
