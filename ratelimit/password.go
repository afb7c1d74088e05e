package ratelimit

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/customersd/customersd"
)

// Defaults for PasswordGuard: at most 5 failed validations of a customer's
// password per 15 minutes.
const (
	DefaultMaxPasswordFailures   = 5
	DefaultPasswordFailureWindow = 15 * time.Minute
)

// PasswordGuard limits failed password validations per customer, because the
// validate endpoint answers "is this the password?" and would otherwise let a
// client guess at request-quota speed (BEHAVIOR.md, "Customers"). Only
// failures count, so a customer who types the right password is never locked
// out by their own successes. A key is locked from its MaxFailures-th failure
// until the window that began at its first failure ends, whatever password
// comes next.
//
// An attempt is counted before its password is tested (Reserve) and given
// back when it turns out not to be a failure, so concurrent attempts cannot
// all slip past the lock before any failure is recorded: at most MaxFailures
// passwords of a key are ever tested in a window, however many arrive at
// once. Cap validations per store as well, with Limiter.Allow on a key of its
// own (e.g. "store:42:validate").
//
// Like Limiter, the guard fails open: while the backend is down, nothing is
// locked.
type PasswordGuard struct {
	// Limiter holds the counts; it must be set.
	Limiter *Limiter
	// MaxFailures is the number of failures that locks a key; zero means
	// DefaultMaxPasswordFailures.
	MaxFailures int
	// Window is the length of a failure window; zero means
	// DefaultPasswordFailureWindow.
	Window time.Duration
}

// Locked reports whether key is locked now, and for how long, without
// counting anything.
func (g *PasswordGuard) Locked(ctx context.Context, key string) (locked bool, resetAfter time.Duration) {
	count, reset := g.Limiter.peek(ctx, passwordKey(key))
	if count < int64(g.quota().Requests) {
		return false, 0
	}
	return true, reset
}

// Reserve takes one of key's attempts before a password is tested, or
// returns a *LimitError when key is locked or its remaining attempts are all
// in flight. A reserved attempt counts as a failure unless refund is called:
// call it when the password was right, or when none was tested (an unknown
// customer, an error). refund is safe to call more than once.
func (g *PasswordGuard) Reserve(ctx context.Context, key string) (refund func(), err error) {
	k := passwordKey(key)
	d, counted := g.Limiter.take(ctx, k, g.quota())
	if !counted {
		return func() {}, nil // fail open: nothing was counted, nothing to give back
	}
	if !d.Allowed {
		// Give the count back at once: refused attempts must not pile up and
		// hold the lock after the attempts in flight turn out right.
		g.Limiter.giveBack(ctx, k)
		return func() {}, &LimitError{RetryAfter: d.ResetAfter}
	}
	var refunded atomic.Bool
	return func() {
		if !refunded.Swap(true) {
			g.Limiter.giveBack(ctx, k)
		}
	}, nil
}

func (g *PasswordGuard) quota() customersd.Quota {
	q := customersd.Quota{Requests: g.MaxFailures, Window: g.Window}
	if q.Requests <= 0 {
		q.Requests = DefaultMaxPasswordFailures
	}
	if q.Window <= 0 {
		q.Window = DefaultPasswordFailureWindow
	}
	return q
}

// passwordKey keeps failure counts apart from request quotas that the caller
// may key by the same store or customer string.
func passwordKey(key string) string {
	return "pwfail:" + key
}
