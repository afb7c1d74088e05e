package v2_test

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/ratelimit"
	"github.com/customersd/customersd/sqlstore"
	v2 "github.com/customersd/customersd/v2"
)

// withLimits gives the server rate limits counted in memory on the test
// clock, so windows pass when the test says, not when the wall clock does.
// configure, if set, adjusts them.
func withLimits(configure func(rl *ratelimit.Policy)) serverOption {
	return func(ts *testServer, api *v2.Server) {
		rl := &ratelimit.Policy{Limiter: &ratelimit.Limiter{
			Backend: ratelimit.NewMemory(ts.clock.Now),
			Now:     ts.clock.Now,
			Logger:  ts.logger(),
		}}
		if configure != nil {
			configure(rl)
		}
		api.RateLimit = rl
	}
}

// rateHeaders is what the four X-Rate-Limit-* headers of a response say.
type rateHeaders struct {
	window, reset, quota, left int64
}

// wantRateHeaders fails unless all four headers are present as integers.
func (r *response) wantRateHeaders(tb testing.TB) rateHeaders {
	tb.Helper()
	get := func(name string) int64 {
		tb.Helper()
		v := r.Header.Values(name)
		if len(v) != 1 {
			tb.Fatalf("%s=%q, want one value (status %d)", name, v, r.Status)
		}
		n, err := strconv.ParseInt(v[0], 10, 64)
		if err != nil || n < 0 {
			tb.Fatalf("%s=%q, want a non-negative integer", name, v[0])
		}
		return n
	}
	return rateHeaders{
		window: get("X-Rate-Limit-Time-Window-Ms"),
		reset:  get("X-Rate-Limit-Time-Reset-Ms"),
		quota:  get("X-Rate-Limit-Requests-Quota"),
		left:   get("X-Rate-Limit-Requests-Left"),
	}
}

// wantTooMany checks a 429: the gateway object, the four headers and
// X-Retry-After in whole seconds.
func (r *response) wantTooMany(tb testing.TB, retryAfter int) rateHeaders {
	tb.Helper()
	r.wantGatewayError(tb, http.StatusTooManyRequests)
	if got, want := r.Header.Get("X-Retry-After"), strconv.Itoa(retryAfter); got != want {
		tb.Fatalf("X-Retry-After=%q, want %q", got, want)
	}
	return r.wantRateHeaders(tb)
}

// mustStore returns the store named hash.
func (ts *testServer) mustStore(tb testing.TB, hash string) *customersd.Store {
	tb.Helper()
	st, err := sqlstore.NewTenantService(ts.db).FindStoreByHash(context.Background(), hash)
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

// mustSetQuota gives the store under test its own quota.
func (ts *testServer) mustSetQuota(tb testing.TB, requests int, window time.Duration) {
	tb.Helper()
	q := &customersd.Quota{Requests: requests, Window: window}
	if err := sqlstore.NewTenantService(ts.db).SetStoreRateLimit(context.Background(), ts.mustStore(tb, ts.hash).ID, q); err != nil {
		tb.Fatalf("set quota: %v", err)
	}
}

func TestRateLimit_HeadersOnEveryRoute(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		c := mustCreateCustomer(t, ts, with(jane(), "_authentication", obj{"password": "secret123"}))
		id := "/customers/" + itoa(c.ID)
		// Every method of every resource, and what the router refuses: a
		// store's quota counts what the gateway lets through, routed or
		// not. Successes and errors alike carry the headers.
		reqs := []struct {
			method, path string
			body         any
		}{
			{"GET", "/customers", nil},
			{"HEAD", "/customers", nil},
			{"GET", "/customers/count", nil},
			{"GET", id, nil},
			{"PUT", id, obj{"notes": "x"}},
			{"POST", id + "/validate", obj{"password": "secret123"}},
			{"POST", id + "/validate", obj{"password": "wrong"}},
			{"POST", id + "/validate", obj{}},
			{"GET", "/customers/999", nil},
			{"PATCH", id, obj{}},
			{"POST", "/customers/count", nil},
			{"GET", id + "/addresses", nil},
			{"GET", id + "/addresses/count", nil},
			{"GET", "/customers/addresses/count", nil},
			{"POST", id + "/addresses", obj{"first_name": "Jane", "last_name": "Doe", "phone": "0400 000 000",
				"street_1": "1 George St", "city": "Sydney", "state": "NSW", "zip": "2000", "country": "Australia"}},
			{"GET", id + "/addresses/1", nil},
			{"PUT", id + "/addresses/1", obj{"city": "Melbourne"}},
			{"GET", "/customers/addresses/1", nil},
			{"DELETE", id + "/addresses/1", nil},
			{"DELETE", id + "/addresses", nil},
			{"GET", "/customer_groups", nil},
			{"POST", "/customer_groups", obj{"name": "Wholesale"}},
			{"GET", "/customer_groups/count", nil},
			{"GET", "/customer_groups/1", nil},
			{"PUT", "/customer_groups/1", obj{"name": "Retail"}},
			{"DELETE", "/customer_groups/1", nil},
			{"DELETE", "/customer_groups", nil},
			{"PATCH", "/customer_groups", obj{}},
			{"DELETE", id, nil},
			{"DELETE", "/customers", nil},
			{"POST", "/customers", with(jane(), "email", "joe@example.com")},
		}
		// The request that created the customer spent one.
		left := int64(149)
		for _, rq := range reqs {
			res := ts.do(rq.method, rq.path, rq.body)
			h := res.wantRateHeaders(t)
			left--
			if want := (rateHeaders{window: 30000, reset: 30000, quota: 150, left: left}); h != want {
				t.Errorf("%s %s (%d): headers %+v, want %+v", rq.method, rq.path, res.Status, h, want)
			}
		}
	}, withLimits(nil))
}

