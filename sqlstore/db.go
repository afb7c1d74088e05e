// Package sqlstore implements the customersd services on database/sql, for
// SQLite (the embedded default) and PostgreSQL. The queries are written once;
// the differences between the two live in dialect.go.
//
// # Lock order
//
// On PostgreSQL, transactions of several processes run at once and lock
// rows; two that take the same locks in opposite orders deadlock, and one
// of them fails with SQLSTATE 40P01. So every write transaction takes its
// locks in this one order, skipping what it does not need:
//
//  1. the store's row: FOR UPDATE by whole-store operations (lockStore),
//     KEY SHARE by creates of customers and addresses on PostgreSQL, which
//     take it before drawing an ID from the store's sequence (ids.go);
//  2. the store's ID counters (nextID of groups and hooks, and of
//     everything on SQLite; lockGroups, lockCounters);
//  3. customer groups (including the key-share lock a customer's foreign
//     key takes on its group, see lockGroupKey);
//  4. customers;
//  5. addresses (deleting a customer cascades to its addresses after it);
//  6. webhook hooks and hook emails (a hook write takes the store's hook
//     counter, level 2, first);
//  7. webhook deliveries (and their attempts), then the outbox events.
//
// A customer or address write reads the store's hooks without locking them
// and inserts new outbox rows only (outbox.go), so webhooks add no lock to
// it that another transaction could hold. A worker's claim locks
// deliveries alone (SKIP LOCKED); CompleteAttempt, DeleteHook and
// RevokeAPIAccount lock a hook before its deliveries.
//
// Within one table, rows are locked in ascending id. A transaction that
// takes several counters (import, reset, delete of a store) holds the
// store's row first, so those never meet each other midway. Reads made
// to rewrite a row lock it (lockCustomerByID, lockAddressByID): the
// transaction after it then reads what the first wrote, and no field one
// PUT sent is lost to another's full-row rewrite. SQLite needs none of
// this: it runs one write transaction at a time. withTx retries the few
// deadlock and serialization failures that remain possible.
//
// The login tables (login.go, session.go) come after all of these: a
// transaction on them touches no other table, but for the key-share lock a
// storefront session's foreign key takes on its customer before the session
// rows; deleting a customer cascades to its sessions after it.
package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/customersd/customersd"
)

// DB is an open database with its migrations applied.
type DB struct {
	// Now is the clock every transaction reads once, at its start, so all
	// rows written by one transaction carry the same time. Tests pin it.
	Now func() time.Time
	// Logger gets the ERROR line of a SQLite file found deleted or
	// replaced, and the line saying writes work again after failing;
	// slog.Default when nil.
	Logger *slog.Logger

	dialect *dialect
	write   *sql.DB // SQLite: one connection, so writes queue in-process instead of failing busy
	read    *sql.DB // SQLite: a pool of readers (WAL); PostgreSQL: the same pool as write
	// committer batches SQLite write transactions (group commit); nil on
	// PostgreSQL, whose concurrent transactions commit in parallel.
	committer *committer
	// creates batches customer creates on PostgreSQL (create.go); nil on
	// SQLite, whose committer batches every write.
	creates *createBatcher
	// readStmts and writeStmts are the prepared statements of read and
	// write (stmtcache.go); nil on PostgreSQL.
	readStmts, writeStmts *stmtCache
	// probe is SQLite's connection for Ping (health.go), apart from the
	// writer and the readers, so that neither a long write nor busy
	// readers make the node look down; nil on PostgreSQL.
	probe *sql.DB
	// path is the SQLite database file; "" on PostgreSQL.
	path string
	// file is the identity of the SQLite file at open (health.go); nil on
	// PostgreSQL.
	file *dbFile
	// writeFailure holds the error of the last write attempt when it failed
	// for want of the database (health.go), nil after a success.
	writeFailure atomic.Pointer[error]
	closed       atomic.Bool
	// reads bounds the queries of store readers (readers.go).
	reads readLimits
	// migrateUpTo, when set, stops migrate after the migration of that
	// name: tests build a database as an older release left it.
	migrateUpTo string
	// deleteChunk is how many customers one transaction of a bulk delete
	// removes (DeleteCustomers): tens of milliseconds of SQLite's one
	// writer, with the cascade to addresses and the count triggers.
	deleteChunk int
	// afterDeleteChunk, when set, runs after each chunk of a bulk delete
	// commits: tests write in between.
	afterDeleteChunk func()
	// hooks holds the OnDeliveries functions (outbox.go).
	hooks deliveryHooks
	// storeHashes caches each store's hash for event payloads (outbox.go).
	storeHashes sync.Map
	// cache is SQLite's read cache (cache.go); nil on PostgreSQL.
	// cacheOff turns it off (SetCacheBytes(0)).
	cache    *readCache
	cacheOff atomic.Bool
	// hints are the accounts of recently seen tokens, for deferred
	// authentication (deferred.go); PostgreSQL only.
	hints hints
	// txRetries counts the transactions withTx ran again (TxRetries).
	txRetries atomic.Int64
}

