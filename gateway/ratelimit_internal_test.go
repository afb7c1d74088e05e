package gateway

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/ratelimit"
)

// TestSetRateLimitHeaders: the four values share one array, which an Add
// to one of them, or a Set, must not reach.
func TestSetRateLimitHeaders(t *testing.T) {
	h := http.Header{"X-Rate-Limit-Requests-Left": {"stale"}}
	setRateLimitHeaders(h, ratelimit.Decision{Quota: customersd.Quota{Requests: 150, Window: 30 * time.Second},
		ResetAfter: 1500*time.Millisecond + 1, Remaining: 149})
	want := http.Header{
		"X-Rate-Limit-Time-Window-Ms": {"30000"},
		"X-Rate-Limit-Time-Reset-Ms":  {"1501"},
		"X-Rate-Limit-Requests-Quota": {"150"},
		"X-Rate-Limit-Requests-Left":  {"149"},
	}
	check := func() {
		t.Helper()
		for k, v := range want {
			if !slices.Equal(h[k], v) || h.Get(k) != v[0] {
				t.Errorf("%s=%q, want %q", k, h[k], v)
			}
		}
		if len(h) != len(want) {
			t.Errorf("headers %v", h)
		}
	}
	check()
	h.Add("X-Rate-Limit-Time-Window-Ms", "1")
	h.Add("X-Rate-Limit-Time-Reset-Ms", "2")
	h.Set("X-Rate-Limit-Requests-Quota", "3")
	want["X-Rate-Limit-Time-Window-Ms"] = []string{"30000", "1"}
	want["X-Rate-Limit-Time-Reset-Ms"] = []string{"1501", "2"}
	want["X-Rate-Limit-Requests-Quota"] = []string{"3"}
	check()
}
