package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/gateway"
	"github.com/customersd/customersd/metrics"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
	v2 "github.com/customersd/customersd/v2"
)

// opsServer is the top-level handler on a SQLite database with one store.
type opsServer struct {
	*httptest.Server
	db    *sqlstore.DB
	path  string // of the SQLite file
	token string
}

func newOpsServer(tb testing.TB) *opsServer {
	tb.Helper()
	path := sqlstoretest.DSN(tb, "sqlite")
	db, err := sqlstore.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	tenants := sqlstore.NewTenantService(db)
	const token = "ops-token-0123456789"
	if err := ensureStoreToken(context.Background(), tenants, "ops", customersd.APIAccountInput{
		AccessToken: token, Scopes: []customersd.Scope{customersd.ScopeCustomers}}); err != nil {
		tb.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	m := metrics.New()
	m.WatchDB(db)
	api := &v2.Server{Customers: sqlstore.NewCustomerService(db, password.Hasher{Cost: 4})}
	gw := &gateway.Gateway{Tenants: tenants, Logger: logger, Observe: m.ObserveRequest}
	ts := httptest.NewServer(newHandler(handlerDeps{
		api: gw.Mount(api.Surface()), ping: db.Ping, metrics: m, serveMetrics: true, logger: logger,
	}))
	tb.Cleanup(ts.Close)
	return &opsServer{Server: ts, db: db, path: path, token: token}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	s := newOpsServer(t)
	b := mustCall(t, http.StatusOK, "GET", s.URL+"/healthz", "", nil)
	if got, want := strings.TrimSpace(string(b)), `{"status":"ok"}`; got != want {
		t.Fatalf("body=%s, want %s", got, want)
	}
	// Still up when the database is not: that is readiness, not liveness.
	s.db.Close()
	mustCall(t, http.StatusOK, "GET", s.URL+"/healthz", "", nil)
}

func TestReadyz(t *testing.T) {
	t.Parallel()
	s := newOpsServer(t)
	b := mustCall(t, http.StatusOK, "GET", s.URL+"/readyz", "", nil)
	if got, want := strings.TrimSpace(string(b)), `{"status":"ok"}`; got != want {
		t.Fatalf("body=%s, want %s", got, want)
	}
	s.db.Close() // the database is gone: not ready
	b = mustCall(t, http.StatusServiceUnavailable, "GET", s.URL+"/readyz", "", nil)
	if got, want := strings.TrimSpace(string(b)), `{"status":"unavailable"}`; got != want {
		t.Fatalf("body=%s, want %s", got, want)
	}
}

// TestReadyz_LongWrite: readiness reads on a connection of its own, so a
// write transaction held open (a big delete, an import) does not make the
// node look down.
func TestReadyz_LongWrite(t *testing.T) {
	t.Parallel()
	s := newOpsServer(t)
	s.db.SetGroupCommit(false) // BeginTx then holds the one writer connection
	tx, err := s.db.BeginTx(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	mustCall(t, http.StatusOK, "GET", s.URL+"/readyz", "", nil)
}

// TestReadyz_FileDeleted: after rm customersd.db*, writes are refused
// (each would be lost at restart) and the node is not ready.
func TestReadyz_FileDeleted(t *testing.T) {
	t.Parallel()
	s := newOpsServer(t)
	base := s.URL + "/stores/ops/v2/customers"
	mustCall(t, http.StatusCreated, "POST", base, s.token,
		map[string]string{"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com"})
	files, _ := filepath.Glob(s.path + "*")
	for _, f := range files {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		code, b := call(t, "POST", base, s.token,
			map[string]string{"first_name": "Jane", "last_name": "Doe", "email": fmt.Sprintf("jane%d@example.com", i)})
		// 503 once the gateway maps customersd.ErrUnavailable; never a 2xx.
		if code < 500 {
			t.Fatalf("write %d after the delete: %d %s, want a refusal", i, code, b)
		}
	}
	mustCall(t, http.StatusServiceUnavailable, "GET", s.URL+"/readyz", "", nil)
}

// TestMetrics checks that V2 requests are counted by route pattern and
// status, never by raw path, and that the pools and probes are there.
func TestMetrics(t *testing.T) {
	t.Parallel()
	s := newOpsServer(t)
	base := s.URL + "/stores/ops/v2/customers"
	mustCall(t, http.StatusCreated, "POST", base, s.token,
		map[string]string{"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com"})
	mustCall(t, http.StatusOK, "GET", base+"/1", s.token, nil)
	mustCall(t, http.StatusNotFound, "GET", base+"/99", s.token, nil)
	mustCall(t, http.StatusUnauthorized, "GET", base+"/1", "", nil)
	mustCall(t, http.StatusNotFound, "GET", s.URL+"/no/such/path/1234", "", nil)
	mustCall(t, http.StatusOK, "GET", s.URL+"/healthz", "", nil)

	b := mustCall(t, http.StatusOK, "GET", s.URL+"/metrics", "", nil)
	text := string(b)
	for _, line := range []string{
		`customersd_http_requests_total{code="201",route="POST /stores/{store_hash}/v2/customers"} 1`,
		`customersd_http_requests_total{code="200",route="GET /stores/{store_hash}/v2/customers/{customer_id}"} 1`,
		`customersd_http_requests_total{code="404",route="GET /stores/{store_hash}/v2/customers/{customer_id}"} 1`,
		// Refused before its handler, still named by its route.
		`customersd_http_requests_total{code="401",route="GET /stores/{store_hash}/v2/customers/{customer_id}"} 1`,
		`customersd_http_requests_total{code="404",route="unmatched"} 1`,
		`customersd_http_requests_total{code="200",route="GET /healthz"} 1`,
		`customersd_http_request_duration_seconds_count{code="201",route="POST /stores/{store_hash}/v2/customers"} 1`,
		`go_sql_max_open_connections{db_name="sqlite",pool="write"} 1`,
		`customersd_db_transaction_retries_total 0`,
	} {
		if !hasLine(text, line) {
			t.Errorf("no line %s", line)
		}
	}
	for _, raw := range []string{"/no/such/path", "/customers/1\"", "/customers/99"} {
		if strings.Contains(text, raw) {
			t.Errorf("metrics contain the raw path %q", raw)
		}
	}
	if t.Failed() {
		t.Logf("metrics:\n%s", text)
	}
}

func hasLine(text, line string) bool {
	for l := range strings.SplitSeq(text, "\n") {
		if l == line {
			return true
		}
	}
	return false
}

// TestHandler_V2Errors checks that paths outside the operational endpoints
// still get V2 error bodies.
func TestHandler_V2Errors(t *testing.T) {
	t.Parallel()
	s := newOpsServer(t)
	status, b := call(t, "GET", s.URL+"/nothing-here", "", nil)
	if status != http.StatusNotFound || !strings.HasPrefix(string(b), "[") {
		t.Fatalf("GET /nothing-here: %d %s, want 404 with a V2 error array", status, b)
	}
}

// TestNewHandler_Dispatch: V2 paths go straight to the V2 API, and every
// other path, or one the mux would clean first, goes where the mux sends it.
func TestNewHandler_Dispatch(t *testing.T) {
	t.Parallel()
	named := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, name) })
	}
	h := newHandler(handlerDeps{api: named("v2"), admin: named("admin"), v3: named("v3"), storefront: named("storefront"),
		panel: named("panel"), metrics: metrics.New(), ping: func(context.Context) error { return nil }, logger: slog.New(slog.DiscardHandler)})
	for _, tt := range []struct {
		method, path string
		status       int
		body         string // or Location, for a redirect
	}{
		{"GET", "/stores/abc/v2/customers/1", http.StatusOK, "v2"},
		{"HEAD", "/stores/abc/v2/customers", http.StatusOK, "v2"},
		{"POST", "/stores/abc/v2/customers/", http.StatusOK, "v2"},
		{"PATCH", "/stores/abc/v2/", http.StatusOK, "v2"},
		{"GET", "/stores/abc/v2", http.StatusOK, "v2"},
		{"GET", "/stores/abc/v2.json", http.StatusOK, "v2"},
		{"GET", "/stores/abc/v3/hooks", http.StatusOK, "v3"},
		{"GET", "/stores/abc/storefront/login.php", http.StatusOK, "storefront"},
		{"GET", "/admin/v1/stores", http.StatusOK, "admin"},
		{"GET", "/admin/ui/", http.StatusOK, "panel"},
		{"GET", "/nothing", http.StatusOK, "v2"},
		{"GET", "/healthz", http.StatusOK, `{"status":"ok"}` + "\n"},
		{"GET", "/stores/abc/v2/../v3/hooks", http.StatusTemporaryRedirect, "/stores/abc/v3/hooks"},
		{"GET", "/stores/abc/v2/customers/./1", http.StatusTemporaryRedirect, "/stores/abc/v2/customers/1"},
		{"GET", "/stores/abc/v2//customers", http.StatusTemporaryRedirect, "/stores/abc/v2/customers"},
		{"GET", "/stores/abc/v3", http.StatusTemporaryRedirect, "/stores/abc/v3/"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
		got := rec.Body.String()
		if rec.Code/100 == 3 {
			got = rec.Header().Get("Location")
		}
		if rec.Code != tt.status || got != tt.body {
			t.Errorf("%s %s: %d %q, want %d %q", tt.method, tt.path, rec.Code, got, tt.status, tt.body)
		}
	}
}
