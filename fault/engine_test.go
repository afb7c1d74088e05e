package fault_test

import (
	"testing"
	"time"

	"github.com/customersd/customersd/fault"
)

func seed(n int64) *int64 { return &n }

func decisions(e *fault.Engine, n int) (fired []bool, delays []time.Duration) {
	for range n {
		a := e.Match(1, fault.Request{Method: "GET", Route: "/customers"})
		fired = append(fired, a != nil)
		if a != nil {
			delays = append(delays, a.Delay)
		}
	}
	return fired, delays
}

// TestEngine_Repeatable: a seed repeats the firing decisions and the
// drawn delays, request by request.
func TestEngine_Repeatable(t *testing.T) {
	p := 0.3
	rule := fault.Rule{Probability: &p, Seed: seed(99), Delay: 10 * time.Millisecond, DelayMax: 50 * time.Millisecond, RateHeaders: true}
	if err := rule.Validate(nil); err != nil {
		t.Fatal(err)
	}
	var runs [2][]bool
	var delays [2][]time.Duration
	for i := range runs {
		e := &fault.Engine{}
		e.Add(1, rule)
		runs[i], delays[i] = decisions(e, 200)
	}
	fired := 0
	for i := range runs[0] {
		if runs[0][i] != runs[1][i] {
			t.Fatalf("decision %d differs between two runs of seed 99", i)
		}
		if runs[0][i] {
			fired++
		}
	}
	if fired < 30 || fired > 90 {
		t.Fatalf("p=0.3 fired %d times in 200", fired)
	}
	seen := map[time.Duration]bool{}
	for i, d := range delays[0] {
		if d != delays[1][i] || d < 10*time.Millisecond || d > 50*time.Millisecond {
			t.Fatalf("delay %d: %s and %s, want equal and within 10-50 ms", i, d, delays[1][i])
		}
		seen[d] = true
	}
	if len(seen) < 5 {
		t.Fatalf("only %d distinct delays drawn", len(seen))
	}
}

func TestEngine_FirstFiringRuleWins(t *testing.T) {
	e := &fault.Engine{}
	a := e.Add(1, fault.Rule{Every: 2, Status: 500, RateHeaders: true})
	b := e.Add(1, fault.Rule{Status: 503, RateHeaders: true})
	var got []string
	for range 4 {
		got = append(got, e.Match(1, fault.Request{Method: "GET"}).RuleID)
	}
	want := []string{b.ID, a.ID, b.ID, a.ID}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("rules fired %v, want %v", got, want)
		}
	}
	if !e.Active() || e.Match(2, fault.Request{}) != nil {
		t.Fatal("another store's request matched")
	}
	e.Clear(1)
	if e.Active() {
		t.Fatal("active after clear")
	}
}

func TestEngine_NilAndEmpty(t *testing.T) {
	var e *fault.Engine
	if e.Active() || e.Match(1, fault.Request{}) != nil {
		t.Fatal("a nil engine fired")
	}
	e.Clear(1)
}

// BenchmarkMatch is the engine's cost per request: none (no rule on the
// node: one atomic load) and five rules of the store that do not match.
func BenchmarkMatch(b *testing.B) {
	req := fault.Request{Method: "GET", Route: "/customers/{customer_id}", Path: "/stores/bench/v2/customers/1", ClientID: "client"}
	b.Run("no-rules", func(b *testing.B) {
		e := &fault.Engine{}
		for b.Loop() {
			e.Match(1, req)
		}
	})
	b.Run("five-not-matching", func(b *testing.B) {
		e := &fault.Engine{}
		for _, r := range []fault.Rule{
			{Method: "POST", Route: "/customers", Status: 429},
			{Route: "/customer_groups", Status: 503},
			{Method: "GET", Route: "/customers/{customer_id}", ClientID: "another-client", Status: 500},
			{PathPrefix: "/stores/bench/v2/customer_groups", Drop: fault.DropReset},
			{Method: "DELETE", Delay: time.Second},
		} {
			e.Add(1, r)
		}
		for b.Loop() {
			if e.Match(1, req) != nil {
				b.Fatal("matched")
			}
		}
	})
}
