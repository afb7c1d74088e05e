package storefront_test

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/admin"
	"github.com/customersd/customersd/gateway"
	"github.com/customersd/customersd/internal/logbuf"
	"github.com/customersd/customersd/login"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/ratelimit"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
	"github.com/customersd/customersd/storefront"
	v2 "github.com/customersd/customersd/v2"
)

const adminToken = "storefront-test-admin-token"

// clock is the one clock of a test server: the database's, the
// verifier's, the storefront's and V2's /time. It moves only when told.
type clock struct{ unix atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.unix.Store(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC).Unix())
	return c
}

func (c *clock) Now() time.Time          { return time.Unix(c.unix.Load(), 0).UTC() }
func (c *clock) Advance(d time.Duration) { c.unix.Add(int64(d / time.Second)) }

// account is an API account of a test store, with its secret.
type account struct {
	ClientID, Secret, Token string
}

// fixture is what a test database holds: store1 with a login app, a V2
// app, an app without the login scope and two customers (one in a group,
// with a password); store2 with a login app of its own.
type fixture struct {
	hash, otherHash      string
	app, api, noLogin    account
	otherApp             account
	alice, bob           int64 // customer ids in store1
	aliceEmail, password string
}

// testServer serves V2, the storefronts and the admin API as serve mounts
// them, on one database.
type testServer struct {
	*httptest.Server
	t     testing.TB
	db    *sqlstore.DB
	clock *clock
	logs  *logbuf.Buffer
	fx    *fixture
	dsn   string
}

type serverOption func(*serverConfig)

type serverConfig struct {
	tls bool
	dsn string
	fx  *fixture // an existing database's fixture: do not seed
	clk *clock
	// checkCustomers, when set, wraps the customers the verifier checks,
	// to stage what the database cannot (a customer deleted mid-sign-in).
	checkCustomers func(customersd.CustomerService) customersd.CustomerService
}

func withTLS() serverOption { return func(c *serverConfig) { c.tls = true } }
func withDatabase(dsn string, fx *fixture) serverOption {
	return func(c *serverConfig) { c.dsn, c.fx = dsn, fx }
}
func withClock(clk *clock) serverOption { return func(c *serverConfig) { c.clk = clk } }

// eachDB runs fn against a fresh server on SQLite, and on PostgreSQL when
// CUSTOMERSD_TEST_POSTGRES_URL is set.
func eachDB(t *testing.T, fn func(t *testing.T, ts *testServer)) {
	t.Helper()
	for _, d := range sqlstoretest.Dialects {
		t.Run(d, func(t *testing.T) {
			fn(t, newTestServer(t, withDatabase(sqlstoretest.DSN(t, d), nil)))
		})
	}
}

// newTestServer starts a server on a fresh SQLite database, or on the
// database withDatabase names (a restart, or a second node).
func newTestServer(tb testing.TB, opts ...serverOption) *testServer {
	tb.Helper()
	cfg := &serverConfig{}
	for _, o := range opts {
		o(cfg)
	}
	if cfg.dsn == "" {
		cfg.dsn = sqlstoretest.DSN(tb, "sqlite")
	}
	if cfg.clk == nil {
		cfg.clk = newClock()
	}
	db, err := sqlstore.Open(context.Background(), cfg.dsn)
	if err != nil {
		tb.Fatalf("open %s: %v", cfg.dsn, err)
	}
	tb.Cleanup(func() { db.Close() })
	ts := &testServer{t: tb, db: db, clock: cfg.clk, logs: &logbuf.Buffer{}, fx: cfg.fx, dsn: cfg.dsn}
	db.Now = ts.clock.Now
	tenants := sqlstore.NewTenantService(db)
	h := password.Hasher{Cost: bcrypt.MinCost}
	customers := sqlstore.NewCustomerService(db, h)
	if ts.fx == nil {
		ts.fx = seed(tb, tenants, customers, sqlstore.NewGroupService(db))
	}
	logger := slog.New(slog.NewTextHandler(ts.logs, nil))
	logins := sqlstore.NewLoginService(db)
	// One policy for V2 and the storefront, as serve has: the password
	// guard is shared by the validate call and the sign-in form.
	limits := &ratelimit.Policy{}
	var checked customersd.CustomerService = customers
	if cfg.checkCustomers != nil {
		checked = cfg.checkCustomers(customers)
	}
	verifier := &login.Verifier{Tenants: tenants, Customers: checked, Logins: logins, Now: ts.clock.Now}
	sf := &storefront.Server{Customers: customers, Groups: sqlstore.NewGroupService(db), Tenants: tenants, Logins: logins,
		Verifier: verifier, RateLimit: limits, Logger: logger, Now: ts.clock.Now}
	api := &v2.Server{Customers: customers, Addresses: sqlstore.NewAddressService(db), Groups: sqlstore.NewGroupService(db), Now: ts.clock.Now, RateLimit: limits}
	adm := &admin.Server{Tenants: tenants, Exporter: sqlstore.NewExportService(db, h), Logins: logins, Login: verifier}
	gw := &gateway.Gateway{Tenants: tenants, RateLimit: limits, AdminToken: adminToken, Logger: logger}
	mux := http.NewServeMux()
	mux.Handle("/", gw.Mount(api.Surface()))
	mux.Handle("/admin/", gw.Mount(adm.Surface()))
	mux.Handle("/stores/{store_hash}/storefront/", gw.Mount(sf.Surface()))
	if cfg.tls {
		ts.Server = httptest.NewTLSServer(mux)
	} else {
		ts.Server = httptest.NewServer(mux)
	}
	tb.Cleanup(ts.Close)
	return ts
}

