package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/customersd/customersd"
)

// The read cache (SQLite only): the token → account → store lookup that
// every request makes, and customer rows by ID, kept in memory and checked
// against the database on every lookup, so that nothing it answers is stale.
//
// # Why the check is sufficient
//
// SQLite promises (https://sqlite.org/pragma.html#pragma_data_version) that
// two invocations of PRAGMA data_version on the same connection return
// different values if any OTHER connection committed a change to the
// database in between; changes the connection itself commits do not move
// it. The cache asks on a connection of its own (version below), which
// never writes. So every commit that can change what the cache holds moves
// the value it reads: this process's writer, its readers (query_only, they
// cannot commit), the CLI (tokens revoke, stores import), another server on
// the same file, a hand-run sqlite3. The value only grows while the
// connection stays open; it is reset when a new one is opened, so each
// connection gets an epoch of its own and a value is compared with its
// epoch.
//
// The order is what makes it correct. A lookup
//
//  1. reads the version v (a read transaction on the cache's connection,
//     started and ended by the pragma);
//  2. answers from an entry only if that entry was stored under v;
//  3. on a miss, reads the row on a reader (a read transaction that starts
//     after step 1, so its snapshot holds every commit before step 1, and
//     maybe later ones) and stores it under v.
//
// An entry stored under v was read after a check that returned v. A later
// lookup whose check also returns v knows that no other connection
// committed between those two checks, so the entry holds every commit made
// before that later check: it is what a read of the database would return.
// A commit after a check changes the next check's value, and entries stored
// under the old value are never answered again (they wait for eviction).
// A miss that read an older snapshot and stores it late cannot pass itself
// off as newer: it stores under the value it checked before reading. A
// request that wrote and then reads runs its check after its commit
// returned, so it sees its own write.
//
// # Bound
//
// The entries' estimated sizes (strings, slices and fixed overheads, an
// upper bound of their heap) never sum past maxBytes: storing evicts
// entries first (at random, by map order, which needs no bookkeeping on
// hits), and an entry larger than the whole bound is not stored. A miss
// costs what the cache saved, no more: no negative results are stored, so
// a flood of bad tokens cannot fill it.

// DefaultCacheBytes bounds the read cache when nothing else is said: about
// 30,000 customers or tokens. The heap it takes is below the estimate, and
// twice that with the collector's headroom still leaves a node at a
// million customers under the 150 MB of resident memory it is allowed.
const DefaultCacheBytes = 16 << 20

// readCache is a database's read cache; nil on PostgreSQL, where several
// nodes write and no commit counter is shared cheaply.
type readCache struct {
	// pool holds the cache's own connection, for the version checks only.
	pool *sql.DB

	// rmu guards the rounds of checks: next is the round lookups join,
	// not yet started; leading says a goroutine runs rounds (lead).
	rmu     sync.Mutex
	next    *checkRound
	leading bool

	vmu   sync.Mutex // serialises reads of the version on conn
	conn  *sql.Conn  // nil until the first check, and after an error
	stmt  *sql.Stmt  // PRAGMA data_version, prepared on conn
	epoch int64      // counts the connections opened

	mu       sync.Mutex
	maxBytes int64
	bytes    int64
	entries  map[cacheKey]*cacheEntry

	hits, misses, checks atomic.Int64
}

// cacheVersion is the database state a lookup checked: the value of
// data_version on the cache's connection number epoch.
type cacheVersion struct{ epoch, data int64 }

// cacheKey names an entry: an account by its token's hash, or a customer
// of a store by ID.
type cacheKey struct {
	kind  uint8
	store customersd.StoreID
	id    int64
	token [sha256.Size]byte
}

const (
	kindAccount uint8 = iota + 1
	kindCustomer
)

// cacheEntry is one row as read under version.
type cacheEntry struct {
	version  cacheVersion
	size     int64
	account  *customersd.APIAccount
	customer *customersd.Customer
}

// newReadCache opens the cache's connection pool on dsn (read-only).
func newReadCache(dsn string, maxBytes int64) (*readCache, error) {
	pool, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open the read cache's connection: %w", err)
	}
	pool.SetMaxOpenConns(1)
	pool.SetMaxIdleConns(1)
	pool.SetConnMaxLifetime(0)
	return &readCache{pool: pool, maxBytes: maxBytes, entries: make(map[cacheKey]*cacheEntry)}, nil
}

