package ratelimit_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/ratelimit"
)

func TestPasswordGuard(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	l := &ratelimit.Limiter{Backend: ratelimit.NewMemory(c.Now), Now: c.Now}
	g := &ratelimit.PasswordGuard{Limiter: l}
	const key = "store:1:customer:7"
	assertLocked := func(want bool, wantReset time.Duration) {
		t.Helper()
		if locked, reset := g.Locked(ctx, key); locked != want || reset != wantReset {
			t.Fatalf("Locked=%v, %v, want %v, %v", locked, reset, want, wantReset)
		}
	}

	// Successful validations only ask Locked; asking must not count.
	for range 100 {
		assertLocked(false, 0)
	}
	for i := 1; i < ratelimit.DefaultMaxPasswordFailures; i++ {
		if locked, _ := g.Fail(ctx, key); locked {
			t.Fatalf("locked after %d failures", i)
		}
		c.Add(time.Minute)
	}
	assertLocked(false, 0)

	// The fifth failure, 4 minutes into the window, locks for the 11 left.
	if locked, reset := g.Fail(ctx, key); !locked || reset != 11*time.Minute {
		t.Fatalf("Fail #5=%v, %v, want true, 11m", locked, reset)
	}
	assertLocked(true, 11*time.Minute)
	if locked, _ := g.Locked(ctx, "store:1:customer:8"); locked {
		t.Fatal("another customer is locked")
	}
	if d := l.Allow(ctx, key, customersd.Quota{Requests: 1, Window: time.Minute}); !d.Allowed {
		t.Fatalf("a request quota on the same key shares the failure count: %+v", d)
	}

	c.Add(11*time.Minute - time.Nanosecond)
	assertLocked(true, time.Nanosecond)
	c.Add(time.Nanosecond)
	assertLocked(false, 0)
	if locked, _ := g.Fail(ctx, key); locked {
		t.Fatal("one failure in a new window locks")
	}
}

func TestPasswordGuard_Configured(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	g := &ratelimit.PasswordGuard{
		Limiter:     &ratelimit.Limiter{Backend: ratelimit.NewMemory(c.Now)},
		MaxFailures: 2,
		Window:      time.Minute,
	}
	g.Fail(ctx, "k")
	if locked, reset := g.Fail(ctx, "k"); !locked || reset != time.Minute {
		t.Fatalf("Fail #2=%v, %v, want true, 1m", locked, reset)
	}
	c.Add(time.Minute)
	if locked, _ := g.Locked(ctx, "k"); locked {
		t.Fatal("locked after the window")
	}
}

func TestPasswordGuard_FailOpen(t *testing.T) {
	ctx := context.Background()
	errs := 0
	g := &ratelimit.PasswordGuard{Limiter: &ratelimit.Limiter{
		Backend: failingBackend{err: errors.New("redis down")},
		OnError: func(error) { errs++ },
		Logger:  discardLogger(),
	}}
	for range 10 {
		if locked, _ := g.Fail(ctx, "k"); locked {
			t.Fatal("Fail locked with a failing backend")
		}
	}
	if locked, _ := g.Locked(ctx, "k"); locked {
		t.Fatal("Locked with a failing backend")
	}
	if got, want := errs, 11; got != want {
		t.Fatalf("OnError called %d times, want %d", got, want)
	}
}
