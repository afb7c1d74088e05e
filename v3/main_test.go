package v3_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/gateway"
	"github.com/customersd/customersd/internal/logbuf"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
	v2 "github.com/customersd/customersd/v2"
	v3 "github.com/customersd/customersd/v3"
)

// testServer is the V3 and V2 surfaces mounted as serve mounts them, on a
// throwaway database, with a store holding four API accounts (full, a
// second full one, read-only, login-only) and another store.
type testServer struct {
	*httptest.Server
	t          testing.TB
	db         *sqlstore.DB
	hash       string
	token      string // store_v2_customers
	clientID   string
	token2     string // another account with store_v2_customers
	readToken  string // store_v2_customers_read_only
	loginToken string // store_v2_customers_login only
	otherHash  string
	otherToken string
	clock      *testClock
	logs       *logbuf.Buffer
}

// testClock is the database's clock: fixed until a test moves it.
type testClock struct{ unix atomic.Int64 }

func (c *testClock) Now() time.Time          { return time.Unix(c.unix.Load(), 0).UTC() }
func (c *testClock) Advance(d time.Duration) { c.unix.Add(int64(d / time.Second)) }

// start is the test clock's first instant.
var start = time.Date(2024, 5, 6, 7, 34, 10, 0, time.UTC)

// eachDB runs fn against a server on SQLite, and on PostgreSQL when
// CUSTOMERSD_TEST_POSTGRES_URL is set.
func eachDB(t *testing.T, fn func(t *testing.T, ts *testServer), opts ...func(*v3.Server, *v2.Server)) {
	t.Helper()
	for _, d := range sqlstoretest.Dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, newTestServer(t, d, opts...))
		})
	}
}

func newTestServer(tb testing.TB, dialect string, opts ...func(*v3.Server, *v2.Server)) *testServer {
	tb.Helper()
	db := sqlstoretest.Open(tb, dialect)
	ts := &testServer{t: tb, db: db, clock: &testClock{}, logs: &logbuf.Buffer{}}
	ts.clock.unix.Store(start.Unix())
	db.Now = ts.clock.Now
	tenants := sqlstore.NewTenantService(db)
	ts.hash = "store1"
	mustCreateStore(tb, tenants, ts.hash)
	ts.token, ts.clientID = mustCreateToken(tb, tenants, ts.hash, customersd.ScopeCustomers)
	ts.token2, _ = mustCreateToken(tb, tenants, ts.hash, customersd.ScopeCustomers)
	ts.readToken, _ = mustCreateToken(tb, tenants, ts.hash, customersd.ScopeCustomersReadOnly)
	ts.loginToken, _ = mustCreateToken(tb, tenants, ts.hash, customersd.ScopeCustomersLogin)
	ts.otherHash = "store2"
	mustCreateStore(tb, tenants, ts.otherHash)
	ts.otherToken, _ = mustCreateToken(tb, tenants, ts.otherHash, customersd.ScopeCustomers)

	hooks := sqlstore.NewHookService(db)
	api3 := &v3.Server{Hooks: hooks}
	api2 := &v2.Server{Hooks: hooks, DefaultFormat: v2.FormatJSON, Customers: sqlstore.NewCustomerService(db, password.Hasher{Cost: bcrypt.MinCost}),
		Addresses: sqlstore.NewAddressService(db), Groups: sqlstore.NewGroupService(db)}
	api3.Queue = sqlstore.NewWebhookQueue(db)
	for _, o := range opts {
		o(api3, api2)
	}
	gw := &gateway.Gateway{Tenants: tenants, Logger: slog.New(slog.NewTextHandler(ts.logs, nil))}
	mux := http.NewServeMux()
	mux.Handle("/", gw.Mount(api2.Surface()))
	mux.Handle("/stores/{store_hash}/v3/", gw.Mount(api3.Surface()))
	ts.Server = httptest.NewServer(mux)
	tb.Cleanup(ts.Close)
	return ts
}

func mustCreateStore(tb testing.TB, tenants customersd.TenantService, hash string) {
	tb.Helper()
	if err := tenants.CreateStore(context.Background(), &customersd.Store{Hash: hash}); err != nil {
		tb.Fatalf("create store %s: %v", hash, err)
	}
}

func mustCreateToken(tb testing.TB, tenants customersd.TenantService, hash string, scope customersd.Scope) (token, clientID string) {
	tb.Helper()
	st, err := tenants.FindStoreByHash(context.Background(), hash)
	if err != nil {
		tb.Fatal(err)
	}
	token = customersd.NewAccessToken()
	a, err := tenants.CreateAPIAccount(context.Background(), st.ID, token, []customersd.Scope{scope})
	if err != nil {
		tb.Fatalf("create token: %v", err)
	}
	return token, a.ClientID
}

// response is a finished exchange.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// do sends a request to path under /stores/{hash}/v3 with the full token
// unless token is set; body is marshalled to JSON unless it is a string.
func (ts *testServer) do(method, path string, body any) *response {
	ts.t.Helper()
	return ts.doAs(ts.token, method, "/stores/"+ts.hash+"/v3"+path, body)
}

// doAs sends a request to a full path with a token ("" for none).
func (ts *testServer) doAs(token, method, path string, body any) *response {
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
	req, err := http.NewRequest(method, ts.URL+path, rdr)
	if err != nil {
		ts.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	req.Header.Set("Accept", "application/json")
	if rdr != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := ts.Client().Do(req)
	if err != nil {
		ts.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		ts.t.Fatal(err)
	}
	if res.Header.Get("X-Request-ID") == "" {
		ts.t.Errorf("%s %s: no X-Request-ID", method, path)
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

// wantBody checks the status, the JSON media type and the exact body.
func (r *response) wantBody(tb testing.TB, status int, body string) {
	tb.Helper()
	r.want(tb, status)
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		tb.Fatalf("Content-Type=%q, want application/json", ct)
	}
	if got := string(r.Body); got != body {
		tb.Fatalf("body:\n got %s\nwant %s", got, body)
	}
}

func (r *response) decode(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("decode %s: %v", r.Body, err)
	}
}

// wantError checks a V3 error object: status, title and errors, exactly.
func (r *response) wantError(tb testing.TB, status int, title, errors string) {
	tb.Helper()
	r.wantBody(tb, status, `{"status":`+itoa(int64(status))+`,"title":`+quote(title)+`,"type":"https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes","errors":`+errors+`}`)
}

// quote is s as encoding/json writes it.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// mustCreateHook creates a hook through /v3/hooks and returns its id.
func (ts *testServer) mustCreateHook(tb testing.TB, token string, body map[string]any) int64 {
	tb.Helper()
	var out struct {
		Data struct {
			ID int64 `json:"id"`
		} `json:"data"`
	}
	ts.doAs(token, "POST", "/stores/"+ts.hash+"/v3/hooks", body).want(tb, http.StatusOK).decode(tb, &out)
	return out.Data.ID
}

// jsonRaw keeps a value's JSON as sent.
type jsonRaw []byte

func (j *jsonRaw) UnmarshalJSON(b []byte) error {
	*j = append((*j)[:0], b...)
	return nil
}
