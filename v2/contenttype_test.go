package v2_test

import (
	"net/http"
	"testing"
)

// A body without Content-Type is a 415 on every route that reads one
// (BEHAVIOR.md, "Status codes"), and changes nothing.
func TestBody_WithoutContentType(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		mustCreateCustomer(t, ts, jane())
		mustCreateAddress(t, ts, 1, home())
		mustCreateGroup(t, ts, obj{"name": "Retail"})
		noContentType := func(r *http.Request) { r.Header.Del("Content-Type") }
		const want = `[{"status":415,"message":"The Content-Type of the request is not supported; send application\/json or application\/xml."}]`
		for _, tt := range []struct {
			method, path string
			body         any
		}{
			{"POST", "/customers", with(jane(), "email", "noct@example.com")},
			{"PUT", "/customers/1", obj{"company": "Acme"}},
			{"POST", "/customers/1/validate", obj{"password": "secret123"}},
			{"POST", "/customers/1/addresses", home()},
			{"PUT", "/customers/1/addresses/1", obj{"city": "Dallas"}},
			{"POST", "/customer_groups", obj{"name": "Trade"}},
			{"PUT", "/customer_groups/1", obj{"name": "Trade"}},
			{"POST", "/customers", ""}, // no body at all
		} {
			res := ts.do(tt.method, tt.path, tt.body, noContentType).want(t, http.StatusUnsupportedMediaType)
			if string(res.Body) != want {
				t.Errorf("%s %s: body=%s, want %s", tt.method, tt.path, res.Body, want)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("%s %s: Content-Type=%q", tt.method, tt.path, ct)
			}
		}
		wantCount(t, ts, "/customers/count", 1)
		wantCount(t, ts, "/customer_groups/count", 1)
		var c customer
		ts.do("GET", "/customers/1", nil).want(t, http.StatusOK).decode(t, &c)
		if c.Company != "" {
			t.Errorf("a refused PUT changed the customer: company=%q", c.Company)
		}
		// With the header the same body is served.
		ts.do("PUT", "/customers/1", obj{"company": "Acme"}).want(t, http.StatusOK)
	})
}
