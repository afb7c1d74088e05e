package ratelimit

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// DefaultMaxInflight is the default cap on concurrent requests per store for
// the customer groups endpoints.
const DefaultMaxInflight = 40

// Inflight caps the requests in flight per key. The cap is per node: with K
// nodes a store may have K times max requests in flight, so divide the cap by
// the node count where that matters.
//
// It is in-process on purpose. A Redis counter (INCR on entry, DECR on
// release) leaks the slots of a node that dies mid-request, and a TTL cannot
// clean them up safely: every INCR would have to refresh it, so under steady
// traffic it never fires and the store stays locked out; without refreshes it
// expires under long requests and admits too many. Doing it right takes a
// sorted set of leases with heartbeats, which is more than this cap is worth.
type Inflight struct {
	max int

	mu sync.Mutex
	n  map[string]int // keys with no request in flight are deleted
}

// NewInflight returns an Inflight allowing max concurrent requests per key.
// It panics if max is less than 1, which would refuse every request.
func NewInflight(max int) *Inflight {
	if max < 1 {
		panic(fmt.Sprintf("ratelimit: NewInflight(%d): max must be at least 1", max))
	}
	return &Inflight{max: max, n: make(map[string]int)}
}

// Acquire takes a slot for key if one is free. It never blocks: a request
// over the cap is refused, not queued. release gives the slot back; it is
// safe to call more than once, and it is a no-op when ok is false, so a
// caller may defer it before checking ok.
func (i *Inflight) Acquire(key string) (release func(), ok bool) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.n[key] >= i.max {
		return func() {}, false
	}
	i.n[key]++

	var released atomic.Bool
	return func() {
		if !released.Swap(true) {
			i.release(key)
		}
	}, true
}

func (i *Inflight) release(key string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.n[key] <= 1 {
		delete(i.n, key)
		return
	}
	i.n[key]--
}
