package gateway

import (
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func newFakeClock() *fakeClock               { return &fakeClock{t: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)} }
func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// TestOutageLog_OneLinePerInterval: a 10 s outage at 1,000 failures a
// second writes one line per interval, each counting those it suppressed,
// and one recovery line.
func TestOutageLog_OneLinePerInterval(t *testing.T) {
	clock := newFakeClock()
	o := &outageLog{interval: 10 * time.Second, now: clock.now}
	if rec, _, _, _ := o.success(clock.now()); rec {
		t.Fatal("a success with no outage reported a recovery")
	}
	lines, suppressed := 0, 0
	for range 10 * 1000 {
		clock.advance(time.Millisecond)
		if log, s := o.failure(); log {
			lines++
			suppressed += s
		}
	}
	if lines != 1 || suppressed != 0 {
		t.Fatalf("10 s of failures: %d lines (suppressed %d), want 1 (0)", lines, suppressed)
	}
	clock.advance(time.Millisecond) // the interval has passed since the first line
	if log, s := o.failure(); !log || s != 9999 {
		t.Fatalf("failure after the interval: log=%v suppressed=%d, want true 9999", log, s)
	}
	clock.advance(time.Second)
	rec, failures, suppressed2, lasted := o.success(clock.now())
	if !rec || failures != 10001 || suppressed2 != 0 || lasted != 11*time.Second {
		t.Fatalf("first success: recovered=%v failures=%d suppressed=%d lasted=%v, want true 10001 0 11s", rec, failures, suppressed2, lasted)
	}
	if rec, _, _, _ := o.success(clock.now()); rec {
		t.Fatal("a second success reported the recovery again")
	}
}

// TestOutageLog_InFlight: a request begun before the outage that succeeds
// during it (its query was done) is no recovery.
func TestOutageLog_InFlight(t *testing.T) {
	clock := newFakeClock()
	o := &outageLog{interval: 10 * time.Second, now: clock.now}
	began := clock.now()
	clock.advance(time.Millisecond)
	if log, _ := o.failure(); !log {
		t.Fatal("the first failure was not logged")
	}
	clock.advance(time.Millisecond)
	if rec, _, _, _ := o.success(began); rec {
		t.Fatal("a request begun before the outage reported a recovery")
	}
	if rec, _, _, _ := o.success(clock.now()); !rec {
		t.Fatal("a request begun after the first failure reported no recovery")
	}
}

// TestOutageLog_Flapping: failures and successes alternating inside one
// interval write one error line and one recovery line, not one per request;
// the failures in between are counted in the next line.
func TestOutageLog_Flapping(t *testing.T) {
	clock := newFakeClock()
	o := &outageLog{interval: 10 * time.Second, now: clock.now}
	lines := 0
	for range 100 {
		clock.advance(10 * time.Millisecond)
		if log, _ := o.failure(); log {
			lines++
		}
		clock.advance(10 * time.Millisecond)
		if rec, _, _, _ := o.success(clock.now()); rec {
			lines++
		}
	}
	if lines != 2 {
		t.Fatalf("2 s of flapping: %d lines, want 2 (an error and a recovery)", lines)
	}
	clock.advance(10 * time.Second)
	rec, failures, suppressed, _ := o.success(clock.now())
	if !rec || failures != 99 || suppressed != 99 {
		t.Fatalf("success after the interval: recovered=%v failures=%d suppressed=%d, want true 99 99", rec, failures, suppressed)
	}
}
