package app

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"

	"ordercare/internal/audit"
	"ordercare/internal/witness"
)

// witnessClient is the configured witness's client (ok false without one).
func (a *App) witnessClient(key audit.SigningKey) (witness.Client, bool) {
	if a.cfg.AuditWitnessURL == "" {
		return witness.Client{}, false
	}
	v, err := note.NewVerifier(key.VerifierKey)
	if err != nil {
		return witness.Client{}, false
	}
	return witness.Client{URL: a.cfg.AuditWitnessURL, HTTP: &http.Client{Timeout: 10 * time.Second}, Log: v, Fleet: a.cfg.DatabaseURL != ""}, true
}

// checkWitness refuses a log that does not reach, or does not match, the
// newest checkpoint the witness co-signed: unlike the local file, the
// witness's copy is out of reach of whoever holds the data folder. A
// witness that does not answer does not stop the back office (it would
// make the witness a single point of failure); the log says so.
func (a *App) checkWitness(ctx context.Context, key audit.SigningKey) error {
	c, ok := a.witnessClient(key)
	if !ok {
		return nil
	}
	cp, _, err := c.Latest(ctx)
	if err != nil {
		a.log.Error("audit witness not checked at start-up", slog.String("url", c.URL), slog.Any("err", err))
		return nil
	}
	if cp.Time.IsZero() {
		return nil
	}
	err = a.auditLog.CheckAgainst(ctx, cp, "the witness at "+c.URL)
	if errors.Is(err, audit.ErrAcknowledged) {
		a.log.Error("the audit witness holds a checkpoint from before the acknowledged restore and will refuse the restored log's: reset it (remove its "+
			witness.StateFileName+")", slog.String("url", c.URL), slog.Int64("witnessed_count", cp.Count))
		return nil
	}
	return err
}

// publishToWitness hands every checkpoint to the witness, one at a time
// and in the background (the newest waiting replaces an older one: a
// co-signed newer checkpoint covers it), until Close.
func (a *App) publishToWitness(key audit.SigningKey) {
	c, ok := a.witnessClient(key)
	if !ok {
		return
	}
	type signed struct {
		cp  audit.Checkpoint
		msg []byte
	}
	var mu sync.Mutex
	var next *signed
	wake := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-wake:
			}
			mu.Lock()
			s := next
			next = nil
			mu.Unlock()
			if s == nil {
				continue
			}
			if _, err := c.Add(ctx, a.auditLog, s.cp, s.msg); err != nil && ctx.Err() == nil {
				a.log.Error("audit checkpoint not co-signed by the witness", slog.Int64("count", s.cp.Count), slog.Any("err", err))
			}
		}
	}()
	a.auditLog.PublishCheckpoints(func(cp audit.Checkpoint, msg []byte) {
		mu.Lock()
		next = &signed{cp, msg}
		mu.Unlock()
		select {
		case wake <- struct{}{}:
		default:
		}
	})
	a.stopWitness = func() { cancel(); <-done }
}
