package metrics_test

import (
	"database/sql"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/customersd/customersd/metrics"
)

// scrape returns the exposition text of m.
func scrape(tb testing.TB, m *metrics.Metrics) string {
	tb.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK {
		tb.Fatalf("GET /metrics: status=%d, want 200", rec.Code)
	}
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

func wantLine(tb testing.TB, text, line string) {
	tb.Helper()
	for l := range strings.SplitSeq(text, "\n") {
		if l == line {
			return
		}
	}
	tb.Errorf("no line %q in metrics:\n%s", line, text)
}

func TestMetrics_ObserveRequest(t *testing.T) {
	m := metrics.New()
	m.ObserveRequest("GET /stores/{store_hash}/v2/customers", 200, 3*time.Millisecond)
	m.ObserveRequest("GET /stores/{store_hash}/v2/customers", 200, 4*time.Millisecond)
	m.ObserveRequest("", 404, time.Millisecond)
	m.ObserveRequest("POST /stores/{store_hash}/v2/customers", 0, time.Millisecond)

	text := scrape(t, m)
	wantLine(t, text, `customersd_http_requests_total{code="200",route="GET /stores/{store_hash}/v2/customers"} 2`)
	wantLine(t, text, `customersd_http_requests_total{code="404",route="unmatched"} 1`)
	// Nothing written is what net/http sends: 200.
	wantLine(t, text, `customersd_http_requests_total{code="200",route="POST /stores/{store_hash}/v2/customers"} 1`)
	wantLine(t, text, `customersd_http_request_duration_seconds_count{code="200",route="GET /stores/{store_hash}/v2/customers"} 2`)
	wantLine(t, text, `customersd_http_request_duration_seconds_bucket{code="200",route="GET /stores/{store_hash}/v2/customers",le="0.005"} 2`)
	if !strings.Contains(text, "go_goroutines ") {
		t.Error("no Go runtime metrics")
	}
}

func TestMetrics_Instrument(t *testing.T) {
	m := metrics.New()
	h := m.Instrument("GET /readyz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	for range 3 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/readyz", nil))
	}
	text := scrape(t, m)
	wantLine(t, text, `customersd_http_requests_total{code="503",route="GET /readyz"} 3`)
	wantLine(t, text, `customersd_http_request_duration_seconds_count{code="503",route="GET /readyz"} 3`)
}

func TestMetrics_WatchDB(t *testing.T) {
	m := metrics.New()
	m.WatchDB(fakeDB{})
	text := scrape(t, m)
	wantLine(t, text, `go_sql_max_open_connections{db_name="sqlite",pool="write"} 1`)
	wantLine(t, text, `go_sql_max_open_connections{db_name="sqlite",pool="read"} 4`)
	wantLine(t, text, `go_sql_in_use_connections{db_name="sqlite",pool="write"} 1`)
	wantLine(t, text, `go_sql_idle_connections{db_name="sqlite",pool="read"} 3`)
	wantLine(t, text, `go_sql_wait_count_total{db_name="sqlite",pool="write"} 7`)
	wantLine(t, text, `go_sql_wait_duration_seconds_total{db_name="sqlite",pool="write"} 1.5`)
	wantLine(t, text, `customersd_db_transaction_retries_total 2`)
}

// fakeDB is a database with fixed statistics.
type fakeDB struct{}

func (fakeDB) Dialect() string { return "sqlite" }

func (fakeDB) PoolStats() map[string]sql.DBStats {
	return map[string]sql.DBStats{
		"write": {MaxOpenConnections: 1, OpenConnections: 1, InUse: 1, WaitCount: 7, WaitDuration: 1500 * time.Millisecond},
		"read":  {MaxOpenConnections: 4, OpenConnections: 3, Idle: 3},
	}
}

func (fakeDB) TxRetries() int64 { return 2 }

// TestMetrics_ObserveRequest_Concurrent: requests of one route and status
// arriving together, the first ones included, are all counted in one series.
func TestMetrics_ObserveRequest_Concurrent(t *testing.T) {
	m := metrics.New()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				m.ObserveRequest("GET /stores/{store_hash}/v2/customers/{id}", 200, time.Millisecond)
				m.ObserveRequest("GET /stores/{store_hash}/v2/customers/{id}", 404, time.Millisecond)
			}
		})
	}
	wg.Wait()
	text := scrape(t, m)
	wantLine(t, text, `customersd_http_requests_total{code="200",route="GET /stores/{store_hash}/v2/customers/{id}"} 800`)
	wantLine(t, text, `customersd_http_requests_total{code="404",route="GET /stores/{store_hash}/v2/customers/{id}"} 800`)
	wantLine(t, text, `customersd_http_request_duration_seconds_count{code="404",route="GET /stores/{store_hash}/v2/customers/{id}"} 800`)
}

// BenchmarkObserveRequest measures the metrics of one request.
func BenchmarkObserveRequest(b *testing.B) {
	m := metrics.New()
	for b.Loop() {
		m.ObserveRequest("GET /stores/{store_hash}/v2/customers/{id}", 200, time.Millisecond)
	}
}
