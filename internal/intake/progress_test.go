package intake

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// On a terminal the bar is redrawn in place with the rate and the time
// left; elsewhere plain lines, and never a carriage return in a log.
func TestProgress(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		tty  bool
		want []string
		not  string
	}{
		{"terminal", true, []string{"\r[###############...............] 50/100  50%", "10.0/s", "0:05 left"}, ""},
		{"plain", false, []string{"50/100 rows (50%), 10.0/s, 0:05 left\n", "resuming after 40 of 100"}, "\r"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			now := time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)
			p := NewProgress(&out, tc.tty)
			p.now = func() time.Time { return now }
			p.Start(100, 40)
			for range 10 {
				now = now.Add(100 * time.Millisecond)
				p.Step()
			}
			p.Finish()
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%q", w, out.String())
				}
			}
			if tc.not != "" && strings.Contains(out.String(), tc.not) {
				t.Errorf("output has %q:\n%q", tc.not, out.String())
			}
		})
	}
}
