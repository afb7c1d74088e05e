package admin_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/customersd/customersd/gateway"
)

// faultRule is a rule as the admin API answers it.
type faultRule struct {
	ID          string   `json:"id"`
	Method      string   `json:"method"`
	Route       string   `json:"route"`
	PathPrefix  string   `json:"path_prefix"`
	ClientID    string   `json:"client_id"`
	Times       int      `json:"times"`
	Every       int      `json:"every"`
	Probability *float64 `json:"probability"`
	Seed        *int64   `json:"seed"`
	TTLSeconds  int      `json:"ttl_seconds"`
	Status      int      `json:"status"`
	RateHeaders *bool    `json:"rate_headers"`
	RetryAfter  int      `json:"retry_after_seconds"`
	DelayMS     int      `json:"delay_ms"`
	DelayMaxMS  int      `json:"delay_max_ms"`
	Drop        string   `json:"drop"`
	CreatedAt   string   `json:"created_at"`
	ExpiresAt   *string  `json:"expires_at"`
	Matched     int      `json:"matched"`
	Fired       int      `json:"fired"`
	Remaining   *int     `json:"remaining"`
	Node        string   `json:"node"`
}

// mustAddFault creates a rule for the store through the admin API.
func (ts *testServer) mustAddFault(tb testing.TB, hash string, rule map[string]any) faultRule {
	tb.Helper()
	var f faultRule
	res := ts.admin("POST", "/admin/v1/stores/"+hash+"/faults", rule).want(tb, http.StatusCreated)
	res.decode(tb, &f)
	if f.ID == "" || res.Header.Get("Location") != "/admin/v1/stores/"+hash+"/faults/"+f.ID {
		tb.Fatalf("rule %s, Location %q: want an id and its URL", res.Body, res.Header.Get("Location"))
	}
	return f
}

func (ts *testServer) faultList(tb testing.TB, hash string) []faultRule {
	tb.Helper()
	var out struct {
		Node   string      `json:"node"`
		Faults []faultRule `json:"faults"`
	}
	ts.admin("GET", "/admin/v1/stores/"+hash+"/faults", nil).want(tb, http.StatusOK).decode(tb, &out)
	if out.Node != "test-node" {
		tb.Fatalf("node %q, want test-node", out.Node)
	}
	return out.Faults
}

// v2Error is V2's error array.
type v2Error []struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}

func TestFaults_CreateListDelete(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		st := ts.mustCreateStore(t, nil)
		f := ts.mustAddFault(t, st.Hash, map[string]any{"method": "POST", "route": "/customers", "times": 2, "status": 429})
		if f.Method != "POST" || f.Route != "/customers" || f.Times != 2 || f.Status != 429 || f.RateHeaders == nil || !*f.RateHeaders ||
			f.RetryAfter != 1 || f.Remaining == nil || *f.Remaining != 2 || f.Node != "test-node" || f.ExpiresAt != nil {
			t.Fatalf("created rule %+v", f)
		}
		g := ts.mustAddFault(t, st.Hash, map[string]any{"delay_ms": 5, "ttl_seconds": 60})
		if g.ExpiresAt == nil || g.Remaining != nil {
			t.Fatalf("rule with ttl %+v: want expires_at and no remaining", g)
		}
		if list := ts.faultList(t, st.Hash); len(list) != 2 || list[0].ID != f.ID || list[1].ID != g.ID {
			t.Fatalf("list %+v, want the two rules oldest first", list)
		}
		ts.admin("DELETE", "/admin/v1/stores/"+st.Hash+"/faults/"+f.ID, nil).want(t, http.StatusNoContent)
		ts.admin("DELETE", "/admin/v1/stores/"+st.Hash+"/faults/"+f.ID, nil).wantProblem(t, http.StatusNotFound, "no fault rule "+f.ID)
		if list := ts.faultList(t, st.Hash); len(list) != 1 || list[0].ID != g.ID {
			t.Fatalf("list %+v after one delete", list)
		}
		ts.admin("DELETE", "/admin/v1/stores/"+st.Hash+"/faults", nil).want(t, http.StatusNoContent)
		if list := ts.faultList(t, st.Hash); len(list) != 0 {
			t.Fatalf("list %+v after delete all", list)
		}
		ts.admin("POST", "/admin/v1/stores/nosuchstore/faults", map[string]any{"status": 500}).wantProblem(t, http.StatusNotFound, "")
		ts.admin("GET", "/admin/v1/stores/nosuchstore/faults", nil).wantProblem(t, http.StatusNotFound, "")
		ts.adminAs("", "GET", "/admin/v1/stores/"+st.Hash+"/faults", nil).wantProblem(t, http.StatusUnauthorized, "admin token")
	})
}

