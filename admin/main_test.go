package admin_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/customersd/customersd/admin"
	"github.com/customersd/customersd/gateway"
	"github.com/customersd/customersd/internal/logbuf"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
	v2 "github.com/customersd/customersd/v2"
	v3 "github.com/customersd/customersd/v3"
)

// adminToken is the admin token of every enabled test server.
const adminToken = "test-admin-token-4f9c2"

// testServer is the admin API and the V2 API mounted as serve mounts them,
// on a throwaway database, so tests can check the one through the other.
type testServer struct {
	*httptest.Server
	t    testing.TB
	db   *sqlstore.DB
	logs *logbuf.Buffer
}

// eachDB runs fn against an enabled server on SQLite, and on PostgreSQL
// when CUSTOMERSD_TEST_POSTGRES_URL is set.
func eachDB(t *testing.T, fn func(t *testing.T, ts *testServer)) {
	t.Helper()
	for _, d := range sqlstoretest.Dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, newTestServer(t, d, adminToken))
		})
	}
}

// newTestServer starts a server; an empty token disables the admin API.
func newTestServer(tb testing.TB, dialect, token string) *testServer {
	tb.Helper()
	db := sqlstoretest.Open(tb, dialect)
	ts := &testServer{t: tb, db: db, logs: &logbuf.Buffer{}}
	logger := slog.New(slog.NewTextHandler(ts.logs, nil))
	h := password.Hasher{Cost: bcrypt.MinCost}
	tenants := sqlstore.NewTenantService(db)
	hooks := sqlstore.NewHookService(db)
	queue := sqlstore.NewWebhookQueue(db)
	adm := &admin.Server{Tenants: tenants, Exporter: sqlstore.NewExportService(db, h), Hooks: hooks, Queue: queue}
	api := &v2.Server{
		Customers: sqlstore.NewCustomerService(db, h),
		Addresses: sqlstore.NewAddressService(db),
		Groups:    sqlstore.NewGroupService(db),
		Hooks:     hooks,
	}
	gw := &gateway.Gateway{Tenants: tenants, AdminToken: token, Logger: logger}
	mux := http.NewServeMux()
	mux.Handle("/", gw.Mount(api.Surface()))
	mux.Handle("/admin/", gw.Mount(adm.Surface()))
	mux.Handle("/stores/{store_hash}/v3/", gw.Mount((&v3.Server{Hooks: hooks, Queue: queue}).Surface()))
	ts.Server = httptest.NewServer(mux)
	tb.Cleanup(ts.Close)
	return ts
}

// response is a finished exchange.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// want fails the test unless the status is as expected.
func (r *response) want(tb testing.TB, status int) *response {
	tb.Helper()
	if r.Status != status {
		tb.Fatalf("status=%d, want %d; body: %s", r.Status, status, r.Body)
	}
	return r
}

// decode unmarshals the body into v.
func (r *response) decode(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("decode %s: %v", r.Body, err)
	}
}

// admin sends an admin request with the admin token; the body is
// marshalled to JSON unless it is a string.
func (ts *testServer) admin(method, path string, body any) *response {
	ts.t.Helper()
	return ts.adminAs("Bearer "+adminToken, method, path, body)
}

// adminAs sends an admin request with the given Authorization header ("" for none).
func (ts *testServer) adminAs(auth, method, path string, body any) *response {
	ts.t.Helper()
	req := ts.request(method, path, body)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return ts.send(req)
}

// v3 sends a V3 request to a store with a token.
func (ts *testServer) v3(token, method, hash, path string, body any) *response {
	ts.t.Helper()
	req := ts.request(method, "/stores/"+hash+"/v3"+path, body)
	req.Header.Set("X-Auth-Token", token)
	return ts.send(req)
}

// v2 sends a V2 request to a store with a token.
func (ts *testServer) v2(token, method, hash, path string, body any) *response {
	ts.t.Helper()
	req := ts.request(method, "/stores/"+hash+"/v2"+path, body)
	req.Header.Set("X-Auth-Token", token)
	req.Header.Set("Accept", "application/json")
	return ts.send(req)
}

func (ts *testServer) request(method, path string, body any) *http.Request {
	ts.t.Helper()
	var rdr io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rdr = strings.NewReader(b)
	case []byte:
		rdr = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			ts.t.Fatal(err)
		}
		rdr = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, ts.URL+path, rdr)
	if err != nil {
		ts.t.Fatal(err)
	}
	if rdr != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

func (ts *testServer) send(req *http.Request) *response {
	ts.t.Helper()
	res, err := ts.Client().Do(req)
	if err != nil {
		ts.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		ts.t.Fatal(err)
	}
	return &response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// createdStore is the answer to POST /admin/v1/stores.
type createdStore struct {
	Hash      string `json:"store_hash"`
	Plan      string `json:"plan"`
	CreatedAt string `json:"created_at"`
	APIPath   string `json:"api_path"`
	Token     struct {
		ClientID     string   `json:"client_id"`
		ClientSecret string   `json:"client_secret"`
		AccessToken  string   `json:"access_token"`
		Scopes       []string `json:"scopes"`
	} `json:"token"`
}

// mustCreateStore creates a store through the admin API and returns it
// with its token.
func (ts *testServer) mustCreateStore(tb testing.TB, body any) createdStore {
	tb.Helper()
	var st createdStore
	ts.admin("POST", "/admin/v1/stores", body).want(tb, http.StatusCreated).decode(tb, &st)
	return st
}

// problem is an admin error body.
type problem struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
}

// wantProblem checks an admin error: status, body shape and a detail
// containing detailPart.
func (r *response) wantProblem(tb testing.TB, status int, detailPart string) problem {
	tb.Helper()
	r.want(tb, status)
	var p problem
	r.decode(tb, &p)
	if p.Status != status || p.Title != http.StatusText(status) || !strings.Contains(p.Detail, detailPart) {
		tb.Fatalf("error body %s, want status %d, title %q and a detail with %q", r.Body, status, http.StatusText(status), detailPart)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		tb.Fatalf("Content-Type=%q, want application/json", ct)
	}
	return p
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func mustMarshal(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
