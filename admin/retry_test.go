package admin_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// createWithRetry is the retry loop of bigcommerce-api-python
// (Connection._run_method with rate_limiting_management): on a 429 it
// sleeps X-Retry-After seconds and sends the same request again, at most
// maxRetries times. It returns the final response's status and the
// waits it made.
func createWithRetry(c *http.Client, url, token string, body []byte, maxRetries int) (status int, waits []time.Duration, err error) {
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequest("POST", url, bytes.NewReader(body))
		if err != nil {
			return 0, waits, err
		}
		req.Header.Set("X-Auth-Token", token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		res, err := c.Do(req)
		if err != nil {
			return 0, waits, err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusTooManyRequests || attempt == maxRetries {
			return res.StatusCode, waits, nil
		}
		secs, err := strconv.Atoi(res.Header.Get("X-Retry-After"))
		if err != nil {
			return res.StatusCode, waits, fmt.Errorf("429 without a usable X-Retry-After: %q", res.Header.Get("X-Retry-After"))
		}
		wait := time.Duration(secs) * time.Second
		time.Sleep(wait)
		waits = append(waits, wait)
	}
}

// TestRetryLoop_BacksOffOnInjected429 makes the next two creates answer
// 429 and checks, from the journal alone, that the client sent three
// creates and waited X-Retry-After before each retry.
func TestRetryLoop_BacksOffOnInjected429(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		st := ts.mustCreateStore(t, nil)
		rule := ts.mustAddFault(t, st.Hash, map[string]any{"method": "POST", "route": "/customers", "times": 2, "status": 429})
		status, waits, err := createWithRetry(ts.Client(), ts.URL+"/stores/"+st.Hash+"/v2/customers", st.Token.AccessToken,
			[]byte(`{"first_name":"Jane","last_name":"Doe","email":"jane@example.com"}`), 5)
		if err != nil || status != http.StatusCreated || len(waits) != 2 {
			t.Fatalf("status %d after waits %v (err %v), want 201 after two", status, waits, err)
		}
		if n := ts.requestCount(t, st.Hash, "method=POST&route=/customers"); n != 3 {
			t.Fatalf("journal counts %d creates, want 3", n)
		}
		e := ts.requests(t, st.Hash, "method=POST&route=/customers") // newest first
		for i, want := range []int{201, 429, 429} {
			if e[i].Status != want {
				t.Fatalf("create %d answered %d, want %d", 3-i, e[i].Status, want)
			}
		}
		if e[0].Fault != nil || e[1].Fault == nil || *e[1].Fault != rule.ID || e[2].Fault == nil || *e[2].Fault != rule.ID {
			t.Fatalf("faults %v %v %v, want none on the 201 and the rule on both 429s", e[0].Fault, e[1].Fault, e[2].Fault)
		}
		if rl := e[1].RateLimit; rl == nil || rl.RequestsLeft != 0 || rl.TimeResetMS != 1000 {
			t.Fatalf("429's rate limit %+v, want 0 left, reset in 1000 ms", rl)
		}
		// Each retry began at least X-Retry-After (1 s) after the 429 ended.
		for i := 2; i > 0; i-- {
			ended := e[i].Time.Add(time.Duration(e[i].DurationMS * float64(time.Millisecond)))
			if gap := e[i-1].Time.Sub(ended); gap < time.Second {
				t.Fatalf("retry %d came %s after the 429, before X-Retry-After", 3-i, gap)
			}
		}
	})
}
