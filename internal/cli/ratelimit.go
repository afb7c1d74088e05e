package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/ratelimit"
)

// RateLimitConfig is the rate limiting part of Config (docs/ratelimits.md).
type RateLimitConfig struct {
	// Quotas is the request quota of stores without one of their own:
	// "plan" (BigCommerce's quota for the store's plan), "off", or
	// comma-separated entries "N/WINDOW" (every plan) and
	// "PLAN=N/WINDOW" (one plan), e.g. "300/30s,pro=900/30s".
	Quotas string
	// RedisURL, when set, shares the counts between the nodes that use the
	// same Redis. Secret: it may hold a password.
	RedisURL    string
	RedisPrefix string
	// ValidateQuota caps a store's password validations, "N/WINDOW"; empty
	// means a third of the store's request quota.
	ValidateQuota         string
	MaxPasswordFailures   int
	PasswordFailureWindow time.Duration
	// GroupsMaxInflight caps the concurrent customer groups requests of a
	// store, per node.
	GroupsMaxInflight int

	plans         ratelimit.Plans   // parsed Quotas
	off           bool              // Quotas is "off"
	validateQuota *customersd.Quota // parsed ValidateQuota
}

// Short Redis timeouts: every request waits for the limiter, and the
// limiter fails open, so a slow answer is worse than none. A URL parameter
// (dial_timeout, read_timeout, write_timeout, pool_timeout, max_retries)
// wins over these.
const (
	redisDialTimeout = 250 * time.Millisecond
	redisIOTimeout   = 100 * time.Millisecond
	redisPoolTimeout = 250 * time.Millisecond
)

// rateLimitFlags registers the rate limiting flags with their CUSTOMERSD_*
// twins.
func (m *Main) rateLimitFlags(fs *flag.FlagSet, cfg *RateLimitConfig) error {
	env := func(name, def string) string { return envOr(m.Getenv, name, def) }
	failures, err := strconv.Atoi(env("CUSTOMERSD_PASSWORD_MAX_FAILURES", strconv.Itoa(ratelimit.DefaultMaxPasswordFailures)))
	if err != nil {
		return fmt.Errorf("CUSTOMERSD_PASSWORD_MAX_FAILURES: %w", err)
	}
	window, err := time.ParseDuration(env("CUSTOMERSD_PASSWORD_FAILURE_WINDOW", ratelimit.DefaultPasswordFailureWindow.String()))
	if err != nil {
		return fmt.Errorf("CUSTOMERSD_PASSWORD_FAILURE_WINDOW: %w", err)
	}
	inflight, err := strconv.Atoi(env("CUSTOMERSD_GROUPS_MAX_INFLIGHT", strconv.Itoa(ratelimit.DefaultMaxInflight)))
	if err != nil {
		return fmt.Errorf("CUSTOMERSD_GROUPS_MAX_INFLIGHT: %w", err)
	}
	fs.StringVar(&cfg.Quotas, "rate-limit", env("CUSTOMERSD_RATE_LIMIT", "plan"),
		`request quota of stores without their own: "plan" (`+ratelimit.DescribePlans()+`), "off", `+
			`or N/WINDOW and PLAN=N/WINDOW entries, e.g. "300/30s,pro=900/30s" (env CUSTOMERSD_RATE_LIMIT)`)
	cfg.RedisURL = m.Getenv("CUSTOMERSD_REDIS_URL")
	fs.Var(dsnFlag{&cfg.RedisURL}, "redis",
		"redis:// URL of a Redis to share rate limit counts between nodes; in memory when empty (env CUSTOMERSD_REDIS_URL)")
	fs.StringVar(&cfg.RedisPrefix, "redis-prefix", env("CUSTOMERSD_REDIS_PREFIX", ratelimit.DefaultRedisPrefix),
		"prefix of the Redis keys; give each deployment sharing a Redis its own (env CUSTOMERSD_REDIS_PREFIX)")
	fs.StringVar(&cfg.ValidateQuota, "validate-rate-limit", m.Getenv("CUSTOMERSD_VALIDATE_RATE_LIMIT"),
		"cap on a store's password validations, N/WINDOW; empty: a third of the store's request quota (env CUSTOMERSD_VALIDATE_RATE_LIMIT)")
	fs.IntVar(&cfg.MaxPasswordFailures, "password-max-failures", failures,
		"failed validations of a customer's password that lock it until the window ends (env CUSTOMERSD_PASSWORD_MAX_FAILURES)")
	fs.DurationVar(&cfg.PasswordFailureWindow, "password-failure-window", window,
		"window of --password-max-failures, from the first failure (env CUSTOMERSD_PASSWORD_FAILURE_WINDOW)")
	fs.IntVar(&cfg.GroupsMaxInflight, "groups-max-inflight", inflight,
		"concurrent customer groups requests per store and node (env CUSTOMERSD_GROUPS_MAX_INFLIGHT)")
	return nil
}

