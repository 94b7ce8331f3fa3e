package approvals

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"ordercare/internal/money"
)

// DefaultTTL is how long a request waits for a decision before it expires.
const DefaultTTL = 72 * time.Hour

// Policy says which changes need a second person.
type Policy struct {
	// Thresholds per currency (minor units): a refund above the order's
	// currency's threshold, and a cancellation of an order whose amount is
	// above it, need approval. A currency without one needs none.
	Thresholds map[string]int64
	// DailyRefundLimits per currency (minor units): what one agent may
	// refund on their own in a UTC day; a refund that takes them past it
	// needs approval.
	DailyRefundLimits map[string]int64
	// TTL is how long a request waits (DefaultTTL when 0).
	TTL time.Duration
}

// Active reports whether any rule is configured.
func (p Policy) Active() bool { return len(p.Thresholds) > 0 || len(p.DailyRefundLimits) > 0 }

func (p Policy) ttl() time.Duration {
	if p.TTL > 0 {
		return p.TTL
	}
	return DefaultTTL
}

// ParseAmounts reads a list of per-currency amounts in minor units, such as
// "EUR:50000,SEK:500000,USD:50000" (spaces allowed). Empty means none. name
// is the setting's name, for the messages.
func ParseAmounts(name, s string) (map[string]int64, error) {
	out := map[string]int64{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	for part := range strings.SplitSeq(s, ",") {
		cur, amount, ok := strings.Cut(strings.TrimSpace(part), ":")
		cur = strings.ToUpper(strings.TrimSpace(cur))
		amount = strings.TrimSpace(amount)
		if !ok || cur == "" || amount == "" {
			return nil, fmt.Errorf("%s: %q is not CURRENCY:AMOUNT (minor units), as in EUR:50000", name, strings.TrimSpace(part))
		}
		if !money.Known(cur) {
			return nil, fmt.Errorf("%s: %q is not a currency the provider accepts", name, cur)
		}
		v, err := strconv.ParseInt(amount, 10, 64)
		if err != nil || v < 0 || v > money.MaxAmount {
			return nil, fmt.Errorf("%s: %s amount %q is not a whole number of minor units between 0 and %d (EUR:50000 is 500.00 EUR)",
				name, cur, amount, money.MaxAmount)
		}
		if _, dup := out[cur]; dup {
			return nil, fmt.Errorf("%s: %s is given twice", name, cur)
		}
		out[cur] = v
	}
	return out, nil
}

// FormatAmounts writes amounts back in ParseAmounts' form, sorted by
// currency (for the start-up log and the settings shown to supervisors).
func FormatAmounts(m map[string]int64) string {
	curs := make([]string, 0, len(m))
	for c := range m {
		curs = append(curs, c)
	}
	slices.Sort(curs)
	parts := make([]string, len(curs))
	for i, c := range curs {
		parts[i] = c + ":" + strconv.FormatInt(m[c], 10)
	}
	return strings.Join(parts, ",")
}
