package v2_test

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/ratelimit"
	"github.com/customersd/customersd/sqlstore"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
	v2 "github.com/customersd/customersd/v2"
	"golang.org/x/crypto/bcrypt"
)

// mustRedisClient returns a new client for CUSTOMERSD_TEST_REDIS_URL (a
// redis:// URL or host:port), or skips the test when it is unset.
func mustRedisClient(tb testing.TB) *redis.Client {
	tb.Helper()
	u := os.Getenv("CUSTOMERSD_TEST_REDIS_URL")
	if u == "" {
		tb.Skip("set CUSTOMERSD_TEST_REDIS_URL to run the rate limit tests against Redis")
	}
	if !strings.Contains(u, "://") {
		u = "redis://" + u
	}
	opt, err := redis.ParseURL(u)
	if err != nil {
		tb.Fatalf("CUSTOMERSD_TEST_REDIS_URL: %v", err)
	}
	c := redis.NewClient(opt)
	tb.Cleanup(func() { c.Close() })
	if err := c.Ping(context.Background()).Err(); err != nil {
		tb.Fatalf("ping Redis: %v", err)
	}
	return c
}

// redisLimits counts in Redis under prefix, with a client of its own, as
// another node would. Store IDs repeat across test databases, so each test
// server needs its own prefix.
func redisLimits(tb testing.TB, prefix string) *ratelimit.Policy {
	return &ratelimit.Policy{Limiter: &ratelimit.Limiter{Backend: ratelimit.NewRedis(mustRedisClient(tb), prefix)}}
}

// startNode starts another server on the test server's database, as a
// second node behind a load balancer would be, and returns its URL.
func (ts *testServer) startNode(tb testing.TB, rl *ratelimit.Policy) string {
	tb.Helper()
	api := &v2.Server{
		Customers: sqlstore.NewCustomerService(ts.db, password.Hasher{Cost: bcrypt.MinCost}),
		Addresses: sqlstore.NewAddressService(ts.db),
		Groups:    sqlstore.NewGroupService(ts.db),
		RateLimit: rl,
	}
	node := httptest.NewServer(mount(api, sqlstore.NewTenantService(ts.db), ts.logger()))
	tb.Cleanup(node.Close)
	return node.URL
}

// onNode sends the request to the server at base instead.
func onNode(base string) reqOption {
	return func(r *http.Request) {
		u, _ := url.Parse(base)
		r.URL.Scheme, r.URL.Host, r.Host = u.Scheme, u.Host, u.Host
	}
}

func TestRateLimit_RedisSharedQuota(t *testing.T) {
	var prefixes sync.Map // *testServer -> its Redis key prefix
	eachDB(t, func(t *testing.T, ts *testServer) {
		prefix, _ := prefixes.Load(ts)
		nodeA := ts.URL
		nodeB := ts.startNode(t, redisLimits(t, prefix.(string)))
		nodes := []string{nodeA, nodeB}

		// One quota for both nodes: 10 in all, not 10 each, every unit
		// spent once, in order, whichever node counted it.
		ts.mustSetQuota(t, 10, time.Minute)
		for i := range 20 {
			res := ts.do("GET", "/customers/count", nil, onNode(nodes[i%2]))
			if i < 10 {
				if h := res.want(t, http.StatusOK).wantRateHeaders(t); h.left != int64(9-i) || h.quota != 10 || h.window != 60000 {
					t.Fatalf("request %d: %+v, want 10 per 60000 ms with %d left", i+1, h, 9-i)
				}
				continue
			}
			res.wantGatewayError(t, http.StatusTooManyRequests)
			if ra := res.Header.Get("X-Retry-After"); ra == "" || ra == "0" {
				t.Fatalf("X-Retry-After=%q", ra)
			}
		}

		// Failed passwords count across nodes too: 3 here and 2 there lock
		// the customer on both. (The other store still has its quota.)
		other := []reqOption{withStore(ts.otherHash), withToken(ts.otherToken)}
		var c customer
		ts.do("POST", "/customers", with(jane(), "_authentication", obj{"password": "secret123"}), other...).
			want(t, http.StatusCreated).decode(t, &c)
		for i := range ratelimit.DefaultMaxPasswordFailures {
			ts.validate(c.ID, "wrong", append(other, onNode(nodes[i%2]))...).want(t, http.StatusOK)
		}
		for _, n := range nodes {
			ts.validate(c.ID, "secret123", append(other, onNode(n))...).wantGatewayError(t, http.StatusTooManyRequests)
		}
	}, func(ts *testServer, api *v2.Server) {
		prefix := "customersd:rl:test:" + rand.Text() + ":"
		prefixes.Store(ts, prefix)
		api.RateLimit = redisLimits(ts.t, prefix)
	})
}

