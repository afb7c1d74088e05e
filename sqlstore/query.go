package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/customersd/customersd"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// whereBuilder joins conditions with AND, keeping each condition next to its
// arguments. Conditions use '?'; the dialect rebinds them.
type whereBuilder struct {
	conds []string
	args  []any
}

func (w *whereBuilder) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *whereBuilder) addIf(ok bool, cond string, arg any) {
	if ok {
		w.add(cond, arg)
	}
}

func (w *whereBuilder) addTime(cond string, t *time.Time) {
	if t != nil {
		w.add(cond, t.Unix())
	}
}

func (w *whereBuilder) String() string { return strings.Join(w.conds, " AND ") }

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// pageClause renders LIMIT/OFFSET from validated integers (never from client
// text), so inlining them is safe and keeps the argument list simple.
func pageClause(p customersd.Page) string {
	if p.Limit <= 0 {
		return ""
	}
	return " LIMIT " + strconv.Itoa(p.Limit) + " OFFSET " + strconv.FormatInt(p.Offset, 10)
}

// eachRow runs query and calls fn for each row: the loop every read needs,
// with the query's bounds (Tx.begin), rows closed, rows.Err checked and a
// failure of the database marked (markUnavailable) in one place. An error
// of fn stops the loop.
func eachRow(ctx context.Context, tx *Tx, fn func(*sql.Rows) error, query string, args ...any) error {
	ctx, done, err := tx.begin(ctx)
	if err != nil {
		return err
	}
	defer done()
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return markUnavailable(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return markUnavailable(err)
		}
	}
	return markUnavailable(rows.Err())
}

// rowScanner is a row of a result: *sql.Rows, or pgx.Rows (scanRows).
type rowScanner interface {
	Scan(dest ...any) error
}

// scanRows is eachRow for the reads every request makes (a page, a row by
// id, a token): on a PostgreSQL reader it runs on pgx's own API, under the
// connection database/sql hands out. database/sql costs each row a lock
// and each column a driver.Value, boxed, then converted again by Scan;
// pgx scans the wire's bytes straight into the destinations, with a plan
// it keeps per statement. Statements, errors and pooling are the same.
func scanRows(ctx context.Context, tx *Tx, fn func(rowScanner) error, query string, args ...any) error {
	if tx.native == nil {
		return eachRow(ctx, tx, func(rows *sql.Rows) error { return fn(rows) }, query, args...)
	}
	query = tx.dialect.rebind(query)
	return withPgx(ctx, tx, func(ctx context.Context, c *pgx.Conn) error {
		rows, err := c.Query(ctx, query, args...)
		return eachPgxRow(rows, err, fn)
	})
}

// withPgx runs fn on a connection of tx's pool (a PostgreSQL reader's)
// through pgx's own API, within tx's bounds on reads.
func withPgx(ctx context.Context, tx *Tx, fn func(ctx context.Context, c *pgx.Conn) error) error {
	ctx, done, err := tx.begin(ctx)
	if err != nil {
		return err
	}
	defer done()
	conn, err := tx.native.Conn(ctx)
	if err != nil {
		return markUnavailable(err)
	}
	defer conn.Close()
	return markUnavailable(conn.Raw(func(dc any) error {
		// An error leaves the connection to database/sql, which checks it
		// (stdlib's IsValid) before handing it out again.
		return fn(ctx, dc.(*stdlib.Conn).Conn())
	}))
}

// eachPgxRow runs fn on each of rows (err: the query's), then closes them.
func eachPgxRow(rows pgx.Rows, err error, fn func(rowScanner) error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// queryAll runs query and returns what scan makes of each row.
func queryAll[T any](ctx context.Context, tx *Tx, scan func(*sql.Rows) (T, error), query string, args ...any) ([]T, error) {
	var out []T
	err := eachRow(ctx, tx, func(rows *sql.Rows) error {
		v, err := scan(rows)
		out = append(out, v)
		return err
	}, query, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}
