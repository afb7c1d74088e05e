package ratelimit_test

import (
	"context"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/ratelimit"
)

// forEachBackend runs fn against Memory, and against Redis when
// CUSTOMERSD_TEST_REDIS_URL is set, so both keep the same contract.
func forEachBackend(t *testing.T, fn func(t *testing.T, b ratelimit.Backend)) {
	t.Run("Memory", func(t *testing.T) { fn(t, ratelimit.NewMemory(nil)) })
	t.Run("Redis", func(t *testing.T) {
		fn(t, ratelimit.NewRedis(mustRedisClient(t), uniqueRedisPrefix()))
	})
}

func TestBackend_Exhaustion(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b ratelimit.Backend) {
		ctx := context.Background()
		l := &ratelimit.Limiter{Backend: b}
		q := customersd.Quota{Requests: 5, Window: time.Minute}
		for i := range 5 {
			d := l.Allow(ctx, "store:1", q)
			if want := 4 - i; !d.Allowed || d.Remaining != want {
				t.Fatalf("request %d: %+v, want allowed with %d left", i+1, d, want)
			}
			if d.ResetAfter <= 0 || d.ResetAfter > q.Window {
				t.Fatalf("request %d: ResetAfter=%v, want in (0, %v]", i+1, d.ResetAfter, q.Window)
			}
		}
		for range 3 {
			if d := l.Allow(ctx, "store:1", q); d.Allowed || d.Remaining != 0 {
				t.Fatalf("over quota: %+v, want denied with 0 left", d)
			}
		}
		if d := l.Allow(ctx, "store:2", q); !d.Allowed || d.Remaining != 4 {
			t.Fatalf("other key: %+v, want allowed with 4 left", d)
		}
	})
}

func TestBackend_Peek(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b ratelimit.Backend) {
		ctx := context.Background()
		if n, reset, err := b.Peek(ctx, "k"); err != nil || n != 0 || reset != 0 {
			t.Fatalf("Peek(new key)=%d, %v, %v, want 0, 0, nil", n, reset, err)
		}
		for range 3 {
			if _, _, err := b.Incr(ctx, "k", time.Minute); err != nil {
				t.Fatal(err)
			}
		}
		for range 2 {
			n, reset, err := b.Peek(ctx, "k")
			if err != nil || n != 3 || reset <= 0 || reset > time.Minute {
				t.Fatalf("Peek=%d, %v, %v, want 3, (0, 1m], nil", n, reset, err)
			}
		}
	})
}

func TestBackend_Decr(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b ratelimit.Backend) {
		ctx := context.Background()
		peek := func(wantCount int64) {
			t.Helper()
			n, reset, err := b.Peek(ctx, "k")
			if err != nil || n != wantCount || (n == 0) != (reset == 0) {
				t.Fatalf("Peek=%d, %v, %v, want %d and a window only when counting", n, reset, err, wantCount)
			}
		}
		// A key without a window stays without one: no negative counts.
		if err := b.Decr(ctx, "k"); err != nil {
			t.Fatal(err)
		}
		peek(0)
		for range 2 {
			if _, _, err := b.Incr(ctx, "k", time.Minute); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Decr(ctx, "k"); err != nil {
			t.Fatal(err)
		}
		peek(1)
		// At zero the window goes: the next Incr starts a new one.
		if err := b.Decr(ctx, "k"); err != nil {
			t.Fatal(err)
		}
		peek(0)
		if n, _, err := b.Incr(ctx, "k", time.Minute); err != nil || n != 1 {
			t.Fatalf("Incr after the count went to zero=%d, %v, want 1", n, err)
		}
	})
}
