package admin_test

import (
	"fmt"
	"net/http"
	"testing"
)

// TestListStoreHooks: the admin API sees every hook of a store, whichever
// account made it, and nothing of another store.
func TestListStoreHooks(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		st := ts.mustCreateStore(t, map[string]any{"store_hash": "s1"})
		ts.mustCreateStore(t, map[string]any{"store_hash": "s2"})
		var tok struct {
			ClientID    string `json:"client_id"`
			AccessToken string `json:"access_token"`
		}
		ts.admin("POST", "/admin/v1/stores/s1/tokens", map[string]any{"scopes": []string{"store_v2_customers_read_only"}}).want(t, http.StatusCreated).decode(t, &tok)

		ts.admin("GET", "/admin/v1/stores/s1/hooks", nil).want(t, http.StatusOK)
		wantJSON(t, ts.admin("GET", "/admin/v1/stores/s1/hooks", nil), `{"hooks":[]}`)

		ts.v3(st.Token.AccessToken, "POST", "s1", "/hooks", map[string]any{"scope": "store/customer/created", "destination": "http://localhost:9/a",
			"headers": map[string]string{"X-A": "1"}}).want(t, http.StatusOK)
		ts.v2(tok.AccessToken, "POST", "s1", "/hooks", map[string]any{"scope": "store/customer/*", "destination": "http://localhost:9/b", "is_active": false}).
			want(t, http.StatusCreated)
		var created struct {
			Data struct {
				CreatedAt int64 `json:"created_at"`
			} `json:"data"`
		}
		ts.v3(st.Token.AccessToken, "GET", "s1", "/hooks/1", nil).want(t, http.StatusOK).decode(t, &created)
		at := created.Data.CreatedAt
		ts.v3(tok.AccessToken, "GET", "s1", "/hooks/2", nil).want(t, http.StatusOK).decode(t, &created)
		at2 := created.Data.CreatedAt
		wantJSON(t, ts.admin("GET", "/admin/v1/stores/s1/hooks", nil), fmt.Sprintf(`{"hooks":[`+
			`{"id":1,"client_id":%q,"store_hash":"s1","scope":"store/customer/created","destination":"http://localhost:9/a","is_active":true,"headers":{"X-A":"1"},"created_at":%d,"updated_at":%d},`+
			`{"id":2,"client_id":%q,"store_hash":"s1","scope":"store/customer/*","destination":"http://localhost:9/b","is_active":false,"headers":null,"created_at":%d,"updated_at":%d}]}`,
			st.Token.ClientID, at, at, tok.ClientID, at2, at2))
		wantJSON(t, ts.admin("GET", "/admin/v1/stores/s2/hooks", nil), `{"hooks":[]}`)
		ts.admin("GET", "/admin/v1/stores/nope/hooks", nil).wantProblem(t, http.StatusNotFound, "")
		ts.adminAs("", "GET", "/admin/v1/stores/s1/hooks", nil).want(t, http.StatusUnauthorized)
	})
}

// wantJSON checks a 200 admin answer's exact body.
func wantJSON(tb testing.TB, r *response, body string) {
	tb.Helper()
	r.want(tb, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		tb.Fatalf("Content-Type=%q", ct)
	}
	if got := string(r.Body); got != body+"\n" {
		tb.Fatalf("body:\n got %s\nwant %s", got, body)
	}
}