func seed(tb testing.TB, tenants customersd.TenantService, customers customersd.CustomerService, groups customersd.GroupService) *fixture {
	tb.Helper()
	ctx := context.Background()
	fx := &fixture{hash: "store1", otherHash: "store2", aliceEmail: "alice@example.com", password: "Secret123"}
	mkStore := func(hash string) *customersd.Store {
		// Unthrottled, as the admin API makes a test suite's store.
		st := &customersd.Store{Hash: hash, RateLimit: ratelimit.Unthrottled()}
		if err := tenants.CreateStore(ctx, st); err != nil {
			tb.Fatalf("create store %s: %v", hash, err)
		}
		return st
	}
	mkAccount := func(st *customersd.Store, scopes ...customersd.Scope) account {
		in := &customersd.APIAccountInput{Scopes: scopes}
		in.Complete()
		a, err := tenants.CreateAPIAccountFrom(ctx, st.ID, in)
		if err != nil {
			tb.Fatalf("create account: %v", err)
		}
		return account{ClientID: a.ClientID, Secret: a.ClientSecret, Token: in.AccessToken}
	}
	st, other := mkStore(fx.hash), mkStore(fx.otherHash)
	fx.app = mkAccount(st, customersd.ScopeCustomersLogin)
	fx.api = mkAccount(st, customersd.ScopeCustomers)
	fx.noLogin = mkAccount(st, customersd.ScopeCustomersReadOnly)
	fx.otherApp = mkAccount(other, customersd.ScopeCustomersLogin)
	name := "Wholesale"
	g, err := groups.CreateGroup(ctx, st.ID, &customersd.GroupInput{Name: &name})
	if err != nil {
		tb.Fatalf("create group: %v", err)
	}
	str := func(s string) *string { return &s }
	a, err := customers.CreateCustomer(ctx, st.ID, &customersd.CustomerInput{FirstName: str("Alice"), LastName: str("Liddell"),
		Email: str(fx.aliceEmail), CustomerGroupID: &g.ID, Password: str(fx.password)})
	if err != nil {
		tb.Fatalf("create customer: %v", err)
	}
	b, err := customers.CreateCustomer(ctx, st.ID, &customersd.CustomerInput{FirstName: str("Bob"), LastName: str("Tables"), Email: str("bob@example.com")})
	if err != nil {
		tb.Fatalf("create customer: %v", err)
	}
	fx.alice, fx.bob = a.ID, b.ID
	return fx
}

// root is store1's storefront URL.
func (ts *testServer) root() string { return ts.URL + "/stores/" + ts.fx.hash + "/storefront" }

// browser is a shopper's browser: it keeps cookies and does not follow
// redirects, so tests see each one.
type browser struct {
	ts     *testServer
	client *http.Client
}

func (ts *testServer) browser() *browser {
	jar, _ := cookiejar.New(nil)
	c := ts.Client()
	client := &http.Client{Transport: c.Transport, Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &browser{ts: ts, client: client}
}

type response struct {
	Status int
	Header http.Header
	Body   string
}

func (b *browser) do(method, rawURL string, body io.Reader, hdr ...string) *response {
	b.ts.t.Helper()
	req, err := http.NewRequest(method, rawURL, body)
	if err != nil {
		b.ts.t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.ts.t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		b.ts.t.Fatal(err)
	}
	return &response{Status: res.StatusCode, Header: res.Header, Body: string(out)}
}

func (b *browser) get(rawURL string, hdr ...string) *response {
	return b.do(http.MethodGet, rawURL, nil, hdr...)
}

func (b *browser) postForm(rawURL string, form url.Values) *response {
	return b.do(http.MethodPost, rawURL, strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
}

// want fails unless the status is as expected.
func (r *response) want(tb testing.TB, status int) *response {
	tb.Helper()
	if r.Status != status {
		tb.Fatalf("status=%d, want %d; body: %s", r.Status, status, r.Body)
	}
	return r
}

// wantRedirect fails unless r is a 302 to url.
func (r *response) wantRedirect(tb testing.TB, url string) *response {
	tb.Helper()
	r.want(tb, http.StatusFound)
	if got := r.Header.Get("Location"); got != url {
		tb.Fatalf("Location=%q, want %q", got, url)
	}
	return r
}

// adminDo calls the admin API and decodes its JSON answer into v.
func (ts *testServer) adminDo(method, path string, body any, status int, v any) {
	ts.t.Helper()
	var rdr io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rdr = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, ts.URL+"/admin/v1"+path, rdr)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := ts.Client().Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != status {
		ts.t.Fatalf("%s %s: status=%d, want %d; body: %s", method, path, res.StatusCode, status, b)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			ts.t.Fatalf("decode %s: %v", b, err)
		}
	}
}

