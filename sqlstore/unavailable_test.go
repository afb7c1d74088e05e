package sqlstore_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/internal/tcpproxy"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
	"github.com/jackc/pgx/v5/pgconn"
)

func TestIsUnavailable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"plain", errors.New("boom"), false},
		{"domain", customersd.Errorf(customersd.ENOTFOUND, "no"), false},
		{"cancelled", fmt.Errorf("query: %w", context.Canceled), false},
		// The only deadline on a request's statements is the statement
		// timeout: load, worth a retry.
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), true},
		{"sentinel", fmt.Errorf("sqlstore: commit: %w: %w", customersd.ErrUnavailable, errors.New("file gone")), true},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"starting up", fmt.Errorf("x: %w", &pgconn.PgError{Code: "57P03"}), true},
		{"too many connections", &pgconn.PgError{Code: "53300"}, true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"statement timeout", &pgconn.PgError{Code: "57014"}, true},
		{"disk full", &pgconn.PgError{Code: "53100"}, true},
		{"standby", &pgconn.PgError{Code: "25006"}, true},
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, true},
		{"bad conn", fmt.Errorf("x: %w", driver.ErrBadConn), true},
		{"unexpected EOF", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sqlstore.IsUnavailable(tt.err); got != tt.want {
				t.Fatalf("IsUnavailable(%v)=%v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

// TestIsUnavailable_SQLite classifies the errors of the real driver: a file
// that cannot be opened is an outage, a broken constraint is not.
func TestIsUnavailable_SQLite(t *testing.T) {
	missing, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "no", "such", "dir.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer missing.Close()
	if err := missing.Ping(); !sqlstore.IsUnavailable(err) {
		t.Errorf("open in a missing directory: IsUnavailable(%v)=false", err)
	}

	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	db.Exec("INSERT INTO t VALUES (1)")
	if _, err := db.Exec("INSERT INTO t VALUES (1)"); err == nil || sqlstore.IsUnavailable(err) {
		t.Errorf("duplicate key: IsUnavailable(%v)=true", err)
	}
}

// TestIsUnavailable_PostgresOutage cuts a proxy between the store and
// PostgreSQL: what the services then return is an outage, and they work
// again once it is restored. The shared server is never stopped.
func TestIsUnavailable_PostgresOutage(t *testing.T) {
	base := sqlstoretest.DSN(t, "postgres") // skips without PostgreSQL
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := tcpproxy.Listen("127.0.0.1:0", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	u.Host = proxy.Addr()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tenants := sqlstore.NewTenantService(db)
	if err := tenants.CreateStore(ctx, &customersd.Store{Hash: "outage"}); err != nil {
		t.Fatal(err)
	}

	proxy.Cut()
	for i := range 3 { // a pooled connection first, then new connects
		_, err := tenants.FindStoreByHash(ctx, "outage")
		t.Logf("read %d: %v", i, err)
		if err == nil || !sqlstore.IsUnavailable(err) {
			t.Fatalf("read %d during the outage: IsUnavailable(%v)=false", i, err)
		}
	}
	proxy.Restore()
	if _, err := tenants.FindStoreByHash(ctx, "outage"); err != nil {
		t.Fatalf("read after the outage: %v", err)
	}
}

// TestIsUnavailable_NothingListening: a database that is not there at all.
func TestIsUnavailable_NothingListening(t *testing.T) {
	if os.Getenv(sqlstoretest.PostgresEnv) == "" {
		t.Skip("set " + sqlstoretest.PostgresEnv + " to run against PostgreSQL")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = sqlstore.Open(context.Background(), "postgres://postgres@"+addr+"/test?sslmode=disable&connect_timeout=2")
	if !sqlstore.IsUnavailable(err) {
		t.Fatalf("open with nothing listening: IsUnavailable(%v)=false", err)
	}
}
