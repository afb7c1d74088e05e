package ratelimit

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// DefaultBreakerCooldown is how long a Breaker leaves a failed backend alone.
const DefaultBreakerCooldown = time.Second

// ErrBackendSkipped is what a Breaker returns while it leaves its backend
// alone; Limiter fails open on it like on any backend error.
var ErrBackendSkipped = errors.New("ratelimit: backend failed recently; not called until its cool-down ends")

// Breaker is a Backend that stops calling a backend that fails. Short
// client timeouts bound what one call to a hung Redis costs (one read
// timeout), but every request would still pay it; after a failure, Breaker
// answers ErrBackendSkipped at once for Cooldown, then lets one call through
// to probe: its success closes the breaker, its failure opens it again.
//
// The zero Breaker is not usable: set Backend.
type Breaker struct {
	Backend Backend
	// Cooldown is how long calls are skipped after a failure; zero means
	// DefaultBreakerCooldown.
	Cooldown time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	openUntil atomic.Int64 // Unix nanoseconds; 0 while closed
}

var _ Backend = (*Breaker)(nil)

// Incr implements Backend.
func (b *Breaker) Incr(ctx context.Context, key string, window time.Duration) (int64, time.Duration, error) {
	if !b.allow() {
		return 0, 0, ErrBackendSkipped
	}
	count, reset, err := b.Backend.Incr(ctx, key, window)
	b.record(err)
	return count, reset, err
}

// Peek implements Backend.
func (b *Breaker) Peek(ctx context.Context, key string) (int64, time.Duration, error) {
	if !b.allow() {
		return 0, 0, ErrBackendSkipped
	}
	count, reset, err := b.Backend.Peek(ctx, key)
	b.record(err)
	return count, reset, err
}

// Decr implements Backend.
func (b *Breaker) Decr(ctx context.Context, key string) error {
	if !b.allow() {
		return ErrBackendSkipped
	}
	err := b.Backend.Decr(ctx, key)
	b.record(err)
	return err
}

// allow reports whether to call the backend: always while closed; once the
// cool-down is over, for the one caller that wins the right to probe (it
// pushes the deadline on, so the others keep skipping while it waits).
func (b *Breaker) allow() bool {
	for {
		until := b.openUntil.Load()
		if until == 0 {
			return true
		}
		now := b.now()
		if now < until {
			return false
		}
		if b.openUntil.CompareAndSwap(until, now+int64(b.cooldown())) {
			return true
		}
	}
}

func (b *Breaker) record(err error) {
	switch {
	case err != nil:
		b.openUntil.Store(b.now() + int64(b.cooldown()))
	case b.openUntil.Load() != 0:
		b.openUntil.Store(0)
	}
}

func (b *Breaker) now() int64 {
	if b.Now != nil {
		return b.Now().UnixNano()
	}
	return time.Now().UnixNano()
}

func (b *Breaker) cooldown() time.Duration {
	if b.Cooldown > 0 {
		return b.Cooldown
	}
	return DefaultBreakerCooldown
}
