package customersd

import (
	"fmt"
	"time"
)

// Quota is a number of requests allowed per fixed window: Requests per
// Window, refilled when the window ends (BEHAVIOR.md, "Rate limits"). It is
// a store's own request quota (Store.RateLimit; a store without one gets
// the server's default for its plan) and every quota package ratelimit
// counts against.
type Quota struct {
	Requests int
	Window   time.Duration
}

// Bounds of a store's own Quota. A quota of zero would refuse every request of the
// store, which is deleting the store's tokens in disguise; the upper bounds
// keep the numbers meaningful in the X-Rate-Limit-* headers and well inside
// the integer columns that hold them.
const (
	MaxRateLimitRequests = 1_000_000_000
	MinRateLimitWindow   = time.Millisecond
	MaxRateLimitWindow   = 24 * time.Hour
)

// Validate returns EINVALID, naming "rate_limit.requests" or
// "rate_limit.window_ms", for a quota out of bounds or a window that is not
// a whole number of milliseconds (the headers and the database hold
// milliseconds).
func (q *Quota) Validate() error {
	if q.Requests < 1 || q.Requests > MaxRateLimitRequests {
		return Invalid("rate_limit.requests")
	}
	if q.Window < MinRateLimitWindow || q.Window > MaxRateLimitWindow || q.Window%time.Millisecond != 0 {
		return Invalid("rate_limit.window_ms")
	}
	return nil
}

// String returns the quota as N/WINDOW, e.g. "150/30s".
func (q Quota) String() string {
	return fmt.Sprintf("%d/%v", q.Requests, q.Window)
}
