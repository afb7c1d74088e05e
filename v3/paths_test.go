package v3_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestHooks_BothPaths: /v2/hooks and /v3/hooks serve one set of hooks, with
// the same fields.
func TestHooks_BothPaths(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		v2 := func(method, path string, body any) *response {
			t.Helper()
			return ts.doAs(ts.token, method, "/stores/store1/v2"+path, body)
		}
		res := v2("POST", "/hooks", map[string]any{"scope": "store/customer/address/created", "destination": "http://localhost:9/a"})
		res.want(t, http.StatusCreated)
		if got, want := res.Header.Get("Location"), ts.URL+"/stores/store1/v2/hooks/1"; got != want {
			t.Fatalf("Location=%q, want %q", got, want)
		}
		h1 := hookBody(1, ts.clientID, "store/customer/address/created", "http://localhost:9/a", true, "null", start, start)
		// V2 writes "/" as "\/", as all of V2's JSON does.
		if got := strings.ReplaceAll(string(res.Body), `\/`, `/`); got != h1 {
			t.Fatalf("V2 body %s, want %s", got, h1)
		}
		ts.do("GET", "/hooks/1", nil).wantBody(t, http.StatusOK, `{"data":`+h1+`,"meta":{}}`)

		ts.mustCreateHook(t, ts.token, map[string]any{"scope": "store/customer/*", "destination": "http://localhost:9/b", "headers": map[string]string{"X-A": "1"}})
		h2 := hookBody(2, ts.clientID, "store/customer/*", "http://localhost:9/b", true, `{"X-A":"1"}`, start, start)
		res = v2("GET", "/hooks", nil).want(t, http.StatusOK)
		if got := strings.ReplaceAll(string(res.Body), `\/`, `/`); got != "["+h1+","+h2+"]" {
			t.Fatalf("V2 list %s, want [%s,%s]", got, h1, h2)
		}
		v2("PUT", "/hooks/2", map[string]any{"is_active": false}).want(t, http.StatusOK)
		var one struct {
			Data struct {
				IsActive bool `json:"is_active"`
			} `json:"data"`
		}
		ts.do("GET", "/hooks/2", nil).want(t, http.StatusOK).decode(t, &one)
		if one.Data.IsActive {
			t.Fatal("V3 still sees the hook V2 switched off as active")
		}
		v2("DELETE", "/hooks/1", nil).want(t, http.StatusNoContent)
		ts.do("GET", "/hooks/1", nil).wantError(t, http.StatusNotFound, "Webhook with id [1] not found", `{}`)
		ts.do("DELETE", "/hooks/2", nil).want(t, http.StatusOK)
		v2("GET", "/hooks/2", nil).want(t, http.StatusNotFound)
		// The limits count the hooks of both paths.
		for i := range 10 {
			ts.mustCreateHook(t, ts.token, map[string]any{"scope": "store/customer/deleted", "destination": "http://localhost:9/" + itoa(int64(i))})
		}
		v2("POST", "/hooks", map[string]any{"scope": "store/customer/deleted", "destination": "http://localhost:9/x"}).want(t, http.StatusUnprocessableEntity)
	})
}
