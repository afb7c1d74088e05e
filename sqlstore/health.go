package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"

	"github.com/customersd/customersd"
)

// Health of the database, for writes and for readiness.
//
// A SQLite database is a file, and a process that has it open keeps
// writing into it after it is deleted (rm customersd.db*) or replaced (a
// restore copied over it): every write is acknowledged and every one is
// lost at the next start. So the identity (device and inode) of the path
// is remembered at open and compared after every commit, before the writes
// are acknowledged: a stat costs a microsecond. Once the file is found gone
// the database refuses writes for good, with an error wrapping
// customersd.ErrUnavailable, and readiness fails: only a restart on a
// restored file can make the node useful again.
//
// The WAL is watched too, for deletion: while a connection is open SQLite
// never removes it, and committed pages that are not yet checkpointed live
// only there, so a deleted WAL loses writes as surely. Its identity is not
// compared: SQLite deletes and recreates it when the last connection closes
// and another opens, which would read as a replacement.

// dbFile is the identity of a SQLite database file at open.
type dbFile struct {
	path string
	info os.FileInfo
	// wal: the database is in WAL mode, so its -wal exists while open. A
	// file system where WAL cannot work leaves SQLite in rollback mode,
	// and no -wal.
	wal bool
	// gone is latched the first time the file is found deleted or replaced.
	gone atomic.Pointer[error]
}

// watchFile remembers the identity of the database file; called once the
// migrations have created it.
func (db *DB) watchFile(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("sqlstore: stat sqlite database: %w", err)
	}
	_, err = os.Stat(path + "-wal")
	db.file = &dbFile{path: path, info: info, wal: err == nil}
	return nil
}

// fileGone returns the latched error once the file was found deleted or
// replaced, without looking again; nil before that and on PostgreSQL.
func (db *DB) fileGone() error {
	if db.file == nil {
		return nil
	}
	if err := db.file.gone.Load(); err != nil {
		return *err
	}
	return nil
}

// checkFile looks at the path of the database file and its WAL: an error
// wrapping customersd.ErrUnavailable when either was deleted or the file
// replaced since open. The first such finding is logged at ERROR, once.
func (db *DB) checkFile() error {
	// Closing removes the WAL: that is no deletion.
	if db.file == nil || db.closed.Load() {
		return nil
	}
	if err := db.fileGone(); err != nil {
		return err
	}
	f := db.file
	var what string
	info, err := os.Stat(f.path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		what = "database file deleted"
	case err != nil:
		// Not proof that the file is gone (a permission changed on the
		// directory, say): unavailable now, but not for good.
		return fmt.Errorf("sqlstore: stat sqlite database %s: %w: %w", f.path, customersd.ErrUnavailable, err)
	case !os.SameFile(info, f.info):
		what = "database file replaced by another"
	default:
		if _, err := os.Stat(f.path + "-wal"); f.wal && errors.Is(err, os.ErrNotExist) {
			what = "write-ahead log (-wal) deleted"
		} else {
			return nil
		}
	}
	gone := fmt.Errorf("sqlstore: sqlite %s %s while open; writes refused until restart: %w", f.path, what, customersd.ErrUnavailable)
	if f.gone.CompareAndSwap(nil, &gone) {
		db.logger().Error("SQLite "+what+" while in use: writes are refused and /readyz fails until restart. "+
			"While this process runs, the deleted files can still be copied back from /proc/PID/fd (the database and its -wal); "+
			"otherwise restore them from a backup. Then restart customersd.",
			slog.String("path", f.path), slog.Int("pid", os.Getpid()))
	}
	return *f.gone.Load()
}

// noteWrite records how a write attempt ended, for readiness: a failure of
// the database itself (disk full, read-only, I/O error, connection lost)
// makes the node not ready until a write succeeds again. The result is
// returned, marked with customersd.ErrUnavailable when it is such a failure.
func (db *DB) noteWrite(err error) error {
	err = markUnavailable(err)
	switch {
	case db.probe == nil:
		// PostgreSQL: a ping of the pool is readiness enough.
	case err == nil:
		if prev := db.writeFailure.Swap(nil); prev != nil {
			db.logger().Info("database writes succeed again", slog.Any("after", *prev))
		}
	case isDatabaseFailure(err):
		db.writeFailure.Store(&err)
	}
	return err
}

// isDatabaseFailure is isUnavailable less the statements past their
// deadline: a slow moment, or a client's deadline, is no reason to take
// the node out of service.
func isDatabaseFailure(err error) bool {
	return isUnavailable(err) && !errors.Is(err, context.DeadlineExceeded)
}

// Ping checks that the database can serve, for readiness probes. On SQLite
// it reads through a connection of its own, never the writer, so that a
// long write transaction does not make the node look down; and it fails
// while the file is gone or the last writes failed for want of the
// database (disk full, read-only file), trying one small write to see
// whether that has passed. On PostgreSQL it pings the pool.
func (db *DB) Ping(ctx context.Context) error {
	if db.probe == nil {
		if err := db.read.PingContext(ctx); err != nil {
			return markUnavailable(err)
		}
		return nil
	}
	if err := db.checkFile(); err != nil {
		return err
	}
	var n int
	if err := db.probe.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
		return fmt.Errorf("sqlstore: ping: %w", markUnavailable(err))
	}
	if failed := db.writeFailure.Load(); failed != nil {
		// Nothing else may be writing once the node is taken out of
		// service, so the probe itself finds out when writes work again.
		if err := db.probeWrite(ctx); err != nil {
			return fmt.Errorf("sqlstore: ping: writes fail: %w", err)
		}
	}
	return nil
}

// probeWrite makes the smallest durable write: it rewrites the header's
// user_version with its own value, which appends a page to the WAL and
// syncs it like any commit, and changes nothing.
func (db *DB) probeWrite(ctx context.Context) error {
	return db.withTx(ctx, func(tx *Tx) error {
		var v int64
		if err := tx.q.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
			return fmt.Errorf("sqlstore: probe write: %w", err)
		}
		if _, err := tx.q.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, v)); err != nil {
			return fmt.Errorf("sqlstore: probe write: %w", err)
		}
		return nil
	})
}

// markUnavailable wraps customersd.ErrUnavailable around err when err is an
// unavailability of the database (isUnavailable) and not marked yet.
func markUnavailable(err error) error {
	if err == nil || errors.Is(err, customersd.ErrUnavailable) || !isUnavailable(err) {
		return err
	}
	return fmt.Errorf("%w: %w", customersd.ErrUnavailable, err)
}

func (db *DB) logger() *slog.Logger {
	if db.Logger != nil {
		return db.Logger
	}
	return slog.Default()
}
