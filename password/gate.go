package password

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
)

// DefaultConcurrency is the bcrypt work a node runs at once unless
// configured: every CPU but one, and at least one. bcrypt holds a core for
// its whole run, so with every core hashing, a store's plain reads wait
// behind another store's passwords (a validate flood took another store's
// GET from 0.69 ms to 111 ms median on two cores; a bound of 2 there still
// slowed it 40×, a bound of 1 did not).
func DefaultConcurrency() int {
	return max(runtime.GOMAXPROCS(0)-1, 1)
}

// ErrBusy is what Gate.Do answers when the store already has as much bcrypt
// work waiting as a Gate queues for one store: the node is out of room for
// now, and a retry a moment later will do (the services answer it as an
// outage, a 503).
var ErrBusy = errors.New("password: too much bcrypt work of the store waiting")

// Gate bounds the bcrypt work of a node and shares it fairly between
// stores. At most Slots calls run at once; others wait in a short queue per
// store, and a freed slot goes to the stores with waiting work in turn, so
// a store that floods the node waits behind its own work while another
// store's next call runs after at most one call of each other waiting
// store. A store may have a bounded number of calls waiting (the queue of
// NewGate); beyond that, Do refuses at once with ErrBusy rather than queue
// without bound.
//
// A nil *Gate runs everything at once: the CLI and tests use it.
type Gate struct {
	slots, queue int

	mu      sync.Mutex
	running int
	waiting map[int64][]*waiter
	turns   []int64 // stores with waiting calls, in serving order
}

type waiter struct {
	ready   chan struct{} // closed when the slot is handed over
	granted bool          // set, under Gate.mu, with the close of ready
}

// DefaultQueue is how many calls of one store a Gate lets wait unless
// configured. A queue of twice the slots (2 on two cores) answered 503 to
// an app creating customers with passwords from 8 workers, which is no
// abuse; 32 waiting calls are under 2 s of the store's own work at the
// default cost with one slot. A long queue costs the other stores nothing:
// turns go round the stores, so their next call waits for at most one
// call of each.
const DefaultQueue = 32

// NewGate returns a Gate running at most slots calls at once and letting
// up to queue calls of each store wait. It panics if slots or queue is less
// than 1: a Gate that runs nothing, or refuses every call it cannot start.
func NewGate(slots, queue int) *Gate {
	if slots < 1 || queue < 1 {
		panic(fmt.Sprintf("password: NewGate(%d, %d): slots and queue must be at least 1", slots, queue))
	}
	return &Gate{slots: slots, queue: queue, waiting: make(map[int64][]*waiter)}
}

// Slots is the number of calls the Gate runs at once; a nil Gate reports
// GOMAXPROCS, the work a caller can usefully start.
func (g *Gate) Slots() int {
	if g == nil {
		return runtime.GOMAXPROCS(0)
	}
	return g.slots
}

// Do runs fn, as work of store, once a slot is free. It returns ErrBusy
// when the store's queue is full, and ctx's error (wrapped) when ctx ends
// while waiting; fn has not run then.
func (g *Gate) Do(ctx context.Context, store int64, fn func()) error {
	if g == nil {
		fn()
		return nil
	}
	if err := g.acquire(ctx, store); err != nil {
		return err
	}
	defer g.release()
	fn()
	return nil
}

// HashFor is Hash run through h.Gate as work of store: the way a service
// hashes a store's password.
func (h Hasher) HashFor(ctx context.Context, store int64, p string) (hash string, err error) {
	if gerr := h.Gate.Do(ctx, store, func() { hash, err = h.Hash(p) }); gerr != nil {
		return "", gerr
	}
	return hash, err
}

// VerifyFor is Verify run through h.Gate as work of store.
func (h Hasher) VerifyFor(ctx context.Context, store int64, hash, p string) (ok bool, err error) {
	if hash == "" {
		return false, nil // no password set: nothing to compute, nothing to queue for
	}
	if gerr := h.Gate.Do(ctx, store, func() { ok, err = Verify(hash, p) }); gerr != nil {
		return false, gerr
	}
	return ok, err
}

func (g *Gate) acquire(ctx context.Context, store int64) error {
	g.mu.Lock()
	// A free slot means nobody waits: release hands slots straight to
	// waiters, so a newcomer cannot overtake the queue.
	if g.running < g.slots {
		g.running++
		g.mu.Unlock()
		return nil
	}
	q := g.waiting[store]
	if len(q) >= g.queue {
		g.mu.Unlock()
		return fmt.Errorf("store %d: %d calls waiting: %w", store, len(q), ErrBusy)
	}
	w := &waiter{ready: make(chan struct{})}
	if len(q) == 0 {
		g.turns = append(g.turns, store)
	}
	g.waiting[store] = append(q, w)
	g.mu.Unlock()

	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
	}
	g.mu.Lock()
	if w.granted {
		// The slot came as ctx ended: pass it on.
		g.mu.Unlock()
		g.release()
	} else {
		g.drop(store, w)
		g.mu.Unlock()
	}
	return fmt.Errorf("password: wait for bcrypt: %w", ctx.Err())
}

// release hands the slot to the first waiter of the store whose turn it is,
// or frees it when nobody waits.
func (g *Gate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.turns) == 0 {
		g.running--
		return
	}
	store := g.turns[0]
	g.turns = g.turns[1:]
	q := g.waiting[store]
	w := q[0]
	if len(q) == 1 {
		delete(g.waiting, store)
	} else {
		g.waiting[store] = q[1:]
		g.turns = append(g.turns, store) // its next call waits for the others' turns
	}
	w.granted = true
	close(w.ready)
}

// drop removes a waiter that gave up. g.mu must be held.
func (g *Gate) drop(store int64, w *waiter) {
	q := slices.DeleteFunc(g.waiting[store], func(x *waiter) bool { return x == w })
	if len(q) > 0 {
		g.waiting[store] = q
		return
	}
	delete(g.waiting, store)
	g.turns = slices.DeleteFunc(g.turns, func(s int64) bool { return s == store })
}
