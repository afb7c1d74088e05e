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

// IsUnavailable reports whether err means the database is down, unreachable
// or refusing writes, rather than that a statement or the data is wrong: the
// failures a client should retry later (503), not a bug (500). It is the
// gateway's Unavailable hook. Classified by type and driver code, never by
// message text:
//   - anything wrapping customersd.ErrUnavailable;
//   - PostgreSQL: a failed connect, a network error or an EOF where the
//     server hung up, a connection database/sql gave up on, SQLSTATE class 08
//     (connection exception), 57P01-57P03 (shut down, crashed, starting up)
//     and 53300 (too many connections);
//   - SQLite: a full disk, a read-only or moved file, an I/O error, a file
//     that cannot be opened, and a lock still busy after busy_timeout.
//
// A cancelled or timed-out context is not an outage: the caller gave up.
func IsUnavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if errors.Is(err, customersd.ErrUnavailable) {
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
	return errors.As(err, &ce) || errors.As(err, &ne) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// sqliteUnavailable reads the primary code (the low byte of an extended
// code), so SQLITE_READONLY_DBMOVED and SQLITE_IOERR_FSYNC count too. A
// SQLITE_BUSY that reaches here has already waited busy_timeout out.
func sqliteUnavailable(code int) bool {
	switch code & 0xff {
	case sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_BUSY:
		return true
	}
	return false
}

func postgresUnavailable(code string) bool {
	switch code {
	case "57P01", // admin_shutdown
		"57P02", // crash_shutdown
		"57P03", // cannot_connect_now (starting up, shutting down, recovering)
		"53300": // too_many_connections
		return true
	}
	return strings.HasPrefix(code, "08") // connection_exception and its subclasses
}
