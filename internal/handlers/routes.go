package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"ordercare/internal/omclient"
	"ordercare/internal/staff"
)

// Routes is the table of contents of the back office. D2 and later form
// handlers add their rows here.
func (h *Handlers) Routes() []Route {
	return append([]Route{
		{Name: "healthz", Method: http.MethodGet, Path: "/healthz", Handler: h.healthz, Public: true, NoSession: true},
		// Load balancers probe with HEAD; net/http sends no body for it.
		{Name: "healthz.head", Method: http.MethodHead, Path: "/healthz", Handler: h.healthz, Public: true, NoSession: true},
		// Readiness (ready.go): database, audit log and provider; public
		// like /healthz, and HEAD for load balancers.
		{Name: "readyz", Method: http.MethodGet, Path: "/readyz", Handler: h.readyz, Public: true, NoSession: true},
		{Name: "readyz.head", Method: http.MethodHead, Path: "/readyz", Handler: h.readyz, Public: true, NoSession: true},
		// Prometheus metrics (metrics.go): no session, its own bearer token.
		{Name: "metrics", Method: http.MethodGet, Path: "/metrics", Handler: h.metrics, Public: true, NoSession: true},
		{Name: "static", Method: http.MethodGet, Path: "/static/*", Handler: h.static, Public: true, NoSession: true},

		{Name: "login", Method: http.MethodGet, Path: "/login", Handler: h.showLogin, Public: true},
		{Name: "login.submit", Method: http.MethodPost, Path: "/login", Handler: h.signIn, Public: true},
		{Name: "logout", Method: http.MethodPost, Path: "/logout", Handler: h.signOut, BeforeSecondFactor: true},
		{Name: "login.code", Method: http.MethodGet, Path: "/login/code", Handler: h.showLoginCode, Public: true},
		{Name: "login.code.submit", Method: http.MethodPost, Path: "/login/code", Handler: h.submitLoginCode, Public: true},
		// Single sign-on (sso.go): the button's start, and the identity
		// provider's answer, guarded by the flow this session started.
		{Name: "login.sso", Method: http.MethodGet, Path: "/login/sso", Handler: h.startSSO, Public: true},
		{Name: "login.sso.callback", Method: http.MethodGet, Path: ssoCallback, Handler: h.finishSSO, Public: true},
		// Passkeys (login_passkey.go): the challenge, then the signed answer.
		{Name: "login.passkey.options", Method: http.MethodPost, Path: "/login/passkey/options", Handler: h.passkeyLoginOptions, Public: true},
		{Name: "login.passkey", Method: http.MethodPost, Path: "/login/passkey", Handler: h.signInWithPasskey, Public: true},

		// A member's own account (any role, the auditor too): second factor.
		{Name: "account", Method: http.MethodGet, Path: "/account", Handler: h.showAccount, BeforeSecondFactor: true},
		{Name: "account.totp", Method: http.MethodPost, Path: "/account/totp", Handler: h.beginTOTP, BeforeSecondFactor: true},
		{Name: "account.totp.confirm", Method: http.MethodPost, Path: "/account/totp/confirm", Handler: h.confirmTOTP, BeforeSecondFactor: true},
		{Name: "account.totp.remove", Method: http.MethodPost, Path: "/account/totp/remove", Handler: h.removeTOTP},
		{Name: "account.passkey.options", Method: http.MethodPost, Path: "/account/passkeys/options", Handler: h.passkeyRegisterOptions, BeforeSecondFactor: true},
		{Name: "account.passkey.add", Method: http.MethodPost, Path: "/account/passkeys", Handler: h.registerPasskey, BeforeSecondFactor: true},
		{Name: "account.passkey.rename", Method: http.MethodPost, Path: "/account/passkeys/:id/rename", Handler: h.renamePasskey},
		{Name: "account.passkey.remove", Method: http.MethodPost, Path: "/account/passkeys/:id/remove", Handler: h.removePasskey},
		{Name: "account.recovery", Method: http.MethodPost, Path: "/account/recovery-codes", Handler: h.renewRecoveryCodes},
		{Name: "account.password", Method: http.MethodPost, Path: "/account/password", Handler: h.changeOwnPassword},
		// How amounts are written for this member (account_numbers.go).
		{Name: "account.numbers", Method: http.MethodPost, Path: "/account/numbers", Handler: h.setNumbers},
		{Name: "account.session.end", Method: http.MethodPost, Path: "/account/sessions/:id/end", Handler: h.endOwnSession, BeforeSecondFactor: true},

		// Order pages: read-only, so the auditor may use them too.
		{Name: "home", Method: http.MethodGet, Path: "/", Handler: h.home, Min: staff.RoleAgent, Auditor: true},
		{Name: "orders.search", Method: http.MethodGet, Path: "/orders", Handler: h.searchOrders, Min: staff.RoleAgent, Auditor: true},
		{Name: "orders.export", Method: http.MethodGet, Path: "/orders/export.csv", Handler: h.exportOrders, Min: staff.RoleAgent, Auditor: true},
		{Name: "orders.show", Method: http.MethodGet, Path: "/orders/:id", Handler: h.showOrder, Min: staff.RoleAgent, Auditor: true},
		{Name: "orders.history", Method: http.MethodGet, Path: "/orders/:id/history", Handler: h.showOrderHistory, Min: staff.RoleAgent, Auditor: true},
		// Internal notes (order_notes.go): everyone who reads the order
		// reads them; agents and up add one, never the auditor. There is
		// no route that edits or removes a note.
		{Name: "orders.notes", Method: http.MethodGet, Path: "/orders/:id/notes", Handler: h.showOrderNotes, Min: staff.RoleAgent, Auditor: true},
		{Name: "orders.notes.add", Method: http.MethodPost, Path: "/orders/:id/notes", Handler: h.addNote, Min: staff.RoleAgent},
		// The shop's order (order_shop_change.go): agents and up change it.
		{Name: "orders.shop.cancel", Method: http.MethodPost, Path: "/orders/:id/shop/cancel", Handler: func(c echo.Context) error { return h.changeShop(c, "cancel") }, Min: staff.RoleAgent},
		{Name: "orders.shop.fulfil", Method: http.MethodPost, Path: "/orders/:id/shop/fulfil", Handler: func(c echo.Context) error { return h.changeShop(c, "fulfil") }, Min: staff.RoleAgent},
		{Name: "orders.shop.pair", Method: http.MethodPost, Path: "/orders/:id/shop/pair/:pair", Handler: h.sendMissingHalf, Min: staff.RoleAgent},
		// "Check now" of an unknown outcome on the order page: any member
		// who changes orders may settle it (a read and an appended event).
		{Name: "orders.attempt.check", Method: http.MethodPost, Path: "/orders/:id/attempts/:attempt_id/check", Handler: h.settleAttempt, Min: staff.RoleAgent},

		// Bulk changes from the order list (bulk.go): agents and up, never
		// the auditor; the caps per role are the bulk service's rule.
		{Name: "orders.bulk", Method: http.MethodPost, Path: "/orders/bulk", Handler: h.confirmBulk, Min: staff.RoleAgent},
		{Name: "bulk.start", Method: http.MethodPost, Path: "/bulk", Handler: h.startBulk, Min: staff.RoleAgent},
		{Name: "bulk.show", Method: http.MethodGet, Path: "/bulk/:id", Handler: h.showBulkJob, Min: staff.RoleAgent},
		{Name: "bulk.progress", Method: http.MethodGet, Path: bulkProgressPath, Handler: h.showBulkJob, Min: staff.RoleAgent},
		{Name: "bulk.export", Method: http.MethodGet, Path: "/bulk/:id/export.csv", Handler: h.exportBulkJob, Min: staff.RoleAgent},

		// Connecting the shop platform (shop_connect.go): admins only. The
		// callback is a GET from the platform's redirect, guarded by the
		// state the POST put in the admin's session.
		{Name: "shop.connect", Method: http.MethodGet, Path: "/shop/connect", Handler: h.showShopConnect, Min: staff.RoleAdmin},
		{Name: "shop.connect.start", Method: http.MethodPost, Path: "/shop/connect", Handler: h.startShopConnect, Min: staff.RoleAdmin},
		{Name: "shop.connect.callback", Method: http.MethodGet, Path: shopConnectCallback, Handler: h.finishShopConnect, Min: staff.RoleAdmin},

		// Audit trail: supervisors and admins; the auditor reads
		// (pages and the CSV export) but never reviews, checks or verifies.
		{Name: "audit", Method: http.MethodGet, Path: "/audit", Handler: h.showAudit, Min: staff.RoleSupervisor, Auditor: true},
		{Name: "audit.export", Method: http.MethodGet, Path: "/audit/export.csv", Handler: h.exportAudit, Min: staff.RoleSupervisor, Auditor: true},
		{Name: "audit.events", Method: http.MethodGet, Path: "/audit/events", Handler: h.showAuditEvents, Min: staff.RoleSupervisor, Auditor: true},
		{Name: "audit.review", Method: http.MethodGet, Path: "/audit/review", Handler: h.showReviewQueue, Min: staff.RoleSupervisor, Auditor: true},
		{Name: "audit.attempt", Method: http.MethodGet, Path: "/audit/attempts/:id", Handler: h.showAttempt, Min: staff.RoleSupervisor, Auditor: true},
		{Name: "audit.attempt.proof", Method: http.MethodGet, Path: "/audit/attempts/:id/proof.json", Handler: h.proveAttempt, Min: staff.RoleSupervisor, Auditor: true},
		{Name: "audit.attempt.review", Method: http.MethodPost, Path: "/audit/attempts/:id/review", Handler: h.reviewAttempt, Min: staff.RoleSupervisor},
		{Name: "audit.attempt.check", Method: http.MethodPost, Path: "/audit/attempts/:id/check", Handler: h.checkAttempt, Min: staff.RoleSupervisor},
		{Name: "audit.verify", Method: http.MethodPost, Path: "/audit/verify", Handler: h.startVerification, Min: staff.RoleSupervisor},

		// Staff administration: admins only.
		{Name: "staff", Method: http.MethodGet, Path: "/staff", Handler: h.showStaff, Min: staff.RoleAdmin},
		{Name: "staff.add", Method: http.MethodPost, Path: "/staff", Handler: h.addStaff, Min: staff.RoleAdmin},
		{Name: "staff.role", Method: http.MethodPost, Path: "/staff/:id/role", Handler: h.changeStaffRole, Min: staff.RoleAdmin},
		{Name: "staff.disable", Method: http.MethodPost, Path: "/staff/:id/disable", Handler: h.disableStaff, Min: staff.RoleAdmin},
		{Name: "staff.enable", Method: http.MethodPost, Path: "/staff/:id/enable", Handler: h.enableStaff, Min: staff.RoleAdmin},
		{Name: "staff.password", Method: http.MethodPost, Path: "/staff/:id/password", Handler: h.resetStaffPassword, Min: staff.RoleAdmin},
		{Name: "staff.unlock", Method: http.MethodPost, Path: "/staff/:id/unlock", Handler: h.unlockStaff, Min: staff.RoleAdmin},
		{Name: "staff.factor-reset", Method: http.MethodPost, Path: "/staff/:id/factor-reset", Handler: h.factorReset, Min: staff.RoleAdmin},

		// Four-eyes approval: everyone who may see orders reads
		// the requests (an agent only their own, approvals_page.go);
		// supervisors and admins decide and send again (never their own,
		// the service checks); the requester withdraws.
		{Name: "approvals", Method: http.MethodGet, Path: "/approvals", Handler: h.showApprovals, Min: staff.RoleAgent, Auditor: true},
		{Name: "approvals.policy", Method: http.MethodGet, Path: "/approvals/policy", Handler: h.showApprovalPolicy, Min: staff.RoleAgent, Auditor: true},
		{Name: "approvals.show", Method: http.MethodGet, Path: "/approvals/:id", Handler: h.showApproval, Min: staff.RoleAgent, Auditor: true},
		{Name: "approvals.approve", Method: http.MethodPost, Path: "/approvals/:id/approve", Handler: h.approveApproval, Min: staff.RoleSupervisor},
		{Name: "approvals.reject", Method: http.MethodPost, Path: "/approvals/:id/reject", Handler: h.rejectApproval, Min: staff.RoleSupervisor},
		{Name: "approvals.resend", Method: http.MethodPost, Path: "/approvals/:id/resend", Handler: h.resendApproval, Min: staff.RoleSupervisor},
		{Name: "approvals.withdraw", Method: http.MethodPost, Path: "/approvals/:id/withdraw", Handler: h.withdrawApproval, Min: staff.RoleAgent},
		// The order page's approval panel, loaded on its own after a change.
		{Name: "orders.approvals", Method: http.MethodGet, Path: "/orders/:id/approvals", Handler: h.showOrderApprovals, Min: staff.RoleAgent, Auditor: true},

		// Order intake for the shop: a machine endpoint with a
		// bearer token, so no session and no CSRF; rate-limited in hooks.go.
		{Name: "hooks.orders", Method: http.MethodPost, Path: "/hooks/orders", Handler: h.hookOrders, Public: true, NoSession: true},
		// Outbound events: admins see deliveries and retry failed ones.
		{Name: "outbox", Method: http.MethodGet, Path: "/outbox", Handler: h.showOutbox, Min: staff.RoleAdmin},
		{Name: "outbox.retry", Method: http.MethodPost, Path: "/outbox/:id/retry", Handler: h.retryOutbox, Min: staff.RoleAdmin},

		// Order-change forms owned by F1 (paths from
		// view.ActionSlug): agents and up; never the auditor, not even the
		// GET of a form.
		{Name: "orders.address", Method: http.MethodGet, Path: orderForm(omclient.OpUpdateCustomerDetails), Handler: h.showAddressForm, Min: staff.RoleAgent},
		{Name: "orders.address.submit", Method: http.MethodPost, Path: orderForm(omclient.OpUpdateCustomerDetails), Handler: h.submitAddress, Min: staff.RoleAgent},
		{Name: "orders.references", Method: http.MethodGet, Path: orderForm(omclient.OpUpdateMerchantReferences), Handler: h.showReferencesForm, Min: staff.RoleAgent},
		{Name: "orders.references.submit", Method: http.MethodPost, Path: orderForm(omclient.OpUpdateMerchantReferences), Handler: h.submitReferences, Min: staff.RoleAgent},
		{Name: "orders.shipping-info", Method: http.MethodGet, Path: orderForm(omclient.OpAddOrderShippingInfo), Handler: h.showShippingInfoForm, Min: staff.RoleAgent},
		{Name: "orders.shipping-info.submit", Method: http.MethodPost, Path: orderForm(omclient.OpAddOrderShippingInfo), Handler: h.submitShippingInfo, Min: staff.RoleAgent},
		{Name: "orders.cancel", Method: http.MethodGet, Path: orderForm(omclient.OpCancel), Handler: h.showCancelForm, Min: staff.RoleAgent},
		{Name: "orders.cancel.submit", Method: http.MethodPost, Path: orderForm(omclient.OpCancel), Handler: h.submitCancel, Min: staff.RoleAgent},
		{Name: "orders.extend", Method: http.MethodGet, Path: orderForm(omclient.OpExtendAuthorizationTime), Handler: h.showExtendForm, Min: staff.RoleAgent},
		{Name: "orders.extend.submit", Method: http.MethodPost, Path: orderForm(omclient.OpExtendAuthorizationTime), Handler: h.submitExtend, Min: staff.RoleAgent},
		{Name: "orders.release", Method: http.MethodGet, Path: orderForm(omclient.OpReleaseRemaining), Handler: h.showReleaseForm, Min: staff.RoleAgent},
		{Name: "orders.release.submit", Method: http.MethodPost, Path: orderForm(omclient.OpReleaseRemaining), Handler: h.submitRelease, Min: staff.RoleAgent},
		{Name: "orders.acknowledge", Method: http.MethodGet, Path: orderForm(omclient.OpAcknowledge), Handler: h.showAcknowledgeForm, Min: staff.RoleAgent},
		{Name: "orders.acknowledge.submit", Method: http.MethodPost, Path: orderForm(omclient.OpAcknowledge), Handler: h.submitAcknowledge, Min: staff.RoleAgent},
		{Name: "captures.shipping-info", Method: http.MethodGet, Path: captureForm(omclient.OpAddCaptureShippingInfo), Handler: h.showCaptureShippingInfoForm, Min: staff.RoleAgent},
		{Name: "captures.shipping-info.submit", Method: http.MethodPost, Path: captureForm(omclient.OpAddCaptureShippingInfo), Handler: h.submitCaptureShippingInfo, Min: staff.RoleAgent},
		{Name: "captures.send-out", Method: http.MethodGet, Path: captureForm(omclient.OpTriggerSendOut), Handler: h.showSendOutForm, Min: staff.RoleAgent},
		{Name: "captures.send-out.submit", Method: http.MethodPost, Path: captureForm(omclient.OpTriggerSendOut), Handler: h.submitSendOut, Min: staff.RoleAgent},
		{Name: "captures.due-date", Method: http.MethodGet, Path: captureForm(omclient.OpExtendDueDate), Handler: h.showDueDateForm, Min: staff.RoleAgent},
		{Name: "captures.due-date.submit", Method: http.MethodPost, Path: captureForm(omclient.OpExtendDueDate), Handler: h.submitDueDate, Min: staff.RoleAgent},
	}, h.moneyFormRoutes()...)
}