func TestRateLimit_HeadersWithoutLimiter(t *testing.T) {
	// The test harness's server has no RateLimit: nothing is counted, but
	// clients still get the four headers they depend on.
	eachDB(t, func(t *testing.T, ts *testServer) {
		for range 3 {
			h := ts.do("GET", "/customers/count", nil).want(t, http.StatusOK).wantRateHeaders(t)
			if want := (rateHeaders{window: 30000, reset: 30000, quota: 150, left: 150}); h != want {
				t.Fatalf("headers %+v, want %+v", h, want)
			}
		}
	})
}

func TestRateLimit_ExhaustionAndRefill(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		ts.mustSetQuota(t, 3, 10*time.Second)
		for i := range 3 {
			h := ts.do("GET", "/customers/count", nil).want(t, http.StatusOK).wantRateHeaders(t)
			if want := (rateHeaders{window: 10000, reset: 10000, quota: 3, left: int64(2 - i)}); h != want {
				t.Fatalf("request %d: headers %+v, want %+v", i+1, h, want)
			}
		}
		h := ts.do("GET", "/customers/count", nil).wantTooMany(t, 10)
		if want := (rateHeaders{window: 10000, reset: 10000, quota: 3, left: 0}); h != want {
			t.Fatalf("429 headers %+v, want %+v", h, want)
		}
		// Writes are refused alike, and do nothing.
		ts.do("POST", "/customers", jane()).wantTooMany(t, 10)

		// X-Retry-After counts down with the window.
		ts.clock.Advance(4 * time.Second)
		if h := ts.do("GET", "/customers", nil).wantTooMany(t, 6); h.reset != 6000 {
			t.Fatalf("Reset-Ms=%d, want 6000", h.reset)
		}
		// Another store has its own quota.
		ts.do("GET", "/customers/count", nil, withStore(ts.otherHash), withToken(ts.otherToken)).want(t, http.StatusOK)

		// At the window's end the whole quota is back.
		ts.clock.Advance(6 * time.Second)
		h = ts.do("GET", "/customers", nil).want(t, http.StatusNoContent).wantRateHeaders(t)
		if want := (rateHeaders{window: 10000, reset: 10000, quota: 3, left: 2}); h != want {
			t.Fatalf("after refill: headers %+v, want %+v", h, want)
		}
	}, withLimits(nil))
}

