// Package crashtest kills the real back office with SIGKILL in the middle
// of a load of order changes and checks, after a restart, that the audit
// log and the databases tell the truth (crash_test.go; skipped with
// -short). It has no code of its own.
package crashtest
