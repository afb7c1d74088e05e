package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// Prepared statements. On SQLite, parsing and planning a query costs about
// as much as running it on an index (a third of the database time of
// GET /customers/{id} in the profile of BENCHMARKS.md), and database/sql
// prepares a query string anew on every call. A statement prepared once
// per pool is kept per connection by database/sql and re-prepared by
// SQLite itself after a schema change, so caching it changes no result.
// PostgreSQL does not use this cache: pgx keeps its own per connection.

// stmtCacheMax bounds the cache: filters and pages make query strings vary
// (LIMIT and OFFSET are inlined), and a query past the bound simply runs
// unprepared, as before.
const stmtCacheMax = 512

// stmtCacheMaxLen keeps the multi-row INSERTs of import and seeding out of
// the cache: each is run a handful of times and weighs kilobytes.
const stmtCacheMaxLen = 2048

// stmtCache is the prepared statements of one pool.
type stmtCache struct {
	pool *sql.DB
	// deferred: prepare a missed query later, in preparePending, not in
	// get. The SQLite writer is one connection, which the transaction
	// asking holds: preparing on the pool then would wait for itself.
	deferred bool
	mu       sync.RWMutex
	m        map[string]*sql.Stmt
	pending  map[string]bool
}

func newStmtCache(pool *sql.DB, deferred bool) *stmtCache {
	return &stmtCache{pool: pool, deferred: deferred, m: make(map[string]*sql.Stmt), pending: make(map[string]bool)}
}

// get returns the statement of query, preparing it on first use; nil when
// the query is not to be cached or fails to prepare (running it unprepared
// then reports the error as before).
func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	if c == nil || len(query) > stmtCacheMaxLen {
		return nil
	}
	c.mu.RLock()
	st, ok := c.m[query]
	full := len(c.m) >= stmtCacheMax
	c.mu.RUnlock()
	if ok || full {
		return st
	}
	if c.deferred {
		c.mu.Lock()
		c.pending[query] = true
		c.mu.Unlock()
		return nil
	}
	st, err := c.pool.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[query]; ok { // prepared meanwhile by another caller
		st.Close()
		return prev
	}
	c.m[query] = st
	return st
}

// preparePending prepares the queries get missed, on the writer while no
// transaction holds it. The mutex is not held while preparing: a
// transaction holding the writer may be asking get meanwhile.
func (c *stmtCache) preparePending() {
	if c == nil {
		return
	}
	c.mu.Lock()
	todo := make([]string, 0, len(c.pending))
	for q := range c.pending {
		delete(c.pending, q)
		if _, ok := c.m[q]; !ok {
			todo = append(todo, q)
		}
	}
	c.mu.Unlock()
	for _, q := range todo {
		st, err := c.pool.Prepare(q)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if _, ok := c.m[q]; ok || len(c.m) >= stmtCacheMax {
			st.Close()
		} else {
			c.m[q] = st
		}
		c.mu.Unlock()
	}
}

// close closes every statement, before the pool is closed.
func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		st.Close()
		delete(c.m, q)
	}
}

// stmt returns the cached statement of query for tx, bound to its
// transaction when it has one; nil to run the query unprepared.
func (tx *Tx) stmt(ctx context.Context, query string) *sql.Stmt {
	st := tx.stmts.get(ctx, query)
	if st == nil || tx.bound == nil {
		return st
	}
	// Bound to the transaction's connection, where it is prepared already
	// (the writer is one connection); closed with the transaction.
	return tx.bound.StmtContext(ctx, st)
}
