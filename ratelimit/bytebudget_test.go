package ratelimit_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/ratelimit"
)

func wantOverShare(tb testing.TB, err error) {
	tb.Helper()
	var le *ratelimit.LimitError
	if !errors.As(err, &le) || le.RetryAfter <= 0 {
		tb.Fatalf("err=%v, want a *LimitError with a RetryAfter", err)
	}
}

func wantNodeFull(tb testing.TB, err error) {
	tb.Helper()
	if !errors.Is(err, customersd.ErrUnavailable) {
		tb.Fatalf("err=%v, want ErrUnavailable", err)
	}
}

func mustReserve(tb testing.TB, b *ratelimit.ByteBudget, key string, n int64) *ratelimit.Account {
	tb.Helper()
	a, err := b.Reserve(context.Background(), key, n)
	if err != nil {
		tb.Fatalf("Reserve(%s, %d): %v", key, n, err)
	}
	return a
}

// TestByteBudget_Share: one store cannot take more than its share, and
// while it holds all of it another store still gets in; the node's total
// refuses everyone with ErrUnavailable.
func TestByteBudget_Share(t *testing.T) {
	ctx := context.Background()
	b := ratelimit.NewByteBudget(100, 50, 0)
	a1 := mustReserve(t, b, "1", 30)
	mustReserve(t, b, "1", 20) // exactly the share
	_, err := b.Reserve(ctx, "1", 1)
	wantOverShare(t, err)

	a2 := mustReserve(t, b, "2", 40) // store 2 is not held back by store 1
	_, err = b.Reserve(ctx, "3", 20) // 90 used: the node is full for 20 more
	wantNodeFull(t, err)
	mustReserve(t, b, "3", 10)

	a1.Release()
	a1.Release() // idempotent: must not free twice
	mustReserve(t, b, "1", 30)
	_, err = b.Reserve(ctx, "5", 1)
	wantNodeFull(t, err) // 100 used

	a2.Release()
	mustReserve(t, b, "4", 40)
}

// TestByteBudget_Charge: rows read beyond the reservation are charged to the
// budget at once, and refused past the share, with nothing taken.
func TestByteBudget_Charge(t *testing.T) {
	b := ratelimit.NewByteBudget(100, 50, 0)
	a := mustReserve(t, b, "1", 10)
	for range 5 {
		if err := a.Charge(10); err != nil { // within the reservation, then up to the share
			t.Fatal(err)
		}
	}
	wantOverShare(t, a.Charge(1))
	if bytes, charges := a.Charged(); bytes != 50 || charges != 5 {
		t.Fatalf("Charged()=%d, %d; want 50 bytes in 5 charges", bytes, charges)
	}
	mustReserve(t, b, "2", 50) // the refused charge took nothing: 50 + 50
	a.Release()
	mustReserve(t, b, "1", 50)
}

// TestByteBudget_OversizeAlone: a key holding nothing may take more than its
// share, and an empty node more than its total: a large page is slow, never
// impossible.
func TestByteBudget_OversizeAlone(t *testing.T) {
	b := ratelimit.NewByteBudget(100, 50, 0)
	a := mustReserve(t, b, "1", 70)
	_, err := b.Reserve(context.Background(), "1", 1)
	wantOverShare(t, err)
	a.Release()
	mustReserve(t, b, "1", 500)
}

// TestByteBudget_Wait: a reservation that does not fit waits for bytes to
// be freed.
func TestByteBudget_Wait(t *testing.T) {
	b := ratelimit.NewByteBudget(100, 100, time.Hour)
	a := mustReserve(t, b, "1", 100)
	got := make(chan error)
	go func() {
		w, err := b.Reserve(context.Background(), "2", 60)
		if err == nil {
			w.Release()
		}
		got <- err
	}()
	a.Release()
	if err := <-got; err != nil {
		t.Fatalf("waiting Reserve: %v", err)
	}
}

// TestByteBudget_Concurrent: 100 pages of two stores at once, each holding
// its bytes until all have tried: each store gets its share, no more, and
// the rest are refused.
func TestByteBudget_Concurrent(t *testing.T) {
	const total, share, each, callers = 1000, 400, 100, 100
	b := ratelimit.NewByteBudget(total, share, 0)
	var granted [2]atomic.Int64
	var tried, released sync.WaitGroup
	tried.Add(callers)
	done := make(chan struct{})
	for i := range callers {
		released.Go(func() {
			k := i % 2
			a, err := b.Reserve(context.Background(), string(rune('a'+k)), each)
			tried.Done()
			if err != nil {
				wantOverShare(t, err)
				return
			}
			granted[k].Add(1)
			<-done
			a.Release()
		})
	}
	tried.Wait()
	close(done)
	released.Wait()
	for k := range granted {
		if got, want := granted[k].Load(), int64(share/each); got != want {
			t.Errorf("store %d got %d pages at once, want %d (its share)", k, got, want)
		}
	}
}
