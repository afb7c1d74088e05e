package ratelimit_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/customersd/customersd/ratelimit"
)

func TestMemory_Peek(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	m := ratelimit.NewMemory(c.Now)

	if n, reset, err := m.Peek(ctx, "k"); err != nil || n != 0 || reset != 0 {
		t.Fatalf("Peek(new key)=%d, %v, %v, want 0, 0, nil", n, reset, err)
	}
	m.Incr(ctx, "k", time.Minute)
	m.Incr(ctx, "k", time.Minute)
	c.Add(10 * time.Second)
	for range 2 { // Peek must not count
		if n, reset, err := m.Peek(ctx, "k"); err != nil || n != 2 || reset != 50*time.Second {
			t.Fatalf("Peek=%d, %v, %v, want 2, 50s, nil", n, reset, err)
		}
	}
	c.Add(50 * time.Second)
	if n, reset, err := m.Peek(ctx, "k"); err != nil || n != 0 || reset != 0 {
		t.Fatalf("Peek(expired)=%d, %v, %v, want 0, 0, nil", n, reset, err)
	}
}

func TestMemory_Incr_ErrWindow(t *testing.T) {
	m := ratelimit.NewMemory(nil)
	for _, w := range []time.Duration{0, -time.Second} {
		if _, _, err := m.Incr(context.Background(), "k", w); err == nil {
			t.Errorf("Incr(window %v): no error", w)
		}
	}
}

func BenchmarkMemoryAllow(b *testing.B) {
	l := &ratelimit.Limiter{Backend: ratelimit.NewMemory(nil)}
	benchmarkAllow(b, l)
}

// benchmarkAllow spreads requests over 64 stores, as a busy node would see
// them, with a quota that is never reached so every call does the full work.
func benchmarkAllow(b *testing.B, l *ratelimit.Limiter) {
	keys := make([]string, 64)
	for i := range keys {
		keys[i] = "store:" + strconv.Itoa(i)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if d := l.Allow(ctx, keys[i%len(keys)], ratelimit.Unlimited); !d.Allowed {
				b.Fatalf("Allow=%+v, want allowed", d)
			}
			i++
		}
	})
}
