package intake

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Progress shows how an import goes: on a terminal a bar redrawn in place
// with the rate and the time left, elsewhere (a log, a pipe) a plain line
// every few seconds.
type Progress struct {
	w     io.Writer
	tty   bool
	now   func() time.Time
	every time.Duration

	total, done, skipped int
	start, last          time.Time
}

// NewProgress writes to w; tty selects the redrawn bar.
func NewProgress(w io.Writer, tty bool) *Progress {
	p := &Progress{w: w, tty: tty, now: time.Now, every: 5 * time.Second}
	if tty {
		p.every = 200 * time.Millisecond
	}
	return p
}

// IsTerminal reports whether f is a character device (a terminal), without
// a terminal library: enough to choose between a bar and plain lines.
func IsTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Start begins a run over total rows of which skipped were handled before.
func (p *Progress) Start(total, skipped int) {
	p.total, p.skipped, p.done = total, skipped, skipped
	p.start, p.last = p.now(), time.Time{}
	if skipped > 0 {
		fmt.Fprintf(p.w, "resuming after %d of %d rows handled earlier\n", skipped, total)
	}
	p.draw(false)
}

// Step counts one handled row.
func (p *Progress) Step() {
	p.done++
	if p.now().Sub(p.last) >= p.every {
		p.draw(false)
	}
}

// Finish draws the final state (and ends the bar's line).
func (p *Progress) Finish() { p.draw(true) }

func (p *Progress) draw(final bool) {
	now := p.now()
	p.last = now
	elapsed := now.Sub(p.start)
	ran := p.done - p.skipped
	rate := 0.0
	if elapsed > 0 {
		rate = float64(ran) / elapsed.Seconds()
	}
	left := "--:--"
	if rate > 0 {
		left = clock(time.Duration(float64(p.total-p.done) / rate * float64(time.Second)))
	}
	pct := 100
	if p.total > 0 {
		pct = p.done * 100 / p.total
	}
	if !p.tty {
		if final || ran > 0 || p.done == 0 {
			fmt.Fprintf(p.w, "%d/%d rows (%d%%), %.1f/s, %s left\n", p.done, p.total, pct, rate, left)
		}
		return
	}
	const width = 30
	filled := width * pct / 100
	bar := strings.Repeat("#", filled) + strings.Repeat(".", width-filled)
	fmt.Fprintf(p.w, "\r[%s] %d/%d %3d%%  %.1f/s  %s left ", bar, p.done, p.total, pct, rate, left)
	if final {
		fmt.Fprintln(p.w)
	}
}

// clock formats d as m:ss or h:mm:ss.
func clock(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
