package cli

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/customersd/customersd/internal/tcpproxy"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
)

// TestServe_PostgresOutage cuts a proxy between the server and PostgreSQL
// (the shared server keeps running): every request answers 503 with
// Retry-After, the log gets one ERROR line, not one per request, and the
// first request served once the proxy is back logs the recovery.
func TestServe_PostgresOutage(t *testing.T) {
	t.Parallel()
	dsn, err := url.Parse(sqlstoretest.DSN(t, "postgres")) // skips without PostgreSQL
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := tcpproxy.Listen("127.0.0.1:0", dsn.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	dsn.Host = proxy.Addr()
	const token = "outage-token-0123"
	p := startMain(t, storeEnv("s1", token), "serve", "--addr", "127.0.0.1:0", "--database", dsn.String())
	customers := p.url("/stores/s1/v2/customers")
	mustCall(t, http.StatusNoContent, "GET", customers, token, nil)

	proxy.Cut()
	const n = 30
	for i := range n {
		req, _ := http.NewRequest("GET", customers, nil)
		req.Header.Set("X-Auth-Token", token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
			t.Fatalf("request %d during the outage: status %d, Retry-After %q; want 503 with Retry-After",
				i, res.StatusCode, res.Header.Get("Retry-After"))
		}
	}
	if got := strings.Count(p.stderr.String(), "level=ERROR"); got != 1 {
		t.Fatalf("%d requests during the outage wrote %d ERROR lines, want 1:\n%s", n, got, p.stderr)
	}

	proxy.Restore()
	mustCall(t, http.StatusNoContent, "GET", customers, token, nil)
	if !strings.Contains(p.stderr.String(), `msg="backend available again"`) ||
		!strings.Contains(p.stderr.String(), "failed_requests=30") {
		t.Fatalf("no recovery line with the count:\n%s", p.stderr)
	}
}
