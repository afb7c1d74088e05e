// Package customersdtest runs customersd in-process for the tests of an app
// that talks to BigCommerce's Customers V2 API, as httptest runs a handler:
//
//	func TestSync(t *testing.T) {
//		srv := customersdtest.New(t)
//		app := myapp.NewClient(srv.URL, srv.StoreHash, srv.ClientID, srv.Token)
//		t.Run("Create", func(t *testing.T) {
//			srv.Reset(t)
//			...
//		})
//	}
//
// New starts the same server as the customersd binary, on 127.0.0.1 with a
// free port and a temporary SQLite file (or a database of your own), makes
// a store with a full-scope API account and a read-only one, and stops it
// when the test ends. The server's output is shown only if the test fails.
package customersdtest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/internal/cli"
	"github.com/customersd/customersd/internal/logbuf"
	"github.com/customersd/customersd/sqlstore"
)

// Server is a customersd serving one test.
type Server struct {
	// URL is the base URL of the server, http://127.0.0.1:PORT: the V2 API
	// of the store is at URL + "/stores/" + StoreHash + "/v2/".
	URL string
	// StoreHash is the store made for the test.
	StoreHash string
	// ClientID, ClientSecret and Token are the store's API account of scope
	// store_v2_customers: send X-Auth-Client: ClientID and X-Auth-Token: Token.
	ClientID, ClientSecret, Token string
	// ReadOnlyClientID and ReadOnlyToken are an account of scope
	// store_v2_customers_read_only.
	ReadOnlyClientID, ReadOnlyToken string
	// AdminToken is the admin API's bearer token (WithAdminToken), or "".
	AdminToken string
	// TLSURL is the HTTPS base URL, https://localhost:PORT, and CAFile the
	// PEM file of the CA that signed its certificate (WithTLS); else "".
	TLSURL, CAFile string
	// Database is the database the server uses.
	Database string

	db    *sqlstore.DB
	store customersd.StoreID
	roots *x509.CertPool // of CAFile
}

type config struct {
	database, storeHash, adminToken string
	tls                             bool
	env                             map[string]string
	args                            []string
}

// Option changes what New starts.
type Option func(*config)

// WithDatabase uses dsn (a postgres:// URL or a SQLite path) instead of a
// temporary SQLite file. The store, made afresh when missing, is left in
// it after the test; with a store hash of its own (the default is random),
// tests can share the database.
func WithDatabase(dsn string) Option { return func(c *config) { c.database = dsn } }

// WithStoreHash names the store instead of a random hash.
func WithStoreHash(hash string) Option { return func(c *config) { c.storeHash = hash } }

// WithAdminToken enables the admin API (/admin/v1) with this bearer token.
func WithAdminToken(token string) Option { return func(c *config) { c.adminToken = token } }

// WithTLS serves HTTPS too, with a certificate from a CA made for the test:
// see Server.TLSURL, Server.CAFile and Server.Client.
func WithTLS() Option { return func(c *config) { c.tls = true } }

// WithEnv sets a CUSTOMERSD_* variable of the server. The server sees only
// what New and WithEnv set, never the test process's environment.
func WithEnv(name, value string) Option { return func(c *config) { c.env[name] = value } }

// WithFlags passes flags of "customersd serve", e.g.
// WithFlags("--default-format", "json").
func WithFlags(args ...string) Option { return func(c *config) { c.args = append(c.args, args...) } }

