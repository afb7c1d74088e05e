package admin_test

import (
	"net/http"
	"strings"
	"testing"
)

// A server built without login records (this package's test server, like
// a program embedding the admin API alone) answers the login calls 404;
// customersd serve has them (storefront tests, internal/cli).
func TestLoginCalls_WithoutLoginRecords(t *testing.T) {
	ts := newTestServer(t, "sqlite", adminToken)
	ts.admin(http.MethodPost, "/admin/v1/stores", map[string]any{"store_hash": "s1"}).want(t, http.StatusCreated)
	res := ts.admin(http.MethodGet, "/admin/v1/stores/s1/login/attempts", nil).want(t, http.StatusNotFound)
	if !strings.Contains(string(res.Body), "keeps no login records") {
		t.Fatalf("body %s", res.Body)
	}
	ts.admin(http.MethodPost, "/admin/v1/stores/s1/login/explain", map[string]any{"token": "x"}).want(t, http.StatusNotFound)
}
