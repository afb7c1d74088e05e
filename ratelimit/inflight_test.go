package ratelimit_test

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/customersd/customersd/ratelimit"
)

func TestInflight(t *testing.T) {
	in := ratelimit.NewInflight(2)
	r1, ok1 := in.Acquire("store:1")
	_, ok2 := in.Acquire("store:1")
	if !ok1 || !ok2 {
		t.Fatalf("Acquire within the cap: %v, %v", ok1, ok2)
	}
	r3, ok3 := in.Acquire("store:1")
	if ok3 {
		t.Fatal("third Acquire with max 2 succeeded")
	}
	r3() // a refused Acquire's release is a no-op

	if _, ok := in.Acquire("store:2"); !ok {
		t.Fatal("another key is capped")
	}

	r1()
	r1() // idempotent: must not free a second slot
	if _, ok := in.Acquire("store:1"); !ok {
		t.Fatal("Acquire after release failed")
	}
	if _, ok := in.Acquire("store:1"); ok {
		t.Fatal("a double release freed two slots")
	}
}

func TestInflight_Concurrent(t *testing.T) {
	const max, callers = ratelimit.DefaultMaxInflight, 200
	in := ratelimit.NewInflight(max)
	var got atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	releases := make(chan func(), callers)
	for range callers {
		wg.Go(func() {
			<-start
			if release, ok := in.Acquire("store:1"); ok {
				got.Add(1)
				releases <- release
			}
		})
	}
	close(start)
	wg.Wait()
	close(releases)
	if got.Load() != max {
		t.Fatalf("%d of %d concurrent Acquires succeeded, want %d", got.Load(), callers, max)
	}
	for release := range releases {
		release()
	}
	if _, ok := in.Acquire("store:1"); !ok {
		t.Fatal("Acquire after all releases failed")
	}
}

func TestNewInflight_Panics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("NewInflight(0) did not panic")
		}
	}()
	ratelimit.NewInflight(0)
}

func BenchmarkInflightAcquire(b *testing.B) {
	in := ratelimit.NewInflight(ratelimit.DefaultMaxInflight)
	keys := make([]string, 64)
	for i := range keys {
		keys[i] = "store:" + strconv.Itoa(i)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if release, ok := in.Acquire(keys[i%len(keys)]); ok {
				release()
			}
			i++
		}
	})
}