func TestFaults_InvalidRules(t *testing.T) {
	ts := newTestServer(t, "sqlite", adminToken)
	st := ts.mustCreateStore(t, nil)
	tests := []struct {
		name   string
		body   any
		status int
		detail string
	}{
		{"malformed", `{"status":`, 400, "not valid JSON"},
		{"unknown field", map[string]any{"status": 500, "code": 1}, 400, "unknown field"},
		{"wrong type", map[string]any{"status": "500"}, 400, "'status'"},
		{"nothing to do", map[string]any{"method": "GET"}, 422, "something to do"},
		{"status not a failure", map[string]any{"status": 418}, 422, "'status' must be one of 429, 500, 502, 503, 504 or 507"},
		{"status zero", map[string]any{"status": 0}, 422, "'status' must be 1 or more"},
		{"drop kind", map[string]any{"drop": "slowly"}, 422, `'drop' must be "reset" or "after_headers"`},
		{"drop and status", map[string]any{"drop": "reset", "status": 500}, 422, "'status' or 'drop'"},
		{"probability above 1", map[string]any{"status": 500, "probability": 1.5}, 422, "'probability' must be between 0 and 1"},
		{"every and probability", map[string]any{"status": 500, "every": 2, "probability": 0.5}, 422, "'every' or 'probability'"},
		{"times zero", map[string]any{"status": 500, "times": 0}, 422, "'times' must be 1 or more"},
		{"negative ttl", map[string]any{"status": 500, "ttl_seconds": -1}, 422, "'ttl_seconds'"},
		{"unknown route", map[string]any{"status": 500, "route": "/customers/{id}"}, 422, "is no route of this server"},
		{"route with the version", map[string]any{"status": 500, "route": "/stores/{store_hash}/v2/customers"}, 422, "is no route of this server"},
		{"route not a path", map[string]any{"status": 500, "route": "customers"}, 422, "'route' must be a route pattern"},
		{"path prefix not a path", map[string]any{"status": 500, "path_prefix": "stores"}, 422, "'path_prefix' must start with /"},
		{"empty method", map[string]any{"status": 500, "method": ""}, 422, "'method' must not be empty"},
		{"lower-case method", map[string]any{"status": 500, "method": "get"}, 422, "'method' must be an HTTP method in upper case"},
		{"rate headers off a 429", map[string]any{"status": 500, "rate_headers": false}, 422, "'rate_headers' applies to 'status' 429 only"},
		{"retry after on a 500", map[string]any{"status": 500, "retry_after_seconds": 3}, 422, "'retry_after_seconds' applies"},
		{"delay range backwards", map[string]any{"delay_ms": 100, "delay_max_ms": 50}, 422, "'delay_max_ms' must be at least 'delay_ms'"},
		{"delay too long", map[string]any{"delay_ms": 600000}, 422, "'delay_ms' must be between 0 and 60000"},
		{"seed alone", map[string]any{"status": 500, "seed": 7}, 422, "'seed' drives"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts.admin("POST", "/admin/v1/stores/"+st.Hash+"/faults", tt.body).wantProblem(t, tt.status, tt.detail)
			if list := ts.faultList(t, st.Hash); len(list) != 0 {
				t.Fatalf("a refused rule was kept: %+v", list)
			}
		})
	}
}

