package v2_test

import (
	"net/http"
	"testing"
	"time"
)

// If-Modified-Since on one customer or group answers 304 when it has not
// changed since that date (BEHAVIOR.md, "Collections"): compared to the
// second, ignored when the date is not valid, and with the headers every
// response carries.
func TestGetOne_IfModifiedSince(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		created := ts.clock.Now() // 2024-05-06 07:34:10 UTC
		mustCreateCustomer(t, ts, jane())
		mustCreateGroup(t, ts, obj{"name": "Retail"})
		since := func(v string) reqOption { return withHeader("If-Modified-Since", v) }
		at := func(tm time.Time) reqOption { return since(tm.Format(http.TimeFormat)) }

		for _, p := range []string{"/customers/1", "/customer_groups/1"} {
			full := ts.do("GET", p, nil).want(t, http.StatusOK)
			for _, opt := range []reqOption{
				at(created),                             // the very second of the change
				at(created.Add(time.Hour)),              // later
				since("Monday, 06-May-24 07:34:10 GMT"), // RFC 850, which HTTP/1.1 recipients accept
				since("Mon May  6 07:34:10 2024"),       // asctime
			} {
				res := ts.do("GET", p, nil, opt).want(t, http.StatusNotModified)
				wantNotModified(t, res, full)
				ts.do("HEAD", p, nil, opt).want(t, http.StatusNotModified)
			}
			for name, opt := range map[string]reqOption{
				"a second before": at(created.Add(-time.Second)),
				"not a date":      since("yesterday"),
				"empty":           since(""),
			} {
				res := ts.do("GET", p, nil, opt).want(t, http.StatusOK)
				if string(res.Body) != string(full.Body) {
					t.Errorf("GET %s, If-Modified-Since %s: body=%s, want %s", p, name, res.Body, full.Body)
				}
			}
		}

		// A change makes the old date stale; a missing resource is still a 404.
		ts.clock.Advance(time.Minute)
		ts.do("PUT", "/customers/1", obj{"company": "Acme"}).want(t, http.StatusOK)
		ts.do("PUT", "/customer_groups/1", obj{"name": "Trade"}).want(t, http.StatusOK)
		for _, p := range []string{"/customers/1", "/customer_groups/1"} {
			ts.do("GET", p, nil, at(created.Add(time.Second))).want(t, http.StatusOK)
			ts.do("GET", p, nil, at(ts.clock.Now())).want(t, http.StatusNotModified)
		}
		ts.do("GET", "/customers/9", nil, at(created)).wantError(t, http.StatusNotFound, "The requested resource was not found.")
		ts.do("GET", "/customer_groups/9", nil, at(created)).wantError(t, http.StatusNotFound, "The requested resource was not found.")
	}, withLimits(nil))
}

// wantNotModified checks a 304: no body and no content headers, and every
// other header the full answer carries (RFC 9110, 15.4.5).
func wantNotModified(tb testing.TB, res, full *response) {
	tb.Helper()
	if len(res.Body) != 0 {
		tb.Errorf("304 body=%q", res.Body)
	}
	for _, h := range []string{"Content-Type", "Content-Encoding", "Location"} {
		if v := res.Header.Get(h); v != "" {
			tb.Errorf("304 with %s: %q", h, v)
		}
	}
	for h := range full.Header {
		switch h {
		case "Content-Type", "Content-Length", "Date":
			continue
		}
		if res.Header.Get(h) == "" {
			tb.Errorf("304 lacks %s, which the 200 has", h)
		}
	}
	for _, h := range []string{"X-Request-Id", "X-Rate-Limit-Requests-Left", "X-Rate-Limit-Requests-Quota",
		"X-Rate-Limit-Time-Reset-Ms", "X-Rate-Limit-Time-Window-Ms"} {
		if res.Header.Get(h) == "" {
			tb.Errorf("304 lacks %s", h)
		}
	}
}
