package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultRedisPrefix is the suggested key prefix for Redis, so that our keys
// can share a Redis with other programs.
const DefaultRedisPrefix = "customersd:rl:"

// Redis is the Backend shared by every node that uses the same Redis: a
// store's quota is then one quota, however many nodes serve it. The window's
// clock is Redis's (the key's TTL), so nodes with skewed clocks agree.
//
// Every request waits for Redis, even when Limiter fails open, so give the
// client short timeouts (DialTimeout, ReadTimeout, few DialerRetries and
// MaxRetries) or bound Allow with a context deadline: go-redis's defaults
// (5 s dial timeout, 5 dial attempts) would hold requests for seconds while
// Redis is unreachable.
type Redis struct {
	client redis.UniversalClient
	prefix string
}

// NewRedis returns a Redis backend whose keys are prefix followed by the
// limiter's key; prefix may be empty.
func NewRedis(c redis.UniversalClient, prefix string) *Redis {
	return &Redis{client: c, prefix: prefix}
}

var _ Backend = (*Redis)(nil)

// incrScript counts and starts the window in one atomic step, so two nodes
// can never both read "one left" and both spend it, and a crash between INCR
// and PEXPIRE cannot leave a counter that never resets. It sets the expiry
// whenever the key has none (PTTL -1), not only when INCR returned 1: a key
// that lost its TTL (restored from a dump, PERSISTed by hand) would
// otherwise lock its store out for good.
var incrScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
	redis.call('PEXPIRE', KEYS[1], ARGV[1])
	ttl = tonumber(ARGV[1])
end
return {n, ttl}
`)

// peekScript reads count and TTL together so they belong to the same window.
var peekScript = redis.NewScript(`
local n = redis.call('GET', KEYS[1])
if not n then
	return {0, 0}
end
return {tonumber(n), redis.call('PTTL', KEYS[1])}
`)

// decrScript gives back one count without ever creating a key: a bare DECR
// on a key that has just expired would leave -1 with no expiry, a counter
// that never resets. At one it deletes the key, so that the next INCR starts
// a new window.
var decrScript = redis.NewScript(`
local n = tonumber(redis.call('GET', KEYS[1]))
if not n then
	return 0
end
if n <= 1 then
	redis.call('DEL', KEYS[1])
	return 0
end
return redis.call('DECR', KEYS[1])
`)

// Incr implements Backend with one script call (EVALSHA, falling back to
// EVAL after a script cache flush).
func (r *Redis) Incr(ctx context.Context, key string, window time.Duration) (int64, time.Duration, error) {
	if window <= 0 {
		return 0, 0, fmt.Errorf("ratelimit: window %v for key %q is not positive", window, key)
	}
	// Round up: a window below 1 ms would be PEXPIRE 0, which deletes the key.
	ms := int64((window + time.Millisecond - 1) / time.Millisecond)
	count, reset, err := r.run(ctx, incrScript, key, ms)
	if err != nil {
		return 0, 0, fmt.Errorf("ratelimit: redis incr %q: %w", key, err)
	}
	return count, reset, nil
}

// Peek implements Backend.
func (r *Redis) Peek(ctx context.Context, key string) (int64, time.Duration, error) {
	count, reset, err := r.run(ctx, peekScript, key)
	if err != nil {
		return 0, 0, fmt.Errorf("ratelimit: redis peek %q: %w", key, err)
	}
	return count, reset, nil
}

// Decr implements Backend with one script call.
func (r *Redis) Decr(ctx context.Context, key string) error {
	if err := decrScript.Run(ctx, r.client, []string{r.prefix + key}).Err(); err != nil {
		return fmt.Errorf("ratelimit: redis decr %q: %w", key, err)
	}
	return nil
}

// run runs a script that returns {count, pttl} and converts the PTTL, which
// is negative for a key without expiry, to a duration of at least zero.
func (r *Redis) run(ctx context.Context, s *redis.Script, key string, args ...any) (int64, time.Duration, error) {
	vals, err := s.Run(ctx, r.client, []string{r.prefix + key}, args...).Int64Slice()
	if err != nil {
		return 0, 0, err
	}
	if len(vals) != 2 {
		return 0, 0, fmt.Errorf("script returned %d values, want 2", len(vals))
	}
	return vals[0], time.Duration(max(vals[1], 0)) * time.Millisecond, nil
}
