package admin_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/sqlstore"
)

// adminRoutes is one request per admin route.
var adminRoutes = []struct{ method, path string }{
	{"POST", "/admin/v1/stores"},
	{"GET", "/admin/v1/stores"},
	{"GET", "/admin/v1/stores/s1"},
	{"DELETE", "/admin/v1/stores/s1"},
	{"POST", "/admin/v1/stores/s1/reset"},
	{"GET", "/admin/v1/stores/s1/export"},
	{"PUT", "/admin/v1/stores/s1/import"},
	{"POST", "/admin/v1/stores/s1/tokens"},
	{"GET", "/admin/v1/stores/s1/tokens"},
	{"DELETE", "/admin/v1/stores/s1/tokens/abc"},
	{"GET", "/admin/v1/nothing-here"},
}

func TestAdmin_Disabled(t *testing.T) {
	ts := newTestServer(t, "sqlite", "")
	for _, rt := range adminRoutes {
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			// Even a request that would carry the token of an enabled
			// server finds nothing.
			ts.adminAs("Bearer "+adminToken, rt.method, rt.path, nil).wantProblem(t, http.StatusNotFound, "Not found.")
			ts.adminAs("", rt.method, rt.path, nil).wantProblem(t, http.StatusNotFound, "Not found.")
		})
	}
	if n := len(mustStores(t, ts)); n != 0 {
		t.Fatalf("a disabled admin API created %d stores", n)
	}
}

func mustStores(tb testing.TB, ts *testServer) []*customersd.Store {
	tb.Helper()
	stores, err := sqlstore.NewTenantService(ts.db).FindStores(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return stores
}

func TestAdmin_Unauthorized(t *testing.T) {
	ts := newTestServer(t, "sqlite", adminToken)
	for _, auth := range []string{
		"",                           // missing
		"Bearer wrong-token",         // wrong
		"Bearer " + adminToken + "x", // a longer token with the right prefix
		"Basic " + adminToken,        // wrong scheme
		"Bearer",                     // no token
	} {
		for _, rt := range adminRoutes {
			res := ts.adminAs(auth, rt.method, rt.path, nil)
			res.wantProblem(t, http.StatusUnauthorized, "admin token")
			if got := res.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
				t.Fatalf("WWW-Authenticate=%q, want a Bearer challenge", got)
			}
		}
	}
	// The scheme is case-insensitive (RFC 9110).
	ts.adminAs("bearer "+adminToken, "GET", "/admin/v1/stores", nil).want(t, http.StatusOK)
	if strings.Contains(ts.logs.String(), adminToken) {
		t.Fatal("the admin token appears in the log")
	}
}

func TestAdmin_Routing(t *testing.T) {
	ts := newTestServer(t, "sqlite", adminToken)
	ts.admin("GET", "/admin/v1/nothing-here", nil).wantProblem(t, http.StatusNotFound, "Not found.")
	res := ts.admin("PATCH", "/admin/v1/stores", nil)
	res.wantProblem(t, http.StatusMethodNotAllowed, "PATCH")
	if got, want := res.Header.Get("Allow"), "GET, POST"; got != want {
		t.Fatalf("Allow=%q, want %q", got, want)
	}
	// Paths outside /admin/ are the V2 API's, whatever the admin token.
	ts.adminAs("Bearer "+adminToken, "GET", "/stores/x/v2/customers", nil).want(t, http.StatusUnauthorized)
}