func TestRateLimit_AuthFailuresDoNotCount(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		ts.mustSetQuota(t, 2, 30*time.Second)
		for range 5 {
			ts.do("GET", "/customers", nil, withToken("not-a-token")).wantGatewayError(t, http.StatusUnauthorized)
			// Another store's valid token is a 401 for this store too.
			ts.do("GET", "/customers", nil, withToken(ts.otherToken)).wantGatewayError(t, http.StatusUnauthorized)
			// A token without the scope: 403, headers or not, nothing spent.
			ts.do("POST", "/customers", jane(), withToken(ts.readToken)).wantGatewayError(t, http.StatusForbidden)
		}
		// A refused request still carries the four headers, showing the
		// standard plan's quota untouched: nothing about this store.
		for _, refused := range []struct {
			method string
			body   any
			token  string
		}{{"GET", nil, ""}, {"GET", nil, ts.otherToken}, {"POST", jane(), ts.readToken}} {
			h := ts.do(refused.method, "/customers", refused.body, withToken(refused.token)).wantRateHeaders(t)
			if want := (rateHeaders{window: 30000, reset: 30000, quota: 150, left: 150}); h != want {
				t.Fatalf("refused request: headers %+v, want %+v", h, want)
			}
		}

		if h := ts.do("GET", "/customers", nil).wantRateHeaders(t); h.left != 1 {
			t.Fatalf("first authenticated request: left=%d, want 1", h.left)
		}
		ts.do("GET", "/customers", nil, withToken(ts.readToken)).want(t, http.StatusNoContent)
		ts.do("GET", "/customers", nil).wantTooMany(t, 30)
	}, withLimits(nil))
}

func TestRateLimit_PlanQuotas(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		tenants := sqlstore.NewTenantService(ts.db)
		pro := &customersd.Store{Hash: "prostore", Plan: customersd.PlanPro}
		if err := tenants.CreateStore(context.Background(), pro); err != nil {
			t.Fatal(err)
		}
		proToken := mustCreateToken(t, tenants, pro.Hash, customersd.ScopeCustomers)
		if h := ts.do("GET", "/customers", nil, withStore(pro.Hash), withToken(proToken)).wantRateHeaders(t); h.quota != 450 || h.window != 30000 {
			t.Fatalf("pro plan: %+v, want 450 per 30000 ms", h)
		}
		// The server's default replaces the plan's for standard stores.
		if h := ts.do("GET", "/customers", nil).wantRateHeaders(t); h.quota != 7 || h.window != 60000 || h.left != 6 {
			t.Fatalf("standard with a server default: %+v, want 7 per 60000 ms, 6 left", h)
		}
		// A store's own quota wins over both; nil gives the default back.
		ts.mustSetQuota(t, 1000, time.Minute)
		if h := ts.do("GET", "/customers", nil).wantRateHeaders(t); h.quota != 1000 {
			t.Fatalf("own quota: %+v, want 1000", h)
		}
		if err := tenants.SetStoreRateLimit(context.Background(), ts.mustStore(t, ts.hash).ID, nil); err != nil {
			t.Fatal(err)
		}
		// A change of quota with the same window length keeps counting in
		// the current window: three requests so far.
		if h := ts.do("GET", "/customers", nil).wantRateHeaders(t); h.quota != 7 || h.left != 4 {
			t.Fatalf("quota cleared: %+v, want 7 with 4 left", h)
		}
	}, withLimits(func(rl *ratelimit.Policy) {
		rl.Plans = ratelimit.Plans{ByPlan: map[string]customersd.Quota{customersd.PlanStandard: {Requests: 7, Window: time.Minute}}}
	}))
}

func TestRateLimit_Off(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		ts.mustSetQuota(t, 1, 30*time.Second)
		for range 5 {
			h := ts.do("GET", "/customers/count", nil).want(t, http.StatusOK).wantRateHeaders(t)
			if want := (rateHeaders{window: 30000, reset: 30000, quota: 1, left: 1}); h != want {
				t.Fatalf("headers %+v, want %+v", h, want)
			}
		}
	}, withLimits(func(rl *ratelimit.Policy) { rl.Off = true }))
}

// validate posts a password to the validate endpoint.
func (ts *testServer) validate(id int64, pw string, opts ...reqOption) *response {
	ts.t.Helper()
	return ts.do("POST", "/customers/"+itoa(id)+"/validate", obj{"password": pw}, opts...)
}

