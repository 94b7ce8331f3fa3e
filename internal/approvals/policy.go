package approvals

import (
	"time"

	"ordercare/internal/money"
)

// DefaultTTL is how long a request waits for a decision before it expires.
const DefaultTTL = 72 * time.Hour

// DefaultWindow is how far back the rules look at an order: the refunds
// and requests that add up against a refund's threshold, and the highest
// amount a cancellation or release is judged by.
const DefaultWindow = 24 * time.Hour

// AnyCurrency is the key of the default amount, given as "*:20000": it
// applies, in the order currency's minor units, to every currency not
// named.
const AnyCurrency = money.AnyCurrency

// Policy says which changes need a second person.
type Policy struct {
	// Thresholds per currency (minor units), AnyCurrency for the rest: a
	// refund that takes the order's refunds in the window above the
	// threshold, a cancellation or release of an order whose authorized
	// amount was above it in the window, and an amount cut that takes the
	// order from above it to at most it, need approval. With thresholds
	// set, a currency that has none (and no AnyCurrency default) fails
	// closed: every refund, cancellation, release and amount cut in it
	// needs approval.
	Thresholds map[string]int64
	// DailyRefundLimits per currency (minor units, AnyCurrency for the
	// rest): what one agent may
	// refund on their own in a UTC day; a refund that takes them past it
	// needs approval.
	DailyRefundLimits map[string]int64
	// TTL is how long a request waits (DefaultTTL when 0).
	TTL time.Duration
	// Window is how far back the thresholds look (DefaultWindow when 0).
	Window time.Duration
}

// Rule says how a currency's threshold was found.
type Rule int

const (
	// RuleNone: no thresholds are set, nothing is held by amount.
	RuleNone Rule = iota
	// RuleCurrency: the currency's own threshold.
	RuleCurrency
	// RuleDefault: the AnyCurrency default.
	RuleDefault
	// RuleFailClosed: thresholds are set but none covers the currency,
	// so every refund, cancellation, release and amount cut needs
	// approval.
	RuleFailClosed
)

// Threshold is the threshold of currency cur (minor units) and how it
// was found; the amount is meaningful for RuleCurrency and RuleDefault.
func (p Policy) Threshold(cur string) (int64, Rule) {
	if len(p.Thresholds) == 0 {
		return 0, RuleNone
	}
	if t, ok := p.Thresholds[cur]; ok {
		return t, RuleCurrency
	}
	if t, ok := p.Thresholds[AnyCurrency]; ok {
		return t, RuleDefault
	}
	return 0, RuleFailClosed
}

// DailyLimit is one member's daily refund limit in cur, if any.
func (p Policy) DailyLimit(cur string) (int64, bool) {
	if l, ok := p.DailyRefundLimits[cur]; ok {
		return l, true
	}
	l, ok := p.DailyRefundLimits[AnyCurrency]
	return l, ok
}

// WindowOrDefault is the window the thresholds look back over.
func (p Policy) WindowOrDefault() time.Duration {
	if p.Window > 0 {
		return p.Window
	}
	return DefaultWindow
}

// Active reports whether any rule is configured.
func (p Policy) Active() bool { return len(p.Thresholds) > 0 || len(p.DailyRefundLimits) > 0 }

func (p Policy) ttl() time.Duration {
	if p.TTL > 0 {
		return p.TTL
	}
	return DefaultTTL
}