// TestFaults_Statuses injects each status on V2's GET /customers/{id}
// once, checks BigCommerce's body and headers for it, then that the next
// request is served.
func TestFaults_Statuses(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		st := ts.mustCreateStore(t, map[string]any{"plan": "standard"})
		tok := st.Token.AccessToken
		ts.v2(tok, "POST", st.Hash, "/customers", map[string]any{"first_name": "A", "last_name": "B", "email": "a@example.com"}).want(t, http.StatusCreated)
		tests := []struct {
			name         string
			rule         map[string]any
			status       int
			rateHeaders  bool
			header, want string // one more header to check
			message      string // V2 array message; "" for the 429 object
		}{
			{"429", map[string]any{"status": 429, "retry_after_seconds": 3}, 429, true, "X-Retry-After", "3", ""},
			{"429 without rate headers", map[string]any{"status": 429, "rate_headers": false}, 429, false, "X-Retry-After", "1", ""},
			{"500", map[string]any{"status": 500}, 500, true, "", "", "Internal Server Error"},
			{"502", map[string]any{"status": 502}, 502, true, "", "", "Bad Gateway"},
			{"503", map[string]any{"status": 503, "retry_after_seconds": 7}, 503, true, "Retry-After", "7", "down for maintenance"},
			{"504", map[string]any{"status": 504}, 504, true, "", "", "Gateway Timeout"},
			{"507", map[string]any{"status": 507}, 507, true, "", "", "limit of its plan"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				rule := map[string]any{"method": "GET", "route": "/customers/{customer_id}", "times": 1}
				for k, v := range tt.rule {
					rule[k] = v
				}
				f := ts.mustAddFault(t, st.Hash, rule)
				res := ts.v2(tok, "GET", st.Hash, "/customers/1", nil).want(t, tt.status)
				if tt.header != "" && res.Header.Get(tt.header) != tt.want {
					t.Fatalf("%s=%q, want %q", tt.header, res.Header.Get(tt.header), tt.want)
				}
				for _, h := range []string{"X-Rate-Limit-Requests-Left", "X-Rate-Limit-Requests-Quota", "X-Rate-Limit-Time-Reset-Ms", "X-Rate-Limit-Time-Window-Ms"} {
					if got := res.Header.Get(h) != ""; got != tt.rateHeaders {
						t.Fatalf("%s present=%v, want %v", h, got, tt.rateHeaders)
					}
				}
				if tt.status == 429 && tt.rateHeaders {
					if res.Header.Get("X-Rate-Limit-Requests-Left") != "0" || res.Header.Get("X-Rate-Limit-Time-Reset-Ms") != "3000" ||
						res.Header.Get("X-Rate-Limit-Requests-Quota") != "150" || res.Header.Get("X-Rate-Limit-Time-Window-Ms") != "30000" {
						t.Fatalf("rate headers %v: want 0 left of the standard plan's 150 per 30000 ms, reset in 3000 ms", res.Header)
					}
				}
				if tt.message == "" {
					var obj struct {
						Status int    `json:"status"`
						Title  string `json:"title"`
						Type   string `json:"type"`
					}
					res.decode(t, &obj)
					if obj.Status != 429 || obj.Title != "Too many requests" || !strings.Contains(obj.Type, "api-status-codes") {
						t.Fatalf("429 body %s, want the gateway object", res.Body)
					}
				} else {
					var arr v2Error
					res.decode(t, &arr)
					if len(arr) != 1 || arr[0].Status != tt.status || !strings.Contains(arr[0].Message, tt.message) {
						t.Fatalf("body %s, want V2's error array with %d and %q", res.Body, tt.status, tt.message)
					}
				}
				if ct := res.Header.Get("Content-Type"); ct != "application/json" {
					t.Fatalf("Content-Type %q", ct)
				}
				ts.v2(tok, "GET", st.Hash, "/customers/1", nil).want(t, http.StatusOK)
				if list := ts.faultList(t, st.Hash); len(list) != 0 {
					t.Fatalf("rule %s still listed after its one firing: %+v", f.ID, list)
				}
			})
		}
	})
}

// TestFaults_XMLErrorShape: a V2 request that negotiated XML gets the
// injected error in XML, as V2's own errors.
func TestFaults_XMLErrorShape(t *testing.T) {
	ts := newTestServer(t, "sqlite", adminToken)
	st := ts.mustCreateStore(t, nil)
	ts.mustAddFault(t, st.Hash, map[string]any{"status": 502, "times": 1})
	req := ts.request("GET", "/stores/"+st.Hash+"/v2/customers", nil)
	req.Header.Set("X-Auth-Token", st.Token.AccessToken)
	req.Header.Set("Accept", "application/xml")
	res := ts.send(req).want(t, http.StatusBadGateway)
	if !strings.Contains(string(res.Body), "<errors>") || !strings.Contains(string(res.Body), "<status>502</status>") {
		t.Fatalf("body %s, want V2's XML error", res.Body)
	}
}

