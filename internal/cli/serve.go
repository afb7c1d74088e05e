package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/gateway"
	"github.com/customersd/customersd/metrics"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/sqlstore"
	v2 "github.com/customersd/customersd/v2"
	"github.com/customersd/customersd/webhook"
)

// Server timeouts. A slow client cannot hold a connection forever; a
// request's work is bounded by the write timeout.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 120 * time.Second
	shutdownTimeout   = 15 * time.Second
	maxHeaderBytes    = 64 << 10
)

// ServeCommand runs the HTTP server until its context ends.
type ServeCommand struct {
	*Main
	Config Config
	// Ready, when set, is called with the listening address once the
	// server accepts connections (tests listen on :0).
	Ready func(addr string)

	// TLSReady is Ready for the HTTPS listener of --tls-addr.
	TLSReady func(addr string)

	// readHeaderTimeout and readTimeout, when set, replace the production
	// defaults, so that tests of slow clients need not wait for them.
	readHeaderTimeout, readTimeout time.Duration

	webhooks *webhook.Deliverer // this node's delivery workers (webhooks.go)
}

func (c *ServeCommand) parse(args []string) error {
	fs := newFlagSet(c.Main, "serve")
	cfg := &c.Config
	fs.StringVar(&cfg.Addr, "addr", envOr(c.Getenv, "CUSTOMERSD_ADDR", "127.0.0.1:8080"), "listen address (env CUSTOMERSD_ADDR)")
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", c.Getenv("CUSTOMERSD_METRICS_ADDR"), "serve /metrics on this address instead of --addr, e.g. a private interface (env CUSTOMERSD_METRICS_ADDR)")
	c.databaseFlag(fs, &cfg.Database)
	maxConns, err := strconv.Atoi(envOr(c.Getenv, "CUSTOMERSD_DB_MAX_CONNS", "0"))
	if err != nil {
		return fmt.Errorf("CUSTOMERSD_DB_MAX_CONNS: %w", err)
	}
	fs.IntVar(&cfg.DBMaxConns, "db-max-conns", maxConns, "most database connections this node opens; 0: 4 per CPU on PostgreSQL (env CUSTOMERSD_DB_MAX_CONNS)")
	stmtTimeout, err := time.ParseDuration(envOr(c.Getenv, "CUSTOMERSD_DB_STATEMENT_TIMEOUT", sqlstore.DefaultStatementTimeout.String()))
	if err != nil {
		return fmt.Errorf("CUSTOMERSD_DB_STATEMENT_TIMEOUT: %w", err)
	}
	fs.DurationVar(&cfg.DBStatementTimeout, "db-statement-timeout", stmtTimeout, "longest a request's database statement may run before it fails with 503; 0: no limit (env CUSTOMERSD_DB_STATEMENT_TIMEOUT)")
	fs.StringVar(&cfg.PublicURL, "public-url", c.Getenv("CUSTOMERSD_PUBLIC_URL"), "the URL clients reach this server at, e.g. https://api.example.com: the links in bodies use it instead of the request's Host (env CUSTOMERSD_PUBLIC_URL)")
	fs.StringVar(&cfg.DefaultFormat, "default-format", envOr(c.Getenv, "CUSTOMERSD_DEFAULT_FORMAT", "xml"), "V2's answer to a request that asks for no format (no Accept, */*, no .json/.xml): xml, as BigCommerce, or json, which BigCommerce does not do (env CUSTOMERSD_DEFAULT_FORMAT)")
	maxClientConns, err := strconv.Atoi(envOr(c.Getenv, "CUSTOMERSD_MAX_CONNS", "0"))
	if err != nil {
		return fmt.Errorf("CUSTOMERSD_MAX_CONNS: %w", err)
	}
	fs.IntVar(&cfg.MaxConns, "max-conns", maxClientConns, "most client connections held open; at the cap the longest-idle one is closed for a new one; 0: the file limit less a reserve, at most 10000 (env CUSTOMERSD_MAX_CONNS)")
	fs.StringVar(&cfg.LogFormat, "log-format", envOr(c.Getenv, "CUSTOMERSD_LOG_FORMAT", "text"), "log format: text or json (env CUSTOMERSD_LOG_FORMAT)")
	cost, err := strconv.Atoi(envOr(c.Getenv, "CUSTOMERSD_BCRYPT_COST", strconv.Itoa(password.DefaultCost)))
	if err != nil {
		return fmt.Errorf("CUSTOMERSD_BCRYPT_COST: %w", err)
	}
	fs.IntVar(&cfg.BcryptCost, "bcrypt-cost", cost, "bcrypt cost of customer passwords (env CUSTOMERSD_BCRYPT_COST)")
	bcryptConc, err := strconv.Atoi(envOr(c.Getenv, "CUSTOMERSD_BCRYPT_CONCURRENCY", "0"))
	if err != nil {
		return fmt.Errorf("CUSTOMERSD_BCRYPT_CONCURRENCY: %w", err)
	}
	fs.IntVar(&cfg.BcryptConcurrency, "bcrypt-concurrency", bcryptConc, "password hashes and checks the node runs at once, shared fairly between stores; 0: one less than the CPUs, at least 1 (env CUSTOMERSD_BCRYPT_CONCURRENCY)")
	if err := c.rateLimitFlags(fs, &cfg.RateLimit); err != nil {
		return err
	}
	c.adminFlags(fs, &cfg.Admin)
	if err := c.hooksAPIFlags(fs, &cfg.HooksAPI); err != nil {
		return err
	}
	if err := c.journalFlags(fs, &cfg.Journal); err != nil {
		return err
	}
	if err := c.webhookFlags(fs, &cfg.Webhook); err != nil {
		return err
	}
	if err := c.tlsFlags(fs, &cfg.TLS); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	c.adminEnv(&cfg.Admin)
	cfg.StoreHash = c.Getenv("CUSTOMERSD_STORE_HASH")
	cfg.AccessToken = c.Getenv("CUSTOMERSD_ACCESS_TOKEN")
	cfg.ClientID = c.Getenv("CUSTOMERSD_CLIENT_ID")
	cfg.ClientSecret = c.Getenv("CUSTOMERSD_CLIENT_SECRET")
	return cfg.validate()
}

