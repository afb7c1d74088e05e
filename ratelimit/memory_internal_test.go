package ratelimit

import (
	"context"
	"strconv"
	"testing"
	"time"
)

func TestMemory_Sweep(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC)
	m := NewMemory(func() time.Time { return now })
	size := func() int {
		m.mu.Lock()
		defer m.mu.Unlock()
		return len(m.windows)
	}
	fill := func(prefix string, n int) {
		for i := range n {
			m.Incr(ctx, prefix+strconv.Itoa(i), time.Second)
		}
	}

	// Growth: once the map doubles, expired windows go.
	fill("a", 2000)
	if got, want := size(), 2000; got != want {
		t.Fatalf("live keys=%d, want %d", got, want)
	}
	now = now.Add(2 * time.Second)
	fill("b", 100)
	if got := size(); got > 100 {
		t.Fatalf("after the map doubled with 2000 expired keys: size=%d, want at most 100", got)
	}

	// Time: a quiet map is swept within a sweep interval.
	now = now.Add(sweepInterval)
	m.Incr(ctx, "c", time.Second)
	if got, want := size(), 1; got != want {
		t.Fatalf("after a sweep interval: size=%d, want %d", got, want)
	}
}
