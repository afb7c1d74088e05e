package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/customersd/customersd/internal/logbuf"
	"github.com/customersd/customersd/sqlstore"
)

// storeEnv is the environment of a server with one known store.
func storeEnv(hash, token string) map[string]string {
	return map[string]string{
		"CUSTOMERSD_STORE_HASH":   hash,
		"CUSTOMERSD_ACCESS_TOKEN": token,
		"CUSTOMERSD_BCRYPT_COST":  "4",
	}
}

// TestServe_GracefulShutdown cancels the server's context (what SIGTERM
// does) while a request is in flight: the listener stops accepting, the
// request still completes, Run returns nil, and the database is closed.
func TestServe_GracefulShutdown(t *testing.T) {
	t.Parallel()
	const token = "shutdown-token-0123"
	dbPath := filepath.Join(t.TempDir(), "customersd.db")
	p := startMain(t, storeEnv("s1", token), "serve", "--addr", "127.0.0.1:0", "--database", dbPath)

	// Send the headers of a create, holding the body back. With
	// "Expect: 100-continue" the server answers 100 when the handler first
	// reads the body: from then on the request is in its handler.
	conn, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"first_name":"Jane","last_name":"Doe","email":"jane@example.com"}`
	fmt.Fprintf(conn, "POST /stores/s1/v2/customers HTTP/1.1\r\nHost: %s\r\nX-Auth-Token: %s\r\n"+
		"Accept: application/json\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n",
		p.addr, token, len(body))
	br := bufio.NewReader(conn)
	if line, err := br.ReadString('\n'); err != nil || !strings.HasPrefix(line, "HTTP/1.1 100 ") {
		t.Fatalf("want 100 Continue, got %q, %v", line, err)
	}
	if line, err := br.ReadString('\n'); err != nil || line != "\r\n" {
		t.Fatalf("want the end of the 100 response, got %q, %v", line, err)
	}

	done := make(chan error, 1)
	go func() { done <- p.stop() }()
	waitRefused(t, p.addr) // shutdown has begun: the listener is closed

	if _, err := conn.Write([]byte(body)); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("in-flight request: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("in-flight request: status=%d, want 201", res.StatusCode)
	}
	// A server shutting down tells the client not to reuse the connection.
	if !res.Close {
		t.Errorf("in-flight request: no Connection: close, so shutdown had not begun")
	}
	if err := <-done; err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}

	// SQLite removes the write-ahead log when the last connection closes:
	// its absence shows the database was closed, not abandoned.
	if _, err := os.Stat(dbPath + "-wal"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s-wal still exists (%v): the database was not closed", dbPath, err)
	}
	db, err := sqlstore.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !strings.Contains(p.stderr.String(), "customersd shutting down") {
		t.Errorf("no shutdown log line:\n%s", p.stderr)
	}
}

// waitRefused dials addr until the connection is refused, which happens
// once Shutdown has closed the listener.
func waitRefused(tb testing.TB, addr string) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return
		}
		c.Close()
	}
	tb.Fatalf("%s still accepts connections", addr)
}

// TestServe_LogFormatJSON checks that --log-format json writes one JSON
// object per line, with the request's ID on the request line.
func TestServe_LogFormatJSON(t *testing.T) {
	t.Parallel()
	const token = "json-log-token-0123"
	p := startMain(t, storeEnv("s1", token), "serve", "--addr", "127.0.0.1:0",
		"--database", filepath.Join(t.TempDir(), "customersd.db"), "--log-format", "json")
	req, _ := http.NewRequest("GET", p.url("/stores/s1/v2/customers"), nil)
	req.Header.Set("X-Auth-Token", token)
	req.Header.Set("X-Request-ID", "req-json-1")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}

	var found bool
	for _, line := range strings.Split(strings.TrimSpace(p.stderr.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q: %v", line, err)
		}
		if rec["msg"] == "request" && rec["request_id"] == "req-json-1" {
			found = true
			if rec["status"] != float64(http.StatusNoContent) || rec["route"] != "GET /stores/{store_hash}/v2/customers" {
				t.Errorf("request line %s: want status 204 and the route pattern", line)
			}
		}
	}
	if !found {
		t.Fatalf("no request line with request_id req-json-1:\n%s", p.stderr)
	}
}

// TestServe_MetricsAddr checks that --metrics-addr moves /metrics to its
// own listener and off the API's.
func TestServe_MetricsAddr(t *testing.T) {
	t.Parallel()
	p := startMain(t, storeEnv("s1", "metrics-token-0123"), "serve", "--addr", "127.0.0.1:0",
		"--database", filepath.Join(t.TempDir(), "customersd.db"), "--log-format", "json", "--metrics-addr", "127.0.0.1:0")
	var metricsAddr string
	for line := range strings.SplitSeq(p.stderr.String(), "\n") {
		var rec struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "customersd metrics listening" {
			metricsAddr = rec.Addr
		}
	}
	if metricsAddr == "" {
		t.Fatalf("no metrics listening line:\n%s", p.stderr)
	}
	mustCall(t, http.StatusOK, "GET", p.url("/healthz"), "", nil)
	b := mustCall(t, http.StatusOK, "GET", "http://"+metricsAddr+"/metrics", "", nil)
	if !hasLine(string(b), `customersd_http_requests_total{code="200",route="GET /healthz"} 1`) {
		t.Fatalf("metrics listener does not count the API's requests:\n%s", b)
	}
	mustCall(t, http.StatusNotFound, "GET", p.url("/metrics"), "", nil)
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
}

// TestServe_DBMaxConns checks that --db-max-conns caps the pool that serves
// queries, as /metrics reports it.
func TestServe_DBMaxConns(t *testing.T) {
	t.Parallel()
	p := startMain(t, storeEnv("s1", "pool-token-0123"), "serve", "--addr", "127.0.0.1:0",
		"--database", filepath.Join(t.TempDir(), "customersd.db"), "--db-max-conns", "3")
	b := mustCall(t, http.StatusOK, "GET", p.url("/metrics"), "", nil)
	for _, line := range []string{
		`go_sql_max_open_connections{db_name="sqlite",pool="read"} 3`,
		`go_sql_max_open_connections{db_name="sqlite",pool="write"} 1`,
	} {
		if !hasLine(string(b), line) {
			t.Errorf("no line %s", line)
		}
	}
}

// TestServe_DBStatementTimeout checks that --db-statement-timeout and its
// environment twin set the bound sqlstore gets (sqlstore's tests check what
// it does), with a default, and that a negative one is refused.
func TestServe_DBStatementTimeout(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
		want time.Duration
	}{
		{"default", nil, nil, sqlstore.DefaultStatementTimeout},
		{"flag", nil, []string{"--db-statement-timeout", "250ms"}, 250 * time.Millisecond},
		{"env", map[string]string{"CUSTOMERSD_DB_STATEMENT_TIMEOUT": "2s"}, nil, 2 * time.Second},
		{"off", nil, []string{"--db-statement-timeout", "0"}, 0},
	} {
		c := &ServeCommand{Main: &Main{Stdout: &logbuf.Buffer{}, Stderr: &logbuf.Buffer{}, Getenv: func(k string) string { return tt.env[k] }}}
		if err := c.parse(tt.args); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := c.Config.DBStatementTimeout; got != tt.want {
			t.Errorf("%s: statement timeout %s, want %s", tt.name, got, tt.want)
		}
	}
	if err := runServe(t, nil, "--db-statement-timeout", "-1s"); err == nil || !strings.Contains(err.Error(), "--db-statement-timeout") {
		t.Fatalf("a negative --db-statement-timeout: %v, want a refusal naming the flag", err)
	}
}
