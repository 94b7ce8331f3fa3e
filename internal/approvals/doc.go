// Package approvals is the four-eyes rule for large refunds and
// cancellations. A refund that takes the order's refunds in the window
// above its currency's threshold, a cancellation or release of an order
// whose amount was above it in the window, an amount cut across it, every
// such change in a currency no threshold covers (fail closed), and any
// refund that would take an agent past their daily refund limit are not
// sent (thresholds.go): they become a Request, kept in admin.db, that a
// second person (a supervisor or an admin, never the requester nor anyone
// whose account the requester recently made or managed, sockpuppet.go)
// approves or rejects.
//
// The request keeps the exact change the agent asked for: the request
// body and the idempotency key made when the form was rendered. Approval
// sends that change once through the ordinary pipeline (orders.Apply),
// with that key, so two supervisors approving at the same moment, or a
// double click, cannot refund twice: the first claims the request in one
// conditional UPDATE, the other is told who approved it; and even a
// resend after an unknown outcome reuses the key, which the provider
// answers with its saved response.
//
// Every step (requested, approved, rejected, withdrawn, expired,
// executed with its outcome) is an audit event of kind "approval",
// committed together with the step's state change: the row's change is
// committed only after its audit event is.
package approvals
