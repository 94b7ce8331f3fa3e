package app

import (
	"errors"
	"log/slog"
	"path/filepath"

	"ordercare/internal/audit"
)

// startCheckpoints turns on the audit log's signed checkpoints (every 100
// events and at least hourly, to audit.checkpoints beside audit.db and to
// the log). The key comes from ORDERCARE_AUDIT_SIGNING_KEY or audit.key
// beside the database; in sandbox mode a missing key is generated there.
// Outside sandbox mode a missing key does not stop the back office (test
// and staging setups against a provider would all need one first), but
// the log says so at error level on every start and the audit page shows
// that checkpoints are off; `admin audit keygen` makes the key.
func (a *App) startCheckpoints() error {
	dir := filepath.Dir(a.cfg.DBPath)
	key, err := audit.LoadSigningKey(a.cfg.AuditSigningKey, dir, a.cfg.Sandbox())
	if errors.Is(err, audit.ErrNoSigningKey) {
		a.log.Error("audit checkpoints are off: no signing key", slog.String("fix", err.Error()))
		return nil
	}
	if err != nil {
		return err
	}
	if err := a.auditLog.StartCheckpoints(audit.CheckpointConfig{Key: key, Logger: a.log}); err != nil {
		return err
	}
	st := a.auditLog.CheckpointStatus()
	a.log.Info("audit checkpoints on", slog.String("file", st.File), slog.String("verifier_key", key.VerifierKey),
		slog.String("verifier_key_file", filepath.Join(dir, audit.PubFileName)))
	return nil
}
