package customersd

import (
	"fmt"
	"time"
)

// RateLimit is a store's own request quota: Requests per fixed Window,
// refilled when the window ends (BEHAVIOR.md, "Rate limits"). A store
// without one gets the server's default for its plan.
type RateLimit struct {
	Requests int
	Window   time.Duration
}

// Bounds of a RateLimit. A quota of zero would refuse every request of the
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
func (q *RateLimit) Validate() error {
	if q.Requests < 1 || q.Requests > MaxRateLimitRequests {
		return Invalid("rate_limit.requests")
	}
	if q.Window < MinRateLimitWindow || q.Window > MaxRateLimitWindow || q.Window%time.Millisecond != 0 {
		return Invalid("rate_limit.window_ms")
	}
	return nil
}

// String returns the quota as N/WINDOW, e.g. "150/30s".
func (q RateLimit) String() string {
	return fmt.Sprintf("%d/%v", q.Requests, q.Window)
}

// UnthrottledRateLimit is the quota given to stores made for development and
// test suites: the zero-setup store, CUSTOMERSD_STORE_HASH's, --seed's, and
// stores created through the admin API or the CLI without a plan or quota.
// It is high enough that no test suite meets it ("a limiter that surprises a
// test suite is worse than none"), yet a real quota of the store's own, so
// the X-Rate-Limit-* headers carry honest numbers and it can be changed
// later. A store created with a plan gets that plan's quota instead.
func UnthrottledRateLimit() *RateLimit {
	return &RateLimit{Requests: 1_000_000, Window: 30 * time.Second}
}
