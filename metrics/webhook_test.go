package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/customersd/customersd/metrics"
)

func TestMetrics_WebhookAttempts(t *testing.T) {
	m := metrics.New()
	w := m.NewWebhookAttempts()
	w.ObserveAttempt("delivered", 2*time.Millisecond)
	w.ObserveAttempt("delivered", 3*time.Millisecond)
	w.ObserveAttempt("retry", time.Millisecond)
	text := scrape(t, m)
	wantLine(t, text, `customersd_webhook_attempts_total{outcome="delivered"} 2`)
	wantLine(t, text, `customersd_webhook_attempts_total{outcome="retry"} 1`)
	wantLine(t, text, `customersd_webhook_attempt_duration_seconds_count{outcome="delivered"} 2`)
}

func TestMetrics_WebhookQueue(t *testing.T) {
	m := metrics.New()
	oldest := time.Now().Add(-90 * time.Second)
	var err error
	m.WatchWebhookQueue(func(context.Context) (int64, time.Time, error) { return 7, oldest, err })
	text := scrape(t, m)
	wantLine(t, text, `customersd_webhook_queue_depth 7`)
	var age float64
	for l := range strings.SplitSeq(text, "\n") {
		if v, ok := strings.CutPrefix(l, "customersd_webhook_oldest_pending_age_seconds "); ok {
			if _, serr := fmt.Sscan(v, &age); serr != nil {
				t.Fatal(serr)
			}
		}
	}
	if age < 90 || age > 3600 {
		t.Fatalf("oldest pending age %v, want about 90 s", age)
	}

	err = errors.New("database down")
	if text := scrape(t, m); strings.Contains(text, "customersd_webhook_queue_depth ") {
		t.Fatalf("a failed read exported a depth:\n%s", text)
	}
}
