package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"github.com/customersd/customersd"
)

// Bounds on read queries, so that one store cannot starve the others.
//
// SQLite has a few reader connections for the whole node (2 per CPU), and
// every store's reads share them: 39 slow list requests of one store,
// within its quota, once held all of them and delayed other stores' reads
// by seconds. Two bounds stop that:
//
//   - a store may hold at most half of the readers at once (at least one);
//     its further queries wait for one of its own, not for everyone's, so
//     another store always finds a free reader;
//   - each read query of a request has a deadline, the statement timeout:
//     SQLite's driver interrupts a query whose context ends. On PostgreSQL
//     the server enforces it (statement_timeout on every connection).
//
// A query that times out, or waits past its deadline for a reader, fails
// with an error wrapping customersd.ErrUnavailable: the node is overloaded,
// which is worth a retry elsewhere or later (503), not a bug (500).

// DefaultStatementTimeout bounds a statement when the configuration does
// not say: ten times the slowest indexed list query on 100k customers, and
// well under a proxy's usual 30 s or 60 s.
const DefaultStatementTimeout = 5 * time.Second

// readLimits are the bounds of a database's store-scoped readers.
type readLimits struct {
	// timeout is the deadline of each read query on SQLite; 0: none.
	timeout  time.Duration
	perStore storeSlots
}

// storeSlots caps the read queries each store runs at once.
type storeSlots struct {
	mu    sync.Mutex
	max   int
	slots map[customersd.StoreID]*slots
}

// slots is one store's semaphore; users counts its holders and waiters, so
// the entry is dropped when the store is idle.
type slots struct {
	sem   chan struct{}
	users int
}

// setMax sets the share of a store from the size of the reader pool.
func (s *storeSlots) setMax(readers int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.max = max(1, readers/2)
	s.slots = make(map[customersd.StoreID]*slots)
}

// acquire waits for one of store's slots, until ctx ends.
func (s *storeSlots) acquire(ctx context.Context, store customersd.StoreID) (release func(), err error) {
	s.mu.Lock()
	sl := s.slots[store]
	if sl == nil {
		sl = &slots{sem: make(chan struct{}, s.max)}
		s.slots[store] = sl
	}
	sl.users++
	s.mu.Unlock()
	select {
	case sl.sem <- struct{}{}:
		return func() { <-sl.sem; s.leave(store, sl) }, nil
	case <-ctx.Done():
		s.leave(store, sl)
		return nil, ctx.Err()
	}
}

func (s *storeSlots) leave(store customersd.StoreID, sl *slots) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sl.users--; sl.users == 0 && s.slots[store] == sl {
		delete(s.slots, store)
	}
}

// storeReader returns a Tx for single read queries of one store, outside
// any transaction: each has the statement timeout and one of the store's
// slots.
func (db *DB) storeReader(store customersd.StoreID) *Tx {
	tx := db.reader()
	tx.store = store
	return tx
}

// begin starts one query of tx: on a reader, it sets the statement
// timeout, and on a store's reader it takes one of the store's slots. Call
// done once the query's rows are closed.
func (tx *Tx) begin(ctx context.Context) (_ context.Context, done func(), err error) {
	if tx.reads == nil {
		return ctx, func() {}, nil
	}
	cancel := context.CancelFunc(func() {})
	if tx.reads.timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, tx.reads.timeout)
	}
	if tx.store == 0 { // the stores and accounts tables, not a store's data
		return ctx, cancel, nil
	}
	release, err := tx.reads.perStore.acquire(ctx, tx.store)
	if err != nil {
		cancel()
		return ctx, nil, fmt.Errorf("sqlstore: wait for a reader of store %d: %w", tx.store, markUnavailable(err))
	}
	return ctx, func() { release(); cancel() }, nil
}

// row is the result of queryRow: a *sql.Row whose query's bounds end when
// it is scanned, and whose errors say when the database is unavailable.
type row struct {
	r    *sql.Row
	done func()
	err  error
}

// Scan is sql.Row's Scan.
func (r *row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.done()
	return markUnavailable(r.r.Scan(dest...))
}
