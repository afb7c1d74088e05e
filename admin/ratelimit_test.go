package admin_test

import (
	"net/http"
	"testing"
)

// storeRateLimit is the rate_limit of a store as the admin API shows it.
type storeRateLimit struct {
	RateLimit *struct {
		Requests int   `json:"requests"`
		WindowMS int64 `json:"window_ms"`
	} `json:"rate_limit"`
}

// wantV2Quota checks the quota a V2 response reports for a store.
func (ts *testServer) wantV2Quota(tb testing.TB, token, hash, quota, windowMS string) {
	tb.Helper()
	h := ts.v2(token, "GET", hash, "/customers", nil).want(tb, http.StatusNoContent).Header
	if h.Get("X-Rate-Limit-Requests-Quota") != quota || h.Get("X-Rate-Limit-Time-Window-Ms") != windowMS {
		tb.Fatalf("V2 headers %v, want quota %s per %s ms", h, quota, windowMS)
	}
}

func TestStoreRateLimit(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		st := ts.mustCreateStore(t, map[string]any{"store_hash": "q1", "rate_limit": map[string]any{"requests": 10, "window_ms": 60000}})
		var got storeRateLimit
		ts.admin("GET", "/admin/v1/stores/q1", nil).want(t, http.StatusOK).decode(t, &got)
		if got.RateLimit == nil || got.RateLimit.Requests != 10 || got.RateLimit.WindowMS != 60000 {
			t.Fatalf("created: rate_limit=%+v", got.RateLimit)
		}
		ts.wantV2Quota(t, st.Token.AccessToken, "q1", "10", "60000")

		ts.admin("PUT", "/admin/v1/stores/q1/rate_limit", map[string]any{"requests": 5, "window_ms": 1000}).
			want(t, http.StatusOK).decode(t, &got)
		if got.RateLimit == nil || got.RateLimit.Requests != 5 || got.RateLimit.WindowMS != 1000 {
			t.Fatalf("set: rate_limit=%+v", got.RateLimit)
		}
		ts.wantV2Quota(t, st.Token.AccessToken, "q1", "5", "1000")

		// null: back to the plan's default.
		ts.admin("PUT", "/admin/v1/stores/q1/rate_limit", "null").want(t, http.StatusOK).decode(t, &got)
		if got.RateLimit != nil {
			t.Fatalf("cleared: rate_limit=%+v", got.RateLimit)
		}
		ts.wantV2Quota(t, st.Token.AccessToken, "q1", "150", "30000")

		// A store created without a plan or quota is a test suite's: unthrottled.
		got = storeRateLimit{}
		ts.admin("POST", "/admin/v1/stores", map[string]any{"store_hash": "q2"}).want(t, http.StatusCreated).decode(t, &got)
		if got.RateLimit == nil || got.RateLimit.Requests != 1_000_000 || got.RateLimit.WindowMS != 30000 {
			t.Fatalf("default: rate_limit=%+v, want 1000000 per 30000 ms", got.RateLimit)
		}
		// With a plan, the plan's quota applies (rate_limit null).
		got = storeRateLimit{}
		ts.admin("POST", "/admin/v1/stores", map[string]any{"store_hash": "q3", "plan": "pro"}).want(t, http.StatusCreated).decode(t, &got)
		if got.RateLimit != nil {
			t.Fatalf("with a plan: rate_limit=%+v, want null", got.RateLimit)
		}
	})
}

func TestStoreRateLimit_Errors(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		ts.mustCreateStore(t, map[string]any{"store_hash": "q1"})
		for _, tt := range []struct {
			body   any
			detail string
		}{
			{map[string]any{"requests": 0, "window_ms": 1000}, "rate_limit.requests"},
			{map[string]any{"requests": 10}, "rate_limit.window_ms"},
			{map[string]any{"requests": 10, "window_ms": 100_000_000}, "rate_limit.window_ms"},
			{map[string]any{"requests": 10, "window": 1000}, `unknown field "window"`},
		} {
			ts.admin("PUT", "/admin/v1/stores/q1/rate_limit", tt.body).wantProblem(t, http.StatusBadRequest, tt.detail)
		}
		ts.admin("POST", "/admin/v1/stores", map[string]any{"rate_limit": map[string]any{"requests": -1, "window_ms": 1000}}).
			wantProblem(t, http.StatusBadRequest, "rate_limit.requests")
		ts.admin("PUT", "/admin/v1/stores/nope/rate_limit", map[string]any{"requests": 1, "window_ms": 1000}).
			wantProblem(t, http.StatusNotFound, "nope")
	})
}
