// Package sqlstoretest opens throwaway databases for tests: SQLite in a
// temporary directory always, PostgreSQL in a fresh schema when
// CUSTOMERSD_TEST_POSTGRES_URL is set, so one test body runs on both.
package sqlstoretest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/sqlstore"
)

// PostgresEnv names the variable holding the PostgreSQL URL for tests.
const PostgresEnv = "CUSTOMERSD_TEST_POSTGRES_URL"

// Dialects are the databases a test can run on.
var Dialects = []string{"sqlite", "postgres"}

// ForEach runs fn as a subtest per database: "sqlite" always, "postgres"
// when CUSTOMERSD_TEST_POSTGRES_URL is set (skipped with a message otherwise).
func ForEach(t *testing.T, fn func(t *testing.T, db *sqlstore.DB)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(d, func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a migrated, empty database of the given dialect, removed when
// the test ends. For "postgres" it skips the test when the URL is unset.
func Open(tb testing.TB, dialect string) *sqlstore.DB {
	tb.Helper()
	dsn := DSN(tb, dialect)
	db, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatalf("open %s test database: %v", dialect, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// DSN returns the data source name of a fresh, empty database: a file in
// tb.TempDir() for SQLite, a new schema for PostgreSQL (dropped at cleanup),
// so tests can run in parallel.
func DSN(tb testing.TB, dialect string) string {
	tb.Helper()
	switch dialect {
	case "sqlite":
		return filepath.Join(tb.TempDir(), "test.db")
	case "postgres":
		base := os.Getenv(PostgresEnv)
		if base == "" {
			tb.Skip("set " + PostgresEnv + " to run against PostgreSQL (e.g. postgres://postgres@127.0.0.1:5432/test)")
		}
		return postgresSchema(tb, base)
	}
	tb.Fatalf("unknown dialect %q", dialect)
	return ""
}

func postgresSchema(tb testing.TB, base string) string {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	defer admin.Close()
	schema := fmt.Sprintf("t_%d_%s", time.Now().UnixNano(), strings.ToLower(customersd.NewStoreHash()))
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		tb.Fatalf("create schema %s: %v", schema, err)
	}
	tb.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
