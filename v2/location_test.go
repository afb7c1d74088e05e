package v2_test

import (
	"net/http"
	"strings"
	"testing"
)

// Every 201 names the new resource by its absolute URL in Location
// (BEHAVIOR.md, "Status codes"), and that URL serves the same body.
func TestCreate_Location(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		base := ts.URL + "/stores/" + ts.hash + "/v2"
		for _, tt := range []struct {
			path     string
			body     obj
			location string
		}{
			{"/customers", jane(), "/customers/1"},
			{"/customers.json", with(jane(), "email", "ruby@example.com"), "/customers/2"},
			{"/customers/2/addresses", home(), "/customers/2/addresses/1"},
			{"/customer_groups", obj{"name": "Retail"}, "/customer_groups/1"},
		} {
			res := ts.do("POST", tt.path, tt.body).want(t, http.StatusCreated)
			if got, want := res.Header.Get("Location"), base+tt.location; got != want {
				t.Fatalf("POST %s: Location=%q, want %q", tt.path, got, want)
			}
			got := ts.do("GET", tt.location, nil).want(t, http.StatusOK)
			if string(got.Body) != string(res.Body) {
				t.Errorf("GET %s=%s\nwant the POST body %s", tt.location, got.Body, res.Body)
			}
		}
		// Behind a TLS proxy the URL is the one the client used.
		res := ts.do("POST", "/customer_groups", obj{"name": "Trade"}, withHeader("X-Forwarded-Proto", "https")).want(t, http.StatusCreated)
		if got, want := res.Header.Get("Location"), strings.Replace(base, "http://", "https://", 1)+"/customer_groups/2"; got != want {
			t.Errorf("Location=%q, want %q", got, want)
		}
		// Only a created resource has one.
		for _, res := range []*response{
			ts.do("POST", "/customers", jane()).want(t, http.StatusBadRequest),
			ts.do("PUT", "/customers/1", obj{"company": "Acme"}).want(t, http.StatusOK),
			ts.do("POST", "/customers/1/validate", obj{"password": "secret123"}).want(t, http.StatusOK),
		} {
			if l := res.Header.Get("Location"); l != "" {
				t.Errorf("status %d with Location %q", res.Status, l)
			}
		}
	})
}
