package v2

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/ratelimit"
)

// RateLimit is the rate limiting of a Server (BEHAVIOR.md, "Rate limits"):
// a request quota per store, a guard on password validation, and a cap on
// concurrent customer groups requests. Set the fields before the first
// request; the zero RateLimit counts in memory with BigCommerce's plan
// quotas.
type RateLimit struct {
	// Limiter counts requests, validations and failed passwords; nil means
	// an in-memory Limiter logging to the Server's Logger. Give every node
	// a Limiter on the same Redis to share the counts.
	Limiter *ratelimit.Limiter
	// Off stops counting requests against the store quotas: every request
	// is allowed and its headers show the store's quota untouched, as when
	// the backend fails. The password guard and the groups cap still apply.
	Off bool
	// PlanQuota returns the request quota of a store on plan that has no
	// quota of its own; nil means ratelimit.QuotaForPlan, and
	// ratelimit.Unlimited for a plan it does not know.
	PlanQuota func(plan string) ratelimit.Quota
	// ValidateQuota caps the password validations of one store; nil means a
	// third of the store's request quota, over the same window, so that
	// validations cannot use up a store's whole quota guessing passwords.
	ValidateQuota *ratelimit.Quota
	// MaxPasswordFailures and PasswordFailureWindow configure the
	// per-customer guard; zero means ratelimit's defaults (5 per 15 min).
	MaxPasswordFailures   int
	PasswordFailureWindow time.Duration
	// GroupsInflight caps the requests in flight per store on the customer
	// groups paths, keyed by the store ID in decimal; nil means
	// ratelimit.DefaultMaxInflight. It counts on this node only.
	GroupsInflight *ratelimit.Inflight

	once  sync.Once
	guard *ratelimit.PasswordGuard
}

// init fills in the defaults once; a Limiter made here logs to s.Logger.
func (rl *RateLimit) init(s *Server) {
	rl.once.Do(func() {
		if rl.Limiter == nil {
			rl.Limiter = &ratelimit.Limiter{Logger: s.logger()}
		}
		if rl.GroupsInflight == nil {
			rl.GroupsInflight = ratelimit.NewInflight(ratelimit.DefaultMaxInflight)
		}
		rl.guard = &ratelimit.PasswordGuard{
			Limiter:     rl.Limiter,
			MaxFailures: rl.MaxPasswordFailures,
			Window:      rl.PasswordFailureWindow,
		}
	})
}

// storeQuota returns the store's own quota, else its plan's. A nil
// RateLimit reports the plan's quota too, for the headers.
func (rl *RateLimit) storeQuota(st *customersd.Store) ratelimit.Quota {
	if q := st.RateLimit; q != nil {
		return ratelimit.Quota{Requests: q.Requests, Window: q.Window}
	}
	if rl != nil && rl.PlanQuota != nil {
		return rl.PlanQuota(st.Plan)
	}
	if q, ok := ratelimit.QuotaForPlan(st.Plan); ok {
		return q
	}
	return ratelimit.Unlimited
}

// validateQuota returns the cap on a store's validations.
func (rl *RateLimit) validateQuota(store ratelimit.Quota) ratelimit.Quota {
	if rl.ValidateQuota != nil {
		return *rl.ValidateQuota
	}
	return ratelimit.Quota{Requests: max((store.Requests+2)/3, 1), Window: store.Window}
}

// Keys. A request quota's key carries its window: Backend wants one window
// length per key, and a store whose quota changes from 1 h to 30 s must not
// wait out the old hour. Store IDs come from the shared database, so every
// node derives the same keys.
func requestKey(store customersd.StoreID, q ratelimit.Quota) string {
	return "req:" + strconv.FormatInt(int64(store), 10) + ":" + strconv.FormatInt(q.Window.Milliseconds(), 10)
}

func validateKey(store customersd.StoreID, q ratelimit.Quota) string {
	return "validate:" + strconv.FormatInt(int64(store), 10) + ":" + strconv.FormatInt(q.Window.Milliseconds(), 10)
}

func passwordKey(store customersd.StoreID, customer int64) string {
	return strconv.FormatInt(int64(store), 10) + ":" + strconv.FormatInt(customer, 10)
}

// limit counts an authenticated request against its store's quota and, on
// the customer groups paths, takes one of the store's in-flight slots. It
// sets the four X-Rate-Limit-* headers whatever the outcome, so every
// response for the store carries them. It runs after authentication: a
// request refused for its credentials or scope spends nothing. The caller
// must call release when the request ends.
func (s *Server) limit(w http.ResponseWriter, r *http.Request, a *customersd.APIAccount) (release func(), err error) {
	rl := s.RateLimit
	q := rl.storeQuota(&a.Store)
	d := ratelimit.Decision{Allowed: true, Quota: q, Remaining: q.Requests, ResetAfter: q.Window}
	if rl != nil {
		rl.init(s)
		if !rl.Off {
			// Not r.Context(): a client hanging up is not a backend failure.
			d = rl.Limiter.Allow(context.WithoutCancel(r.Context()), requestKey(a.Store.ID, q), q)
		}
	}
	setRateLimitHeaders(w.Header(), d)
	if !d.Allowed {
		return noRelease, tooManyRequests(d.RetryAfterSeconds())
	}
	if rl != nil && isGroupsPath(r.URL.Path) {
		release, ok := rl.GroupsInflight.Acquire(strconv.FormatInt(int64(a.Store.ID), 10))
		if !ok {
			// A slot frees when any of the 40 ends; a second is a fair guess.
			return noRelease, tooManyRequests(1)
		}
		return release, nil
	}
	return noRelease, nil
}