// close closes the cache's connection.
func (c *readCache) close() error {
	if c == nil {
		return nil
	}
	c.vmu.Lock()
	c.dropConn()
	c.vmu.Unlock()
	return c.pool.Close()
}

// dropConn forgets the connection after an error; the next check opens
// another, in a new epoch, since its data_version starts afresh. Holds vmu.
func (c *readCache) dropConn() {
	if c.stmt != nil {
		c.stmt.Close()
	}
	if c.conn != nil {
		c.conn.Close()
	}
	c.conn, c.stmt = nil, nil
}

// check reads the database's version (step 1 above). ok is false when it
// could not: the caller reads the database and stores nothing.
//
// Lookups share checks: one that arrives while a check runs joins the
// next round, which starts after it arrived, so the version it gets was
// read after its own start, as if it had read it itself. Under load one
// pragma serves many requests instead of two per request.
func (c *readCache) check(ctx context.Context) (cacheVersion, bool) {
	c.rmu.Lock()
	if !c.leading {
		// No check runs: run one here, for this lookup alone, and leave
		// to a goroutine the rounds others joined meanwhile.
		c.leading = true
		c.rmu.Unlock()
		v, ok := c.readVersion()
		c.rmu.Lock()
		if c.next != nil {
			go c.lead()
		} else {
			c.leading = false
		}
		c.rmu.Unlock()
		return v, ok
	}
	r := c.next
	if r == nil {
		r = &checkRound{done: make(chan struct{})}
		c.next = r
	}
	c.rmu.Unlock()
	select {
	case <-r.done:
		return r.v, r.ok
	case <-ctx.Done():
		return cacheVersion{}, false
	}
}

// checkRound is one read of the version, shared by the lookups that
// joined it before it started.
type checkRound struct {
	done chan struct{}
	v    cacheVersion
	ok   bool
}

// lead runs rounds while lookups wait for one.
func (c *readCache) lead() {
	for {
		c.rmu.Lock()
		r := c.next
		if r == nil {
			c.leading = false
			c.rmu.Unlock()
			return
		}
		c.next = nil // from here on, lookups join the round after r
		c.rmu.Unlock()
		r.v, r.ok = c.readVersion()
		close(r.done)
	}
}

// readVersion runs PRAGMA data_version on the cache's connection.
func (c *readCache) readVersion() (v cacheVersion, ok bool) {
	c.vmu.Lock()
	defer c.vmu.Unlock()
	// Not a request's context: the round serves several requests. The
	// pragma starts a read transaction, which in WAL mode never waits
	// for a writer.
	ctx := context.Background()
	if c.conn == nil {
		conn, err := c.pool.Conn(ctx)
		if err != nil {
			return v, false
		}
		stmt, err := conn.PrepareContext(ctx, "PRAGMA data_version")
		if err != nil {
			conn.Close()
			return v, false
		}
		c.conn, c.stmt = conn, stmt
		c.epoch++
	}
	c.checks.Add(1)
	// Scan closes the statement's rows, which ends its read transaction:
	// a transaction left open would freeze the value.
	if err := c.stmt.QueryRowContext(ctx).Scan(&v.data); err != nil {
		c.dropConn()
		return v, false
	}
	v.epoch = c.epoch
	return v, true
}

// get returns the entry of key stored under v (step 2), or nil.
func (c *readCache) get(key cacheKey, v cacheVersion) *cacheEntry {
	c.mu.Lock()
	e := c.entries[key]
	c.mu.Unlock()
	if e == nil || e.version != v {
		c.misses.Add(1)
		return nil
	}
	c.hits.Add(1)
	return e
}

// put stores e under key, evicting other entries to stay within maxBytes.
func (c *readCache) put(key cacheKey, e *cacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.entries[key]; old != nil {
		delete(c.entries, key)
		c.bytes -= old.size
	}
	if e.size > c.maxBytes {
		return
	}
	for k, old := range c.entries {
		if c.bytes+e.size <= c.maxBytes {
			break
		}
		delete(c.entries, k)
		c.bytes -= old.size
	}
	c.entries[key] = e
	c.bytes += e.size
}

// setMax changes the bound, evicting down to it.
func (c *readCache) setMax(n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.maxBytes = n
	for k, old := range c.entries {
		if c.bytes <= c.maxBytes {
			break
		}
		delete(c.entries, k)
		c.bytes -= old.size
	}
}

