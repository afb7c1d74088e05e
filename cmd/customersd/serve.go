package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/sqlstore"
	v2 "github.com/customersd/customersd/v2"
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
}

func (c *ServeCommand) parse(args []string) error {
	fs := newFlagSet(c.Main, "serve")
	cfg := &c.Config
	fs.StringVar(&cfg.Addr, "addr", envOr(c.Getenv, "CUSTOMERSD_ADDR", "127.0.0.1:8080"), "listen address (env CUSTOMERSD_ADDR)")
	c.databaseFlag(fs, &cfg.Database)
	fs.StringVar(&cfg.LogFormat, "log-format", envOr(c.Getenv, "CUSTOMERSD_LOG_FORMAT", "text"), "log format: text or json (env CUSTOMERSD_LOG_FORMAT)")
	cost, err := strconv.Atoi(envOr(c.Getenv, "CUSTOMERSD_BCRYPT_COST", strconv.Itoa(password.DefaultCost)))
	if err != nil {
		return fmt.Errorf("CUSTOMERSD_BCRYPT_COST: %w", err)
	}
	fs.IntVar(&cfg.BcryptCost, "bcrypt-cost", cost, "bcrypt cost of customer passwords (env CUSTOMERSD_BCRYPT_COST)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg.StoreHash = c.Getenv("CUSTOMERSD_STORE_HASH")
	cfg.AccessToken = c.Getenv("CUSTOMERSD_ACCESS_TOKEN")
	return cfg.validate()
}

func (cfg *Config) validate() error {
	if cfg.LogFormat != "text" && cfg.LogFormat != "json" {
		return fmt.Errorf("--log-format must be text or json, not %q", cfg.LogFormat)
	}
	if cfg.BcryptCost < 4 || cfg.BcryptCost > 31 {
		return fmt.Errorf("--bcrypt-cost must be between 4 and 31, not %d", cfg.BcryptCost)
	}
	if (cfg.StoreHash == "") != (cfg.AccessToken == "") {
		return errors.New("set both CUSTOMERSD_STORE_HASH and CUSTOMERSD_ACCESS_TOKEN, or neither")
	}
	if cfg.StoreHash != "" && !customersd.ValidStoreHash(cfg.StoreHash) {
		return fmt.Errorf("CUSTOMERSD_STORE_HASH %q: use letters, digits, '-' and '_' only", cfg.StoreHash)
	}
	return nil
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
	db, err := openDB(ctx, c.Config.Database)
	if err != nil {
		return err
	}
	defer db.Close()

	tenants := sqlstore.NewTenantService(db)
	ln, err := net.Listen("tcp", c.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if err := c.bootstrap(ctx, tenants, "http://"+ln.Addr().String()); err != nil {
		ln.Close()
		return err
	}
	api := &v2.Server{
		Tenants:   tenants,
		Customers: sqlstore.NewCustomerService(db, password.Hasher{Cost: c.Config.BcryptCost}),
		Logger:    logger,
	}
	srv := &http.Server{
		Handler:           api.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("customersd listening", slog.String("addr", ln.Addr().String()), slog.String("database", db.Dialect()))
	if c.Ready != nil {
		c.Ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("customersd shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
