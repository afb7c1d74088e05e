package ratelimit

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/customersd/customersd"
)

// The defaults of a node's list budget. A page of 250 customers with the
// largest notes holds about 17 MB, and of 250 groups at their caps about
// 57 MB: half of 128 MiB admits either, and leaves the other half to the
// other stores whatever one store does.
const (
	DefaultListBudget     = 128 << 20
	DefaultListBudgetWait = 5 * time.Second
)

// ByteBudget bounds the bytes a node holds at once for list responses, in
// total and per key (a store), so that neither concurrent pages nor one
// store can take the node's memory. A request reserves an estimate before it
// reads, waiting a short while for room, then charges its rows as they are
// read, without waiting; the bytes are freed when the response is written.
//
// A refusal because the key holds its share is the key's own doing: a
// *LimitError (429). A refusal because the node is full is not: an error
// wrapping customersd.ErrUnavailable (503).
type ByteBudget struct {
	total, share int64
	wait         time.Duration

	mu    sync.Mutex
	used  int64
	byKey map[string]int64 // keys holding nothing are deleted
	freed chan struct{}    // closed, and replaced, whenever bytes are freed
}

// NewByteBudget returns a budget of total bytes, of which one key may hold
// share, where Reserve waits up to wait for room. It panics unless
// 0 < share <= total.
func NewByteBudget(total, share int64, wait time.Duration) *ByteBudget {
	if share <= 0 || share > total {
		panic(fmt.Sprintf("ratelimit: NewByteBudget(%d, %d): want 0 < share <= total", total, share))
	}
	return &ByteBudget{total: total, share: share, wait: wait, byKey: make(map[string]int64), freed: make(chan struct{})}
}

var errOverShare = &LimitError{RetryAfter: time.Second} // a page frees its bytes within about a second

// fits reports whether key may take n more bytes. A key holding nothing may
// take more than its share, and the first bytes of an empty node more than
// the total, so that a single large page is slow, never impossible.
func (b *ByteBudget) fits(key string, n int64) error {
	if held := b.byKey[key]; held > 0 && held+n > b.share {
		return errOverShare
	}
	if b.used > 0 && b.used+n > b.total {
		return fmt.Errorf("ratelimit: the node's %d bytes for list pages are in use: %w", b.total, customersd.ErrUnavailable)
	}
	return nil
}

// Reserve takes n bytes for key, waiting up to the budget's wait for them,
// and returns the account that holds them. The caller must Release it.
func (b *ByteBudget) Reserve(ctx context.Context, key string, n int64) (*Account, error) {
	n = max(n, 1) // an account holding nothing would escape the share
	var expired <-chan time.Time
	for {
		b.mu.Lock()
		err := b.fits(key, n)
		if err == nil {
			b.take(key, n)
			b.mu.Unlock()
			return &Account{b: b, key: key, held: n}, nil
		}
		freed := b.freed
		b.mu.Unlock()
		if expired == nil {
			t := time.NewTimer(b.wait)
			defer t.Stop()
			expired = t.C
		}
		select {
		case <-freed:
		case <-expired:
			return nil, err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (b *ByteBudget) take(key string, n int64) {
	b.used += n
	b.byKey[key] += n
}

func (b *ByteBudget) give(key string, n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used -= n
	if b.byKey[key] -= n; b.byKey[key] <= 0 {
		delete(b.byKey, key)
	}
	close(b.freed)
	b.freed = make(chan struct{})
}

// Account is the bytes one request holds. It implements
// customersd.ReadMeter; one goroutine charges it.
type Account struct {
	b          *ByteBudget
	key        string
	held, used int64
	charges    int
	released   bool
}

// Charge accounts for n more bytes read: from what Reserve took while it
// lasts, then from the budget, without waiting (the read holds a database
// connection). It fails as Reserve does.
func (a *Account) Charge(n int64) error {
	if a.used+n <= a.held {
		a.used += n
		a.charges++
		return nil
	}
	extra := a.used + n - a.held
	a.b.mu.Lock()
	defer a.b.mu.Unlock()
	if err := a.b.fits(a.key, extra); err != nil {
		return err
	}
	a.b.take(a.key, extra)
	a.used += n
	a.charges++
	a.held += extra
	return nil
}

// Charged returns the bytes charged so far and in how many charges (rows).
func (a *Account) Charged() (bytes int64, charges int) { return a.used, a.charges }

// Release frees the account's bytes; calling it again does nothing.
func (a *Account) Release() {
	if a.released {
		return
	}
	a.released = true
	a.b.give(a.key, a.held)
}

var _ customersd.ReadMeter = (*Account)(nil)
