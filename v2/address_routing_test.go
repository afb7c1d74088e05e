package v2_test

import (
	"net/http"
	"testing"
)

// TestAddressRouting checks each path the mux could confuse: the literal
// "addresses" and "count" segments against the {customer_id} and
// {address_id} wildcards, and the wide pattern that serves
// /customers/addresses/{address_id}.
func TestAddressRouting(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		mustCreateCustomer(t, ts, jane())
		mustCreateAddress(t, ts, 1, home())
		var n struct{ Count int64 }
		ts.do("GET", "/customers/addresses/count", nil).want(t, 200).decode(t, &n)
		ts.do("GET", "/customers/1/addresses/count", nil).want(t, 200).decode(t, &n)
		if n.Count != 1 {
			t.Fatalf("count=%d", n.Count)
		}
		var as []address
		ts.do("GET", "/customers/1/addresses", nil).want(t, 200).decode(t, &as)
		var a address
		ts.do("GET", "/customers/addresses/1", nil).want(t, 200).decode(t, &a)
		ts.do("GET", "/customers/1/addresses/1/", nil).want(t, 200).decode(t, &a)
		if len(as) != 1 || a.ID != 1 {
			t.Fatalf("list=%+v address=%+v", as, a)
		}
		if res := ts.do("HEAD", "/customers/addresses/1", nil).want(t, 200); len(res.Body) != 0 {
			t.Fatalf("HEAD body=%q", res.Body)
		}
		for _, p := range []string{"/customers/addresses/addresses", "/customers/addresses/x", "/customers/addresses/0",
			"/customers/1/other", "/customers/addresses/1/x", "/customers/count/addresses"} {
			ts.do("GET", p, nil).wantError(t, http.StatusNotFound, "The requested resource was not found.")
		}
		// The wide pattern answers nothing but /customers/addresses/{id}:
		// other methods and paths keep their 404 and 405 answers.
		tests := []struct{ method, path, allow string }{
			{"GET", "/customers/1/validate", "POST"},
			{"DELETE", "/customers/1/validate", "POST"},
			{"DELETE", "/customers/addresses/1", "GET, HEAD"},
			{"POST", "/customers/addresses/count", "GET, HEAD"},
			{"PUT", "/customers/1/addresses", "GET, HEAD, POST, DELETE"},
			{"POST", "/customers/1/addresses/1", "GET, HEAD, PUT, DELETE"},
		}
		for _, tt := range tests {
			t.Run(tt.method+" "+tt.path, func(t *testing.T) {
				res := ts.do(tt.method, tt.path, nil)
				res.wantError(t, http.StatusMethodNotAllowed, "The HTTP method '"+tt.method+"' is not supported by this resource.")
				if got := res.Header.Get("Allow"); got != tt.allow {
					t.Errorf("Allow=%q, want %q", got, tt.allow)
				}
			})
		}
		for _, m := range []string{"PUT", "DELETE"} {
			ts.do(m, "/customers/1/other", nil).want(t, http.StatusNotFound)
			// "count" is no id: a count path with another method is a 405.
			for _, p := range []string{"/customers/count", "/customers/1/addresses/count", "/customers/addresses/count", "/customer_groups/count"} {
				res := ts.do(m, p, obj{})
				res.wantError(t, http.StatusMethodNotAllowed, "The HTTP method '"+m+"' is not supported by this resource.")
				if got := res.Header.Get("Allow"); got != "GET, HEAD" {
					t.Errorf("%s %s: Allow=%q, want GET, HEAD", m, p, got)
				}
			}
		}
		ts.do("PATCH", "/customers/1/addresses/1", nil).want(t, http.StatusNotImplemented)
	})
}
