package metrics

import "github.com/prometheus/client_golang/prometheus"

// NewRateLimitErrorCounter registers customersd_ratelimit_backend_errors_total
// and returns the function that counts one error, for
// ratelimit.Limiter.OnError. Every such error let a request through
// uncounted (the limiter fails open), so a rising count means quotas are not
// being enforced. Call it once per Metrics: a second call panics on the
// duplicate name.
func (m *Metrics) NewRateLimitErrorCounter() func(error) {
	c := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "customersd_ratelimit_backend_errors_total",
		Help: "Rate limit backend (Redis) errors; each let a request through uncounted.",
	})
	m.MustRegister(c)
	return func(error) { c.Inc() }
}
