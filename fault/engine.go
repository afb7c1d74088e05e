package fault

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/customersd/customersd"
)

// Engine holds the rules of every store on this node. The zero value is
// ready; a nil *Engine has no rules.
type Engine struct {
	// Now is the clock of TTLs; nil means time.Now.
	Now func() time.Time

	// held counts the rules of all stores: with none, Match returns at
	// once, so a server with no rules pays one atomic load per request.
	held   atomic.Int64
	mu     sync.RWMutex
	stores map[customersd.StoreID]*storeRules
}

type storeRules struct {
	mu    sync.Mutex
	rules []*state // in the order they were added: the first that fires wins
}

// state is a rule and what it has counted.
type state struct {
	Rule
	created, expires time.Time // expires zero: no TTL
	matched, fired   int
	rng              *mrand.Rand // nil unless the rule draws
}

// Status is a rule as it stands: its counts and times.
type Status struct {
	Rule
	Created time.Time
	// Expires is zero for a rule without TTL.
	Expires        time.Time
	Matched, Fired int
}

// Request is what a rule can match.
type Request struct {
	Method string
	// Route is the route pattern relative to the version root; "" when no
	// route serves the request.
	Route    string
	Path     string
	ClientID string
}

// Action is what a fired rule asks of the gateway.
type Action struct {
	RuleID string
	// Delay comes first, then Status, or Drop, or the request as usual.
	Delay       time.Duration
	Status      int
	RateHeaders bool
	RetryAfter  int // seconds, at least 1
	Drop        string
}

func (e *Engine) now() time.Time {
	if e.Now == nil {
		return time.Now()
	}
	return e.Now()
}

// Add gives r an ID and adds it to the store's rules. A rule that draws
// (probability or a delay range) without a seed gets a random one, shown
// in its Status so that a run can be repeated. r must be valid.
func (e *Engine) Add(store customersd.StoreID, r Rule) Status {
	r.ID = newID()
	if r.Seed == nil && (r.Probability != nil || r.DelayMax > r.Delay) {
		var b [8]byte
		rand.Read(b[:])
		seed := int64(binary.LittleEndian.Uint64(b[:]) >> 1)
		r.Seed = &seed
	}
	s := &state{Rule: r, created: e.now()}
	if r.TTL > 0 {
		s.expires = s.created.Add(r.TTL)
	}
	if r.Seed != nil {
		s.rng = mrand.New(mrand.NewPCG(uint64(*r.Seed), 0))
	}
	sr := e.storeRules(store, true)
	sr.mu.Lock()
	sr.rules = append(sr.rules, s)
	sr.mu.Unlock()
	e.held.Add(1)
	return s.status()
}

func newID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (e *Engine) storeRules(store customersd.StoreID, create bool) *storeRules {
	e.mu.RLock()
	sr := e.stores[store]
	e.mu.RUnlock()
	if sr != nil || !create {
		return sr
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stores == nil {
		e.stores = make(map[customersd.StoreID]*storeRules)
	}
	if sr = e.stores[store]; sr == nil {
		sr = &storeRules{}
		e.stores[store] = sr
	}
	return sr
}

// List returns the store's live rules, oldest first.
func (e *Engine) List(store customersd.StoreID) []Status {
	sr := e.storeRules(store, false)
	if sr == nil {
		return []Status{}
	}
	sr.mu.Lock()
	defer sr.mu.Unlock()
	e.expire(sr, e.now())
	out := make([]Status, len(sr.rules))
	for i, s := range sr.rules {
		out[i] = s.status()
	}
	return out
}

// Delete removes one rule; false when the store has no such rule.
func (e *Engine) Delete(store customersd.StoreID, id string) bool {
	sr := e.storeRules(store, false)
	if sr == nil {
		return false
	}
	sr.mu.Lock()
	defer sr.mu.Unlock()
	e.expire(sr, e.now())
	n := len(sr.rules)
	sr.rules = slices.DeleteFunc(sr.rules, func(s *state) bool { return s.ID == id })
	e.held.Add(int64(len(sr.rules) - n))
	return len(sr.rules) < n
}

// Clear removes all the store's rules.
func (e *Engine) Clear(store customersd.StoreID) {
	if e == nil {
		return
	}
	sr := e.storeRules(store, false)
	if sr == nil {
		return
	}
	sr.mu.Lock()
	defer sr.mu.Unlock()
	e.held.Add(-int64(len(sr.rules)))
	sr.rules = nil
}

// Match counts req against the store's rules in order and returns the
// action of the first that fires, nil when none does. A rule that fires
// its last time, or has outlived its TTL, is removed.
func (e *Engine) Match(store customersd.StoreID, req Request) *Action {
	if e == nil || e.held.Load() == 0 {
		return nil
	}
	sr := e.storeRules(store, false)
	if sr == nil {
		return nil
	}
	sr.mu.Lock()
	defer sr.mu.Unlock()
	if len(sr.rules) == 0 {
		return nil
	}
	e.expire(sr, e.now())
	for i, s := range sr.rules {
		if !s.matches(req) {
			continue
		}
		s.matched++
		if !s.fires() {
			continue
		}
		s.fired++
		a := s.action()
		if s.Times > 0 && s.fired >= s.Times {
			sr.rules = slices.Delete(sr.rules, i, i+1)
			e.held.Add(-1)
		}
		return a
	}
	return nil
}

// expire drops the rules whose TTL has passed. sr.mu is held.
func (e *Engine) expire(sr *storeRules, now time.Time) {
	n := len(sr.rules)
	sr.rules = slices.DeleteFunc(sr.rules, func(s *state) bool { return !s.expires.IsZero() && !now.Before(s.expires) })
	e.held.Add(int64(len(sr.rules) - n))
}

func (s *state) matches(req Request) bool {
	return (s.Method == "" || s.Method == req.Method) &&
		(s.Route == "" || s.Route == req.Route) &&
		(s.PathPrefix == "" || strings.HasPrefix(req.Path, s.PathPrefix)) &&
		(s.ClientID == "" || s.ClientID == req.ClientID)
}

// fires decides for the matching request just counted. A probability
// draws one number per matching request, so a seed repeats the decisions.
func (s *state) fires() bool {
	switch {
	case s.Every > 0:
		return s.matched%s.Every == 0
	case s.Probability != nil:
		return s.rng.Float64() < *s.Probability
	}
	return true
}

func (s *state) action() *Action {
	a := &Action{RuleID: s.ID, Delay: s.Delay, Status: s.Status, RateHeaders: s.RateHeaders, RetryAfter: max(s.RetryAfter, 1), Drop: s.Drop}
	if s.DelayMax > s.Delay {
		a.Delay += time.Duration(s.rng.Int64N(int64(s.DelayMax-s.Delay)/int64(time.Millisecond)+1)) * time.Millisecond
	}
	return a
}

func (s *state) status() Status {
	return Status{Rule: s.Rule, Created: s.created, Expires: s.expires, Matched: s.matched, Fired: s.fired}
}

// Active reports whether any store has a rule: the gateway's fast path.
func (e *Engine) Active() bool {
	return e != nil && e.held.Load() > 0
}
