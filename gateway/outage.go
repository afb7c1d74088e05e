package gateway

import (
	"sync"
	"sync/atomic"
	"time"
)

// outageLogInterval is the least time between two ERROR lines of one
// outage: a database down for 10 s under load used to write 75,000 lines
// (57 MB), each saying the same thing.
const outageLogInterval = 10 * time.Second

// outageLog decides which failures of an unavailable backend are worth a
// log line: at most one per interval, carrying the count of those it
// suppressed since the last, and one line when the backend answers again.
// The zero value logs at most once per outageLogInterval on the wall clock.
type outageLog struct {
	interval time.Duration    // 0: outageLogInterval
	now      func() time.Time // nil: time.Now

	down atomic.Bool // a failure is not yet followed by a reported recovery: the fast path of success
	mu   sync.Mutex
	// reported: an ERROR line was written since the outage began.
	reported bool
	// start is the outage's first failure; last, the last line.
	start, last time.Time
	// failures counts the outage's failures; suppressed, those without a
	// line since the last one.
	failures, suppressed int
}

// failure records a request the backend failed. When it is time for a line,
// it returns log true and the number of failures left unlogged before it.
func (o *outageLog) failure() (log bool, suppressed int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.clock()
	if !o.down.Load() {
		o.down.Store(true)
		o.reported, o.start, o.failures = false, now, 0
	}
	o.failures++
	if !o.last.IsZero() && now.Sub(o.last) < o.intervalOrDefault() {
		o.suppressed++
		return false, 0
	}
	suppressed, o.suppressed = o.suppressed, 0
	o.last, o.reported = now, true
	return true, suppressed
}

// success records a request the backend served, which began at began. The
// first begun after an outage's first failure, once that outage was logged,
// returns recovered true, with the outage's failures, those of them no line
// counted yet, and how long it lasted; a request begun before says nothing
// of the backend now. A short failure right after a line (inside the quiet
// interval) is no outage of its own: its count waits for the next line, so
// flapping cannot write a recovery line per request.
func (o *outageLog) success(began time.Time) (recovered bool, failures, suppressed int, lasted time.Duration) {
	if !o.down.Load() {
		return false, 0, 0, 0
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.clock()
	if !o.down.Load() || began.Before(o.start) || (!o.reported && now.Sub(o.last) < o.intervalOrDefault()) {
		return false, 0, 0, 0
	}
	o.down.Store(false)
	failures, suppressed, o.suppressed = o.failures, o.suppressed, 0
	o.last = now // the recovery line counts as the interval's line
	return true, failures, suppressed, now.Sub(o.start)
}

func (o *outageLog) clock() time.Time {
	if o.now == nil {
		return time.Now()
	}
	return o.now()
}

func (o *outageLog) intervalOrDefault() time.Duration {
	if o.interval == 0 {
		return outageLogInterval
	}
	return o.interval
}
