// Package archtest holds the architecture test: the shape of the code
// that the design depends on, checked on every test run instead of left
// to review. It has no code of its own.
package archtest
