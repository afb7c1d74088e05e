package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/customersd/customersd/sqlstore"
)

// Main is the program: its streams and environment are fields so that tests
// run it in-process.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Ready, when set, is called with the server's address once it
	// listens, so tests can serve on :0.
	Ready func(addr string)
	// TLSReady is Ready for the HTTPS listener of --tls-addr.
	TLSReady func(addr string)
}

// NewMain returns a Main wired to the process.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
}

const usage = `customersd serves the BigCommerce Customers V2 API.

Usage:
  customersd [serve] [flags]                 start the server (the default)
  customersd stores create [--hash HASH] [--plan PLAN]
                                             add a store
  customersd stores list                     list stores
  customersd stores delete --store HASH      delete a store with its data and tokens
  customersd stores reset --store HASH       delete a store's data; IDs restart at 1
  customersd stores export --store HASH [--out FILE]
                                             write a store's state as a customersd/1 document
  customersd stores import [--store HASH] [--in FILE]
                                             replace a store's state with a document
  customersd stores quota --hash HASH [--requests N [--window 30s] | --clear]
                                             show or set a store's own request quota
  customersd tokens create --store HASH [--scope SCOPE]... [--client-id ID]
                   [--client-secret SECRET] [--token VALUE]
                                             add an API account to a store
  customersd tokens list --store HASH        list a store's tokens (never their secrets)
  customersd tokens revoke --store HASH --client-id ID
                                             revoke a token at once
  customersd bench [--url URL --store HASH --token TOKEN] [--database DSN]
                   [--customers N] [--scenario NAME|all] [--concurrency C]
                   [--duration D] [--json]
                                             measure a server under load; exit
                                             status 2 when the report has errors
  customersd healthcheck [--url URL]         exit 0 when the server's /readyz answers 200
  customersd version                         print the version and build information

Run "customersd COMMAND -h" for a command's flags.`

// Run dispatches to a subcommand; with none, or with flags only, it serves.
func (m *Main) Run(ctx context.Context, args []string) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = (&ServeCommand{Main: m, Ready: m.Ready, TLSReady: m.TLSReady}).Run(ctx, args)
	case "stores":
		err = (&StoresCommand{Main: m}).Run(ctx, args)
	case "tokens":
		err = (&TokensCommand{Main: m}).Run(ctx, args)
	case "bench":
		err = (&BenchCommand{Main: m}).Run(ctx, args)
	case "healthcheck":
		err = (&HealthcheckCommand{Main: m}).Run(ctx, args)
	case "version":
		err = (&VersionCommand{Main: m}).Run(ctx, args)
	case "help", "-h", "--help":
		fmt.Fprintln(m.Stdout, usage)
		return nil
	default:
		return fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
	}
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

// Config is every setting, with its flag and CUSTOMERSD_* twin. Flags win
// over the environment, which wins over the defaults.
type Config struct {
	Addr string
	// MetricsAddr, when set, serves /metrics on a listener of its own
	// instead of on Addr, so it can stay on a private interface.
	MetricsAddr string
	Database    string
	// DBMaxConns caps this node's database connections; 0 keeps
	// sqlstore's default.
	DBMaxConns int
	// DBStatementTimeout bounds each database statement of a request
	// (sqlstore.Options); 0: no bound.
	DBStatementTimeout time.Duration
	// MaxConns caps the client connections of Addr (connlimit.go); 0
	// derives it from the file-descriptor limit.
	MaxConns int
	// PublicURL, when set, starts the links in response bodies, instead of
	// the request's Host (gateway.BaseURL).
	PublicURL string
	// DefaultFormat answers V2 requests that ask for no format: "xml",
	// as BigCommerce, or "json" for teams that want JSON without asking.
	DefaultFormat string
	LogFormat     string
	BcryptCost    int
	// BcryptConcurrency is the bcrypt work the node runs at once, shared
	// fairly between stores; 0 means password.DefaultConcurrency.
	BcryptConcurrency int
	// StoreHash and AccessToken (environment only) make sure a known store
	// and token exist at start-up, for scripted test environments; ClientID
	// and ClientSecret, when set, are that token's account's, so an app
	// with a known secret can sign against it.
	StoreHash    string
	AccessToken  string // secret: never printed
	ClientID     string
	ClientSecret string // secret: never printed
	// RateLimit is the request quotas, the password guard and the groups
	// cap (ratelimit.go).
	RateLimit RateLimitConfig
	// Admin is the admin API's token and the start-up seed
	// (admin.go).
	Admin AdminConfig
	// HooksAPI is the settings of /v2/hooks and /v3/hooks (hooksapi.go).
	HooksAPI HooksAPIConfig
	// Journal is the request journal of a server with the admin API.
	Journal JournalConfig
	// Webhook is the delivery workers' settings (webhooks.go).
	Webhook WebhookConfig
	// TLS is the HTTPS listener (tls.go).
	TLS TLSConfig
}

// DefaultDatabase is the embedded SQLite file used when nothing is configured.
const DefaultDatabase = "customersd.db"

// databaseFlag registers --database with its environment default.
func (m *Main) databaseFlag(fs *flag.FlagSet, dst *string) {
	*dst = envOr(m.Getenv, "CUSTOMERSD_DATABASE", DefaultDatabase)
	fs.Var(dsnFlag{dst}, "database", "database: a SQLite path or sqlite: URL, or a postgres:// URL (env CUSTOMERSD_DATABASE)")
}

// dsnFlag is a database flag whose printed default (in -h) hides the
// password a PostgreSQL URL from the environment may hold.
type dsnFlag struct{ p *string }

func (f dsnFlag) Set(s string) error { *f.p = s; return nil }

func (f dsnFlag) String() string {
	if f.p == nil {
		return ""
	}
	if u, err := url.Parse(*f.p); err == nil && u.User != nil {
		return u.Redacted()
	}
	return *f.p
}

func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}

// openDB opens the database with its migrations applied.
func openDB(ctx context.Context, dsn string) (*sqlstore.DB, error) {
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return db, nil
}

func newFlagSet(m *Main, name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	return fs
}

// ExitCode is the process status for err, the result of Main.Run: 0 for
// nil, a command's own status (bench: 2 for a report with errors), else 1.
func ExitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}
