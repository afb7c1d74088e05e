package panel

import (
	"fmt"
	"time"

	"github.com/customersd/customersd/fault"
	"github.com/customersd/customersd/journal"
)

// entry is a journal entry as the requests page shows it.
type entry journal.Entry

func journalFilter(limit int) journal.Filter { return journal.Filter{Limit: limit} }

// Duration is the entry's time in words.
func (e *entry) Duration() string {
	return (time.Duration(e.DurationMS * float64(time.Millisecond))).Round(10 * time.Microsecond).String()
}

// faultRule is a fault rule as the faults page words it.
type faultRule struct {
	fault.Status
	Match, When, What string
}

func newFaultRule(st fault.Status) *faultRule {
	r := st.Rule
	f := &faultRule{Status: st}
	f.Match = words(ifSet(r.Method, "method %s"), ifSet(r.Route, "route %s"), ifSet(r.PathPrefix, "paths starting %s"), ifSet(r.ClientID, "API account %s"))
	if f.Match == "" {
		f.Match = "every request of the store"
	}
	f.When = words(ifSet(r.Every, "every %dth match"), probability(r.Probability), ifSet(r.Times, "at most %d times"), ifSet(r.TTL, "for %v"))
	if f.When == "" {
		f.When = "every match"
	}
	f.What = words(delay(r.Delay, r.DelayMax), ifSet(r.Status, "answer %d"), ifSet(r.RetryAfter, "retry after %d s"), ifSet(r.Drop, "drop the connection (%s)"))
	if r.Status == 429 {
		if r.RateHeaders {
			f.What += ", with the X-Rate-Limit headers"
		} else {
			f.What += ", without the X-Rate-Limit headers"
		}
	}
	if f.What == "" {
		f.What = "nothing (the request as usual)"
	}
	return f
}

func probability(p *float64) string {
	if p == nil {
		return ""
	}
	return fmt.Sprintf("with probability %g", *p)
}

func delay(d, max time.Duration) string {
	switch {
	case d == 0 && max == 0:
		return ""
	case max > d:
		return fmt.Sprintf("wait %v to %v", d, max)
	}
	return fmt.Sprintf("wait %v", d)
}
