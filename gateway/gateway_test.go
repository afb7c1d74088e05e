package gateway_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/fault"
	"github.com/customersd/customersd/gateway"
	"github.com/customersd/customersd/internal/logbuf"
	"github.com/customersd/customersd/journal"
	"github.com/customersd/customersd/ratelimit"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
)

// The surfaces below are small stand-ins for the ones the gateway will carry
// beyond V2 and admin: a V3 API (error objects, {"data","meta"} bodies, a
// route any valid token may call) and a storefront (public, HTML errors).
// They prove the pipeline serves any version segment and any renderer.

func v3Render(w http.ResponseWriter, r *http.Request, err error) int {
	p := gateway.ProblemOf(err, http.StatusConflict)
	if p.Message == "" {
		p.Message = http.StatusText(p.Status)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(map[string]any{"status": p.Status, "title": p.Message, "type": "about:blank", "errors": map[string]string{}})
	return p.Status
}

func htmlRender(w http.ResponseWriter, r *http.Request, err error) int {
	p := gateway.ProblemOf(err, http.StatusConflict)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(p.Status)
	io.WriteString(w, "<p>"+http.StatusText(p.Status)+"</p>")
	return p.Status
}

type observed struct {
	mu     sync.Mutex
	routes []string
	codes  []int
}

func (o *observed) observe(route string, status int, d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.routes = append(o.routes, route)
	o.codes = append(o.codes, status)
}

func (o *observed) last() (string, int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.routes[len(o.routes)-1], o.codes[len(o.codes)-1]
}

type fixture struct {
	*httptest.Server
	full, read, none, other string // tokens: full scope, read-only, no scope, another store's
	seen                    *observed
	logs                    *logbuf.Buffer
	slowEntered             chan struct{}
	gw                      *gateway.Gateway
	store1                  customersd.StoreID
}

const adminToken = "admin-secret-0123456789"

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := sqlstoretest.Open(t, "sqlite")
	tenants := sqlstore.NewTenantService(db)
	f := &fixture{seen: &observed{}, logs: &logbuf.Buffer{}}
	ctx := context.Background()
	store := func(hash string) customersd.StoreID {
		st := &customersd.Store{Hash: hash, Plan: customersd.PlanStandard}
		if err := tenants.CreateStore(ctx, st); err != nil {
			t.Fatal(err)
		}
		return st.ID
	}
	token := func(store customersd.StoreID, scopes ...customersd.Scope) string {
		tok := customersd.NewAccessToken()
		if _, err := tenants.CreateAPIAccount(ctx, store, tok, scopes); err != nil {
			t.Fatal(err)
		}
		return tok
	}
	s1, s2 := store("store1"), store("store2")
	f.full = token(s1, customersd.ScopeCustomers)
	f.read = token(s1, customersd.ScopeCustomersReadOnly)
	f.none = token(s1)
	f.other = token(s2, customersd.ScopeCustomers)

	gw := &gateway.Gateway{
		Tenants:    tenants,
		RateLimit:  &ratelimit.Policy{Inflight: ratelimit.NewInflight(1)},
		AdminToken: adminToken,
		Logger:     slog.New(slog.NewTextHandler(f.logs, nil)),
		Observe:    f.seen.observe,
		Faults:     &fault.Engine{},
		Journal:    journal.New(journal.Config{}),
	}
	f.gw, f.store1 = gw, s1
	block := make(chan struct{})
	entered := make(chan struct{}, 1)
	v3 := &gateway.Surface{
		Name:    "v3",
		Auth:    gateway.StoreToken,
		Version: "v3",
		Render:  v3Render,
		Methods: []string{http.MethodGet, http.MethodPost},
		Routes: []gateway.Route{
			{Pattern: "GET /stores/{store_hash}/v3/hooks", Handler: func(w http.ResponseWriter, r *http.Request) error {
				st := gateway.StoreOf(r.Context())
				a := gateway.AccountOf(r.Context())
				w.Header().Set("Content-Type", "application/json")
				return json.NewEncoder(w).Encode(map[string]any{"data": []any{}, "meta": map[string]any{"store": st.Hash, "client_id": a.ClientID}})
			}},
			{Pattern: "POST /stores/{store_hash}/v3/hooks", Scopes: []customersd.Scope{customersd.ScopeCustomers},
				Handler: func(w http.ResponseWriter, r *http.Request) error {
					return customersd.Errorf(customersd.ECONFLICT, "A hook with this scope and destination exists.")
				}},
			{Pattern: "GET /stores/{store_hash}/v3/panic", Handler: func(w http.ResponseWriter, r *http.Request) error {
				panic("sector 9")
			}},
			{Pattern: "GET /stores/{store_hash}/v3/slow", Capped: true, Handler: func(w http.ResponseWriter, r *http.Request) error {
				entered <- struct{}{}
				<-block
				return nil
			}},
			{Pattern: "GET /stores/{store_hash}/v3/limited", Handler: func(w http.ResponseWriter, r *http.Request) error {
				return &ratelimit.LimitError{RetryAfter: 2500 * time.Millisecond}
			}},
		},
	}
	storefront := &gateway.Surface{
		Name:    "storefront",
		Auth:    gateway.Public,
		Version: "storefront",
		Render:  htmlRender,
		Methods: []string{http.MethodGet},
		Routes: []gateway.Route{
			{Pattern: "GET /stores/{store_hash}/storefront/account.php", Handler: func(w http.ResponseWriter, r *http.Request) error {
				io.WriteString(w, "<h1>"+gateway.StoreOf(r.Context()).Hash+"</h1>")
				return nil
			}},
		},
	}
	admin := &gateway.Surface{
		Name: "admin", Auth: gateway.AdminToken, Render: v3Render, Methods: []string{http.MethodGet},
		Routes: []gateway.Route{{Pattern: "GET /admin/v1/ping", Handler: func(w http.ResponseWriter, r *http.Request) error {
			io.WriteString(w, "pong")
			return nil
		}}},
	}
	mux := http.NewServeMux()
	mux.Handle("/stores/{store_hash}/v3/", gw.Mount(v3))
	mux.Handle("/stores/{store_hash}/storefront/", gw.Mount(storefront))
	mux.Handle("/admin/", gw.Mount(admin))
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	t.Cleanup(func() { close(block) }) // before Close, which waits for the handlers
	f.slowEntered = entered
	return f
}