func TestRateLimit_RedisConcurrentNodes(t *testing.T) {
	// Many requests at once on two nodes: exactly the quota gets through.
	var prefixes sync.Map
	eachDB(t, func(t *testing.T, ts *testServer) {
		prefix, _ := prefixes.Load(ts)
		nodes := []string{ts.URL, ts.startNode(t, redisLimits(t, prefix.(string)))}
		const quota, requests = 25, 100
		ts.mustSetQuota(t, quota, time.Minute)

		var ok, refused atomic.Int64
		var wg sync.WaitGroup
		for i := range requests {
			wg.Go(func() {
				req, _ := http.NewRequest("GET", nodes[i%2]+"/stores/"+ts.hash+"/v2/customers/count", nil)
				req.Header.Set("X-Auth-Token", ts.token)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					return
				}
				res.Body.Close()
				switch res.StatusCode {
				case http.StatusOK:
					ok.Add(1)
				case http.StatusTooManyRequests:
					refused.Add(1)
				}
			})
		}
		wg.Wait()
		if ok.Load() != quota || refused.Load() != requests-quota {
			t.Fatalf("%d allowed and %d refused, want %d and %d", ok.Load(), refused.Load(), quota, requests-quota)
		}
	}, func(ts *testServer, api *v2.Server) {
		prefix := "customersd:rl:test:" + rand.Text() + ":"
		prefixes.Store(ts, prefix)
		api.RateLimit = redisLimits(ts.t, prefix)
	})
}

func TestRateLimit_RedisUnreachable(t *testing.T) {
	// Fail open: with Redis down every request is served, with headers as
	// if the window were untouched; each error is counted, and the log
	// says so once per interval, not once per request.
	var errs sync.Map // *testServer -> *atomic.Int64
	eachDB(t, func(t *testing.T, ts *testServer) {
		v, _ := errs.Load(ts)
		count := v.(*atomic.Int64)
		c := mustCreateCustomer(t, ts, with(jane(), "_authentication", obj{"password": "secret123"}))
		for range 3 {
			h := ts.do("GET", "/customers/"+itoa(c.ID), nil).want(t, http.StatusOK).wantRateHeaders(t)
			if want := (rateHeaders{window: 30000, reset: 30000, quota: 150, left: 150}); h != want {
				t.Fatalf("headers %+v, want %+v", h, want)
			}
		}
		// The password guard fails open too: no lockout during an outage.
		for range ratelimit.DefaultMaxPasswordFailures + 2 {
			ts.validate(c.ID, "wrong").want(t, http.StatusOK)
		}
		if count.Load() == 0 {
			t.Fatal("no backend error was reported")
		}
		if n := strings.Count(ts.logs.String(), "ratelimit: backend failed"); n != 1 {
			t.Fatalf("%d log lines about the backend, want 1 within the interval", n)
		}
	}, func(ts *testServer, api *v2.Server) {
		// Port 1 refuses at once; no retries keeps the test quick.
		c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialerRetries: 1})
		ts.t.Cleanup(func() { c.Close() })
		count := &atomic.Int64{}
		errs.Store(ts, count)
		api.RateLimit = &ratelimit.Policy{Limiter: &ratelimit.Limiter{
			Backend: ratelimit.NewRedis(c, ratelimit.DefaultRedisPrefix),
			OnError: func(error) { count.Add(1) },
			Logger:  ts.logger(),
			Now:     ts.clock.Now, // pinned: every error falls in one log interval
		}}
	})
}

// BenchmarkGetCustomer measures GET /customers/{id} through the whole V2
// handler (no network), with no limiter, the in-memory one, and Redis.
func BenchmarkGetCustomer(b *testing.B) {
	db := sqlstoretest.Open(b, "sqlite")
	tenants := sqlstore.NewTenantService(db)
	st := &customersd.Store{Hash: "bench", RateLimit: &customersd.Quota{Requests: customersd.MaxRateLimitRequests, Window: time.Hour}}
	if err := tenants.CreateStore(context.Background(), st); err != nil {
		b.Fatal(err)
	}
	token := mustCreateToken(b, tenants, st.Hash, customersd.ScopeCustomers)
	customers := sqlstore.NewCustomerService(db, password.Hasher{Cost: bcrypt.MinCost})
	if _, err := customers.CreateCustomer(context.Background(), st.ID, &customersd.CustomerInput{
		FirstName: new("Jane"), LastName: new("Doe"), Email: new("jane@example.com"),
	}); err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, rl *ratelimit.Policy) {
		api := &v2.Server{Customers: customers, RateLimit: rl}
		h := mount(api, tenants, slog.New(slog.DiscardHandler))
		for b.Loop() {
			req := httptest.NewRequest("GET", "/stores/bench/v2/customers/1", nil)
			req.Header.Set("X-Auth-Token", token)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
	}
	b.Run("off", func(b *testing.B) { run(b, nil) })
	b.Run("memory", func(b *testing.B) { run(b, &ratelimit.Policy{}) })
	b.Run("redis", func(b *testing.B) {
		run(b, redisLimits(b, "customersd:rl:bench:"+rand.Text()+":"))
	})
}
