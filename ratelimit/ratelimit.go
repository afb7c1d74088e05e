// Package ratelimit counts requests against quotas: per-store request quotas,
// a guard against password guessing, and a cap on concurrent requests.
//
// Counting lives behind Backend so that one node can count in its own memory
// (Memory) and several nodes can share one count through Redis (Redis). The
// package knows nothing about HTTP: package gateway turns a Decision into
// the X-Rate-Limit-* headers and a LimitError into the 429 response.
package ratelimit

import (
	"context"
	"time"

	"github.com/customersd/customersd"
)

// DefaultWindow is the window of every BigCommerce plan.
const DefaultWindow = 30 * time.Second

// Decision is the outcome of counting one request against a quota, with what
// the rate limit headers need.
type Decision struct {
	Allowed bool
	Quota   customersd.Quota
	// Remaining is the number of requests left in the window, never negative.
	Remaining int
	// ResetAfter is the time until the window ends and the quota refills.
	ResetAfter time.Duration
}

// RetryAfterSeconds returns ResetAfter in whole seconds, rounded up and at
// least 1: X-Retry-After is in seconds, and a client told to retry after 0
// seconds retries at once and is refused again.
func (d Decision) RetryAfterSeconds() int {
	s := int((d.ResetAfter + time.Second - 1) / time.Second)
	return max(s, 1)
}

// Backend counts requests per key in fixed windows. A key must always be
// used with the same window length. Implementations are safe for concurrent
// use; their errors mean the count is unknown, never that a quota is spent.
type Backend interface {
	// Incr adds one to key's counter in a fixed window of length window that
	// starts at the first Incr, returning the new count and the time left in
	// the window.
	Incr(ctx context.Context, key string, window time.Duration) (count int64, resetAfter time.Duration, err error)
	// Peek returns key's count and the time left in its window without
	// changing them: zero and zero when the key has no current window.
	Peek(ctx context.Context, key string) (count int64, resetAfter time.Duration, err error)
	// Decr takes one from key's count in its current window, giving back a
	// count taken by Incr. It never goes below zero, and it deletes a key
	// whose count reaches zero, so that the next Incr starts a new window.
	// A key without a current window is left alone.
	Decr(ctx context.Context, key string) error
}
