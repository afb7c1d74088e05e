package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/customersd/customersd"
)

var _ customersd.CustomerSearcher = (*CustomerService)(nil)

// searchWindow is how many customers past the cursor a search reads in id
// order before it turns to the indexes. A common prefix ("a", "seed")
// fills a page within it; a rare one ("jane.doe@") is then looked up in
// the indexes, whose ranges are small exactly when matches are rare.
const searchWindow = 2048

// searchColumn is a column a search query is a prefix of, as an expression
// that migration 0008 (or 0001, for the email) indexes.
type searchColumn struct {
	sqlite, postgres string
	email            bool // compared with the email key, not the name key
}

// searchColumns are the columns Query matches. PostgreSQL compares them in
// the "C" collation, byte by byte, so that a prefix is one range of the
// index whatever the database's locale; SQLite's BINARY collation already
// is. SQLite's lower folds ASCII only: the schema cannot use the process's
// Unicode lower (dialect.lower), or the file would need customersd to open.
var searchColumns = []searchColumn{
	{sqlite: colEmailKey, postgres: colEmailKey + ` COLLATE "C"`, email: true},
	lowerSearchColumn(colFirstName),
	lowerSearchColumn(colLastName),
	lowerSearchColumn(colCompany),
}

// lowerSearchColumn matches col case-insensitively, as migration 0008's
// expression indexes are written.
func lowerSearchColumn(col string) searchColumn {
	return searchColumn{sqlite: "lower(" + col + ")", postgres: "lower(" + col + `) COLLATE "C"`}
}

// prefixEnd is above every string starting with a prefix and below every
// other string above it: the prefix and the highest code point.
const prefixEnd = "\U0010FFFF"

// SearchCustomers implements customersd.CustomerSearcher. It reads at most
// searchWindow customers past the cursor in id order; if they hold less
// than a page, it finds the rest of the page through the indexes: one
// prefix range per column, or the filter's index (0004). Either way it
// never reads the store: a search costs the window plus the matches.
func (s *CustomerService) SearchCustomers(ctx context.Context, store customersd.StoreID, cs customersd.CustomerSearch) ([]*customersd.Customer, error) {
	tx := s.db.storeReader(store)
	f := customersd.CustomerFilter{CustomerGroupID: cs.CustomerGroupID, MinDateCreated: cs.MinDateCreated, MaxDateCreated: cs.MaxDateCreated}
	match, matchArgs := searchMatch(tx.dialect, cs.Query)
	if match == "" && f == (customersd.CustomerFilter{}) {
		from := cs.AfterID + 1
		return findCustomers(ctx, tx, store, customersd.CustomerFilter{MinID: &from, Page: customersd.Page{Limit: cs.Limit}})
	}
	page, err := searchWindowed(ctx, tx, store, cs, f, match, matchArgs)
	if err != nil || len(page) == cs.Limit {
		return page, err
	}
	var n, last int64
	err = tx.queryRow(ctx, `SELECT COUNT(*), COALESCE(MAX(id), 0) FROM (SELECT id FROM customers WHERE store_id = ? AND id > ? ORDER BY id LIMIT ?) AS w`,
		store, cs.AfterID, searchWindow).Scan(&n, &last)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: search customers of store %d: window: %w", store, err)
	}
	if n < searchWindow { // the window reached the store's last customer
		return page, nil
	}
	rest, err := searchIndexed(ctx, tx, store, last, cs.Limit-len(page), f, match, matchArgs)
	return append(page, rest...), err
}

// searchWindowed is the page among the searchWindow customers past the cursor.
func searchWindowed(ctx context.Context, tx *Tx, store customersd.StoreID, cs customersd.CustomerSearch, f customersd.CustomerFilter, match string, matchArgs []any) ([]*customersd.Customer, error) {
	where, args := customerWhere(store, f)
	if match != "" {
		where += " AND (" + match + ")"
		args = append(args, matchArgs...)
	}
	// The LIMIT keeps the planner from merging the window into the outer
	// query, where it might choose an index and sort its whole range.
	q := `SELECT ` + customers.readList + ` FROM (SELECT * FROM customers WHERE store_id = ? AND id > ? ORDER BY id LIMIT ?) AS customers WHERE ` +
		where + ` ORDER BY id LIMIT ?`
	return queryCustomers(ctx, tx, store, q, append(append([]any{store, cs.AfterID, searchWindow}, args...), cs.Limit)...)
}

