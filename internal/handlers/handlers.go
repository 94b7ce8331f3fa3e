// Package handlers is the back office's web layer: echo handlers (one small
// file per page or action), the routes table with each route's role, and the
// middleware that every request passes (headers, sessions, CSRF, roles,
// logging, errors).
package handlers

import (
	"context"
	"log/slog"
	"net/netip"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/go-webauthn/webauthn/webauthn"

	"ordercare/internal/approvals"
	"ordercare/internal/audit"
	"ordercare/internal/bulk"
	"ordercare/internal/metrics"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/internal/outbox"
	"ordercare/internal/shop"
	"ordercare/internal/sso"
	"ordercare/internal/staff"
	"ordercare/web/templates/view"
)

// Pinger says whether a store answers (the health checks); the handlers
// run no SQL of their own.
type Pinger interface {
	Ping(ctx context.Context) error
}

// OrderService is all the handlers may do with orders: read them, and
// change them through the one audited pipeline. The mutating omclient
// methods are out of reach by construction.
type OrderService interface {
	// GetOrderForPage reads an order for a page; the order index is
	// updated behind the page.
	GetOrderForPage(ctx context.Context, id string) (*omclient.Order, error)
	Apply(ctx context.Context, actor audit.Actor, ch orders.Change) (orders.Result, error)
	// GetExtendDueDateOptions reads the due-date extensions the provider
	// offers for a capture (Klarna), for the extend-due-date form.
	GetExtendDueDateOptions(ctx context.Context, orderID, captureID string) (*omclient.ExtendDueDateOptions, error)
	// CheckIntent is the pipeline's one-change-per-intent rule, asked
	// before a four-eyes request is filed (Apply asks it itself).
	CheckIntent(ctx context.Context, o *omclient.Order, ch orders.Change) error
	// IntentWindow is how far back that rule looks (0: off).
	IntentWindow() time.Duration
	// RecentChanges lists the order's money changes and requests since a
	// time, newest first (the approval page lists them all).
	RecentChanges(ctx context.Context, orderID string, since time.Time) ([]orders.PriorChange, error)
	// Settle checks an unknown outcome with the provider and records what
	// the order proves.
	Settle(ctx context.Context, actor audit.Actor, attemptID string) (orders.Settlement, error)
}

// Handlers holds every dependency of the web layer; one value serves all
// requests.
type Handlers struct {
	Log      *slog.Logger
	Env      view.EnvBanner
	Sessions *scs.SessionManager
	Staff    *staff.Store
	Orders   OrderService
	Index    *orders.Index
	Audit    AuditLog
	Now      func() time.Time
	Provider omclient.Provider

	// DB is admin.db, asked by /healthz and /readyz whether it answers.
	DB Pinger
	// SecureCookies marks cookies Secure and sends HSTS.
	SecureCookies bool
	// TrustedProxy, when valid, is the range whose X-Forwarded-For is
	// believed for the client address.
	TrustedProxy netip.Prefix
	// OMTimeout bounds the provider reads of one page (order page).
	OMTimeout time.Duration

	// Hooks serves POST /hooks/orders (hooks.go); nil: the route answers 404.
	Hooks *Hooks
	// Outbox is shown to admins at /outbox (outbox.go); nil when outbound
	// events are not configured.
	Outbox *outbox.Outbox
	// Approvals holds large refunds and cancellations for a second
	// person (approvals_*.go); nil: the feature is off and every
	// change is sent at once.
	Approvals *approvals.Service
	// Bulk stores and runs the order list's bulk jobs (bulk_*.go); nil:
	// the list offers none.
	Bulk *bulk.Service
	// Shop finds the payment order's twin in the merchant's shop for the
	// order page's shop panel (order_shop.go); nil: no panel.
	Shop shop.Source
	// ShopTimeout bounds the shop read of one page; 0 = 3 s.
	ShopTimeout time.Duration
	// ShopChanges sends the shop panel's changes through the audited
	// pipeline (order_shop_change.go); nil: the panel offers none.
	ShopChanges ShopChangeApplier

	// MFA is the second-factor policy (ORDERCARE_MFA, mfa.go); empty is
	// off. MFAExempt names members the policy does not apply to (the demo
	// accounts of the built-in sandbox); nil: nobody.
	MFA       staff.MFAPolicy
	MFAExempt func(*staff.Member) bool
	// DemoAccounts are the built-in sandbox's accounts, named on the
	// sign-in page so that a first visitor knows whom to sign in as
	// (their password stays where the operator saw it); empty otherwise.
	DemoAccounts []view.DemoAccount
	// WebAuthn is the relying party of passkeys (passkeys.go); nil:
	// passkeys are off (as they are when MFA is off).
	WebAuthn *webauthn.WebAuthn
	// Metrics counts requests (one middleware, server.go) and serves
	// /metrics to bearers of MetricsToken (metrics.go); nil or no token:
	// /metrics answers 404.
	Metrics      *metrics.Metrics
	MetricsToken string
	// ProviderReachable is /readyz's provider check (ready.go); nil: the
	// provider is not checked.
	ProviderReachable func(context.Context) error
	// ShopConnect connects a platform with OAuth's authorization-code
	// flow (shop_connect.go, Ucommerce); nil: no connect page.
	ShopConnect ShopConnector
	// ShopRedirect is the connect flow's callback URL as whitelisted in
	// the platform; empty: derived from the request (built-in sandbox).
	ShopRedirect string
	// SSO signs staff in with an OpenID Connect provider (sso.go); nil:
	// no single sign-on, and its routes answer 404. SSORedirect is its
	// callback URL as registered there; empty: derived from the request.
	SSO         *sso.Client
	SSORedirect string
}

func (h *Handlers) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}