func (cfg *Config) validate() error {
	if cfg.LogFormat != "text" && cfg.LogFormat != "json" {
		return fmt.Errorf("--log-format must be text or json, not %q", cfg.LogFormat)
	}
	if cfg.DBStatementTimeout < 0 {
		return fmt.Errorf("--db-statement-timeout must be 0 (no limit) or more, not %s", cfg.DBStatementTimeout)
	}
	if cfg.DBMaxConns < 0 {
		return fmt.Errorf("--db-max-conns must be 0 (the default) or more, not %d", cfg.DBMaxConns)
	}
	if cfg.PublicURL != "" {
		u, err := gateway.ParsePublicURL(cfg.PublicURL)
		if err != nil {
			return fmt.Errorf("--public-url %q: %w", cfg.PublicURL, err)
		}
		cfg.PublicURL = u
	}
	if _, err := v2.ParseFormat(cfg.DefaultFormat); cfg.DefaultFormat != "" && err != nil {
		return fmt.Errorf("--default-format must be xml or json, not %q", cfg.DefaultFormat)
	}
	if cfg.MaxConns < 0 {
		return fmt.Errorf("--max-conns must be 0 (the default) or more, not %d", cfg.MaxConns)
	}
	if cfg.BcryptCost < password.MinCost || cfg.BcryptCost > password.MaxCost {
		return fmt.Errorf("--bcrypt-cost must be between %d and %d, not %d", password.MinCost, password.MaxCost, cfg.BcryptCost)
	}
	if cfg.BcryptConcurrency < 0 {
		return fmt.Errorf("--bcrypt-concurrency must be 0 (the default) or more, not %d", cfg.BcryptConcurrency)
	}
	if err := cfg.validateStartStore(); err != nil {
		return err
	}
	if err := cfg.Journal.validate(); err != nil {
		return err
	}
	if err := cfg.Webhook.validate(); err != nil {
		return err
	}
	if err := cfg.TLS.validate(); err != nil {
		return err
	}
	return cfg.RateLimit.validate()
}