// searchIndexed is the next limit matches with ids above after, found
// through the indexes.
func searchIndexed(ctx context.Context, tx *Tx, store customersd.StoreID, after int64, limit int, f customersd.CustomerFilter, match string, matchArgs []any) ([]*customersd.Customer, error) {
	from := after + 1
	f.MinID = &from
	if match == "" {
		f.Page.Limit = limit
		return findCustomers(ctx, tx, store, f)
	}
	// The arms hold the prefix and the cursor only: with a group or a date
	// in them too, the planner may read that filter's index instead, all of
	// a group's customers (300 ms at a million), to test the prefix on each.
	var arms []string
	var args []any
	for i, col := range searchColumns {
		arms = append(arms, `SELECT id FROM customers WHERE store_id = ? AND id > ? AND `+col.expr(tx.dialect)+` >= ? AND `+col.expr(tx.dialect)+` < ?`)
		args = append(args, store, after, matchArgs[2*i], matchArgs[2*i+1])
	}
	// MATERIALIZED: left to itself, SQLite pushes the ORDER BY into the
	// union and merges the arms in id order, each one read off the primary
	// key: the whole store, 12 s at a million customers. Materialised, each
	// arm reads its prefix's range and only the matches are sorted. UNION
	// ALL, since UNION is itself such a merge; DISTINCT drops a customer
	// that two columns match.
	q := `WITH m AS MATERIALIZED (` + strings.Join(arms, " UNION ALL ") + `) `
	if f == (customersd.CustomerFilter{MinID: f.MinID}) {
		q += `SELECT ` + customers.readList + ` FROM customers WHERE store_id = ? AND id IN (SELECT DISTINCT id FROM m ORDER BY id LIMIT ?) ORDER BY id`
		return queryCustomers(ctx, tx, store, q, append(args, store, limit)...)
	}
	// With filters, each match's filtered columns are read by its key and
	// the filters tested on them, materialised apart: given the filters in
	// the same query, SQLite looked each match up through the date index,
	// reading the whole range once per match. Then the page's rows.
	where, wargs := customerWhere(store, f)
	q += `, c AS MATERIALIZED (SELECT store_id, id, ` + colCustomerGroupID + `, ` + colDateCreated +
		` FROM (SELECT DISTINCT id AS match_id FROM m) AS k CROSS JOIN customers WHERE store_id = ? AND id = k.match_id) ` +
		`SELECT ` + customers.readList + ` FROM customers WHERE store_id = ? AND id IN (SELECT id FROM c WHERE ` + where +
		` ORDER BY id LIMIT ?) ORDER BY id`
	return queryCustomers(ctx, tx, store, q, append(append(append(args, store, store), wargs...), limit)...)
}

func queryCustomers(ctx context.Context, tx *Tx, store customersd.StoreID, q string, args ...any) ([]*customersd.Customer, error) {
	var r customerRow
	cs, err := findAll(ctx, tx, customers.read, func(c *customersd.Customer) *customerRow { r.Customer = c; return &r }, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: search customers of store %d: %w", store, err)
	}
	return cs, nil
}

func (c searchColumn) expr(d *dialect) string {
	if d == postgresDialect {
		return c.postgres
	}
	return c.sqlite
}

// searchMatch is the condition "one column starts with q" and its
// arguments, two per column in searchColumns' order; "" for an empty q.
func searchMatch(d *dialect, q string) (string, []any) {
	q = strings.TrimSpace(q)
	if q == "" {
		return "", nil
	}
	var conds []string
	var args []any
	for _, col := range searchColumns {
		key := searchKey(d, q, col.email)
		conds = append(conds, col.expr(d)+" >= ? AND "+col.expr(d)+" < ?")
		args = append(args, key, key+prefixEnd)
	}
	return strings.Join(conds, " OR "), args
}

// searchKey lower-cases q as the column it is compared with was: emails as
// EmailKey stored them, names as the index's lower does.
func searchKey(d *dialect, q string, email bool) string {
	if email || d == postgresDialect {
		return strings.ToLower(q)
	}
	return asciiLower(q)
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