// TxRetries returns how many write transactions PostgreSQL aborted to break
// a deadlock or a serialization conflict, and withTx ran again, since the
// database was opened. Taking locks in the lock order (above) keeps it at
// zero; a rising count is a deadlock to find.
func (db *DB) TxRetries() int64 { return db.txRetries.Load() }

// Options are the settings of a database beyond its DSN.
type Options struct {
	// StatementTimeout bounds each statement of a request: on PostgreSQL
	// every statement (the server's statement_timeout), on SQLite each
	// read query of the services (readers.go). Migrations and exports are
	// not bounded. 0: no bound.
	StatementTimeout time.Duration
}

// Open opens the database named by dsn: "postgres://..." or "postgresql://..."
// for PostgreSQL; "sqlite:PATH", "file:PATH" or a plain path for SQLite.
// It applies pending migrations before returning. Statements have no
// timeout: that suits the command-line tools; the server uses
// OpenWithOptions.
func Open(ctx context.Context, dsn string) (*DB, error) { return open(ctx, dsn, Options{}, "") }

// OpenWithOptions is Open with opts.
func OpenWithOptions(ctx context.Context, dsn string, opts Options) (*DB, error) {
	return open(ctx, dsn, opts, "")
}

// open is OpenWithOptions, stopping after the migration named upTo when it is set.
func open(ctx context.Context, dsn string, opts Options, upTo string) (*DB, error) {
	if opts.StatementTimeout < 0 {
		return nil, fmt.Errorf("sqlstore: negative statement timeout %s", opts.StatementTimeout)
	}
	var db *DB
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db, err = openPostgres(dsn, opts.StatementTimeout)
	} else {
		db, err = openSQLite(dsn)
	}
	if err != nil {
		return nil, err
	}
	if db.dialect == sqliteDialect {
		db.reads.timeout = opts.StatementTimeout
	}
	db.Now = time.Now
	db.migrateUpTo = upTo
	db.deleteChunk = 1000
	db.reads.perStore.setMax(db.read.Stats().MaxOpenConnections)
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if db.dialect == sqliteDialect {
		if err := db.watchFile(db.path); err != nil {
			db.Close()
			return nil, err
		}
		db.readStmts, db.writeStmts = newStmtCache(db.read, false), newStmtCache(db.write, true)
		db.committer = newCommitter(db)
	} else {
		db.creates = newCreateBatcher(db)
	}
	return db, nil
}