// validateStartStore checks the store and account bootstrap makes, all
// before the database is touched, so a bad value creates nothing.
func (cfg *Config) validateStartStore() error {
	if (cfg.StoreHash == "") != (cfg.AccessToken == "") {
		return errors.New("set both CUSTOMERSD_STORE_HASH and CUSTOMERSD_ACCESS_TOKEN, or neither")
	}
	if cfg.StoreHash == "" && (cfg.ClientID != "" || cfg.ClientSecret != "") {
		return errors.New("CUSTOMERSD_CLIENT_ID and CUSTOMERSD_CLIENT_SECRET describe the account of CUSTOMERSD_ACCESS_TOKEN: set it and CUSTOMERSD_STORE_HASH too")
	}
	if cfg.StoreHash != "" && !customersd.ValidStoreHash(cfg.StoreHash) {
		return fmt.Errorf("CUSTOMERSD_STORE_HASH %q: must be 1 to 64 letters, digits, '-' or '_'", cfg.StoreHash)
	}
	return checkCredentials(cfg.startAccount(), credentialSettings{
		"CUSTOMERSD_CLIENT_ID", "CUSTOMERSD_CLIENT_SECRET", "CUSTOMERSD_ACCESS_TOKEN"})
}

// startAccount is the account CUSTOMERSD_* asks for, with what it leaves
// out empty.
func (cfg *Config) startAccount() customersd.APIAccountInput {
	return customersd.APIAccountInput{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, AccessToken: cfg.AccessToken,
		Scopes: []customersd.Scope{customersd.ScopeCustomers}}
}

func (c *ServeCommand) logger() *slog.Logger {
	if c.Config.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(c.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(c.Stderr, nil))
}

