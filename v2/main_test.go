package v2_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/contracttest"
	"github.com/customersd/customersd/gateway"
	"github.com/customersd/customersd/internal/logbuf"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
	v2 "github.com/customersd/customersd/v2"
)

// testServer is a real V2 server on a throwaway database, with two stores:
// the one under test (a full and a read-only token) and another one, for
// isolation checks.
type testServer struct {
	*httptest.Server
	t          testing.TB
	db         *sqlstore.DB
	hash       string
	token      string
	readToken  string
	otherHash  string
	otherToken string
	logs       *logbuf.Buffer
	clock      *testClock
}

// testClock is the database's clock, pinned by tests that need distinct or
// known times. It starts at a fixed instant and only moves when told.
type testClock struct{ unix atomic.Int64 }

func newTestClock() *testClock {
	c := &testClock{}
	c.unix.Store(time.Date(2024, 5, 6, 7, 34, 10, 0, time.UTC).Unix())
	return c
}

func (c *testClock) Now() time.Time          { return time.Unix(c.unix.Load(), 0).UTC() }
func (c *testClock) Set(t time.Time)         { c.unix.Store(t.Unix()) }
func (c *testClock) Advance(d time.Duration) { c.unix.Add(int64(d / time.Second)) }

// eachDB runs fn against a server on SQLite, and on PostgreSQL when
// CUSTOMERSD_TEST_POSTGRES_URL is set.
func eachDB(t *testing.T, fn func(t *testing.T, ts *testServer), opts ...serverOption) {
	t.Helper()
	for _, d := range sqlstoretest.Dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, newTestServer(t, d, opts...))
		})
	}
}

// serverOption configures the server under test before it starts.
type serverOption func(ts *testServer, api *v2.Server)

func newTestServer(tb testing.TB, dialect string, opts ...serverOption) *testServer {
	tb.Helper()
	db := sqlstoretest.Open(tb, dialect)
	ts := &testServer{t: tb, db: db, logs: &logbuf.Buffer{}, clock: newTestClock()}
	db.Now = ts.clock.Now
	tenants := sqlstore.NewTenantService(db)
	ts.hash, ts.token = mustCreateStore(tb, tenants, "store1", customersd.ScopeCustomers)
	ts.readToken = mustCreateToken(tb, tenants, ts.hash, customersd.ScopeCustomersReadOnly)
	ts.otherHash, ts.otherToken = mustCreateStore(tb, tenants, "store2", customersd.ScopeCustomers)
	api := &v2.Server{
		Customers: sqlstore.NewCustomerService(db, password.Hasher{Cost: bcrypt.MinCost}),
		Addresses: sqlstore.NewAddressService(db),
		Groups:    sqlstore.NewGroupService(db),
	}
	for _, o := range opts {
		o(ts, api)
	}
	ts.Server = httptest.NewServer(mount(api, tenants, ts.logger()))
	tb.Cleanup(ts.Close)
	return ts
}

// mount puts the V2 surface on a gateway, as customersd serve does.
func mount(api *v2.Server, tenants customersd.TenantService, logger *slog.Logger) http.Handler {
	gw := &gateway.Gateway{Tenants: tenants, RateLimit: api.RateLimit, Logger: logger}
	return gw.Mount(api.Surface())
}

// logger writes to the test server's log buffer.
func (ts *testServer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(ts.logs, nil)) }

func mustCreateStore(tb testing.TB, tenants customersd.TenantService, hash string, scope customersd.Scope) (string, string) {
	tb.Helper()
	st := &customersd.Store{Hash: hash}
	if err := tenants.CreateStore(context.Background(), st); err != nil {
		tb.Fatalf("create store %s: %v", hash, err)
	}
	return hash, mustCreateToken(tb, tenants, hash, scope)
}

func mustCreateToken(tb testing.TB, tenants customersd.TenantService, hash string, scope customersd.Scope) string {
	tb.Helper()
	st, err := tenants.FindStoreByHash(context.Background(), hash)
	if err != nil {
		tb.Fatal(err)
	}
	token := customersd.NewAccessToken()
	if _, err := tenants.CreateAPIAccount(context.Background(), st.ID, token, []customersd.Scope{scope}); err != nil {
		tb.Fatalf("create token: %v", err)
	}
	return token
}

// response is a finished exchange.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// reqOption changes a request before it is sent.
type reqOption func(*http.Request)

func withToken(token string) reqOption {
	return func(r *http.Request) {
		if token == "" {
			r.Header.Del("X-Auth-Token")
		} else {
			r.Header.Set("X-Auth-Token", token)
		}
	}
}

func withHeader(k, v string) reqOption { return func(r *http.Request) { r.Header.Set(k, v) } }

// withStore sends the request to another store's path.
func withStore(hash string) reqOption {
	return func(r *http.Request) {
		r.URL.Path = strings.Replace(r.URL.Path, "/stores/store1/", "/stores/"+hash+"/", 1)
	}
}

// do sends a request to path (relative to /stores/{hash}/v2) with the full
// token, body marshalled to JSON unless it is a string, and checks the
// response against the OpenAPI document.
func (ts *testServer) do(method, path string, body any, opts ...reqOption) *response {
	ts.t.Helper()
	var rdr io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rdr = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			ts.t.Fatal(err)
		}
		rdr = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, ts.URL+"/stores/"+ts.hash+"/v2"+path, rdr)
	if err != nil {
		ts.t.Fatal(err)
	}
	req.Header.Set("X-Auth-Client", "test-client")
	req.Header.Set("X-Auth-Token", ts.token)
	req.Header.Set("Accept", "application/json")
	if rdr != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(req)
	}
	return ts.send(req)
}

func (ts *testServer) send(req *http.Request) *response {
	ts.t.Helper()
	// No transparent gzip: tests see exactly what was sent.
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	res, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		ts.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		ts.t.Fatal(err)
	}
	contracttest.Check(ts.t, req, res.StatusCode, res.Header, b)
	if res.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			ts.t.Fatalf("gzip: %v", err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			ts.t.Fatalf("gzip: %v", err)
		}
	}
	if res.Header.Get("X-Request-ID") == "" {
		ts.t.Errorf("%s %s: no X-Request-ID header", req.Method, req.URL.Path)
	}
	return &response{Status: res.StatusCode, Header: res.Header, Body: b}
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

// wantError checks a V2 error array with one error of the given status and message.
func (r *response) wantError(tb testing.TB, status int, message string) {
	tb.Helper()
	r.want(tb, status)
	var errs []map[string]any
	r.decode(tb, &errs)
	if len(errs) != 1 || errs[0]["message"] != message || errs[0]["status"] != float64(status) {
		tb.Fatalf("body=%s, want one error %d %q", r.Body, status, message)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		tb.Fatalf("Content-Type=%q, want application/json", ct)
	}
}

// wantGatewayError checks the V3-style object of auth and rate errors.
func (r *response) wantGatewayError(tb testing.TB, status int) {
	tb.Helper()
	r.want(tb, status)
	var e struct {
		Status int            `json:"status"`
		Title  string         `json:"title"`
		Type   string         `json:"type"`
		Errors map[string]any `json:"errors"`
	}
	r.decode(tb, &e)
	if e.Status != status || e.Title == "" || e.Type == "" || e.Errors == nil {
		tb.Fatalf("body=%s, want a gateway error object with status %d", r.Body, status)
	}
}