// CacheStats are the read cache's counters, for benchmarks and metrics.
type CacheStats struct {
	Hits, Misses int64
	// Checks counts the reads of the database's version.
	Checks   int64
	Entries  int
	Bytes    int64 // estimated, never above MaxBytes
	MaxBytes int64
}

// CacheStats returns the read cache's counters; zero on PostgreSQL.
func (db *DB) CacheStats() CacheStats {
	c := db.cache
	if c == nil {
		return CacheStats{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Checks: c.checks.Load(), Entries: len(c.entries), Bytes: c.bytes, MaxBytes: c.maxBytes}
}

// SetCacheBytes bounds the read cache (SQLite); 0 turns it off, for
// benchmarks that compare. Call it before use.
func (db *DB) SetCacheBytes(n int64) {
	if db.cache == nil {
		return
	}
	db.cache.setMax(max(n, 0))
	db.cacheOff.Store(n <= 0)
}

// cached answers key from the cache when it can, and otherwise from load,
// storing what load returns. load must read the database afresh.
func (db *DB) cached(ctx context.Context, key cacheKey, load func() (*cacheEntry, error)) (*cacheEntry, error) {
	c := db.cache
	// A file found deleted or replaced leaves the cache's connection on
	// the old one, whose version no longer moves: bypass the cache.
	if c == nil || db.cacheOff.Load() || db.fileGone() != nil {
		return load()
	}
	v, ok := c.version(ctx)
	if !ok {
		return load()
	}
	if e := c.get(key, v); e != nil {
		return e, nil
	}
	e, err := load()
	if err != nil {
		return nil, err
	}
	e.version = v
	c.put(key, e)
	return e, nil
}

// cachedAccount is findAccountByToken through the cache.
func (db *DB) cachedAccount(ctx context.Context, token string) (*customersd.APIAccount, error) {
	key := cacheKey{kind: kindAccount, token: sha256.Sum256([]byte(token))}
	e, err := db.cached(ctx, key, func() (*cacheEntry, error) {
		a, err := findAccountByToken(ctx, db.reader(), token)
		if err != nil {
			return nil, err
		}
		return &cacheEntry{account: a, size: accountSize(a)}, nil
	})
	if err != nil {
		return nil, err
	}
	return cloneAccount(e.account), nil
}

// cachedCustomer is findCustomerByID through the cache.
func (db *DB) cachedCustomer(ctx context.Context, store customersd.StoreID, id int64) (*customersd.Customer, error) {
	key := cacheKey{kind: kindCustomer, store: store, id: id}
	e, err := db.cached(ctx, key, func() (*cacheEntry, error) {
		c, err := findCustomerByID(ctx, db.storeReader(store), store, id)
		if err != nil {
			return nil, err
		}
		return &cacheEntry{customer: c, size: customerSize(c)}, nil
	})
	if err != nil {
		return nil, err
	}
	return cloneCustomer(e.customer), nil
}

// Callers own what they are given: they get copies, so that nothing they
// change reaches the entry another request reads.

func cloneAccount(a *customersd.APIAccount) *customersd.APIAccount {
	out := *a
	out.Scopes = slices.Clone(a.Scopes)
	if a.Store.RateLimit != nil {
		q := *a.Store.RateLimit
		out.Store.RateLimit = &q
	}
	return &out
}

func cloneCustomer(c *customersd.Customer) *customersd.Customer {
	out := *c
	out.FormFields = slices.Clone(c.FormFields)
	return &out
}

// entryOverhead is the heap an entry costs beyond its strings: the map
// slot with its key, the entry, the struct it points to, allocation
// rounding. Generous, so the bound holds.
const entryOverhead = 512

func accountSize(a *customersd.APIAccount) int64 {
	n := entryOverhead + len(a.ClientID) + len(a.ClientSecret) + len(a.Store.Hash) + len(a.Store.Plan) + 64
	for _, s := range a.Scopes {
		n += 16 + len(s)
	}
	return int64(n)
}

func customerSize(c *customersd.Customer) int64 {
	n := entryOverhead + len(c.Company) + len(c.FirstName) + len(c.LastName) + len(c.Email) + len(c.Phone) +
		len(c.RegistrationIPAddress) + len(c.Notes) + len(c.TaxExemptCategory)
	for _, f := range c.FormFields {
		n += 32 + len(f.Name) + len(f.Value)
	}
	return int64(n)
}
