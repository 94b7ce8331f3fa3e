// Package reliability holds the cross-package reliability proofs: the whole
// change pipeline (orders.Service, the real omclient and the sandbox over
// HTTP, the audit log) under every upstream fault the sandbox can inject.
// It has no code of its own; see docs/RELIABILITY.md for what each test
// proves and which protection makes it fail when removed.
package reliability
