package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/customersd/customersd/sqlstore"
)

// Main is the program: its streams and environment are fields so that tests
// run it in-process.
type Main struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

// NewMain returns a Main wired to the process.
func NewMain() *Main {
	return &Main{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
}

const usage = `customersd serves the BigCommerce Customers V2 API.

Usage:
  customersd [serve] [flags]                 start the server (the default)
  customersd stores create [--hash HASH]     add a store
  customersd stores list                     list stores
  customersd tokens create --store HASH [--scope SCOPE] [--token VALUE]
                                             add an access token to a store

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
		err = (&ServeCommand{Main: m}).Run(ctx, args)
	case "stores":
		err = (&StoresCommand{Main: m}).Run(ctx, args)
	case "tokens":
		err = (&TokensCommand{Main: m}).Run(ctx, args)
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
	Addr       string
	Database   string
	LogFormat  string
	BcryptCost int
	// StoreHash and AccessToken (environment only) make sure a known store
	// and token exist at start-up, for scripted test environments.
	StoreHash   string
	AccessToken string // secret: never printed
}

// DefaultDatabase is the embedded SQLite file used when nothing is configured.
const DefaultDatabase = "customersd.db"

// databaseFlag registers --database with its environment default.
func (m *Main) databaseFlag(fs *flag.FlagSet, dst *string) {
	fs.StringVar(dst, "database", envOr(m.Getenv, "CUSTOMERSD_DATABASE", DefaultDatabase),
		"database: a SQLite path or sqlite: URL, or a postgres:// URL (env CUSTOMERSD_DATABASE)")
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
