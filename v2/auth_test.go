package v2_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/sqlstore"
)

// customerRoutes is every customers route with a body that would succeed.
var customerRoutes = []struct {
	method, path string
	body         any
}{
	{"GET", "/customers", nil},
	{"HEAD", "/customers", nil},
	{"POST", "/customers", obj{"first_name": "A", "last_name": "B", "email": "auth@example.com"}},
	{"DELETE", "/customers?email=nobody@example.com", nil},
	{"GET", "/customers/count", nil},
	{"GET", "/customers/1", nil},
	{"PUT", "/customers/1", obj{"notes": "x"}},
	{"DELETE", "/customers/2", nil},
	{"POST", "/customers/1/validate", obj{"password": "secret123"}},
}

func TestAuth(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		mustCreateCustomer(t, ts, with(jane(), "_authentication", obj{"password": "secret123"}))
		mustCreateCustomer(t, ts, with(jane(), "email", "second@example.com"))
		for _, rt := range customerRoutes {
			name := rt.method + " " + rt.path
			for _, tc := range []struct {
				what string
				opts []reqOption
			}{
				{"no token", []reqOption{withToken("")}},
				{"unknown token", []reqOption{withToken("not-a-real-token-at-all")}},
				{"other store's token", []reqOption{withToken(ts.otherToken)}},
				{"unknown store hash", []reqOption{withStore("nosuchstore")}},
				{"token on other store's path", []reqOption{withStore(ts.otherHash)}},
			} {
				res := ts.do(rt.method, rt.path, rt.body, tc.opts...)
				if rt.method == "HEAD" {
					res.want(t, http.StatusUnauthorized)
					continue
				}
				res.wantGatewayError(t, http.StatusUnauthorized)
				if strings.Contains(string(res.Body), ts.otherHash) || strings.Contains(string(res.Body), "store1") {
					t.Errorf("%s with %s: the 401 names a store: %s", name, tc.what, res.Body)
				}
			}
			// The read-only scope may read, never write.
			res := ts.do(rt.method, rt.path, rt.body, withToken(ts.readToken))
			if rt.method == "GET" || rt.method == "HEAD" {
				res.want(t, http.StatusOK)
			} else {
				res.wantGatewayError(t, http.StatusForbidden)
				if want := `{"status":403,"title":"You don't have a required scope to access the endpoint","type":"https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes","errors":{}}`; string(res.Body) != want {
					t.Errorf("403 body=%s\nwant %s", res.Body, want)
				}
			}
		}
		// Nothing was changed by the rejected writes.
		c := mustGetCustomer(t, ts, 1)
		if c.Notes != "" {
			t.Errorf("a rejected PUT wrote notes=%q", c.Notes)
		}
		wantIDs(t, ts, "/customers", 1, 2)
		// X-Auth-Client is ignored, whatever it says.
		ts.do("GET", "/customers", nil, withHeader("X-Auth-Client", "someone-else")).want(t, http.StatusOK)
		ts.do("GET", "/customers", nil, func(r *http.Request) { r.Header.Del("X-Auth-Client") }).want(t, http.StatusOK)
	})
}

func TestAuth_NoScopes(t *testing.T) {
	ts := newTestServer(t, "sqlite")
	tenants := sqlstore.NewTenantService(ts.db)
	st, err := tenants.FindStoreByHash(context.Background(), ts.hash)
	if err != nil {
		t.Fatal(err)
	}
	token := customersd.NewAccessToken()
	if _, err := tenants.CreateAPIAccount(context.Background(), st.ID, token, nil); err != nil {
		t.Fatal(err)
	}
	ts.do("GET", "/customers", nil, withToken(token)).wantGatewayError(t, http.StatusForbidden)
	ts.do("POST", "/customers", jane(), withToken(token)).wantGatewayError(t, http.StatusForbidden)
}
