// Package metrics exposes customersd's Prometheus metrics: HTTP requests by
// route pattern and status, database connection pools, and the Go runtime.
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Unmatched is the route label of requests that matched no route. Labels
// are route patterns, never raw paths, so a scan of random URLs cannot grow
// the number of series.
const Unmatched = "unmatched"

// Metrics is a registry with customersd's collectors. Each Metrics has its
// own registry (not the global one), so tests can make as many as they like.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// series holds the children of requests and duration by route and
	// status once used (there are only so many), so that a request finds
	// both in one lookup instead of two label checks and hashes. Nothing
	// resets or deletes the vectors' children, which would orphan them.
	series sync.Map // seriesKey → *requestSeries
}

type seriesKey struct {
	route  string
	status int
}

type requestSeries struct {
	count    prometheus.Counter
	duration prometheus.Observer
}

// New returns the request metrics and the Go runtime and process collectors.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "customersd_http_requests_total",
			Help: "HTTP requests served, by route pattern and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "customersd_http_request_duration_seconds",
			Help:    "Time from a request's arrival to the end of its response, by route pattern and status code.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "code"}),
	}
	m.registry.MustRegister(
		m.requests,
		m.duration,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// ObserveRequest records a finished request. route is the matched pattern,
// such as "GET /stores/{store_hash}/v2/customers", or "" when none matched.
// A status of 0 (nothing written) is what net/http sends: 200.
func (m *Metrics) ObserveRequest(route string, status int, d time.Duration) {
	if route == "" {
		route = Unmatched
	}
	if status == 0 {
		status = http.StatusOK
	}
	k := seriesKey{route, status}
	v, ok := m.series.Load(k)
	if !ok {
		code := strconv.Itoa(status)
		v, _ = m.series.LoadOrStore(k, &requestSeries{m.requests.WithLabelValues(route, code), m.duration.WithLabelValues(route, code)})
	}
	s := v.(*requestSeries)
	s.count.Inc()
	s.duration.Observe(d.Seconds())
}

// Instrument counts and times the requests of a handler that is not part of
// the V2 API (health and readiness probes) under a fixed route label.
func (m *Metrics) Instrument(route string, h http.Handler) http.Handler {
	l := prometheus.Labels{"route": route}
	h = promhttp.InstrumentHandlerDuration(m.duration.MustCurryWith(l), h)
	return promhttp.InstrumentHandlerCounter(m.requests.MustCurryWith(l), h)
}

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// MustRegister adds collectors to the registry; it panics on a duplicate.
func (m *Metrics) MustRegister(cs ...prometheus.Collector) {
	m.registry.MustRegister(cs...)
}
