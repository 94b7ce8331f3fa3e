package config

import (
	"fmt"
	"strconv"
	"strings"
)

// BulkConfig is how bulk jobs on the order list run and who may start how
// big a one (package bulk).
type BulkConfig struct {
	// Rate is orders per second across all jobs.
	Rate float64
	// MaxOrders caps every job; AgentMaxOrders and AgentMaxAmounts the
	// jobs an agent starts alone. AgentMaxAmounts is a per-currency list
	// (EUR:500000,*:500000) that the app reads, as it knows the
	// currencies.
	MaxOrders, AgentMaxOrders int
	AgentMaxAmounts           string
}

// Defaults of the bulk settings: a rate well inside the providers' limits
// for order management calls, and the caps the README gives.
const (
	DefaultBulkRate           = 5
	DefaultBulkMaxOrders      = 500
	DefaultBulkAgentMaxOrders = 50
)

func init() {
	options = append(options,
		option{"bulk-rate", "ORDERCARE_BULK_RATE", strconv.Itoa(DefaultBulkRate), "orders per second that bulk jobs send, across all jobs",
			rateSetter("ORDERCARE_BULK_RATE", false, func(c *Config, r float64) { c.Bulk.Rate = r })},
		option{"bulk-max-orders", "ORDERCARE_BULK_MAX_ORDERS", strconv.Itoa(DefaultBulkMaxOrders), "the most orders one bulk job may change, whoever starts it",
			countSetter("ORDERCARE_BULK_MAX_ORDERS", func(c *Config, n int) { c.Bulk.MaxOrders = n })},
		option{"bulk-agent-max-orders", "ORDERCARE_BULK_AGENT_MAX_ORDERS", strconv.Itoa(DefaultBulkAgentMaxOrders), "the most orders of a bulk job an agent may start; a bigger one needs a supervisor",
			countSetter("ORDERCARE_BULK_AGENT_MAX_ORDERS", func(c *Config, n int) { c.Bulk.AgentMaxOrders = n })},
		option{"bulk-agent-max-amounts", "ORDERCARE_BULK_AGENT_MAX_AMOUNTS", "", "per-currency amounts in minor units, such as EUR:500000,*:500000: the most money of a bulk job an agent may start; above it a supervisor must start it; empty: no money cap",
			func(c *Config, v string) error { c.Bulk.AgentMaxAmounts = strings.TrimSpace(v); return nil }},
	)
}

// countSetter parses a whole number of orders from 1 to 100000.
func countSetter(env string, set func(*Config, int)) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 || n > 100000 {
			return fmt.Errorf("%s: %q is not a number of orders from 1 to 100000", env, v)
		}
		set(c, n)
		return nil
	}
}
