package ratelimit

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/customersd/customersd"
)

// Policy is the whole rate limiting of a server (BEHAVIOR.md, "Rate
// limits"): a request quota per store, a guard on password validation, and a
// cap on a store's concurrent requests to the routes that ask for one (the
// customer groups endpoints). Every surface reads it through the request
// pipeline (package gateway); the numbers live here and nowhere else.
//
// Set the fields before the first request. A nil *Policy counts nothing and
// caps nothing, but still reports each store's quota for the headers.
type Policy struct {
	// Limiter counts requests, validations and failed passwords; nil means
	// an in-memory Limiter logging to slog.Default(). Give every node a
	// Limiter on the same Redis to share the counts.
	Limiter *Limiter
	// Off stops counting requests against the store quotas: every request
	// is allowed and its headers show the store's quota untouched, as when
	// the backend fails. The password guard and the in-flight cap still
	// apply.
	Off bool
	// Plans is the quota of stores without one of their own; the zero
	// value is BigCommerce's quota for each plan.
	Plans Plans
	// ValidateQuota caps the password validations of one store; nil means a
	// third of the store's request quota, over the same window, so that
	// validations cannot use up a store's whole quota guessing passwords.
	ValidateQuota *customersd.Quota
	// MaxPasswordFailures and PasswordFailureWindow configure the
	// per-customer guard; zero means DefaultMaxPasswordFailures in
	// DefaultPasswordFailureWindow.
	MaxPasswordFailures   int
	PasswordFailureWindow time.Duration
	// Inflight caps the requests in flight per store on the routes that ask
	// for it, keyed by the store ID in decimal; nil means
	// NewInflight(DefaultMaxInflight). It counts on this node only.
	Inflight *Inflight

	once  sync.Once
	guard *PasswordGuard
}

func (p *Policy) init() {
	p.once.Do(func() {
		if p.Limiter == nil {
			p.Limiter = &Limiter{}
		}
		if p.Inflight == nil {
			p.Inflight = NewInflight(DefaultMaxInflight)
		}
		p.guard = &PasswordGuard{Limiter: p.Limiter, MaxFailures: p.MaxPasswordFailures, Window: p.PasswordFailureWindow}
	})
}

// StoreQuota returns the store's own quota, else its plan's.
func (p *Policy) StoreQuota(st *customersd.Store) customersd.Quota {
	if q := st.RateLimit; q != nil {
		return *q
	}
	var plans Plans
	if p != nil {
		plans = p.Plans
	}
	return plans.Quota(st.Plan)
}

// AnonymousDecision is what the headers of a response refused before its
// store is known (406, 401, 403) show: the standard plan's quota untouched,
// the same whatever the path names, so they reveal nothing about the store,
// and a refused request spends nothing.
func (p *Policy) AnonymousDecision() Decision {
	return untouched(p.StoreQuota(&customersd.Store{Plan: customersd.PlanStandard}))
}

func untouched(q customersd.Quota) Decision {
	return Decision{Allowed: true, Quota: q, Remaining: q.Requests, ResetAfter: q.Window}
}

// AllowRequest counts one request of st against its quota.
func (p *Policy) AllowRequest(ctx context.Context, st *customersd.Store) Decision {
	q := p.StoreQuota(st)
	if p == nil || p.Off {
		return untouched(q)
	}
	p.init()
	// Not ctx itself: a client hanging up is not a backend failure.
	return p.Limiter.Allow(context.WithoutCancel(ctx), requestKey(st.ID, q), q)
}

// Acquire takes one of the store's in-flight slots, or returns a
// *LimitError when all are taken. The caller must call release when the
// request ends.
func (p *Policy) Acquire(st *customersd.Store) (release func(), err error) {
	if p == nil {
		return func() {}, nil
	}
	p.init()
	release, ok := p.Inflight.Acquire(storeKey(st.ID))
	if !ok {
		// A slot frees when any in flight ends; a second is a fair guess.
		return func() {}, &LimitError{RetryAfter: time.Second}
	}
	return release, nil
}

// CheckPassword runs check, which tells whether a password is customer's,
// behind the guards of password validation (BEHAVIOR.md, "Customers"). In
// order:
//   - the store's cap on validations: every attempt counts, on any customer;
//   - the customer's lock: after MaxPasswordFailures answers of false in a
//     window, every attempt is refused until the window ends, the right
//     password included, so a lock reveals nothing about the password. The
//     attempt is counted as a failure before check runs and given back
//     unless check answers false, so concurrent guesses cannot all pass the
//     lock before the first failure is recorded;
//   - the check itself.
//
// A refusal is a *LimitError. An error of check (an unknown customer)
// records no failure: no password was tested. A locked customer is refused
// before check runs, so the answer is the same whether or not it exists.
func (p *Policy) CheckPassword(ctx context.Context, st *customersd.Store, customer int64, check func() (bool, error)) (bool, error) {
	if p == nil {
		return check()
	}
	p.init()
	ctx = context.WithoutCancel(ctx)
	vq := p.validateQuota(p.StoreQuota(st))
	if d := p.Limiter.Allow(ctx, validateKey(st.ID, vq), vq); !d.Allowed {
		return false, &LimitError{RetryAfter: d.ResetAfter}
	}
	key := storeKey(st.ID) + ":" + strconv.FormatInt(customer, 10)
	refund, err := p.guard.Reserve(ctx, key)
	if err != nil {
		return false, err
	}
	ok, err := check()
	if err != nil || ok {
		refund()
	}
	return ok, err
}

func (p *Policy) validateQuota(store customersd.Quota) customersd.Quota {
	if p.ValidateQuota != nil {
		return *p.ValidateQuota
	}
	return customersd.Quota{Requests: max((store.Requests+2)/3, 1), Window: store.Window}
}

// Keys. A request quota's key carries its window: Backend wants one window
// length per key, and a store whose quota changes from 1 h to 30 s must not
// wait out the old hour. Store IDs come from the shared database, so every
// node derives the same keys.
func requestKey(store customersd.StoreID, q customersd.Quota) string {
	return "req:" + storeKey(store) + ":" + strconv.FormatInt(q.Window.Milliseconds(), 10)
}

func validateKey(store customersd.StoreID, q customersd.Quota) string {
	return "validate:" + storeKey(store) + ":" + strconv.FormatInt(q.Window.Milliseconds(), 10)
}

func storeKey(store customersd.StoreID) string { return strconv.FormatInt(int64(store), 10) }

// LimitError is a request refused by a limit: the caller should retry after
// RetryAfter.
type LimitError struct {
	RetryAfter time.Duration
}

func (e *LimitError) Error() string { return "rate limit exceeded" }

// RetryAfterSeconds is RetryAfter for X-Retry-After, as
// Decision.RetryAfterSeconds.
func (e *LimitError) RetryAfterSeconds() int {
	return Decision{ResetAfter: e.RetryAfter}.RetryAfterSeconds()
}
