package view

import (
	"fmt"
	"strconv"
	"time"

	"ordercare/internal/audit"
)

// ChainView is the audit page's chain status box.
type ChainView struct {
	// State is "ok", "broken", "never" or "running" (for the colour and tests).
	State    string
	Heading  string
	Detail   string
	Problems []string
	// Checkpoint describes the signed checkpoints.
	Checkpoint string
	// Running says who started the verification in progress.
	Running string
}

// NewChainView builds the chain status from the last verification and the
// checkpoint state.
func NewChainView(st audit.VerificationStatus, cps audit.CheckpointStatus, loc *time.Location) ChainView {
	v := ChainView{State: "never", Heading: "The chain has not been verified yet"}
	if last := st.Last; last != nil {
		when := newTime(last.Time, loc).Text
		who := orDash(last.By)
		detail := fmt.Sprintf("%s events checked on %s by %s in %s.", groupDigits(last.Events), when, who, durationText(last.DurationMS))
		if last.Checked {
			detail += fmt.Sprintf(" %s signed checkpoints matched; %s events since the latest one.", groupDigits(int64(last.Matched)), groupDigits(last.Uncovered))
		}
		v.Detail = detail
		v.Problems = last.Problems
		if last.OK {
			v.State, v.Heading = "ok", "The audit trail verifies"
		} else {
			v.State, v.Heading = "broken", "The audit trail does not verify"
			if last.FirstBad != 0 {
				v.Problems = append([]string{fmt.Sprintf("Event %d: %s", last.FirstBad, last.Reason)}, v.Problems...)
			}
		}
	}
	if st.Running {
		v.State = "running"
		v.Running = fmt.Sprintf("A verification started by %s on %s is running; reload the page to see its result.", orDash(st.By), newTime(st.Since, loc).Text)
	}
	switch {
	case !cps.Enabled:
		v.Checkpoint = "Signed checkpoints are off: only the hash chain protects the log."
	case cps.LastErr != "":
		v.Checkpoint = "The last checkpoint could not be written: " + cps.LastErr
	case cps.Last.Count == 0 && cps.Last.Time.IsZero():
		v.Checkpoint = "Signed checkpoints are on; none is written yet."
	default:
		v.Checkpoint = fmt.Sprintf("Latest signed checkpoint: %s events, %s. Verifier key: %s",
			groupDigits(cps.Last.Count), newTime(cps.Last.Time, loc).Text, cps.VerifierKey)
	}
	return v
}

func durationText(ms int64) string {
	if ms < 1000 {
		return strconv.FormatInt(ms, 10) + " ms"
	}
	return strconv.FormatFloat(float64(ms)/1000, 'f', 1, 64) + " s"
}
