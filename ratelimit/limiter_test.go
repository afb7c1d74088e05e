package ratelimit_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/ratelimit"
)

// clock is a settable time source for Memory.Now and Limiter.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Date(2024, 5, 6, 7, 34, 10, 0, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// failingBackend is a Backend whose every call fails with err.
type failingBackend struct{ err error }

func (b failingBackend) Incr(context.Context, string, time.Duration) (int64, time.Duration, error) {
	return 0, 0, b.err
}

func (b failingBackend) Peek(context.Context, string) (int64, time.Duration, error) {
	return 0, 0, b.err
}

func (b failingBackend) Decr(context.Context, string) error { return b.err }

func TestLimiter_Allow(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	l := &ratelimit.Limiter{Backend: ratelimit.NewMemory(c.Now)}
	q := customersd.Quota{Requests: 3, Window: 30 * time.Second}

	// Each step runs one Allow after moving the clock by advance since the
	// previous step; the window starts at the first request.
	steps := []struct {
		name       string
		advance    time.Duration
		key        string
		want       bool
		remaining  int
		resetAfter time.Duration
	}{
		{"First", 0, "store:1", true, 2, 30 * time.Second},
		{"Second", 10 * time.Second, "store:1", true, 1, 20 * time.Second},
		{"Last", 0, "store:1", true, 0, 20 * time.Second},
		{"Over", 0, "store:1", false, 0, 20 * time.Second},
		{"StillZero", 0, "store:1", false, 0, 20 * time.Second},
		{"OtherKey", 0, "store:2", true, 2, 30 * time.Second},
		{"JustBeforeEnd", 20*time.Second - time.Millisecond, "store:1", false, 0, time.Millisecond},
		{"RefilledAtEnd", time.Millisecond, "store:1", true, 2, 30 * time.Second},
	}
	for _, s := range steps {
		c.Add(s.advance)
		d := l.Allow(ctx, s.key, q)
		if d.Allowed != s.want || d.Remaining != s.remaining || d.ResetAfter != s.resetAfter || d.Quota != q {
			t.Fatalf("%s: Allow=%+v, want Allowed=%v Remaining=%d ResetAfter=%v customersd.Quota=%+v",
				s.name, d, s.want, s.remaining, s.resetAfter, q)
		}
	}
}

func TestLimiter_ZeroValue(t *testing.T) {
	var l ratelimit.Limiter
	q := customersd.Quota{Requests: 1, Window: time.Hour}
	if d := l.Allow(context.Background(), "k", q); !d.Allowed {
		t.Fatalf("first Allow=%+v, want allowed", d)
	}
	if d := l.Allow(context.Background(), "k", q); d.Allowed {
		t.Fatalf("second Allow=%+v, want denied", d)
	}
}

func TestLimiter_FailOpen(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	var buf bytes.Buffer
	var reported []error
	l := &ratelimit.Limiter{
		Backend:     failingBackend{err: errors.New("dial tcp 127.0.0.1:6379: connection refused")},
		OnError:     func(err error) { reported = append(reported, err) },
		Logger:      slog.New(slog.NewTextHandler(&buf, nil)),
		LogInterval: 30 * time.Second,
		Now:         c.Now,
	}
	q := customersd.Quota{Requests: 150, Window: 30 * time.Second}
	logLines := func() []string { return strings.Split(strings.TrimSpace(buf.String()), "\n") }

	for range 3 {
		d := l.Allow(ctx, "store:1", q)
		if want := (ratelimit.Decision{Allowed: true, Quota: q, Remaining: 150, ResetAfter: 30 * time.Second}); d != want {
			t.Fatalf("Allow=%+v, want %+v", d, want)
		}
	}
	c.Add(29 * time.Second)
	l.Allow(ctx, "store:1", q)
	if got, want := len(reported), 4; got != want {
		t.Fatalf("OnError called %d times, want %d", got, want)
	}
	if got := logLines(); len(got) != 1 || !strings.Contains(got[0], "connection refused") {
		t.Fatalf("log within one interval=%q, want one line with the error", got)
	}

	c.Add(time.Second)
	l.Allow(ctx, "store:1", q)
	got := logLines()
	if len(got) != 2 || !strings.Contains(got[1], "suppressed=3") {
		t.Fatalf("log after one interval=%q, want a second line with suppressed=3", got)
	}
}

func TestDecision_RetryAfterSeconds(t *testing.T) {
	tests := []struct {
		resetAfter time.Duration
		want       int
	}{
		{0, 1},
		{-time.Second, 1},
		{time.Nanosecond, 1},
		{time.Second, 1},
		{time.Second + time.Nanosecond, 2},
		{20 * time.Second, 20},
		{29500 * time.Millisecond, 30},
	}
	for _, tt := range tests {
		d := ratelimit.Decision{ResetAfter: tt.resetAfter}
		if got := d.RetryAfterSeconds(); got != tt.want {
			t.Errorf("RetryAfterSeconds(%v)=%d, want %d", tt.resetAfter, got, tt.want)
		}
	}
}

func TestQuotaForPlan(t *testing.T) {
	tests := []struct {
		plan   string
		want   customersd.Quota
		wantOK bool
	}{
		{"standard", customersd.Quota{Requests: 150, Window: 30 * time.Second}, true},
		{"Plus", customersd.Quota{Requests: 150, Window: 30 * time.Second}, true},
		{"pro", customersd.Quota{Requests: 450, Window: 30 * time.Second}, true},
		{"enterprise", customersd.Quota{Requests: 1800, Window: 30 * time.Second}, true},
		{"gold", customersd.Quota{}, false},
		{"", customersd.Quota{}, false},
	}
	for _, tt := range tests {
		got, ok := ratelimit.QuotaForPlan(tt.plan)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("QuotaForPlan(%q)=%+v, %v, want %+v, %v", tt.plan, got, ok, tt.want, tt.wantOK)
		}
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
