package app

import (
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"

	"ordercare/internal/config"
	"ordercare/internal/db/dbtest"
	"ordercare/internal/shop"
	"ordercare/internal/staff"
)

// With ORDERCARE_SHOP=ucommerce in sandbox mode the app runs the built-in
// Ucommerce sandbox, connected at start-up, so the panel shows out of the
// box: the out-of-step demo orders find their twin.
func TestSandboxUcommerceConnectedAtStart(t *testing.T) {
	cfg := config.Config{Addr: "127.0.0.1:0", DBPath: filepath.Join(t.TempDir(), "admin.db"), OMProvider: "kustom", OMTimeout: 10 * time.Second,
		Shop: config.ShopConfig{Platform: config.ShopUcommerce, IDReference: config.RefMerchant2, NumberReference: config.RefMerchant1, Timeout: 5 * time.Second}}
	a, err := Build(t.Context(), cfg, WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))), WithOutput(io.Discard),
		WithStaffOptions(staff.Options{Params: &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	sb := a.UcommerceSandbox()
	if sb == nil || a.ShopSandbox() != nil {
		t.Fatal("no built-in Ucommerce sandbox")
	}
	if ok, _, err := a.shopConnect.Connected(t.Context()); !ok || err != nil {
		t.Fatalf("not connected at start: %v", err)
	}
	id := sb.OutOfStep()["cancelled-still-authorized"]
	o, err := a.sandbox.Order(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	twin, err := a.shop.Lookup(t.Context(), o)
	if err != nil || !twin.Cancelled || twin.Platform != shop.UcommerceName {
		t.Fatalf("twin of %s: %+v, %v", id, twin, err)
	}
}

// Each instance of a fleet in sandbox mode runs its own built-in Ucommerce
// sandbox, whose tokens only it knows: one instance's connection must not
// replace another's in the shared database (it did: the second start
// sealed its token under a key of its own, which the first could not
// open, and the first was disconnected).
func TestSandboxUcommerceOnAFleetKeepsEachConnection(t *testing.T) {
	pg := dbtest.Postgres(t)
	build := func(name string) *App {
		cfg := config.Config{Addr: "127.0.0.1:0", DBPath: filepath.Join(t.TempDir(), "admin.db"), OMProvider: "kustom", OMTimeout: 10 * time.Second,
			DatabaseURL: pg.URL, DemoPassword: "fleet demo password", StaffKey: strings.Repeat("5a", 32), Metrics: config.MetricsConfig{Instance: name},
			Shop: config.ShopConfig{Platform: config.ShopUcommerce, IDReference: config.RefMerchant2, NumberReference: config.RefMerchant1, Timeout: 5 * time.Second}}
		a, err := Build(t.Context(), cfg, WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))), WithOutput(io.Discard),
			WithStaffOptions(staff.Options{Params: &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}}))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = a.Close() })
		return a
	}
	first := build("fleet-a")
	second := build("fleet-b")
	for _, a := range []*App{first, second} {
		if ok, _, err := a.shopConnect.Connected(t.Context()); !ok || err != nil {
			t.Fatalf("%s not connected: %v", a.cfg.InstanceName(), err)
		}
		id := a.UcommerceSandbox().OutOfStep()["cancelled-still-authorized"]
		o, err := a.sandbox.Order(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if twin, err := a.shop.Lookup(t.Context(), o); err != nil || !twin.Cancelled {
			t.Fatalf("%s: twin of %s: %+v, %v", a.cfg.InstanceName(), id, twin, err)
		}
	}
}