type result struct {
	status int
	header http.Header
	body   string
}

func (f *fixture) get(t *testing.T, method, path string, header ...string) result {
	t.Helper()
	req, err := http.NewRequest(method, f.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return result{res.StatusCode, res.Header, string(b)}
}

func (r result) want(t *testing.T, status int, bodyHas string) result {
	t.Helper()
	if r.status != status || !strings.Contains(r.body, bodyHas) {
		t.Fatalf("status %d, body %s; want %d with %q", r.status, r.body, status, bodyHas)
	}
	return r
}

func TestStoreTokenSurface(t *testing.T) {
	f := newFixture(t)
	const hooks = "/stores/store1/v3/hooks"

	// Any valid token of the store may call a route without scopes, and the
	// handler sees the store and the account.
	for _, tok := range []string{f.full, f.read, f.none} {
		res := f.get(t, "GET", hooks, "X-Auth-Token", tok, "X-Auth-Client", "ignored").want(t, http.StatusOK, `"store":"store1"`)
		if res.header.Get("X-Rate-Limit-Requests-Quota") != "150" {
			t.Errorf("quota header %q, want the standard plan's 150", res.header.Get("X-Rate-Limit-Requests-Quota"))
		}
	}
	if route, code := f.seen.last(); route != "GET /stores/{store_hash}/v3/hooks" || code != http.StatusOK {
		t.Errorf("observed %q %d", route, code)
	}

	// A route with scopes refuses the others with 403, in the surface's shape.
	f.get(t, "POST", hooks, "X-Auth-Token", f.read).want(t, http.StatusForbidden, `"title":"You don't have a required scope`)
	// Domain errors reach the surface's renderer, with its status for a conflict.
	f.get(t, "POST", hooks, "X-Auth-Token", f.full).want(t, http.StatusConflict, "A hook with this scope")

	// Another store's token, no token: 401, with the anonymous rate headers,
	// and still observed under the route it would have taken.
	for _, tok := range []string{f.other, ""} {
		res := f.get(t, "GET", hooks, "X-Auth-Token", tok).want(t, http.StatusUnauthorized, `"status":401`)
		if res.header.Get("X-Rate-Limit-Requests-Left") != "150" {
			t.Errorf("401 without untouched rate headers: %v", res.header)
		}
		if route, code := f.seen.last(); route != "GET /stores/{store_hash}/v3/hooks" || code != http.StatusUnauthorized {
			t.Errorf("observed %q %d", route, code)
		}
	}

	// Unknown path: 404 after authentication; known path, other method: 405 with Allow.
	f.get(t, "GET", "/stores/store1/v3/nothing", "X-Auth-Token", f.full).want(t, http.StatusNotFound, `"status":404`)
	f.get(t, "GET", "/stores/store1/v3/nothing").want(t, http.StatusUnauthorized, `"status":401`)
	res := f.get(t, "DELETE", hooks, "X-Auth-Token", f.full).want(t, http.StatusMethodNotAllowed, `"status":405`)
	if strings.Contains(f.logs.String(), "level=ERROR") {
		t.Errorf("client errors logged as errors:\n%s", f.logs.String())
	}
	if got := res.header.Get("Allow"); got != "GET, POST" {
		t.Errorf("Allow=%q", got)
	}

	// A handler's LimitError is the gateway's 429 with X-Retry-After in whole seconds.
	res = f.get(t, "GET", "/stores/store1/v3/limited", "X-Auth-Token", f.full).want(t, http.StatusTooManyRequests, `"status":429`)
	if res.header.Get("X-Retry-After") != "3" {
		t.Errorf("X-Retry-After=%q, want 3", res.header.Get("X-Retry-After"))
	}
}

func TestRequestIDLogAndRecovery(t *testing.T) {
	f := newFixture(t)
	res := f.get(t, "GET", "/stores/store1/v3/panic", "X-Auth-Token", f.full, "X-Request-ID", "abc-123").
		want(t, http.StatusInternalServerError, `"status":500`)
	if strings.Contains(res.body, "sector") {
		t.Errorf("the 500 shows its cause: %s", res.body)
	}
	if res.header.Get("X-Request-ID") != "abc-123" {
		t.Errorf("X-Request-ID=%q", res.header.Get("X-Request-ID"))
	}
	logs := f.logs.String()
	for _, want := range []string{"panic serving request", "sector 9", "request_id=abc-123", "surface=v3", "store=store1", "status=500"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	// An unusable request ID is replaced, not echoed.
	res = f.get(t, "GET", "/stores/store1/v3/hooks", "X-Auth-Token", f.full, "X-Request-ID", "bad id with spaces")
	if id := res.header.Get("X-Request-ID"); id == "" || strings.Contains(id, " ") {
		t.Errorf("X-Request-ID=%q", id)
	}
	if strings.Contains(logs, f.full) {
		t.Error("the log holds a token")
	}
}

func TestInflightCap(t *testing.T) {
	f := newFixture(t)
	go f.fire("/stores/store1/v3/slow", f.full)
	<-f.slowEntered
	// The cap of the fixture is 1: a second capped request of the store is
	// refused while the first runs; an uncapped route is not.
	f.get(t, "GET", "/stores/store1/v3/slow", "X-Auth-Token", f.full).want(t, http.StatusTooManyRequests, `"status":429`)
	f.get(t, "GET", "/stores/store1/v3/hooks", "X-Auth-Token", f.full).want(t, http.StatusOK, "data")
	// Another store has slots of its own.
	go f.fire("/stores/store2/v3/slow", f.other)
	<-f.slowEntered
}

// fire sends a GET from a goroutine of its own, where t must not be used;
// the test reads its effect elsewhere.
func (f *fixture) fire(path, token string) {
	req, _ := http.NewRequest("GET", f.URL+path, nil)
	req.Header.Set("X-Auth-Token", token)
	if res, err := http.DefaultClient.Do(req); err == nil {
		res.Body.Close()
	}
}

func TestPublicSurface(t *testing.T) {
	f := newFixture(t)
	f.get(t, "GET", "/stores/store1/storefront/account.php").want(t, http.StatusOK, "<h1>store1</h1>")
	res := f.get(t, "GET", "/stores/nostore/storefront/account.php").want(t, http.StatusNotFound, "<p>Not Found</p>")
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type=%q", ct)
	}
	if res.header.Get("X-Rate-Limit-Requests-Quota") != "" {
		t.Error("a public surface carries API rate headers")
	}
}

func TestAdminSurface(t *testing.T) {
	f := newFixture(t)
	f.get(t, "GET", "/admin/v1/ping", "Authorization", "Bearer "+adminToken).want(t, http.StatusOK, "pong")
	f.get(t, "GET", "/admin/v1/ping", "Authorization", "bearer "+adminToken).want(t, http.StatusOK, "pong")
	for _, auth := range []string{"", "Bearer wrong", "Basic " + adminToken, adminToken} {
		res := f.get(t, "GET", "/admin/v1/ping", "Authorization", auth).want(t, http.StatusUnauthorized, "admin token is required")
		if res.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%q: no WWW-Authenticate", auth)
		}
	}
	// Unauthorised callers learn nothing of the routes: 401 before 404.
	f.get(t, "GET", "/admin/v1/nothing").want(t, http.StatusUnauthorized, "admin token")
}