func noRelease() {}

// setAnonymousRateHeaders gives a response refused before its store is
// known (406, 401, 403) the four headers too: clients expect them on every
// response, and a refused request spends nothing. They show the standard
// plan's quota untouched, the same whatever the path names, so they reveal
// nothing about the store.
func (s *Server) setAnonymousRateHeaders(w http.ResponseWriter) {
	q := s.RateLimit.storeQuota(&customersd.Store{Plan: customersd.PlanStandard})
	setRateLimitHeaders(w.Header(), ratelimit.Decision{Allowed: true, Quota: q, Remaining: q.Requests, ResetAfter: q.Window})
}

// setRateLimitHeaders writes the four headers clients read on every
// response, as integers (BEHAVIOR.md, "Rate limits"). Milliseconds are
// rounded up, so a window about to end never reads as 0 ms to go.
func setRateLimitHeaders(h http.Header, d ratelimit.Decision) {
	h.Set("X-Rate-Limit-Time-Window-Ms", strconv.FormatInt(ceilMillis(d.Quota.Window), 10))
	h.Set("X-Rate-Limit-Time-Reset-Ms", strconv.FormatInt(ceilMillis(d.ResetAfter), 10))
	h.Set("X-Rate-Limit-Requests-Quota", strconv.Itoa(d.Quota.Requests))
	h.Set("X-Rate-Limit-Requests-Left", strconv.Itoa(d.Remaining))
}

func ceilMillis(d time.Duration) int64 {
	return int64((d + time.Millisecond - 1) / time.Millisecond)
}

// tooManyRequests is the 429 of the gateway, with X-Retry-After in whole
// seconds (at least 1; see ratelimit.Decision.RetryAfterSeconds).
func tooManyRequests(retryAfter int) error {
	return &httpError{
		status:  http.StatusTooManyRequests,
		message: "Too many requests",
		header:  http.Header{"X-Retry-After": {strconv.Itoa(max(retryAfter, 1))}},
	}
}

// isGroupsPath reports whether a normalised V2 path is under
// /customer_groups, whose endpoints BigCommerce caps at 40 concurrent
// requests (customers.v2.yml, the customer groups operations).
func isGroupsPath(path string) bool {
	_, rest, _ := strings.Cut(strings.TrimPrefix(path, "/stores/"), "/")
	rest = strings.TrimPrefix(rest, "v2/")
	return rest == "customer_groups" || strings.HasPrefix(rest, "customer_groups/")
}

// checkPassword is CustomerService.ValidatePassword behind the guards of
// the validate endpoint, which answers "is this the password?" (BEHAVIOR.md,
// "Customers"). In order:
//   - the store's cap on validations: every attempt counts, on any customer;
//   - the customer's lock: after MaxPasswordFailures answers of
//     {"success": false} in a window, every attempt is a 429 until the
//     window ends, the right password included, so a lock reveals nothing
//     about the password;
//   - the check itself; a false answer is recorded as a failure.
//
// An unknown customer (404) records no failure: no password was tested,
// and the 404 says no more than GET /customers/{id} does. A locked ID is
// checked before the lookup, so it answers 429 whether or not the customer
// still exists.
func (s *Server) checkPassword(r *http.Request, id int64, pw string) (bool, error) {
	rl := s.RateLimit
	a := infoOf(r.Context()).account
	if rl == nil {
		return s.Customers.ValidatePassword(r.Context(), a.Store.ID, id, pw)
	}
	rl.init(s)
	ctx := context.WithoutCancel(r.Context())
	vq := rl.validateQuota(rl.storeQuota(&a.Store))
	if d := rl.Limiter.Allow(ctx, validateKey(a.Store.ID, vq), vq); !d.Allowed {
		return false, tooManyRequests(d.RetryAfterSeconds())
	}
	key := passwordKey(a.Store.ID, id)
	if locked, reset := rl.guard.Locked(ctx, key); locked {
		return false, tooManyRequests(ratelimit.Decision{ResetAfter: reset}.RetryAfterSeconds())
	}
	ok, err := s.Customers.ValidatePassword(r.Context(), a.Store.ID, id, pw)
	if err == nil && !ok {
		rl.guard.Fail(ctx, key)
	}
	return ok, err
}
