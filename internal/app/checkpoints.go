package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"ordercare/internal/audit"
)

// startCheckpoints turns on the audit log's signed checkpoints (every 100
// events and at least hourly, to audit.checkpoints beside audit.db and to
// the log), after checking the log against the newest checkpoint: a log
// that was rolled back, forked, or lost its checkpoints is refused before
// anything is appended to it (audit.MismatchError says what and which
// command records a restore).
//
// The key comes from ORDERCARE_AUDIT_SIGNING_KEY or audit.key beside the
// database; in sandbox mode it is generated there, but only for a log
// never signed (no audit.pub, no audit.checkpoints, and no event but the
// staff changes of admin commands run before the first start): a key made
// for a log that was signed would sign whatever the log holds now. ORDERCARE_AUDIT_VERIFIER_KEY, when set, pins the key. Outside
// sandbox mode a missing key does not stop the back office when nothing
// shows that the log was ever signed (test and staging setups against a
// provider would all need one first), but the log says so at error level
// on every start and the audit page shows that checkpoints are off;
// `admin audit keygen` makes the key.
//
// On PostgreSQL (ORDERCARE_DATABASE_URL) checkpoints are off: the log is
// the fleet's, its checkpoints would be one instance's file, and a second
// instance's start would find in its own file no checkpoint of the
// events the first appended and refuse the log. The settings refuse a
// signing key, a pinned verifier key and a witness there (config), and no
// key is made.
func (a *App) startCheckpoints(ctx context.Context) error {
	if a.cfg.DatabaseURL != "" {
		a.log.Error("audit checkpoints are off: signed checkpoints are not yet available with ORDERCARE_DATABASE_URL (the hash chain is kept and verified as ever)")
		return nil
	}
	dir := filepath.Dir(a.cfg.DBPath)
	n, _, err := a.auditLog.Head(ctx)
	if err != nil {
		return err
	}
	// A log was signed before when a verifier key is pinned or its
	// verifier key or checkpoints exist; in sandbox mode, where a key is
	// made at the first start, also when a back office wrote to it. Such a
	// log never gets a new key: it would sign whatever the log holds now.
	signed := a.cfg.AuditVerifierKey != "" || exists(filepath.Join(dir, audit.PubFileName)) || exists(filepath.Join(dir, audit.CheckpointsFileName))
	if a.cfg.Sandbox() && n > 0 && !signed {
		never, err := a.auditLog.NeverServed(ctx)
		if err != nil {
			return err
		}
		signed = !never
	}
	key, err := audit.LoadSigningKey(a.cfg.AuditSigningKey, dir, a.cfg.Sandbox() && !signed)
	if errors.Is(err, audit.ErrNoSigningKey) {
		if signed {
			return fmt.Errorf("audit log refused: it holds %d events and was signed with a key that is missing (%s, ORDERCARE_AUDIT_SIGNING_KEY): restore the key; a new key is never made for a log that was signed",
				n, audit.KeyFileName)
		}
		a.log.Error("audit checkpoints are off: no signing key", slog.String("fix", err.Error()))
		return nil
	}
	if err != nil {
		return err
	}
	if pinned := a.cfg.AuditVerifierKey; pinned != "" && key.VerifierKey != pinned {
		// A key rotation hands the pinned key over to the new one with a
		// note signed by both (`admin audit rotate-key`).
		file, err := os.ReadFile(filepath.Join(dir, audit.CheckpointsFileName)) // #nosec G304 -- audit.checkpoints in the configured data folder
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("audit: checkpoint file: %w", err)
		}
		if !audit.KeyHandedOver(file, pinned, key.VerifierKey) {
			return errors.New("audit log refused: the signing key is not the one ORDERCARE_AUDIT_VERIFIER_KEY pins, and no key rotation hands it over (was the key replaced?); restore the pinned key")
		}
	}
	if err := a.checkWitness(ctx, key); err != nil {
		return err
	}
	if err := a.auditLog.StartCheckpoints(audit.CheckpointConfig{Key: key, Logger: a.log}); err != nil {
		return err
	}
	a.publishToWitness(key)
	st := a.auditLog.CheckpointStatus()
	a.log.Info("audit checkpoints on", slog.String("file", st.File), slog.String("verifier_key", key.VerifierKey),
		slog.String("verifier_key_file", filepath.Join(dir, audit.PubFileName)))
	return nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
