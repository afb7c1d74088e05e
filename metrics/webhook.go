package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// WebhookAttempts counts and times webhook delivery attempts by outcome
// (webhook.Observer).
type WebhookAttempts struct {
	attempts *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewWebhookAttempts registers customersd_webhook_attempts_total and
// customersd_webhook_attempt_duration_seconds. Call it once per Metrics.
func (m *Metrics) NewWebhookAttempts() *WebhookAttempts {
	w := &WebhookAttempts{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "customersd_webhook_attempts_total",
			Help: "Webhook delivery attempts by outcome: delivered, retry (failed, another attempt scheduled), failed (the last one; hook deactivated), blocked (not sent: destination domain blocklisted).",
		}, []string{"outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "customersd_webhook_attempt_duration_seconds",
			Help:    "Time from sending a webhook to its answer (or failure), by outcome.",
			Buckets: prometheus.DefBuckets,
		}, []string{"outcome"}),
	}
	m.MustRegister(w.attempts, w.duration)
	return w
}

// ObserveAttempt counts one attempt.
func (w *WebhookAttempts) ObserveAttempt(outcome string, d time.Duration) {
	w.attempts.WithLabelValues(outcome).Inc()
	w.duration.WithLabelValues(outcome).Observe(d.Seconds())
}

// queueStatsTimeout bounds the query a scrape runs, so a busy database
// slows the scrape by at most this much.
const queueStatsTimeout = 2 * time.Second

// WatchWebhookQueue exports customersd_webhook_queue_depth and
// customersd_webhook_oldest_pending_age_seconds, read at each scrape from
// stats (customersd.WebhookQueue.QueueStats). The queue is shared, so every
// node reports the same figures: aggregate them with max, not sum. A failed
// read exports nothing rather than a wrong zero.
func (m *Metrics) WatchWebhookQueue(stats func(ctx context.Context) (pending int64, oldest time.Time, err error)) {
	m.MustRegister(&queueCollector{
		stats: stats,
		depth: prometheus.NewDesc("customersd_webhook_queue_depth",
			"Webhook deliveries pending (waiting for their first or next attempt), on every node.", nil, nil),
		age: prometheus.NewDesc("customersd_webhook_oldest_pending_age_seconds",
			"Age of the event of the oldest pending webhook delivery; 0 when none is pending.", nil, nil),
	})
}

type queueCollector struct {
	stats      func(ctx context.Context) (int64, time.Time, error)
	depth, age *prometheus.Desc
}

// Describe implements prometheus.Collector.
func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.depth
	ch <- c.age
}

// Collect implements prometheus.Collector.
func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), queueStatsTimeout)
	defer cancel()
	n, oldest, err := c.stats(ctx)
	if err != nil {
		return
	}
	age := 0.0
	if !oldest.IsZero() {
		age = max(time.Since(oldest).Seconds(), 0)
	}
	ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, float64(n))
	ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, age)
}