func TestValidate_PasswordGuard(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		c := mustCreateCustomer(t, ts, with(jane(), "_authentication", obj{"password": "secret123"}))
		other := mustCreateCustomer(t, ts, with(jane(), "email", "joe@example.com", "_authentication", obj{"password": "secret123"}))
		for i := range ratelimit.DefaultMaxPasswordFailures {
			if res := ts.validate(c.ID, "guess"+itoa(int64(i))).want(t, http.StatusOK); string(res.Body) != `{"success":false}` {
				t.Fatalf("failure %d: %s", i+1, res.Body)
			}
			ts.clock.Advance(time.Minute)
		}
		// Locked: the right password is refused like any other, so the
		// lock reveals nothing. The window began with the first failure.
		retry := int((ratelimit.DefaultPasswordFailureWindow - 5*time.Minute) / time.Second)
		ts.validate(c.ID, "secret123").wantTooMany(t, retry)
		ts.validate(c.ID, "wrong").wantTooMany(t, retry)
		// Other customers of the store are not locked.
		if res := ts.validate(other.ID, "secret123").want(t, http.StatusOK); string(res.Body) != `{"success":true}` {
			t.Fatalf("other customer: %s", res.Body)
		}
		// The rest of the API is not locked either.
		ts.do("GET", "/customers/"+itoa(c.ID), nil).want(t, http.StatusOK)

		ts.clock.Advance(ratelimit.DefaultPasswordFailureWindow - 5*time.Minute)
		if res := ts.validate(c.ID, "secret123").want(t, http.StatusOK); string(res.Body) != `{"success":true}` {
			t.Fatalf("after the window: %s", res.Body)
		}
	}, withLimits(nil))
}

func TestValidate_UnknownCustomerIsNotAFailure(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		for range 2 * ratelimit.DefaultMaxPasswordFailures {
			ts.validate(999, "guess").wantError(t, http.StatusNotFound, "The requested resource was not found.")
		}
	}, withLimits(nil))
}

func TestValidate_ConfiguredGuard(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		c := mustCreateCustomer(t, ts, jane())
		ts.validate(c.ID, "a").want(t, http.StatusOK)
		ts.validate(c.ID, "b").want(t, http.StatusOK)
		ts.validate(c.ID, "c").wantTooMany(t, 60)
	}, withLimits(func(rl *ratelimit.Policy) {
		rl.MaxPasswordFailures = 2
		rl.PasswordFailureWindow = time.Minute
	}))
}

func TestValidate_StoreCap(t *testing.T) {
	t.Run("Configured", func(t *testing.T) {
		eachDB(t, func(t *testing.T, ts *testServer) {
			// Successes and failures on any customer count alike.
			a := mustCreateCustomer(t, ts, with(jane(), "_authentication", obj{"password": "secret123"}))
			b := mustCreateCustomer(t, ts, with(jane(), "email", "joe@example.com"))
			ts.validate(a.ID, "secret123").want(t, http.StatusOK)
			ts.validate(b.ID, "x").want(t, http.StatusOK)
			ts.validate(999, "x").want(t, http.StatusNotFound)
			ts.validate(a.ID, "secret123").wantTooMany(t, 60)
			// Only validation is capped.
			ts.do("GET", "/customers", nil).want(t, http.StatusOK)
			ts.clock.Advance(time.Minute)
			ts.validate(a.ID, "secret123").want(t, http.StatusOK)
		}, withLimits(func(rl *ratelimit.Policy) {
			rl.ValidateQuota = &customersd.Quota{Requests: 3, Window: time.Minute}
		}))
	})
	t.Run("ShareOfStoreQuota", func(t *testing.T) {
		eachDB(t, func(t *testing.T, ts *testServer) {
			// By default a third of the store's quota, over its window.
			ts.mustSetQuota(t, 9, 30*time.Second)
			for range 3 {
				ts.validate(999, "x").want(t, http.StatusNotFound)
			}
			ts.validate(999, "x").wantTooMany(t, 30)
			if h := ts.do("GET", "/customers", nil).wantRateHeaders(t); h.left != 4 {
				t.Fatalf("left=%d, want 4: each validation is also a request", h.left)
			}
		}, withLimits(nil))
	})
}

