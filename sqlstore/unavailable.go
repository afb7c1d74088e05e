package sqlstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/customersd/customersd"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// IsUnavailable reports whether err means the database is down, unreachable,
// refusing writes or out of time, rather than that a statement or the data is
// wrong: the failures a client should retry later (503), not a bug (500). It
// is the gateway's Unavailable hook: anything wrapping
// customersd.ErrUnavailable, or anything isUnavailable classifies.
func IsUnavailable(err error) bool {
	return errors.Is(err, customersd.ErrUnavailable) || isUnavailable(err)
}

// isUnavailable classifies a driver error by type and code, never by message
// text:
//   - a statement past its deadline: the statement timeout (SQLSTATE 57014 on
//     PostgreSQL, the reader's context deadline on SQLite) or its wait for a
//     connection. That is load, and a retry later will do;
//   - PostgreSQL: a failed connect, a network error or an EOF where the
//     server hung up, a connection database/sql gave up on, SQLSTATE class 08
//     (connection exception), class 53 (insufficient resources: disk full,
//     too many connections), 57P01-57P03 (shut down, crashed, starting up)
//     and 25006 (a read-only standby);
//   - SQLite: a full disk, a read-only or moved file, an I/O error, a file
//     that cannot be opened or is not (or no longer) a database, and a lock
//     still busy after busy_timeout.
//
// A cancelled context is not an outage: the client gave up (the gateway
// answers it with 499).
func isUnavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return sqliteUnavailable(se.Code())
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return postgresUnavailable(pe.Code)
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne)
}

// sqliteUnavailable reads the primary code (the low byte of an extended
// code), so SQLITE_READONLY_DBMOVED and SQLITE_IOERR_FSYNC count too. A
// SQLITE_BUSY that reaches here has already waited busy_timeout out.
func sqliteUnavailable(code int) bool {
	switch code & 0xff {
	case sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN,
		sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_BUSY:
		return true
	}
	return false
}

func postgresUnavailable(code string) bool {
	switch code {
	case "57014", // query_canceled: the statement timeout
		"57P01", // admin_shutdown
		"57P02", // crash_shutdown
		"57P03", // cannot_connect_now (starting up, shutting down, recovering)
		"25006": // read_only_sql_transaction: a standby
		return true
	}
	return strings.HasPrefix(code, "08") || // connection_exception and its subclasses
		strings.HasPrefix(code, "53") // insufficient_resources: disk full, out of memory, too many connections
}
