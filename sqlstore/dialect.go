package sqlstore

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect is everything that differs between SQLite and PostgreSQL. The
// queries themselves are shared.
type dialect struct {
	name string
	// rebind turns '?' placeholders into the dialect's form.
	rebind func(query string) string
	// lockMigrations serialises migrations between processes starting at once.
	lockMigrations string
	// forUpdate ends a SELECT that must lock the rows it reads until the
	// transaction ends. SQLite has no row locks and needs none: it runs one
	// write transaction at a time.
	forUpdate string
	// forKeyShare ends a SELECT that must keep the rows it reads from being
	// deleted or re-keyed until the transaction ends, as a foreign key check
	// does, without holding back other writers of the rows.
	forKeyShare string
	// skipLocked ends the subquery that picks the webhook deliveries a
	// worker claims (alias d): rows another worker is claiming are skipped,
	// not waited for. SQLite's one writer needs none.
	skipLocked string
	// writableCTE: a WITH clause may hold an INSERT (PostgreSQL), so an
	// event and its deliveries are stored in one round trip.
	writableCTE bool
	// idSequences: customer and address IDs come from per-store sequences
	// (ids.go).
	idSequences bool
	// boundPages: a page's LIMIT and OFFSET are parameters, and its ids an
	// array (customerPageQuery), so that every page is one prepared
	// statement. SQLite keeps them inlined, as its plans were checked.
	boundPages bool
	// lower is the SQL function that lower-cases every letter, for
	// case-insensitive matches. SQLite's own lower folds ASCII only.
	lower string
}

var sqliteDialect = &dialect{
	name:   "sqlite",
	rebind: func(q string) string { return q },
	lower:  sqliteUnicodeLower,
}

// sqliteUnicodeLower lower-cases every letter, as PostgreSQL's lower does
// under a UTF-8 locale: SQLite without ICU folds only A to Z, so 'École'
// would not match 'école'. It is registered for every SQLite connection of
// the process and used in queries only, never in the schema, so a database
// file stays readable by any SQLite.
const sqliteUnicodeLower = "unicode_lower"

func init() {
	sqlite.MustRegisterDeterministicScalarFunction(sqliteUnicodeLower, 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return strings.ToLower(v), nil
		case []byte:
			return strings.ToLower(string(v)), nil
		default: // NULL, and numbers, which have no case
			return v, nil
		}
	})
}

var postgresDialect = &dialect{
	name:   "postgres",
	rebind: rebindDollar,
	// Any constant key will do; it only has to be the same in every process.
	lockMigrations: "SELECT pg_advisory_xact_lock(7265646)",
	forUpdate:      " FOR UPDATE",
	forKeyShare:    " FOR KEY SHARE",
	skipLocked:     " FOR UPDATE OF d SKIP LOCKED",
	writableCTE:    true,
	idSequences:    true,
	boundPages:     true,
	lower:          "LOWER",
}

// rebindDollar turns '?' into $1, $2, ... Queries here never contain a '?'
// inside a string literal.
func rebindDollar(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// isUniqueViolation classifies err by driver code, never by message text.
func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// isRetryable reports a transaction PostgreSQL aborted so that another
// could go on: a deadlock (40P01) or a serialization failure (40001). It
// rolled back whole, so running it again is safe. SQLite reports neither:
// its one writer cannot deadlock.
func isRetryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

// isPrimaryKeyViolation reports a duplicate primary key, told apart from
// other unique violations by SQLite's extended code and by PostgreSQL's
// name for a primary key constraint (TABLE_pkey, the default).
func isPrimaryKeyViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505" && strings.HasSuffix(pe.ConstraintName, "_pkey")
}

// isForeignKeyViolation reports a reference to a row that does not exist.
func isForeignKeyViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23503"
}

// constraintName returns the violated constraint's name where the driver
// reports it (PostgreSQL); "" otherwise.
func constraintName(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.ConstraintName
	}
	return ""
}

// openPostgres opens a pool whose connections end any statement running
// longer than timeout (0: no limit), so that no query can hold a
// connection and its locks for long.
func openPostgres(dsn string, timeout time.Duration) (*DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open postgres: %w", err)
	}
	if timeout > 0 {
		cfg.RuntimeParams["statement_timeout"] = strconv.FormatInt(timeout.Milliseconds(), 10)
	}
	pool := stdlib.OpenDB(*cfg)
	pool.SetMaxOpenConns(max(4, 4*runtime.GOMAXPROCS(0)))
	pool.SetMaxIdleConns(max(4, 4*runtime.GOMAXPROCS(0)))
	return &DB{dialect: postgresDialect, write: pool, read: pool}, nil
}

// sqlitePragmas make every acknowledged write durable (WAL with
// synchronous=FULL fsyncs the log on each commit), enforce foreign keys, and
// wait for another process's lock instead of failing at once.
const sqlitePragmas = "_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_pragma=temp_store(2)"

func openSQLite(dsn string) (*DB, error) {
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	path = strings.TrimPrefix(path, "//")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("sqlstore: sqlite needs a file path, got %q", dsn)
	}
	base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + sqlitePragmas
	// BEGIN IMMEDIATE takes the write lock at the start, so a transaction
	// never fails half-way when it upgrades from reading to writing.
	write, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open sqlite %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	// Readers open the file that is there and never create one: a reader
	// connecting after the file was deleted fails (SQLITE_CANTOPEN) instead
	// of answering from a new empty database.
	readOnly := base + "&_pragma=query_only(1)&mode=rw"
	read, err := sql.Open("sqlite", readOnly)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlstore: open sqlite %s: %w", path, err)
	}
	n := max(2, 2*runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxLifetime(0)
	// One connection, kept open, for readiness probes (health.go).
	probe, err := sql.Open("sqlite", readOnly)
	if err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("sqlstore: open sqlite %s: %w", path, err)
	}
	probe.SetMaxOpenConns(1)
	probe.SetMaxIdleConns(1)
	probe.SetConnMaxLifetime(0)
	cache, err := newReadCache(readOnly, DefaultCacheBytes)
	if err != nil {
		write.Close()
		read.Close()
		probe.Close()
		return nil, err
	}
	return &DB{dialect: sqliteDialect, write: write, read: read, probe: probe, path: path, cache: cache}, nil
}