func TestFaults_Delay(t *testing.T) {
	ts := newTestServer(t, "sqlite", adminToken)
	st := ts.mustCreateStore(t, nil)
	f := ts.mustAddFault(t, st.Hash, map[string]any{"route": "/customers/count", "delay_ms": 40, "delay_max_ms": 60, "seed": 1, "times": 1})
	if f.Seed == nil || *f.Seed != 1 {
		t.Fatalf("seed %v, want 1", f.Seed)
	}
	start := time.Now()
	ts.v2(st.Token.AccessToken, "GET", st.Hash, "/customers/count", nil).want(t, http.StatusOK)
	if took := time.Since(start); took < 40*time.Millisecond {
		t.Fatalf("answered in %s, before the rule's least delay", took)
	}
	e := ts.requests(t, st.Hash, "")[0]
	if e.Fault == nil || *e.Fault != f.ID || e.DurationMS < 40 || e.Status != 200 {
		t.Fatalf("entry %+v, want the delay's rule, 200 and at least 40 ms", e)
	}
	// A delay before a status, with no seed given: the rule shows the
	// seed it drew, so the run can be repeated.
	g := ts.mustAddFault(t, st.Hash, map[string]any{"delay_ms": 1, "delay_max_ms": 3, "status": 500, "times": 1})
	if g.Seed == nil {
		t.Fatal("a drawn delay without a seed shows none")
	}
	ts.v2(st.Token.AccessToken, "GET", st.Hash, "/customers/count", nil).want(t, http.StatusInternalServerError)
}

// rawClient sends one request on a connection of its own, so that a
// dropped connection is not retried by the transport.
func rawClient() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true, DisableCompression: true}}
}

func TestFaults_DropReset(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		st := ts.mustCreateStore(t, nil)
		f := ts.mustAddFault(t, st.Hash, map[string]any{"method": "POST", "route": "/customers", "drop": "reset", "times": 1})
		req := ts.request("POST", "/stores/"+st.Hash+"/v2/customers", map[string]any{"first_name": "A", "last_name": "B", "email": "a@example.com"})
		req.Header.Set("X-Auth-Token", st.Token.AccessToken)
		res, err := rawClient().Do(req)
		if err == nil {
			res.Body.Close()
			t.Fatalf("status %d, want a reset connection", res.StatusCode)
		}
		if !errors.Is(err, syscall.ECONNRESET) {
			t.Fatalf("error %v, want ECONNRESET", err)
		}
		// Reset before the handler: nothing was created.
		var n struct{ Count int }
		ts.v2(st.Token.AccessToken, "GET", st.Hash, "/customers/count", nil).want(t, http.StatusOK).decode(t, &n)
		if n.Count != 0 {
			t.Fatalf("count %d after a reset request, want 0", n.Count)
		}
		e := ts.requests(t, st.Hash, "method=POST")[0]
		if e.Status != 0 || e.Fault == nil || *e.Fault != f.ID || !strings.Contains(e.RequestBody, "a@example.com") {
			t.Fatalf("entry %+v, want status 0, the rule and the body sent", e)
		}
	})
}

