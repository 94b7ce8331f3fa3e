package bulk

import (
	"sort"
	"strconv"

	"ordercare/internal/money"
	"ordercare/internal/staff"
)

// Limits cap the jobs. An agent may start a job of at most AgentMaxOrders
// orders and, per currency, AgentMaxAmounts; a bigger job needs a
// supervisor (or an admin) to start it, up to MaxOrders, which nobody
// passes. The operator sets them in the configuration
// (ORDERCARE_BULK_*), so the rule is the same for every agent and is on
// record with the deployment, not in a form someone could change.
type Limits struct {
	// MaxOrders is the largest job of anyone, and the cap of "all orders
	// matching this filter" (DefaultMaxOrders when 0).
	MaxOrders int
	// AgentMaxOrders is the largest job an agent may start alone
	// (DefaultAgentMaxOrders when 0).
	AgentMaxOrders int
	// AgentMaxAmounts caps, per currency in minor units, the money of a
	// job an agent may start alone ("*" for every other currency); nil:
	// no money cap, only the count.
	AgentMaxAmounts map[string]int64
}

// Defaults of Limits.
const (
	DefaultMaxOrders      = 500
	DefaultAgentMaxOrders = 50
)

func (l Limits) withDefaults() Limits {
	if l.MaxOrders <= 0 {
		l.MaxOrders = DefaultMaxOrders
	}
	if l.AgentMaxOrders <= 0 {
		l.AgentMaxOrders = DefaultAgentMaxOrders
	}
	return l
}

// Check says why a member of role may not start a job of items ("" when
// they may).
func (l Limits) Check(role string, items []Item) string {
	l = l.withDefaults()
	n := len(items)
	switch {
	case n == 0:
		return "no orders are ticked"
	case n > l.MaxOrders:
		return "a job may change at most " + strconv.Itoa(l.MaxOrders) + " orders; this one has " + strconv.Itoa(n) + ". Narrow the filter."
	}
	if staff.Role(role).Allows(staff.RoleSupervisor, false) {
		return ""
	}
	if n > l.AgentMaxOrders {
		return "an agent may start a job of at most " + strconv.Itoa(l.AgentMaxOrders) + " orders; this one has " +
			strconv.Itoa(n) + ", so a supervisor must start it."
	}
	totals := Totals(items)
	curs := make([]string, 0, len(totals))
	for cur := range totals {
		curs = append(curs, cur)
	}
	sort.Strings(curs)
	for _, cur := range curs {
		limit, ok := l.AgentMaxAmounts[cur]
		if !ok {
			limit, ok = l.AgentMaxAmounts["*"]
		}
		if ok && totals[cur] > limit {
			return "an agent may start a job of at most " + money.FormatPlain(limit, cur) + " " + cur + "; this one has " +
				money.FormatPlain(totals[cur], cur) + " " + cur + ", so a supervisor must start it."
		}
	}
	return ""
}