func TestAdminSurfaceDisabled(t *testing.T) {
	gw := &gateway.Gateway{Logger: slog.New(slog.DiscardHandler)}
	h := gw.Mount(&gateway.Surface{Name: "admin", Auth: gateway.AdminToken, Render: v3Render,
		Routes: []gateway.Route{{Pattern: "GET /admin/v1/ping", Handler: func(w http.ResponseWriter, r *http.Request) error { return nil }}}})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/admin/v1/ping", nil)
	req.Header.Set("Authorization", "Bearer ")
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound {
		t.Fatalf("status %d, want 404 without an admin token", rec.Code)
	}
}

func TestStoreHashOf(t *testing.T) {
	for _, tt := range []struct{ path, hash, version string }{
		{"/stores/abc/v2/customers", "abc", "v2"},
		{"/stores/abc/v3", "abc", "v3"},
		{"/stores/abc/storefront/login.php", "abc", "storefront"},
		{"/stores/abc", "", ""},
		{"/stores//v2/customers", "", ""},
		{"/admin/v1/stores/abc", "", ""},
	} {
		hash, version, ok := gateway.StoreHashOf(tt.path)
		if hash != tt.hash || version != tt.version || ok != (tt.hash != "") {
			t.Errorf("StoreHashOf(%q)=%q, %q, %v", tt.path, hash, version, ok)
		}
	}
}