func TestFaults_DropAfterHeaders(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		st := ts.mustCreateStore(t, nil)
		f := ts.mustAddFault(t, st.Hash, map[string]any{"method": "POST", "route": "/customers", "drop": "after_headers", "times": 1})
		req := ts.request("POST", "/stores/"+st.Hash+"/v2/customers", map[string]any{"first_name": "A", "last_name": "B", "email": "a@example.com"})
		req.Header.Set("X-Auth-Token", st.Token.AccessToken)
		req.Header.Set("Accept", "application/json")
		res, err := rawClient().Do(req)
		if err != nil {
			t.Fatalf("the headers did not arrive: %v", err)
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusCreated || res.Header.Get("Location") == "" || res.Header.Get("X-Request-ID") == "" {
			t.Fatalf("status %d, headers %v: want the 201's headers", res.StatusCode, res.Header)
		}
		if b, err := io.ReadAll(res.Body); err == nil {
			t.Fatalf("read the body %q, want the connection cut", b)
		}
		// The handler ran: the customer exists though the client never read it.
		var n struct{ Count int }
		ts.v2(st.Token.AccessToken, "GET", st.Hash, "/customers/count", nil).want(t, http.StatusOK).decode(t, &n)
		if n.Count != 1 {
			t.Fatalf("count %d, want the customer created", n.Count)
		}
		e := ts.requests(t, st.Hash, "method=POST")[0]
		if e.Status != 201 || e.Fault == nil || *e.Fault != f.ID {
			t.Fatalf("entry %+v, want 201 and the rule", e)
		}
	})
}

func TestFaults_Matching(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		st := ts.mustCreateStore(t, nil)
		other := ts.mustCreateStore(t, nil)
		var second struct {
			ClientID    string `json:"client_id"`
			AccessToken string `json:"access_token"`
		}
		ts.admin("POST", "/admin/v1/stores/"+st.Hash+"/tokens", nil).want(t, http.StatusCreated).decode(t, &second)
		a, b := st.Token.AccessToken, second.AccessToken
		get := func(tok, hash, path string) int { return ts.v2(tok, "GET", hash, path, nil).Status }

		ts.mustAddFault(t, st.Hash, map[string]any{"client_id": st.Token.ClientID, "route": "/customers/count", "status": 503})
		if got := get(a, st.Hash, "/customers/count"); got != 503 {
			t.Fatalf("client A: %d, want 503", got)
		}
		if got := get(b, st.Hash, "/customers/count"); got != 200 {
			t.Fatalf("client B: %d, want 200 (another client_id)", got)
		}
		if got := get(a, st.Hash, "/customer_groups/count"); got != 200 {
			t.Fatalf("another route: %d, want 200", got)
		}
		if got := get(other.Token.AccessToken, other.Hash, "/customers/count"); got != 200 {
			t.Fatalf("another store: %d, want 200", got)
		}
		ts.admin("DELETE", "/admin/v1/stores/"+st.Hash+"/faults", nil).want(t, http.StatusNoContent)

		ts.mustAddFault(t, st.Hash, map[string]any{"path_prefix": "/stores/" + st.Hash + "/v2/customer_groups", "status": 500})
		if got := get(a, st.Hash, "/customer_groups"); got != 500 {
			t.Fatalf("under the prefix: %d, want 500", got)
		}
		if got := get(a, st.Hash, "/customers/count"); got != 200 {
			t.Fatalf("outside the prefix: %d, want 200", got)
		}
		ts.admin("DELETE", "/admin/v1/stores/"+st.Hash+"/faults", nil).want(t, http.StatusNoContent)

		// The store address route's pattern is wider than its path; rules
		// name it as documented.
		ts.mustAddFault(t, st.Hash, map[string]any{"method": "GET", "route": "/customers/addresses/{address_id}", "status": 504})
		if got := get(a, st.Hash, "/customers/addresses/1"); got != 504 {
			t.Fatalf("store address: %d, want 504", got)
		}
		if got := ts.v2(a, "HEAD", st.Hash, "/customers/addresses/1", nil).Status; got == 504 {
			t.Fatal("a GET rule fired on HEAD")
		}

		// A rule matching everything leaves the admin API alone: it is how
		// a test takes the rule away.
		ts.mustAddFault(t, st.Hash, map[string]any{"status": 500})
		ts.admin("GET", "/admin/v1/stores/"+st.Hash+"/faults", nil).want(t, http.StatusOK)
		ts.admin("DELETE", "/admin/v1/stores/"+st.Hash+"/faults", nil).want(t, http.StatusNoContent)
	})
}

