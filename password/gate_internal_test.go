package password

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// waitFor yields until cond, read under g.mu, holds: the gate's goroutines
// get there without any clock.
func waitFor(g *Gate, cond func() bool) {
	for {
		g.mu.Lock()
		ok := cond()
		g.mu.Unlock()
		if ok {
			return
		}
		runtime.Gosched()
	}
}

func (g *Gate) waitingCalls() int {
	n := 0
	for _, q := range g.waiting {
		n += len(q)
	}
	return n
}

func TestGate_Bound(t *testing.T) {
	const slots, stores, perStore = 2, 5, 4 // perStore = the queue: every call may queue
	g := NewGate(slots, perStore)
	var cur, peak atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	for s := range stores {
		for range perStore {
			wg.Go(func() {
				err := g.Do(context.Background(), int64(s+1), func() {
					n := cur.Add(1)
					for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
					}
					<-release
					cur.Add(-1)
				})
				if err != nil {
					t.Error(err)
				}
			})
		}
	}
	waitFor(g, func() bool { return g.running == slots && g.waitingCalls() == stores*perStore-slots })
	if got := cur.Load(); got != slots {
		t.Fatalf("%d calls running with every call started, want %d", got, slots)
	}
	close(release)
	wg.Wait()
	if got := peak.Load(); got != slots {
		t.Fatalf("at most %d calls ran at once, want %d", got, slots)
	}
	if g.running != 0 || len(g.turns) != 0 || len(g.waiting) != 0 {
		t.Fatalf("after the calls: running=%d turns=%v waiting=%v, want an idle gate", g.running, g.turns, g.waiting)
	}
}

// TestGate_Fair: store A holds the only slot and fills its queue; store B's
// call runs after at most one more call of A, and A's next call is refused
// at once rather than queued.
func TestGate_Fair(t *testing.T) {
	const a, b int64 = 1, 2
	ctx := context.Background()
	g := NewGate(1, 2)
	var (
		mu    sync.Mutex
		order []int64
		wg    sync.WaitGroup
	)
	call := func(store int64) {
		wg.Go(func() {
			if err := g.Do(ctx, store, func() {
				mu.Lock()
				order = append(order, store)
				mu.Unlock()
			}); err != nil {
				t.Error(err)
			}
		})
	}
	hold, held := make(chan struct{}), make(chan struct{})
	wg.Go(func() { g.Do(ctx, a, func() { close(held); <-hold }) })
	<-held
	for i := range 2 {
		call(a)
		waitFor(g, func() bool { return len(g.waiting[a]) == i+1 })
	}

	// A's queue is full: its next call is refused, at once.
	err := g.Do(ctx, a, func() { t.Error("ran a call over the store's queue") })
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("call over A's queue: %v, want ErrBusy", err)
	}

	call(b)
	waitFor(g, func() bool { return len(g.waiting[b]) == 1 })
	close(hold)
	wg.Wait()
	if len(order) != 3 {
		t.Fatalf("ran %v, want 3 calls", order)
	}
	var aBeforeB int
	for _, s := range order {
		if s == b {
			break
		}
		aBeforeB++
	}
	if aBeforeB > 1 {
		t.Fatalf("order %v: %d calls of A ran before B's, want at most 1", order, aBeforeB)
	}
}

func TestGate_Cancel(t *testing.T) {
	const a int64 = 1
	g := NewGate(1, 2)
	hold, held := make(chan struct{}), make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		g.Do(context.Background(), a, func() { close(held); <-hold })
	}()
	<-held

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() { errc <- g.Do(ctx, a, func() { t.Error("a cancelled call ran") }) }()
	waitFor(g, func() bool { return len(g.waiting[a]) == 1 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait: %v, want context.Canceled", err)
	}
	g.mu.Lock()
	if len(g.waiting) != 0 || len(g.turns) != 0 {
		t.Errorf("a cancelled call left waiting=%v turns=%v", g.waiting, g.turns)
	}
	g.mu.Unlock()

	close(hold)
	<-done
	ran := false
	if err := g.Do(context.Background(), a, func() { ran = true }); err != nil || !ran {
		t.Fatalf("after the slot freed: ran=%v err=%v", ran, err)
	}
	if g.running != 0 {
		t.Fatalf("running=%d after every call, want 0", g.running)
	}
}

func TestGate_Nil(t *testing.T) {
	var g *Gate
	ran := false
	if err := g.Do(context.Background(), 1, func() { ran = true }); err != nil || !ran {
		t.Fatalf("nil gate: ran=%v err=%v", ran, err)
	}
}

// TestGate_DefaultQueueTakesABurst: an app creating customers with
// passwords from 8 workers is no abuse. With the one slot of a two-core
// node busy, every one of its calls waits its turn instead of being
// refused (a queue of twice the slots refused 6 of them).
func TestGate_DefaultQueueTakesABurst(t *testing.T) {
	const a, burst int64 = 1, 8
	g := NewGate(1, DefaultQueue)
	hold, held := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { g.Do(context.Background(), a, func() { close(held); <-hold }) })
	<-held
	var ran, refused atomic.Int64
	for range burst {
		wg.Go(func() {
			if err := g.Do(context.Background(), a, func() { ran.Add(1) }); err != nil {
				refused.Add(1)
			}
		})
	}
	waitFor(g, func() bool { return int64(len(g.waiting[a]))+refused.Load() == burst })
	close(hold)
	wg.Wait()
	if refused.Load() != 0 || ran.Load() != burst {
		t.Fatalf("a burst of %d calls: %d refused, %d ran; want none refused", burst, refused.Load(), ran.Load())
	}
}
