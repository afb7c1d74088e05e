package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/loadgen"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/ratelimit"
	"github.com/customersd/customersd/sqlstore"
)

// runInProcess measures the handler "serve" builds, on --database or a
// fresh temporary SQLite file, in this process and over loopback HTTP.
func (c *BenchCommand) runInProcess(ctx context.Context, client *http.Client) (rep *loadgen.Report, err error) {
	dsn := c.database
	if dsn == "" {
		dir, err := os.MkdirTemp("", "customersd-bench-")
		if err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		defer os.RemoveAll(dir)
		dsn = filepath.Join(dir, "bench.db")
	}
	srv, err := c.startServer(ctx, dsn, true)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, srv.close()) }()
	rep, err = c.measureInProcess(ctx, client, srv, dsn)
	if err != nil {
		return nil, err
	}
	// The server is closed for the start-up measurement, which opens the
	// database afresh; the bench store is deleted after it.
	if err := srv.close(); err != nil {
		return nil, err
	}
	if rep.Startup, err = c.measureStartup(ctx, dsn); err != nil {
		return nil, err
	}
	if c.database != "" {
		// Leave the user's database as it was: a million rows take a
		// while to delete, but must not be left behind.
		if err := deleteStore(context.WithoutCancel(ctx), dsn, c.storeHash); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// measureInProcess creates the bench store on srv, seeds it and measures.
func (c *BenchCommand) measureInProcess(ctx context.Context, client *http.Client, srv *benchServer, dsn string) (*loadgen.Report, error) {
	// The bench store is unthrottled, as bootstrap's is: the point is the
	// server's speed, not its quota.
	tenants := sqlstore.NewTenantService(srv.db)
	st := &customersd.Store{Hash: "bench-" + customersd.NewStoreHash(), RateLimit: ratelimit.Unthrottled()}
	if err := tenants.CreateStore(ctx, st); err != nil {
		return nil, fmt.Errorf("bench: create store: %w", err)
	}
	c.storeHash = st.Hash
	token := customersd.NewAccessToken()
	if _, err := tenants.CreateAPIAccount(ctx, st.ID, token, []customersd.Scope{customersd.ScopeCustomers}); err != nil {
		return nil, fmt.Errorf("bench: create token: %w", err)
	}
	fx, seedTime, err := c.seedDB(ctx, srv, st.ID)
	if err != nil {
		return nil, err
	}
	target := &loadgen.Target{StoreURL: srv.url + "/stores/" + st.Hash + "/v2", Token: token}
	if slices.Contains(c.scenarios(), loadgen.ScenarioCreate) {
		// The same database behind a second server that commits each
		// write alone: the comparison group commit has to win (SQLite:
		// every write; PostgreSQL: customer creates, sqlstore/create.go).
		single, err := c.startServer(ctx, dsn, false)
		if err != nil {
			return nil, err
		}
		defer single.close()
		target.SingleCommit = &loadgen.Target{StoreURL: single.url + "/stores/" + st.Hash + "/v2", Token: token}
	}
	if srv.db.Dialect() == "sqlite" && slices.Contains(c.scenarios(), loadgen.ScenarioGet) {
		// The same database behind a server without the read cache: what
		// the cache is worth, in the same run.
		uncached, err := c.startServer(ctx, dsn, true)
		if err != nil {
			return nil, err
		}
		defer uncached.close()
		uncached.db.SetCacheBytes(0)
		target.Uncached = &loadgen.Target{StoreURL: uncached.url + "/stores/" + st.Hash + "/v2", Token: token}
	}
	cfg := c.config(readRSS, processCPU)
	cfg.Cache = func() (hits, misses int64) {
		st := srv.db.CacheStats()
		return st.Hits, st.Misses
	}
	rep, err := loadgen.Run(ctx, client, target, fx, cfg)
	if err != nil {
		return nil, err
	}
	rep.Target, rep.Database, rep.SeedTime = "in-process", srv.db.Dialect(), seedTime
	return rep, nil
}

// deleteStore deletes the bench store from the user's database.
func deleteStore(ctx context.Context, dsn, hash string) error {
	db, err := openDB(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	tenants := sqlstore.NewTenantService(db)
	st, err := tenants.FindStoreByHash(ctx, hash)
	if err != nil {
		return fmt.Errorf("bench: delete store: %w", err)
	}
	if err := tenants.DeleteStore(ctx, st.ID); err != nil {
		return fmt.Errorf("bench: delete store: %w", err)
	}
	return nil
}

// seedDB bulk-loads the customers straight into the database.
func (c *BenchCommand) seedDB(ctx context.Context, srv *benchServer, store customersd.StoreID) (*loadgen.Fixture, time.Duration, error) {
	// One hash for all: a million bcrypt hashes would take a day.
	hash, err := password.Hasher{Cost: srv.cost}.Hash(benchPassword)
	if err != nil {
		return nil, 0, err
	}
	fx := &loadgen.Fixture{
		Customers:    c.customers,
		ID:           func(i int) int64 { return int64(i + 1) },
		Email:        sqlstore.SeedEmail,
		Password:     benchPassword,
		PasswordHash: hash,
	}
	start := time.Now()
	p := c.progress()
	err = sqlstore.Seed(ctx, srv.db, store, sqlstore.SeedOptions{Customers: c.customers, PasswordHash: hash, Progress: p.Update})
	if err != nil {
		return nil, 0, fmt.Errorf("bench: seed: %w", err)
	}
	// Seeding's garbage would otherwise count in the memory measured
	// while serving.
	debug.FreeOSMemory()
	return fx, time.Since(start), nil
}

// benchServer is an in-process server and its database.
type benchServer struct {
	db     *sqlstore.DB
	url    string
	cost   int
	served []served
	done   chan error
	cancel context.CancelFunc
}

// startServer opens dsn and serves it as "serve" would, with the
// environment's settings (CUSTOMERSD_*), on a loopback port. The access log
// is formatted as usual and discarded.
func (c *BenchCommand) startServer(ctx context.Context, dsn string, groupCommit bool) (*benchServer, error) {
	sc := &ServeCommand{Main: &Main{Stdout: io.Discard, Stderr: c.Stderr, Getenv: c.Getenv}}
	if err := sc.parse([]string{"--addr", "127.0.0.1:0", "--database", dsn}); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	db, err := openDB(ctx, dsn)
	if err != nil {
		return nil, err
	}
	db.SetGroupCommit(groupCommit)
	db.SetMaxOpenConns(sc.Config.DBMaxConns)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("bench: listen: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	servers, err := sc.servers(ln, db, sqlstore.NewTenantService(db), logger)
	if err != nil {
		ln.Close()
		db.Close()
		return nil, err
	}
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &benchServer{db: db, url: "http://" + ln.Addr().String(), cost: sc.Config.BcryptCost,
		served: servers, done: make(chan error, 1), cancel: cancel}
	go func() { s.done <- serve(sctx, logger, servers) }()
	return s, nil
}

func (s *benchServer) close() error {
	if s.cancel == nil {
		return nil
	}
	s.cancel()
	s.cancel = nil
	return errors.Join(<-s.done, s.db.Close())
}

// measureStartup times "serve" on the same database,
// from the start of its Run to the first /readyz 200: migrations checked,
// pools opened, bootstrap and listener done. In-process, so the exec of the
// binary (a few milliseconds) is not in it.
func (c *BenchCommand) measureStartup(ctx context.Context, dsn string) (time.Duration, error) {
	ready := make(chan string, 1)
	m := &Main{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }, Ready: func(addr string) { ready <- addr }}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		done <- (&ServeCommand{Main: m, Ready: m.Ready}).Run(sctx, []string{"--addr", "127.0.0.1:0", "--database", dsn})
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		return 0, fmt.Errorf("bench: start-up: %w", err)
	}
	client := &http.Client{Timeout: 5 * time.Second}
	for {
		resp, err := client.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Since(start) > time.Minute {
			return 0, errors.New("bench: start-up: no /readyz 200 within a minute")
		}
		time.Sleep(time.Millisecond)
	}
	d := time.Since(start)
	cancel()
	return d, <-done
}