// New starts a server for t and stops it when t ends. It fails t if the
// server cannot start. Passwords are hashed at the lowest bcrypt cost so
// that tests are fast; WithEnv("CUSTOMERSD_BCRYPT_COST", "12") restores it.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg := &config{env: map[string]string{"CUSTOMERSD_BCRYPT_COST": "4"}}
	for _, o := range opts {
		o(cfg)
	}
	dir := t.TempDir()
	full := customersd.APIAccountInput{Scopes: []customersd.Scope{customersd.ScopeCustomers}}
	full.Complete()
	s := &Server{
		StoreHash: cfg.storeHash, ClientID: full.ClientID, ClientSecret: full.ClientSecret, Token: full.AccessToken,
		AdminToken: cfg.adminToken, Database: cfg.database,
	}
	if s.StoreHash == "" {
		s.StoreHash = "test" + customersd.NewStoreHash()
	}
	if s.Database == "" {
		s.Database = filepath.Join(dir, "customersd.db")
	}
	env := map[string]string{
		"CUSTOMERSD_STORE_HASH":    s.StoreHash,
		"CUSTOMERSD_ACCESS_TOKEN":  s.Token,
		"CUSTOMERSD_CLIENT_ID":     s.ClientID,
		"CUSTOMERSD_CLIENT_SECRET": s.ClientSecret,
		"CUSTOMERSD_ADMIN_TOKEN":   s.AdminToken,
	}
	for k, v := range cfg.env {
		env[k] = v
	}
	args := []string{"serve", "--addr", "127.0.0.1:0", "--database", s.Database}
	if cfg.tls {
		tlsDir := filepath.Join(dir, "tls")
		args = append(args, "--tls-addr", "127.0.0.1:0", "--tls-self-signed", "--tls-dir", tlsDir)
		s.CAFile = filepath.Join(tlsDir, "ca.pem")
	}
	s.start(t, env, append(args, cfg.args...))
	s.open(t)
	return s
}

// start runs the server until t's cleanup.
func (s *Server) start(t testing.TB, env map[string]string, args []string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &logbuf.Buffer{}
	ready, tlsReady := make(chan string, 1), make(chan string, 1)
	m := &cli.Main{
		Stdin:    strings.NewReader(""),
		Stdout:   out,
		Stderr:   out,
		Getenv:   func(k string) string { return env[k] },
		Ready:    func(addr string) { ready <- addr },
		TLSReady: func(addr string) { tlsReady <- addr },
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, args) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("customersdtest: server stopped with %v", err)
		}
		if t.Failed() {
			t.Logf("customersdtest: the server's output:\n%s", out)
		}
	})
	select {
	case addr := <-ready:
		s.URL = "http://" + addr
	case err := <-done:
		done <- err // for the cleanup
		t.Fatalf("customersdtest: customersd %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	if s.CAFile != "" {
		_, port, _ := net.SplitHostPort(<-tlsReady) // called before Ready
		s.TLSURL = "https://localhost:" + port
		pem, err := os.ReadFile(s.CAFile)
		s.roots = x509.NewCertPool()
		if err != nil || !s.roots.AppendCertsFromPEM(pem) {
			t.Fatalf("customersdtest: read the CA %s: %v", s.CAFile, err)
		}
	}
}

// open connects to the server's database, for the read-only account and
// for Reset, through the same tenant service the server uses.
func (s *Server) open(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, s.Database)
	if err != nil {
		t.Fatalf("customersdtest: %v", err)
	}
	t.Cleanup(func() { db.Close() }) // before the server stops: cleanups run last first
	tenants := sqlstore.NewTenantService(db)
	st, err := tenants.FindStoreByHash(ctx, s.StoreHash)
	if err != nil {
		t.Fatalf("customersdtest: store %s: %v", s.StoreHash, err)
	}
	ro := customersd.APIAccountInput{Scopes: []customersd.Scope{customersd.ScopeCustomersReadOnly}}
	ro.Complete()
	if _, err := tenants.CreateAPIAccountFrom(ctx, st.ID, &ro); err != nil {
		t.Fatalf("customersdtest: read-only account: %v", err)
	}
	s.ReadOnlyClientID, s.ReadOnlyToken = ro.ClientID, ro.AccessToken
	s.db, s.store = db, st.ID
}

// Reset deletes the store's customers, addresses and groups, and restarts
// their IDs at 1, as "customersd stores reset" does; the accounts stay.
// Call it at the start of each subtest that needs an empty store.
func (s *Server) Reset(t testing.TB) {
	t.Helper()
	if err := sqlstore.NewTenantService(s.db).ResetStore(context.Background(), s.store); err != nil {
		t.Fatalf("customersdtest: reset store %s: %v", s.StoreHash, err)
	}
}

// Client returns an HTTP client for the server; with WithTLS it trusts
// the test's CA (and only it), as a client given REQUESTS_CA_BUNDLE does.
func (s *Server) Client() *http.Client {
	c := &http.Client{Timeout: 30 * time.Second}
	if s.roots != nil {
		c.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.roots}, ForceAttemptHTTP2: true}
	}
	return c
}