// SetGroupCommit turns group commit on (the default) or off, for
// benchmarks that compare it with one commit per write: SQLite's for every
// write, PostgreSQL's for customer creates. Call it before use.
func (db *DB) SetGroupCommit(on bool) {
	switch {
	case on && db.creates == nil && db.dialect == postgresDialect:
		db.creates = newCreateBatcher(db)
	case !on && db.creates != nil:
		db.creates.close()
		db.creates = nil
	case on && db.committer == nil && db.dialect == sqliteDialect:
		db.committer = newCommitter(db)
	case !on && db.committer != nil:
		db.committer.close()
		db.committer = nil
	}
}

// Close closes the connection pools.
func (db *DB) Close() error {
	db.closed.Store(true)
	if db.committer != nil {
		db.committer.close()
	}
	if db.creates != nil {
		db.creates.close()
	}
	db.readStmts.close()
	db.writeStmts.close()
	db.cache.close()
	err := db.write.Close()
	for _, pool := range []*sql.DB{db.read, db.probe} {
		if pool == nil || pool == db.write {
			continue
		}
		if perr := pool.Close(); err == nil {
			err = perr
		}
	}
	return err
}

// Dialect names the database: "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect.name }

// PoolStats returns the statistics of each connection pool by name, for
// metrics: "write" and "read" on SQLite; "main" on PostgreSQL, where reads
// and writes share one pool.
func (db *DB) PoolStats() map[string]sql.DBStats {
	if db.read == db.write {
		return map[string]sql.DBStats{"main": db.write.Stats()}
	}
	return map[string]sql.DBStats{"write": db.write.Stats(), "read": db.read.Stats()}
}

// SetMaxOpenConns caps the connections this process opens for queries: the
// one pool on PostgreSQL, the readers on SQLite (whose writer is always a
// single connection). n <= 0 keeps the default: 4 per CPU on PostgreSQL,
// 2 per CPU on SQLite, at least 4 and 2. Idle ones are kept up to the cap.
func (db *DB) SetMaxOpenConns(n int) {
	if n <= 0 {
		return
	}
	db.read.SetMaxOpenConns(n)
	db.read.SetMaxIdleConns(n)
	db.reads.perStore.setMax(n)
}

// queryer is what *sql.DB and *sql.Tx have in common.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx is a unit of work: a write transaction, or a plain reader for queries
// that need none. Private helpers take a *Tx so they compose inside one
// transaction. Queries are written with '?' and rebound for the dialect.
type Tx struct {
	q       queryer
	sqlTx   *sql.Tx // nil for a reader
	dialect *dialect
	stmts   *stmtCache // of the pool q runs on; nil: prepare nothing
	bound   *sql.Tx    // the transaction q is, to bind cached statements to
	now     time.Time
	// reads, on a reader, bounds each query (readers.go); nil on a
	// transaction. store, on a store's reader (storeReader), is the store
	// whose slots its queries take.
	reads *readLimits
	store customersd.StoreID
	// native, on a PostgreSQL reader, is its pool, whose connections
	// scanRows uses through pgx's own API; nil otherwise.
	native *sql.DB
	// db is the database the transaction runs on; nil for a reader.
	db *DB
	// deliveries is set by a write that made deliveries due (outbox.go):
	// after its commit, the OnDeliveries functions run.
	deliveries bool
}

// BeginTx starts a write transaction.
func (db *DB) BeginTx(ctx context.Context) (*Tx, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: begin: %w", err)
	}
	return &Tx{q: tx, sqlTx: tx, bound: tx, dialect: db.dialect, now: db.now(), stmts: db.writeStmts, db: db}, nil
}

// reader returns a Tx for single read queries, outside any transaction.
func (db *DB) reader() *Tx {
	tx := &Tx{q: db.read, dialect: db.dialect, now: db.now(), stmts: db.readStmts, reads: &db.reads}
	if db.dialect == postgresDialect {
		tx.native = db.read
	}
	return tx
}

func (db *DB) now() time.Time { return db.Now().UTC().Truncate(time.Second) }

// Commit commits a write transaction.
func (tx *Tx) Commit() error {
	if tx.sqlTx == nil {
		return nil
	}
	if err := tx.sqlTx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: commit: %w", err)
	}
	return nil
}

