package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// verifyState is the verification running in the background, if any.
type verifyState struct {
	mu      sync.Mutex
	running bool
	since   time.Time
	by      string
}

// VerificationStatus is what the audit page shows about the chain.
type VerificationStatus struct {
	// Running is true while a verification started from the page runs;
	// Since and By say when and who started it.
	Running bool
	Since   time.Time
	By      string
	// Last is the latest recorded verification (a KindVerify event), nil
	// when the chain was never verified.
	Last *Verification
}

// Verification is one recorded verification, decoded from its event.
type Verification struct {
	Seq        int64
	Time       time.Time
	By         string
	OK         bool
	Events     int64
	FirstBad   int64
	Reason     string
	Checked    bool // checkpoints were checked too
	Matched    int  // checkpoints that matched
	Uncovered  int64
	Problems   []string
	DurationMS int64
}

// maxProblemsRecorded bounds the problems kept in a verify event.
const maxProblemsRecorded = 20

// StartVerification verifies the chain, and the signed checkpoints when
// they are on, in the background, and records the result as a KindVerify
// event. It returns false when a verification is already running.
func (l *Log) StartVerification(actor Actor) bool {
	l.verify.mu.Lock()
	if l.verify.running {
		l.verify.mu.Unlock()
		return false
	}
	l.mu.RLock()
	closed := l.closed
	if !closed {
		l.bg.Add(1)
	}
	l.mu.RUnlock()
	if closed {
		l.verify.mu.Unlock()
		return false
	}
	l.verify.running, l.verify.since, l.verify.by = true, l.now().UTC(), actor.Email
	l.verify.mu.Unlock()
	go func() {
		defer l.bg.Done()
		defer func() {
			l.verify.mu.Lock()
			l.verify.running = false
			l.verify.mu.Unlock()
		}()
		if _, err := l.runVerification(l.bgCtx, actor); err != nil && !errors.Is(err, context.Canceled) {
			slog.Default().Error("audit verification failed", slog.Any("err", err))
		}
	}()
	return true
}

// runVerification verifies now (see StartVerification) and records the
// result.
func (l *Log) runVerification(ctx context.Context, actor Actor) (Verification, error) {
	start := time.Now()
	detail := map[string]string{}
	var v Verification
	cps := l.CheckpointStatus()
	if cps.Enabled {
		rep, err := l.verifyAgainstFile(ctx, cps)
		if err != nil {
			return Verification{}, err
		}
		v = Verification{OK: rep.OK(), Events: rep.Chain.Events, FirstBad: rep.Chain.FirstBad, Reason: rep.Chain.Reason,
			Checked: true, Matched: rep.Matched, Uncovered: rep.Uncovered, Problems: rep.Problems}
	} else {
		res, err := l.Verify(ctx)
		if err != nil {
			return Verification{}, err
		}
		v = Verification{OK: res.OK, Events: res.Events, FirstBad: res.FirstBad, Reason: res.Reason}
	}
	v.DurationMS = time.Since(start).Milliseconds()
	detail["ok"] = strconv.FormatBool(v.OK)
	detail["events"] = strconv.FormatInt(v.Events, 10)
	detail["duration_ms"] = strconv.FormatInt(v.DurationMS, 10)
	if !v.OK && v.FirstBad != 0 {
		detail["first_bad"] = strconv.FormatInt(v.FirstBad, 10)
		detail["reason"] = v.Reason
	}
	if v.Checked {
		detail["checkpoints_matched"] = strconv.Itoa(v.Matched)
		detail["uncovered"] = strconv.FormatInt(v.Uncovered, 10)
		probs := v.Problems
		if len(probs) > maxProblemsRecorded {
			probs = append(probs[:maxProblemsRecorded:maxProblemsRecorded], fmt.Sprintf("… and %d more", len(v.Problems)-maxProblemsRecorded))
		}
		if len(probs) > 0 {
			detail["problems"] = strings.Join(probs, "\n")
		}
	}
	e, err := l.Append(ctx, Event{Kind: KindVerify, Actor: actor, Detail: detail})
	if err != nil {
		return v, err
	}
	v.Seq, v.Time, v.By = e.Seq, e.Time, actor.Email
	return v, nil
}

func (l *Log) verifyAgainstFile(ctx context.Context, cps CheckpointStatus) (CheckpointReport, error) {
	verifier, err := note.NewVerifier(cps.VerifierKey)
	if err != nil {
		return CheckpointReport{}, fmt.Errorf("audit: verifier key: %w", err)
	}
	store := l.CheckpointStore(cps.File) // the fleet's table on PostgreSQL
	notes, err := store.Notes(ctx)
	if err != nil {
		return CheckpointReport{}, err
	}
	return verifyCheckpoints(ctx, l.db.R, []CheckpointSource{{Notes: notes, Local: !shared(store)}}, verifier)
}

// VerificationStatus returns whether a verification runs and the latest
// recorded one.
func (l *Log) VerificationStatus(ctx context.Context) (VerificationStatus, error) {
	l.verify.mu.Lock()
	st := VerificationStatus{Running: l.verify.running, Since: l.verify.since, By: l.verify.by}
	l.verify.mu.Unlock()
	evs, err := l.eventsWhere(ctx, `kind = 'verify' ORDER BY seq DESC LIMIT 1`)
	if err != nil {
		return st, err
	}
	if len(evs) == 1 {
		v := verificationOf(evs[0])
		st.Last = &v
	}
	return st, nil
}

func verificationOf(e Event) Verification {
	d := e.Detail
	num := func(k string) int64 { n, _ := strconv.ParseInt(d[k], 10, 64); return n }
	v := Verification{
		Seq: e.Seq, Time: e.Time, By: e.Actor.Email, OK: d["ok"] == "true", Events: num("events"),
		FirstBad: num("first_bad"), Reason: d["reason"], DurationMS: num("duration_ms"),
	}
	if _, ok := d["checkpoints_matched"]; ok {
		v.Checked, v.Matched, v.Uncovered = true, int(num("checkpoints_matched")), num("uncovered")
	}
	if p := d["problems"]; p != "" {
		v.Problems = strings.Split(p, "\n")
	}
	return v
}
