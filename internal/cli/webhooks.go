package cli

import (
	"flag"
	"fmt"
	"strconv"
	"time"

	"github.com/customersd/customersd/webhook"
)

// WebhookConfig is the delivery part of Config (docs/webhooks.md).
type WebhookConfig struct {
	// TimeScale multiplies every delay of the retry schedule and the
	// blocklist windows; test suites set it (0.0002 runs the 48 hours in
	// about 35 s).
	TimeScale float64
	Timeout   time.Duration
	Workers   int
	// Retention is how long finished deliveries stay in the delivery log.
	Retention time.Duration
}

// webhookFlags registers the delivery flags with their CUSTOMERSD_* twins.
func (m *Main) webhookFlags(fs *flag.FlagSet, cfg *WebhookConfig) error {
	env := func(name, def string) string { return envOr(m.Getenv, name, def) }
	scale, err := strconv.ParseFloat(env("CUSTOMERSD_WEBHOOK_TIME_SCALE", "1"), 64)
	if err != nil {
		return fmt.Errorf("CUSTOMERSD_WEBHOOK_TIME_SCALE: %w", err)
	}
	timeout, err := time.ParseDuration(env("CUSTOMERSD_WEBHOOK_TIMEOUT", webhook.DefaultTimeout.String()))
	if err != nil {
		return fmt.Errorf("CUSTOMERSD_WEBHOOK_TIMEOUT: %w", err)
	}
	workers, err := strconv.Atoi(env("CUSTOMERSD_WEBHOOK_WORKERS", strconv.Itoa(webhook.DefaultWorkers)))
	if err != nil {
		return fmt.Errorf("CUSTOMERSD_WEBHOOK_WORKERS: %w", err)
	}
	retention, err := time.ParseDuration(env("CUSTOMERSD_WEBHOOK_RETENTION", webhook.DefaultRetention.String()))
	if err != nil {
		return fmt.Errorf("CUSTOMERSD_WEBHOOK_RETENTION: %w", err)
	}
	fs.Float64Var(&cfg.TimeScale, "webhook-time-scale", scale,
		"multiplies the webhook retry schedule and blocklist windows, for tests: 0.0002 runs the 48-hour schedule in about 35 s (env CUSTOMERSD_WEBHOOK_TIME_SCALE)")
	fs.DurationVar(&cfg.Timeout, "webhook-timeout", timeout,
		"longest a webhook receiver may take to answer before the attempt fails (env CUSTOMERSD_WEBHOOK_TIMEOUT)")
	fs.IntVar(&cfg.Workers, "webhook-workers", workers,
		"webhook deliveries this node sends at once (env CUSTOMERSD_WEBHOOK_WORKERS)")
	fs.DurationVar(&cfg.Retention, "webhook-retention", retention,
		"how long delivered and failed webhooks stay in the delivery log (env CUSTOMERSD_WEBHOOK_RETENTION)")
	return nil
}

func (cfg *WebhookConfig) validate() error {
	if !(cfg.TimeScale > 0) || cfg.TimeScale > 1e6 {
		return fmt.Errorf("--webhook-time-scale must be more than 0 (1: real time), not %v", cfg.TimeScale)
	}
	if cfg.Timeout <= 0 {
		return fmt.Errorf("--webhook-timeout must be more than 0, not %s", cfg.Timeout)
	}
	if cfg.Workers < 1 {
		return fmt.Errorf("--webhook-workers must be 1 or more, not %d", cfg.Workers)
	}
	if cfg.Retention <= 0 {
		return fmt.Errorf("--webhook-retention must be more than 0, not %s", cfg.Retention)
	}
	return nil
}