// attempt is a login attempt as the admin API lists it.
type attempt struct {
	ID         int64          `json:"id"`
	At         string         `json:"at"`
	OK         bool           `json:"ok"`
	Check      string         `json:"check"`
	Reason     string         `json:"reason"`
	Detail     string         `json:"detail"`
	ClientID   string         `json:"client_id"`
	CustomerID int64          `json:"customer_id"`
	IP         string         `json:"ip"`
	Claims     map[string]any `json:"claims"`
}

func (ts *testServer) attempts(limit int) []attempt {
	ts.t.Helper()
	var out []attempt
	ts.adminDo(http.MethodGet, "/stores/"+ts.fx.hash+"/login/attempts?limit="+itoa(limit), nil, http.StatusOK, &out)
	return out
}

func (ts *testServer) lastAttempt() attempt {
	ts.t.Helper()
	a := ts.attempts(1)
	if len(a) != 1 {
		ts.t.Fatalf("no login attempt recorded")
	}
	return a[0]
}

// sign makes a JWT as a client library would, from its own header and
// claims JSON: HMAC-SHA256 by hand, not by the code under test.
func sign(header string, claims map[string]any, secret string) string {
	payload, err := json.Marshal(claims)
	if err != nil {
		panic(err)
	}
	input := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString(payload)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

const (
	headerWithTyp = `{"typ":"JWT","alg":"HS256"}`
	headerNoTyp   = `{"alg":"HS256"}`
)

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func uuid() string {
	h := randomHex(16)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:]
}

// The official clients' tokens (LOGIN.md), for customer on store1 at the
// server's time.

// pythonToken is bigcommerce-api-python's customer_login_token.create:
// channel_id 1 and uuid4().hex, a 32-hex jti.
func (ts *testServer) pythonToken(customer int64) string {
	return sign(headerWithTyp, map[string]any{"iss": ts.fx.app.ClientID, "iat": ts.clock.Now().Unix(), "jti": randomHex(16),
		"operation": "customer_login", "store_hash": ts.fx.hash, "customer_id": customer, "channel_id": 1}, ts.fx.app.Secret)
}

// phpToken is Client::getCustomerLoginToken: no channel_id, a 64-hex jti.
func (ts *testServer) phpToken(customer int64) string {
	return sign(headerWithTyp, map[string]any{"iss": ts.fx.app.ClientID, "iat": ts.clock.Now().Unix(), "jti": randomHex(32),
		"operation": "customer_login", "store_hash": ts.fx.hash, "customer_id": customer}, ts.fx.app.Secret)
}

// rubyToken is Customer#login_token: redirect_to "/" by default, a uuid
// jti, request_ip null when not given, and (older releases) no typ.
func (ts *testServer) rubyToken(customer int64) string {
	return sign(headerNoTyp, map[string]any{"iss": ts.fx.app.ClientID, "iat": ts.clock.Now().Unix(), "jti": uuid(),
		"operation": "customer_login", "store_hash": ts.fx.hash, "customer_id": customer, "redirect_to": "/", "request_ip": nil}, ts.fx.app.Secret)
}

// nodeToken is node-bigcommerce's createCustomerLoginJWT: an exp 24 h on
// and the redirect spelt redirect_url, which BigCommerce ignores.
func (ts *testServer) nodeToken(customer int64) string {
	now := ts.clock.Now().Unix()
	return sign(headerWithTyp, map[string]any{"iss": ts.fx.app.ClientID, "iat": now, "exp": now + 24*3600, "jti": uuid(),
		"operation": "customer_login", "store_hash": ts.fx.hash, "customer_id": customer, "channel_id": 1,
		"redirect_url": "/cart.php"}, ts.fx.app.Secret)
}

// claims is a valid PHP-style token's claims, for tests to spoil.
func (ts *testServer) claims(customer int64) map[string]any {
	return map[string]any{"iss": ts.fx.app.ClientID, "iat": ts.clock.Now().Unix(), "jti": randomHex(32),
		"operation": "customer_login", "store_hash": ts.fx.hash, "customer_id": customer}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// cookie returns the Set-Cookie of name in r, nil when none.
func (r *response) cookie(name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}
