package ratelimit

import (
	"context"
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
// Locked and Fail are two steps, so concurrent attempts on one key may each
// pass Locked before any records its failure; the overshoot is bounded by
// the requests in flight. Cap validations per store as well, with
// Limiter.Allow on a key of its own (e.g. "store:42:validate").
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

// Fail records a failed validation for key and reports whether key is now
// locked, and for how long.
func (g *PasswordGuard) Fail(ctx context.Context, key string) (locked bool, resetAfter time.Duration) {
	d := g.Limiter.Allow(ctx, passwordKey(key), g.quota())
	if d.Remaining > 0 {
		return false, 0
	}
	return true, d.ResetAfter
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
