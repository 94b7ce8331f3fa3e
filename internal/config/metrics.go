package config

import (
	"fmt"
	"os"
	"strings"
)

// MetricsConfig is how the instance is observed.
type MetricsConfig struct {
	// Token is the bearer token of GET /metrics; empty: no /metrics (404).
	Token string
	// Instance names this instance on every metric series; empty: the
	// host name.
	Instance string
}

func init() {
	options = append(options,
		option{"metrics-token", "ORDERCARE_METRICS_TOKEN", "", "bearer token of GET /metrics (Prometheus); at least 16 characters; empty: no /metrics (prefer the environment variable)", func(c *Config, v string) error {
			c.Metrics.Token = strings.TrimSpace(v)
			return nil
		}},
		option{"instance", "ORDERCARE_INSTANCE", "", "this instance's name on every metric series; empty: the host name", func(c *Config, v string) error {
			c.Metrics.Instance = strings.TrimSpace(v)
			return nil
		}},
	)
}

// InstanceName is the configured instance name, else the host name, else
// "ordercare".
func (c Config) InstanceName() string {
	if c.Metrics.Instance != "" {
		return c.Metrics.Instance
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "ordercare"
}

func (c Config) validateMetrics() error {
	if c.Metrics.Token != "" && len(c.Metrics.Token) < MinSecretLen {
		return fmt.Errorf("ORDERCARE_METRICS_TOKEN: must be at least %d characters", MinSecretLen)
	}
	return nil
}
