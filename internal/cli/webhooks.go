package cli

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/metrics"
	"github.com/customersd/customersd/sqlstore"
	v3 "github.com/customersd/customersd/v3"
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

// newWebhooks makes this node's delivery workers on db's queue, counted in
// m, and has db wake them after every commit that queued deliveries. Run
// starts them once the server listens and stops them before the database
// closes.
func (c *ServeCommand) newWebhooks(db *sqlstore.DB, m *metrics.Metrics, logger *slog.Logger) {
	q := sqlstore.NewWebhookQueue(db)
	cfg := c.Config.Webhook
	d := webhook.New(q, webhook.Config{Workers: cfg.Workers, Timeout: cfg.Timeout, TimeScale: cfg.TimeScale, Retention: cfg.Retention}, logger)
	d.Observer = m.NewWebhookAttempts()
	m.WatchWebhookQueue(q.QueueStats)
	db.OnDeliveries(d.Wake)
	c.webhooks = d
}

// blockedDomains is v3.Server.Blocked: the account's domains this node's
// workers refuse now.
func (c *ServeCommand) blockedDomains(_ context.Context, store customersd.StoreID, clientID string) []v3.BlockedDomain {
	if c.webhooks == nil {
		return nil
	}
	now := time.Now()
	var out []v3.BlockedDomain
	for _, b := range c.webhooks.Blocklist.BlockedDomains(store, clientID, now) {
		bd := v3.BlockedDomain{Destination: b.Domain, TimeLeft: b.Until.Sub(now)}
		for _, r := range b.Reasons {
			bd.Reasons = append(bd.Reasons, v3.BlockReason{FailureDescription: r.Description, Count: r.Count, At: r.Last})
		}
		out = append(out, bd)
	}
	return out
}
