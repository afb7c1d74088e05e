package ratelimit_test

import (
	"context"
	"errors"
	"sync"
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

	// fail is an attempt whose password was wrong: reserved, never refunded.
	fail := func() error {
		t.Helper()
		_, err := g.Reserve(ctx, key)
		return err
	}

	// Successful validations reserve and refund; asking must not count, nor
	// start a window (Locked's reset would show one).
	for range 100 {
		refund, err := g.Reserve(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		refund()
		refund() // a second call gives nothing more back
		assertLocked(false, 0)
	}
	c.Add(time.Minute)
	for i := 1; i < ratelimit.DefaultMaxPasswordFailures; i++ {
		if err := fail(); err != nil {
			t.Fatalf("attempt %d: %v", i, err)
		}
		assertLocked(false, 0)
		c.Add(time.Minute)
	}

	// The fifth failure, 4 minutes into the window, locks for the 11 left.
	if err := fail(); err != nil {
		t.Fatalf("attempt #5: %v", err)
	}
	assertLocked(true, 11*time.Minute)
	var le *ratelimit.LimitError
	if err := fail(); !errors.As(err, &le) || le.RetryAfter != 11*time.Minute {
		t.Fatalf("attempt #6: %v, want a LimitError retrying after 11m", err)
	}
	assertLocked(true, 11*time.Minute) // the refused attempt counted nothing
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
	if err := fail(); err != nil {
		t.Fatalf("first attempt in a new window: %v", err)
	}
	assertLocked(false, 0)
}

func TestPasswordGuard_Configured(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	g := &ratelimit.PasswordGuard{
		Limiter:     &ratelimit.Limiter{Backend: ratelimit.NewMemory(c.Now)},
		MaxFailures: 2,
		Window:      time.Minute,
	}
	for i := range 2 {
		if _, err := g.Reserve(ctx, "k"); err != nil {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	if locked, reset := g.Locked(ctx, "k"); !locked || reset != time.Minute {
		t.Fatalf("after 2 failures Locked=%v, %v, want true, 1m", locked, reset)
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
		refund, err := g.Reserve(ctx, "k")
		if err != nil {
			t.Fatalf("Reserve with a failing backend: %v", err)
		}
		refund() // nothing was counted: no call to give it back
	}
	if locked, _ := g.Locked(ctx, "k"); locked {
		t.Fatal("Locked with a failing backend")
	}
	if got, want := errs, 11; got != want {
		t.Fatalf("OnError called %d times, want %d", got, want)
	}
}

// TestCheckPassword_ConcurrentGuesses sends 60 wrong passwords for one
// customer at once. The guard must reserve an attempt before the check runs:
// were it to record failures only after checking, every guess would pass the
// lock before the first failure was recorded. The check waits until every
// guess has either reached it or been refused, so that no guess can finish
// before the others have been let in or turned away.
func TestCheckPassword_ConcurrentGuesses(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b ratelimit.Backend) {
		const guesses = 60
		p := &ratelimit.Policy{
			Limiter: &ratelimit.Limiter{Backend: b, Logger: discardLogger()},
			// The store cap is not under test: let every guess through it.
			ValidateQuota: &customersd.Quota{Requests: guesses, Window: time.Minute},
		}
		st := &customersd.Store{ID: 1, Plan: customersd.PlanStandard}

		var (
			mu        sync.Mutex
			arrived   int // guesses that reached the check or were refused
			evaluated int
			allIn     = make(chan struct{})
		)
		arrive := func() {
			mu.Lock()
			defer mu.Unlock()
			if arrived++; arrived == guesses {
				close(allIn)
			}
		}
		check := func() (bool, error) {
			mu.Lock()
			evaluated++
			mu.Unlock()
			arrive()
			<-allIn
			return false, nil
		}

		var wg sync.WaitGroup
		refused := make(chan error, guesses)
		for range guesses {
			wg.Go(func() {
				_, err := p.CheckPassword(context.Background(), st, 7, check)
				if err != nil {
					refused <- err
					arrive()
				}
			})
		}
		wg.Wait()
		close(refused)
		if evaluated > ratelimit.DefaultMaxPasswordFailures {
			t.Fatalf("%d of %d concurrent guesses were checked, want at most %d", evaluated, guesses, ratelimit.DefaultMaxPasswordFailures)
		}
		if n := len(refused); evaluated+n != guesses {
			t.Fatalf("%d checked + %d refused, want %d in all", evaluated, n, guesses)
		}
		for err := range refused {
			var le *ratelimit.LimitError
			if !errors.As(err, &le) || le.RetryAfter <= 0 {
				t.Fatalf("refusal: %v, want a *LimitError with a RetryAfter", err)
			}
		}
	})
}
