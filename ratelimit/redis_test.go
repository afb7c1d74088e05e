package ratelimit_test

import (
	"context"
	"crypto/rand"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/ratelimit"
)

// mustRedisClient returns a client for CUSTOMERSD_TEST_REDIS_URL, either a
// redis:// URL or a bare host:port, or skips when it is unset.
func mustRedisClient(tb testing.TB) *redis.Client {
	tb.Helper()
	url := os.Getenv("CUSTOMERSD_TEST_REDIS_URL")
	if url == "" {
		tb.Skip("set CUSTOMERSD_TEST_REDIS_URL to run the Redis tests")
	}
	opt := &redis.Options{Addr: url}
	if strings.Contains(url, "://") {
		var err error
		if opt, err = redis.ParseURL(url); err != nil {
			tb.Fatalf("CUSTOMERSD_TEST_REDIS_URL: %v", err)
		}
	}
	c := redis.NewClient(opt)
	tb.Cleanup(func() { c.Close() })
	if err := c.Ping(context.Background()).Err(); err != nil {
		tb.Fatalf("ping Redis at %s: %v", url, err)
	}
	return c
}

// uniqueRedisPrefix returns a key prefix no other test uses, so tests can
// share one Redis and run in parallel; their keys expire on their own.
func uniqueRedisPrefix() string {
	return "customersd:rl:test:" + rand.Text() + ":"
}

func TestRedis_SharedQuota(t *testing.T) {
	prefix := uniqueRedisPrefix()
	nodes := []*ratelimit.Limiter{
		{Backend: ratelimit.NewRedis(mustRedisClient(t), prefix)},
		{Backend: ratelimit.NewRedis(mustRedisClient(t), prefix)},
	}
	q := customersd.Quota{Requests: 100, Window: time.Minute}
	const goroutines, each = 50, 10

	var mu sync.Mutex
	seen := make(map[int]bool) // Remaining of each allowed request
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				d := nodes[(g+i)%2].Allow(context.Background(), "store:1", q)
				if d.Allowed {
					mu.Lock()
					seen[d.Remaining] = true
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()

	// Exactly 100 allowed, and each saw a different count: no unit was
	// spent twice, whichever node asked.
	if got := len(seen); got != q.Requests {
		t.Fatalf("%d distinct allowed requests across two nodes, want %d", got, q.Requests)
	}
	for r := range q.Requests {
		if !seen[r] {
			t.Fatalf("no allowed request saw Remaining=%d", r)
		}
	}
}

func TestRedis_Expiry(t *testing.T) {
	ctx := context.Background()
	c := mustRedisClient(t)
	prefix := uniqueRedisPrefix()
	l := &ratelimit.Limiter{Backend: ratelimit.NewRedis(c, prefix)}
	q := customersd.Quota{Requests: 2, Window: 200 * time.Millisecond}
	key := prefix + "store:1"

	// The window is the key's TTL, set by the first request and not moved
	// by later ones. Redis expires the key; we check the TTL instead of
	// waiting for it.
	first := l.Allow(ctx, "store:1", q)
	if first.ResetAfter <= 0 || first.ResetAfter > q.Window {
		t.Fatalf("first ResetAfter=%v, want in (0, %v]", first.ResetAfter, q.Window)
	}
	l.Allow(ctx, "store:1", q)
	if d := l.Allow(ctx, "store:1", q); d.Allowed || d.ResetAfter > first.ResetAfter {
		t.Fatalf("over quota: %+v, want denied, reset no later than %v", d, first.ResetAfter)
	}
	if ttl := c.PTTL(ctx, key).Val(); ttl <= 0 || ttl > q.Window {
		t.Fatalf("PTTL=%v, want in (0, %v]", ttl, q.Window)
	}

	// What expiry does: the key is gone, the next request opens a window.
	c.Del(ctx, key)
	if d := l.Allow(ctx, "store:1", q); !d.Allowed || d.Remaining != 1 {
		t.Fatalf("after expiry: %+v, want allowed with 1 left", d)
	}

	// A counter that lost its TTL gets one back instead of never resetting.
	c.Persist(ctx, key)
	l.Allow(ctx, "store:1", q)
	if ttl := c.PTTL(ctx, key).Val(); ttl <= 0 || ttl > q.Window {
		t.Fatalf("PTTL after PERSIST and Allow=%v, want in (0, %v]", ttl, q.Window)
	}
}

func TestRedis_Unreachable(t *testing.T) {
	// Port 1 refuses at once; no retries keeps the test quick.
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialerRetries: 1})
	t.Cleanup(func() { c.Close() })
	var reported error
	l := &ratelimit.Limiter{
		Backend: ratelimit.NewRedis(c, ratelimit.DefaultRedisPrefix),
		OnError: func(err error) { reported = err },
		Logger:  discardLogger(),
	}
	q := customersd.Quota{Requests: 150, Window: 30 * time.Second}
	if d := l.Allow(context.Background(), "store:1", q); !d.Allowed || d.Remaining != 150 {
		t.Fatalf("Allow with Redis down=%+v, want allowed with 150 left", d)
	}
	if reported == nil || !strings.Contains(reported.Error(), "ratelimit: redis incr") {
		t.Fatalf("OnError got %v, want the wrapped Redis error", reported)
	}
}

func BenchmarkRedisAllow(b *testing.B) {
	l := &ratelimit.Limiter{Backend: ratelimit.NewRedis(mustRedisClient(b), uniqueRedisPrefix())}
	benchmarkAllow(b, l)
}