// Run starts the server and serves until ctx ends, then shuts down
// gracefully: it stops accepting, lets in-flight requests finish within
// shutdownTimeout, and closes the database.
func (c *ServeCommand) Run(ctx context.Context, args []string) error {
	if err := c.parse(args); err != nil {
		return err
	}
	logger := c.logger()
	db, err := sqlstore.OpenWithOptions(ctx, c.Config.Database, sqlstore.Options{StatementTimeout: c.Config.DBStatementTimeout})
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	db.Logger = logger
	db.SetMaxOpenConns(c.Config.DBMaxConns)

	tenants := sqlstore.NewTenantService(db)
	ln, err := net.Listen("tcp", c.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close() // Shutdown has closed it already, unless start-up failed
	if err := c.seedAtStart(ctx, db, tenants, logger); err != nil {
		return err
	}
	baseURL := c.Config.PublicURL
	if baseURL == "" {
		baseURL = "http://" + ln.Addr().String()
	}
	if err := c.bootstrap(ctx, tenants, baseURL); err != nil {
		return err
	}
	servers, err := c.servers(ln, db, tenants, logger)
	if err != nil {
		return err
	}
	if servers, err = c.withTLS(servers, logger); err != nil {
		return err
	}
	for _, s := range servers[1:] {
		defer s.ln.Close()
	}
	c.webhooks.Start()
	defer c.webhooks.Stop() // before the database closes: attempts in flight are recorded
	logger.Info("customersd listening", slog.String("addr", ln.Addr().String()), slog.String("database", db.Dialect()),
		slog.Int("max_conns", c.maxConns()))
	if c.Ready != nil {
		c.Ready(ln.Addr().String())
	}
	return serve(ctx, logger, servers)
}

// servers wires the API to ln and, with --metrics-addr, /metrics to a
// listener of its own.
func (c *ServeCommand) servers(ln net.Listener, db *sqlstore.DB, tenants *sqlstore.TenantService, logger *slog.Logger) ([]served, error) {
	m := metrics.New()
	m.WatchDB(db)
	c.newWebhooks(db, m, logger)
	limits, err := c.Config.RateLimit.open(logger, m.NewRateLimitErrorCounter())
	if err != nil {
		return nil, err
	}
	gw := &gateway.Gateway{
		Tenants:     tenants.WithDeferredAuth(),
		RateLimit:   limits,
		AdminToken:  c.Config.Admin.Token,
		Logger:      logger,
		Observe:     m.ObserveRequest,
		Unavailable: sqlstore.IsUnavailable,
		PublicURL:   c.Config.PublicURL,
	}
	gw.Faults, gw.Journal = c.testControls(logger)
	// One gate for every service that hashes or checks a store's password,
	// so the bound is the node's.
	hasher := password.Hasher{Cost: c.Config.BcryptCost, Gate: password.NewGate(cmp.Or(c.Config.BcryptConcurrency, password.DefaultConcurrency()), password.DefaultQueue)}
	api := &v2.Server{
		Customers: sqlstore.NewCustomerService(db, hasher),
		Addresses: sqlstore.NewAddressService(db),
		Groups:    sqlstore.NewGroupService(db),
		RateLimit: limits,
	}
	api.DefaultFormat, _ = v2.ParseFormat(c.Config.DefaultFormat) // checked by validate; "" is XML
	hooksV3 := c.mountHooks(gw, db, api)
	h := newHandler(handlerDeps{
		api:          gw.Mount(api.Surface()),
		ping:         db.Ping,
		metrics:      m,
		serveMetrics: c.Config.MetricsAddr == "",
		logger:       logger,
		admin:        gw.Mount(c.adminSurface(db, tenants, hasher, logger, gw, nodeName(ln))),
		v3:           hooksV3,
		storefront:   gw.Mount(storefrontSurface(db, tenants, hasher, limits, logger)),
		panel:        c.panelHandler(gw, db, tenants, hasher, limits),
	})
	limited := newConnLimiter(ln, c.maxConns(), logger)
	srv := c.newHTTPServer(logger, h)
	srv.ConnState = limited.connState
	servers := []served{{srv: srv, ln: limited}}
	if c.Config.MetricsAddr == "" {
		return servers, nil
	}
	mln, err := net.Listen("tcp", c.Config.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("listen for metrics: %w", err)
	}
	logger.Info("customersd metrics listening", slog.String("addr", mln.Addr().String()))
	return append(servers, served{srv: c.newHTTPServer(logger, newMetricsHandler(m)), ln: mln}), nil
}

// maxConns is --max-conns, or the default derived from the file limit.
func (c *ServeCommand) maxConns() int {
	if c.Config.MaxConns > 0 {
		return c.Config.MaxConns
	}
	return defaultMaxConns(fileLimit())
}

func (c *ServeCommand) newHTTPServer(logger *slog.Logger, h http.Handler) *http.Server {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	if c.readHeaderTimeout > 0 {
		srv.ReadHeaderTimeout = c.readHeaderTimeout
	}
	if c.readTimeout > 0 {
		srv.ReadTimeout = c.readTimeout
	}
	return srv
}

// served is a server and its listener.
type served struct {
	srv *http.Server
	ln  net.Listener
}

// serve runs the servers until ctx ends or one fails, then shuts them all
// down: each stops accepting at once and waits for its in-flight requests,
// all within shutdownTimeout; connections still busy after that are cut.
// The caller closes the database once serve has returned.
func serve(ctx context.Context, logger *slog.Logger, servers []served) error {
	errc := make(chan error, len(servers))
	for _, s := range servers {
		go func() { errc <- s.srv.Serve(s.ln) }()
	}
	var err error
	select {
	case err = <-errc:
		err = fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("customersd shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	for _, s := range servers {
		if serr := s.srv.Shutdown(sctx); serr != nil {
			s.srv.Close()
			if err == nil {
				err = fmt.Errorf("shutdown: %w", serr)
			}
		}
	}
	return err
}
