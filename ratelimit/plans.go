package ratelimit

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/customersd/customersd"
)

// planQuotas are BigCommerce's request quotas per plan, in the order the
// plans are listed to people.
var planQuotas = []struct {
	plan  string
	quota customersd.Quota
}{
	{customersd.PlanStandard, customersd.Quota{Requests: 150, Window: DefaultWindow}},
	{customersd.PlanPlus, customersd.Quota{Requests: 150, Window: DefaultWindow}},
	{customersd.PlanPro, customersd.Quota{Requests: 450, Window: DefaultWindow}},
	// BigCommerce sets Enterprise limits by contract and publishes no
	// figure. Four times Pro is our default; a store that needs more gets a
	// quota of its own rather than a plan name.
	{customersd.PlanEnterprise, customersd.Quota{Requests: 1800, Window: DefaultWindow}},
}

// Unlimited is the quota of test stores (see Unthrottled) and of stores on a
// plan customersd does not know. It is not infinite so that the four
// X-Rate-Limit-* headers, which clients require on every response, still
// carry honest numbers; it is high enough that no test suite or sane client
// meets it ("a limiter that surprises a test suite is worse than none").
var Unlimited = customersd.Quota{Requests: 1_000_000, Window: DefaultWindow}

// Unthrottled returns Unlimited as a store's own quota: the quota of stores
// made for development and test suites (the zero-setup store,
// CUSTOMERSD_STORE_HASH's, --seed's, and stores created through the admin
// API or the CLI without a plan or quota). Being the store's own, it shows in
// "stores list", survives a change of --rate-limit, and can be changed later.
func Unthrottled() *customersd.Quota {
	q := Unlimited
	return &q
}

// QuotaForPlan returns BigCommerce's request quota for a plan, named in any
// case. It reports false for a plan it does not know.
func QuotaForPlan(plan string) (customersd.Quota, bool) {
	plan = strings.ToLower(plan)
	for _, p := range planQuotas {
		if p.plan == plan {
			return p.quota, true
		}
	}
	return customersd.Quota{}, false
}

// DescribePlans lists BigCommerce's quota of each plan for help texts:
// "150/30s standard, 150/30s plus, ...".
func DescribePlans() string {
	parts := make([]string, len(planQuotas))
	for i, p := range planQuotas {
		parts[i] = p.quota.String() + " " + p.plan
	}
	return strings.Join(parts, ", ")
}

// Plans is the quota of stores without one of their own, as --rate-limit
// sets it. The zero Plans is BigCommerce's quota for each plan.
type Plans struct {
	// All, when set, is the quota of every plan not in ByPlan.
	All *customersd.Quota
	// ByPlan holds quotas by lower-case plan name.
	ByPlan map[string]customersd.Quota
}

// Quota returns the quota of a store on plan: the plan's entry, else the
// entry for every plan, else BigCommerce's figure for the plan, else (a plan
// customersd does not know) Unlimited.
func (p Plans) Quota(plan string) customersd.Quota {
	if q, ok := p.ByPlan[plan]; ok {
		return q
	}
	if p.All != nil {
		return *p.All
	}
	if q, ok := QuotaForPlan(plan); ok {
		return q
	}
	return Unlimited
}

// ParsePlans parses a --rate-limit setting: "plan" or "" (BigCommerce's
// quotas), "off" (no counting), or comma-separated entries "N/WINDOW" (every
// plan) and "PLAN=N/WINDOW" (one plan), e.g. "300/30s,pro=900/30s".
func ParsePlans(s string) (plans Plans, off bool, err error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "plan":
		return plans, false, nil
	case "off":
		return plans, true, nil
	}
	for entry := range strings.SplitSeq(s, ",") {
		plan, quota, named := strings.Cut(strings.TrimSpace(entry), "=")
		if !named {
			quota = plan
		}
		q, err := ParseQuota(quota)
		if err != nil {
			return plans, false, err
		}
		if !named {
			if plans.All != nil {
				return plans, false, fmt.Errorf("two quotas for every plan: %q", s)
			}
			plans.All = &q
			continue
		}
		plan = strings.ToLower(strings.TrimSpace(plan))
		if !customersd.ValidPlan(plan) {
			return plans, false, fmt.Errorf("unknown plan %q: want %s", plan, customersd.PlanNames())
		}
		if plans.ByPlan == nil {
			plans.ByPlan = make(map[string]customersd.Quota)
		}
		plans.ByPlan[plan] = q
	}
	return plans, false, nil
}

// ParseQuota parses "N/WINDOW", e.g. "150/30s", with the bounds of a store's
// own quota.
func ParseQuota(s string) (customersd.Quota, error) {
	n, w, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return customersd.Quota{}, fmt.Errorf("quota %q: want REQUESTS/WINDOW, e.g. 150/30s", s)
	}
	requests, err := strconv.Atoi(n)
	if err != nil {
		return customersd.Quota{}, fmt.Errorf("quota %q: %q is not a number of requests", s, n)
	}
	window, err := time.ParseDuration(w)
	if err != nil {
		return customersd.Quota{}, fmt.Errorf("quota %q: %q is not a duration such as 30s", s, w)
	}
	q := customersd.Quota{Requests: requests, Window: window}
	if err := q.Validate(); err != nil {
		return customersd.Quota{}, fmt.Errorf("quota %q: between 1 and %d requests per 1ms to %v, in whole milliseconds",
			s, customersd.MaxRateLimitRequests, customersd.MaxRateLimitWindow)
	}
	return q, nil
}
