package ratelimit

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/customersd/customersd"
)

// DefaultLogInterval is how often a failing backend is logged by default.
const DefaultLogInterval = 30 * time.Second

// Limiter decides whether a request fits its quota. It fails open: when the
// backend fails (Redis unreachable), requests are allowed, because refusing
// every store's traffic during an outage of a side service is worse than
// letting a few stores briefly exceed their quota.
//
// The zero Limiter counts in memory; set the fields before first use.
type Limiter struct {
	// Backend counts the requests; nil means a Memory, created on first use.
	Backend Backend
	// OnError, if set, is called with every backend error, for a metric,
	// possibly from several goroutines at once.
	OnError func(error)
	// Logger receives backend errors, at most one per LogInterval so that an
	// outage does not flood the log; nil means slog.Default().
	Logger *slog.Logger
	// LogInterval is the least time between two logged errors; zero means
	// DefaultLogInterval.
	LogInterval time.Duration
	// Now is the clock for LogInterval (and for the default Memory); nil
	// means time.Now.
	Now func() time.Time

	once       sync.Once
	mu         sync.Mutex // guards lastLog and suppressed
	lastLog    time.Time
	suppressed int
}

// Allow counts one request for key against q. Callers keep keys of different
// quotas apart (e.g. "store:42" and "store:42:validate"), since a key's count
// is shared by whoever uses it.
func (l *Limiter) Allow(ctx context.Context, key string, q customersd.Quota) Decision {
	d, _ := l.take(ctx, key, q)
	return d
}

// take is Allow, also telling whether the request was counted, and so
// whether there is a count to give back.
func (l *Limiter) take(ctx context.Context, key string, q customersd.Quota) (d Decision, counted bool) {
	count, reset, err := l.backend().Incr(ctx, key, q.Window)
	if err != nil {
		l.report(err)
		// Headers as if the window were untouched: the count is unknown, and
		// a client must not back off because our Redis is down.
		return Decision{Allowed: true, Quota: q, Remaining: q.Requests, ResetAfter: q.Window}, false
	}
	return Decision{
		Allowed:    count <= int64(q.Requests),
		Quota:      q,
		Remaining:  int(max(int64(q.Requests)-count, 0)),
		ResetAfter: min(max(reset, 0), q.Window),
	}, true
}

// giveBack is Backend.Decr with the Limiter's error reporting: it undoes a
// count that take made.
func (l *Limiter) giveBack(ctx context.Context, key string) {
	if err := l.backend().Decr(ctx, key); err != nil {
		l.report(err)
	}
}

// peek is Backend.Peek with the Limiter's error reporting; on error it
// reports a zero count, failing open like Allow.
func (l *Limiter) peek(ctx context.Context, key string) (int64, time.Duration) {
	count, reset, err := l.backend().Peek(ctx, key)
	if err != nil {
		l.report(err)
		return 0, 0
	}
	return count, max(reset, 0)
}

func (l *Limiter) backend() Backend {
	l.once.Do(func() {
		if l.Backend == nil {
			l.Backend = NewMemory(l.Now)
		}
	})
	return l.Backend
}

// report hands err to OnError and logs it unless another error was logged
// less than LogInterval ago; the next log line says how many were skipped.
func (l *Limiter) report(err error) {
	if l.OnError != nil {
		l.OnError(err)
	}
	now := time.Now()
	if l.Now != nil {
		now = l.Now()
	}
	interval := l.LogInterval
	if interval <= 0 {
		interval = DefaultLogInterval
	}

	l.mu.Lock()
	if !l.lastLog.IsZero() && now.Sub(l.lastLog) < interval {
		l.suppressed++
		l.mu.Unlock()
		return
	}
	skipped := l.suppressed
	l.lastLog, l.suppressed = now, 0
	l.mu.Unlock()

	logger := l.Logger
	if logger == nil {
		logger = slog.Default()
	}
	logger.Error("ratelimit: backend failed, allowing requests",
		slog.Any("error", err), slog.Int("suppressed", skipped))
}