// Rollback aborts a write transaction; after Commit it does nothing.
func (tx *Tx) Rollback() error {
	if tx.sqlTx == nil {
		return nil
	}
	return tx.sqlTx.Rollback()
}

func (tx *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query = tx.dialect.rebind(query)
	if st := tx.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return tx.q.ExecContext(ctx, query, args...)
}

func (tx *Tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query = tx.dialect.rebind(query)
	if st := tx.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return tx.q.QueryContext(ctx, query, args...)
}

func (tx *Tx) queryRow(ctx context.Context, query string, args ...any) *row {
	ctx, done, err := tx.begin(ctx)
	if err != nil {
		return &row{err: err}
	}
	query = tx.dialect.rebind(query)
	if st := tx.stmt(ctx, query); st != nil {
		return &row{r: st.QueryRowContext(ctx, args...), done: done}
	}
	return &row{r: tx.q.QueryRowContext(ctx, query, args...), done: done}
}

// withTx runs fn in a write transaction: commit when fn succeeds, roll back
// when it fails; a failed commit is never lost. A transaction PostgreSQL
// aborted to break a deadlock or a serialization conflict (isRetryable) is
// run again, up to maxTxAttempts in all: it changed nothing, and the other
// transaction has gone on, so a second run normally succeeds. fn must
// therefore be safe to run more than once (it sets what it returns afresh).
// Writes stop once the SQLite file is found gone (health.go).
func (db *DB) withTx(ctx context.Context, fn func(tx *Tx) error) error {
	defer forgetVersion(ctx) // the request's next read sees this write (scope.go)
	for attempt := 1; ; attempt++ {
		err := db.runTx(ctx, fn)
		if err == nil || attempt == maxTxAttempts || !isRetryable(err) {
			return err
		}
		db.txRetries.Add(1)
		// Jittered, so the two victims of one deadlock do not collide again.
		backoff := time.Duration(attempt) * (5*time.Millisecond + rand.N(10*time.Millisecond))
		select {
		case <-ctx.Done():
			return err
		case <-time.After(backoff):
		}
	}
}

// maxTxAttempts bounds withTx's runs of one transaction: a first run and
// three retries. Past that the conflict is not transient and the error
// goes to the caller.
const maxTxAttempts = 4

// runTx is one attempt of withTx.
func (db *DB) runTx(ctx context.Context, fn func(tx *Tx) error) error {
	if db.committer != nil {
		return db.committer.submit(ctx, fn)
	}
	if err := db.fileGone(); err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx)
	if err != nil {
		return db.noteWrite(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return db.noteWrite(err)
	}
	err = tx.Commit()
	if err == nil {
		err = db.checkFile()
	}
	db.writeStmts.preparePending()
	if err == nil && tx.deliveries {
		db.wakeDeliveries()
	}
	return db.noteWrite(err)
}

// The resources that have per-store IDs.
const (
	resourceCustomer = "customer"
	resourceAddress  = "address"
	resourceGroup    = "group"
)

// sumRowCounts selects the row count of (store_id, resource): the sum of its
// shards. PostgreSQL keeps a row per shard (migration 0009) so that
// concurrent inserts of a store do not queue on one counter row; SQLite
// keeps one.
const sumRowCounts = `COALESCE(SUM(n), 0) FROM row_counts WHERE store_id = ? AND resource = ?`

// countRows reads a resource's row count in a store, kept by triggers
// (migrations 0002 and 0009) so that it costs a few rows, not a scan.
func countRows(ctx context.Context, tx *Tx, store customersd.StoreID, resource string) (int64, error) {
	var n int64
	err := tx.queryRow(ctx, `SELECT `+sumRowCounts, store, resource).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: count %s rows of store %d: %w", resource, store, err)
	}
	return n, nil
}

func unixTime(sec int64) time.Time { return time.Unix(sec, 0).UTC() }