func TestFaults_Every(t *testing.T) {
	ts := newTestServer(t, "sqlite", adminToken)
	st := ts.mustCreateStore(t, nil)
	f := ts.mustAddFault(t, st.Hash, map[string]any{"route": "/customers", "every": 3, "times": 2, "status": 500})
	var got []int
	for range 8 {
		got = append(got, ts.v2(st.Token.AccessToken, "GET", st.Hash, "/customers", nil).Status)
	}
	want := []int{204, 204, 500, 204, 204, 500, 204, 204}
	if !equalInts(got, want) {
		t.Fatalf("statuses %v, want %v (every 3rd, twice, then expired)", got, want)
	}
	var n struct{ Count int }
	ts.admin("GET", "/admin/v1/stores/"+st.Hash+"/requests/count?status=500", nil).want(t, http.StatusOK).decode(t, &n)
	if n.Count != 2 {
		t.Fatalf("journal counts %d 500s, want 2", n.Count)
	}
	for _, e := range ts.requests(t, st.Hash, "status=500") {
		if e.Fault == nil || *e.Fault != f.ID {
			t.Fatalf("entry %+v without the rule", e)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestFaults_ProbabilityRepeats: one seed, the same decisions, request by
// request, whenever the rule is made again.
func TestFaults_ProbabilityRepeats(t *testing.T) {
	ts := newTestServer(t, "sqlite", adminToken)
	st := ts.mustCreateStore(t, nil)
	run := func(seed int) []int {
		f := ts.mustAddFault(t, st.Hash, map[string]any{"route": "/customers/count", "probability": 0.5, "seed": seed, "status": 503})
		defer func() {
			ts.admin("DELETE", "/admin/v1/stores/"+st.Hash+"/faults/"+f.ID, nil).want(t, http.StatusNoContent)
		}()
		var got []int
		for range 24 {
			got = append(got, ts.v2(st.Token.AccessToken, "GET", st.Hash, "/customers/count", nil).Status)
		}
		return got
	}
	first, again, other := run(42), run(42), run(43)
	if !equalInts(first, again) {
		t.Fatalf("seed 42 gave %v, then %v", first, again)
	}
	fired := 0
	for _, s := range first {
		if s == 503 {
			fired++
		}
	}
	if fired == 0 || fired == len(first) {
		t.Fatalf("p=0.5 fired %d times in %d", fired, len(first))
	}
	if equalInts(first, other) {
		t.Fatalf("seeds 42 and 43 gave the same %v", first)
	}
}

func TestFaults_Expiry(t *testing.T) {
	var clock atomic.Int64 // the engine's clock, moved by the test
	clock.Store(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano())
	ts := newTestServerWith(t, "sqlite", adminToken, func(gw *gateway.Gateway) {
		gw.Faults.Now = func() time.Time { return time.Unix(0, clock.Load()) }
	})
	st := ts.mustCreateStore(t, nil)
	tok := st.Token.AccessToken
	// times: fires twice, then goes from the list.
	ts.mustAddFault(t, st.Hash, map[string]any{"route": "/customers/count", "times": 2, "status": 500})
	ts.v2(tok, "GET", st.Hash, "/customers/count", nil).want(t, 500)
	if list := ts.faultList(t, st.Hash); len(list) != 1 || *list[0].Remaining != 1 || list[0].Fired != 1 || list[0].Matched != 1 {
		t.Fatalf("after one firing: %+v", list)
	}
	ts.v2(tok, "GET", st.Hash, "/customers/count", nil).want(t, 500)
	ts.v2(tok, "GET", st.Hash, "/customers/count", nil).want(t, 200)
	if list := ts.faultList(t, st.Hash); len(list) != 0 {
		t.Fatalf("after its count: %+v", list)
	}
	// ttl_seconds: fires until its time is up.
	f := ts.mustAddFault(t, st.Hash, map[string]any{"route": "/customers/count", "ttl_seconds": 60, "status": 500})
	if f.ExpiresAt == nil || *f.ExpiresAt != "2026-01-02T03:05:05Z" {
		t.Fatalf("expires_at %v, want a minute on", f.ExpiresAt)
	}
	clock.Add(int64(59 * time.Second))
	ts.v2(tok, "GET", st.Hash, "/customers/count", nil).want(t, 500)
	clock.Add(int64(time.Second))
	ts.v2(tok, "GET", st.Hash, "/customers/count", nil).want(t, 200)
	if list := ts.faultList(t, st.Hash); len(list) != 0 {
		t.Fatalf("after its TTL: %+v", list)
	}
}
