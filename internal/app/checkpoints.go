package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

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
// On PostgreSQL (ORDERCARE_DATABASE_URL) the log is the fleet's and so
// are its checkpoints: a table of the shared database
// (audit.CheckpointStore), signed by whichever instance's commit makes one
// due, with the one key every instance is given in
// ORDERCARE_AUDIT_SIGNING_KEY. A fleet never makes a key (each instance
// would make its own) nor reads audit.key from its data folder (one
// instance's file, another key). The log was signed before when a
// verifier key is pinned or the table holds a note; such a log is refused
// without the key, as on SQLite.
func (a *App) startCheckpoints(ctx context.Context) error {
	dir := filepath.Dir(a.cfg.DBPath)
	n, _, err := a.auditLog.Head(ctx)
	if err != nil {
		return err
	}
	store := a.auditLog.CheckpointStore("")
	fleet := a.cfg.DatabaseURL != ""
	var signed bool
	if fleet {
		started, err := store.Started(ctx)
		if err != nil {
			return err
		}
		signed = a.cfg.AuditVerifierKey != "" || started
	} else {
		// A log was signed before when a verifier key is pinned or its
		// verifier key or checkpoints exist; in sandbox mode, where a key
		// is made at the first start, also when a back office wrote to
		// it. Such a log never gets a new key: it would sign whatever the
		// log holds now.
		signed = a.cfg.AuditVerifierKey != "" || exists(filepath.Join(dir, audit.PubFileName)) || exists(filepath.Join(dir, audit.CheckpointsFileName))
		if a.cfg.Sandbox() && n > 0 && !signed {
			never, err := a.auditLog.NeverServed(ctx)
			if err != nil {
				return err
			}
			signed = !never
		}
	}
	var key audit.SigningKey
	switch {
	case fleet && strings.TrimSpace(a.cfg.AuditSigningKey) == "":
		err = audit.ErrNoSigningKey
	default:
		key, err = audit.LoadSigningKey(a.cfg.AuditSigningKey, dir, a.cfg.Sandbox() && !signed && !fleet)
	}
	if errors.Is(err, audit.ErrNoSigningKey) {
		if signed && fleet {
			return fmt.Errorf("audit log refused: the shared log holds %d events and was signed, and ORDERCARE_AUDIT_SIGNING_KEY is not set: give every instance the fleet's key; a new key is never made for a log that was signed",
				n)
		}
		if signed {
			return fmt.Errorf("audit log refused: it holds %d events and was signed with a key that is missing (%s, ORDERCARE_AUDIT_SIGNING_KEY): restore the key; a new key is never made for a log that was signed",
				n, audit.KeyFileName)
		}
		if fleet {
			a.log.Error("audit checkpoints are off: no signing key", slog.String("fix",
				"set ORDERCARE_AUDIT_SIGNING_KEY, the same on every instance of the database (`admin audit keygen` makes one)"))
			return nil
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
		file, err := store.Notes(ctx)
		if err != nil {
			return err
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