func TestGroups_InflightCap(t *testing.T) {
	var inflights sync.Map // *testServer -> its server's *ratelimit.Inflight
	eachDB(t, func(t *testing.T, ts *testServer) {
		v, _ := inflights.Load(ts)
		inflight := v.(*ratelimit.Inflight)
		// Hold all but one of the store's slots, as 39 slow requests would.
		key := strconv.FormatInt(int64(ts.mustStore(t, ts.hash).ID), 10)
		var held []func()
		for range ratelimit.DefaultMaxInflight - 1 {
			release, ok := inflight.Acquire(key)
			if !ok {
				t.Fatal("could not hold a slot")
			}
			held = append(held, release)
		}
		// The 40th slot serves requests one after another: each gives its
		// slot back when it ends.
		for range 3 {
			if res := ts.do("GET", "/customer_groups", nil); res.Status == http.StatusTooManyRequests {
				t.Fatalf("request within the cap: %d", res.Status)
			}
		}
		// The 41st request in flight is refused, with all the headers.
		release, _ := inflight.Acquire(key)
		h := ts.do("GET", "/customer_groups", nil).wantTooMany(t, 1)
		if h.quota != 150 || h.left != 146 {
			t.Fatalf("429 headers %+v: want the store's quota, with this request spent", h)
		}
		ts.do("POST", "/customer_groups", obj{"name": "Wholesale"}).wantTooMany(t, 1)
		ts.do("GET", "/customer_groups/1", nil).wantTooMany(t, 1)
		// The cap is per store and for groups only.
		ts.do("GET", "/customers", nil).want(t, http.StatusNoContent)
		if res := ts.do("GET", "/customer_groups", nil, withStore(ts.otherHash), withToken(ts.otherToken)); res.Status == http.StatusTooManyRequests {
			t.Fatal("another store's groups request was refused")
		}
		release()
		if res := ts.do("GET", "/customer_groups", nil); res.Status == http.StatusTooManyRequests {
			t.Fatal("refused after a slot was freed")
		}
		for _, r := range held {
			r()
		}
	}, func(ts *testServer, api *v2.Server) {
		// Each server has its own: both databases number their stores from 1.
		inflight := ratelimit.NewInflight(ratelimit.DefaultMaxInflight)
		inflights.Store(ts, inflight)
		withLimits(func(rl *ratelimit.Policy) { rl.Inflight = inflight })(ts, api)
	})
}

// blockingGroups holds the first hold FindGroups calls until release is
// closed, so a test can keep requests in flight for as long as it needs.
// Later calls pass: a request the cap wrongly admits ends instead of hanging.
type blockingGroups struct {
	customersd.GroupService
	hold    int64
	calls   atomic.Int64
	entered chan struct{}
	release chan struct{}
}

func (g *blockingGroups) FindGroups(ctx context.Context, store customersd.StoreID, f customersd.GroupFilter) ([]*customersd.Group, error) {
	if g.calls.Add(1) <= g.hold {
		g.entered <- struct{}{}
		<-g.release
	}
	return g.GroupService.FindGroups(ctx, store, f)
}

func TestGroups_InflightCap_ConcurrentRequests(t *testing.T) {
	var blocks sync.Map // *testServer -> *blockingGroups
	eachDB(t, func(t *testing.T, ts *testServer) {
		v, _ := blocks.Load(ts)
		g := v.(*blockingGroups)
		const n = ratelimit.DefaultMaxInflight
		// Whatever happens, let the held requests end, or the server's
		// Close would wait for them forever.
		var once sync.Once
		release := func() { once.Do(func() { close(g.release) }) }
		t.Cleanup(release)
		statuses := make(chan int, n)
		for range n {
			go func() {
				req, _ := http.NewRequest("GET", ts.URL+"/stores/"+ts.hash+"/v2/customer_groups", nil)
				req.Header.Set("X-Auth-Token", ts.token)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					statuses <- 0
					return
				}
				res.Body.Close()
				statuses <- res.StatusCode
			}()
		}
		// Wait until all 40 are inside the handler. A request that ends
		// first was refused, and the cap is wrong.
		for range n {
			select {
			case <-g.entered:
			case st := <-statuses:
				t.Fatalf("a request within the cap ended early with %d", st)
			}
		}
		ts.do("GET", "/customer_groups", nil).wantTooMany(t, 1)
		ts.do("GET", "/customers", nil).want(t, http.StatusNoContent)

		release()
		for range n {
			if st := <-statuses; st != http.StatusNoContent {
				t.Errorf("a held request ended with %d, want 204", st)
			}
		}
		// Every slot came back.
		ts.do("GET", "/customer_groups", nil).want(t, http.StatusNoContent)
	}, func(ts *testServer, api *v2.Server) {
		g := &blockingGroups{GroupService: api.Groups, hold: ratelimit.DefaultMaxInflight,
			entered: make(chan struct{}), release: make(chan struct{})}
		blocks.Store(ts, g)
		api.Groups = g
		withLimits(nil)(ts, api)
	})
}
