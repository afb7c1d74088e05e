package ratelimit_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/customersd/customersd/ratelimit"
)

// flakyBackend counts calls and fails while down is set.
type flakyBackend struct {
	calls int
	down  bool
}

var errDown = errors.New("down")

func (f *flakyBackend) Incr(ctx context.Context, key string, window time.Duration) (int64, time.Duration, error) {
	f.calls++
	if f.down {
		return 0, 0, errDown
	}
	return 1, window, nil
}

func (f *flakyBackend) Peek(ctx context.Context, key string) (int64, time.Duration, error) {
	f.calls++
	if f.down {
		return 0, 0, errDown
	}
	return 1, time.Second, nil
}

func (f *flakyBackend) Decr(ctx context.Context, key string) error {
	f.calls++
	if f.down {
		return errDown
	}
	return nil
}

func TestBreaker(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	f := &flakyBackend{}
	b := &ratelimit.Breaker{Backend: f, Cooldown: time.Second, Now: func() time.Time { return now }}

	incr := func() error { _, _, err := b.Incr(ctx, "k", time.Minute); return err }
	peek := func() error { _, _, err := b.Peek(ctx, "k"); return err }

	if err := incr(); err != nil || f.calls != 1 {
		t.Fatalf("closed: err=%v, calls=%d", err, f.calls)
	}
	// A failure opens it: calls are skipped until the cool-down ends.
	f.down = true
	if err := incr(); !errors.Is(err, errDown) {
		t.Fatalf("failing call: err=%v, want the backend's", err)
	}
	for range 5 {
		if err := incr(); !errors.Is(err, ratelimit.ErrBackendSkipped) {
			t.Fatalf("open: err=%v, want ErrBackendSkipped", err)
		}
		if err := peek(); !errors.Is(err, ratelimit.ErrBackendSkipped) {
			t.Fatalf("open Peek: err=%v, want ErrBackendSkipped", err)
		}
	}
	if f.calls != 2 {
		t.Fatalf("calls=%d while open, want 2", f.calls)
	}
	// After the cool-down one call probes; while it fails, the breaker
	// opens again for another cool-down.
	now = now.Add(time.Second)
	if err := incr(); !errors.Is(err, errDown) || f.calls != 3 {
		t.Fatalf("probe: err=%v, calls=%d", err, f.calls)
	}
	if err := incr(); !errors.Is(err, ratelimit.ErrBackendSkipped) {
		t.Fatalf("after a failed probe: err=%v", err)
	}
	// A successful probe closes it.
	now = now.Add(time.Second)
	f.down = false
	if err := peek(); err != nil {
		t.Fatalf("probe: %v", err)
	}
	for range 3 {
		if err := incr(); err != nil {
			t.Fatalf("closed again: %v", err)
		}
	}
	if f.calls != 7 {
		t.Fatalf("calls=%d, want 7", f.calls)
	}
}

func TestBreaker_OneProbe(t *testing.T) {
	// Once the cool-down ends, the first caller probes and the others keep
	// skipping until its answer is in.
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	f := &flakyBackend{down: true}
	b := &ratelimit.Breaker{Backend: f, Now: func() time.Time { return now }}
	b.Incr(context.Background(), "k", time.Minute)
	now = now.Add(ratelimit.DefaultBreakerCooldown)

	probing := make(chan struct{})
	done := make(chan struct{})
	slow := &blockingBackend{entered: probing, release: done}
	b.Backend = slow
	go b.Incr(context.Background(), "k", time.Minute)
	<-probing
	if _, _, err := b.Incr(context.Background(), "k", time.Minute); !errors.Is(err, ratelimit.ErrBackendSkipped) {
		t.Fatalf("during the probe: err=%v, want ErrBackendSkipped", err)
	}
	close(done)
}

// blockingBackend signals entered on Incr and waits for release.
type blockingBackend struct {
	entered chan struct{}
	release chan struct{}
}

func (s *blockingBackend) Incr(ctx context.Context, key string, window time.Duration) (int64, time.Duration, error) {
	s.entered <- struct{}{}
	<-s.release
	return 1, window, nil
}

func (s *blockingBackend) Peek(ctx context.Context, key string) (int64, time.Duration, error) {
	return 0, 0, nil
}

func (s *blockingBackend) Decr(ctx context.Context, key string) error { return nil }