// validate parses the quotas and checks the bounds.
func (cfg *RateLimitConfig) validate() error {
	var err error
	if cfg.plans, cfg.off, err = ratelimit.ParsePlans(cfg.Quotas); err != nil {
		return fmt.Errorf("--rate-limit: %w", err)
	}
	cfg.validateQuota = nil
	if cfg.ValidateQuota != "" {
		q, err := ratelimit.ParseQuota(cfg.ValidateQuota)
		if err != nil {
			return fmt.Errorf("--validate-rate-limit: %w", err)
		}
		cfg.validateQuota = &q
	}
	if cfg.MaxPasswordFailures < 1 {
		return fmt.Errorf("--password-max-failures must be at least 1, not %d", cfg.MaxPasswordFailures)
	}
	if cfg.PasswordFailureWindow < time.Second {
		return fmt.Errorf("--password-failure-window must be at least 1s, not %v", cfg.PasswordFailureWindow)
	}
	if cfg.GroupsMaxInflight < 1 {
		return fmt.Errorf("--groups-max-inflight must be at least 1, not %d", cfg.GroupsMaxInflight)
	}
	if cfg.RedisURL != "" {
		if _, err := redisOptions(cfg.RedisURL); err != nil {
			return fmt.Errorf("--redis: %w", err) // the URL is not quoted: it may hold a password
		}
	}
	return nil
}

// open returns the server's rate limits. onError counts backend errors (a
// metric). An unreachable Redis is not an error: the limiter fails open, so
// the server starts, and says so in the log. The Redis client lives as long
// as the process.
func (cfg *RateLimitConfig) open(logger *slog.Logger, onError func(error)) (*ratelimit.Policy, error) {
	l := &ratelimit.Limiter{Logger: logger, OnError: onError}
	if cfg.RedisURL != "" {
		opt, err := redisOptions(cfg.RedisURL)
		if err != nil {
			return nil, fmt.Errorf("--redis: %w", err)
		}
		quietRedisOnce.Do(func() { redis.SetLogger(redisLogger{logger}) })
		client := redis.NewClient(opt)
		ctx, cancel := context.WithTimeout(context.Background(), 2*redisDialTimeout)
		defer cancel()
		if err := client.Ping(ctx).Err(); err != nil {
			logger.Warn("ratelimit: Redis unreachable at start-up; allowing requests uncounted until it answers",
				slog.String("addr", opt.Addr), slog.Any("error", err))
		}
		// The Breaker spares requests the timeout of a Redis that hangs:
		// after a failure, one call a second probes and the rest skip it.
		l.Backend = &ratelimit.Breaker{Backend: ratelimit.NewRedis(client, cfg.RedisPrefix)}
	}
	return &ratelimit.Policy{
		Limiter:               l,
		Off:                   cfg.off,
		Plans:                 cfg.plans,
		ValidateQuota:         cfg.validateQuota,
		MaxPasswordFailures:   cfg.MaxPasswordFailures,
		PasswordFailureWindow: cfg.PasswordFailureWindow,
		Inflight:              ratelimit.NewInflight(cfg.GroupsMaxInflight),
	}, nil
}

// go-redis logs every failed dial on its own, which during an outage is a
// line per request; the Limiter already logs once per interval. Its lines go
// to the first server's logger at debug level. The logger is global to
// go-redis, hence the Once.
var quietRedisOnce sync.Once

type redisLogger struct{ l *slog.Logger }

func (r redisLogger) Printf(ctx context.Context, format string, v ...any) {
	r.l.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}

// redisOptions parses a redis://, rediss:// or unix:// URL, or a bare
// host:port, and shortens go-redis's timeouts (5 s to dial, 5 attempts, 3
// retries) where the URL does not set them: with those, a dead Redis would
// hold every request for seconds. After PoolSize failed dials in a row,
// go-redis fails at once and probes in the background; and the Breaker in
// front of it skips Redis for a second after each failure. So an outage,
// even of a Redis that accepts connections and never answers, costs one
// request a second at most a timeout, and the others almost nothing.
func redisOptions(rawURL string) (*redis.Options, error) {
	if !strings.Contains(rawURL, "://") {
		rawURL = "redis://" + rawURL
	}
	opt, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, errors.New("not a redis://, rediss:// or unix:// URL")
	}
	if opt.DialTimeout == 0 {
		opt.DialTimeout = redisDialTimeout
	}
	if opt.ReadTimeout == 0 {
		opt.ReadTimeout = redisIOTimeout
	}
	if opt.WriteTimeout == 0 {
		opt.WriteTimeout = redisIOTimeout
	}
	if opt.PoolTimeout == 0 {
		opt.PoolTimeout = redisPoolTimeout
	}
	if opt.MaxRetries == 0 {
		// No retries: a lost answer to the counting script may still have
		// counted, and a request that is not counted is let through anyway.
		opt.MaxRetries = -1
	}
	opt.DialerRetries = 1
	return opt, nil
}
