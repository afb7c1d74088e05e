package v2_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/sqlstore"
	v2 "github.com/customersd/customersd/v2"
)

// withHooks serves /hooks from the test database.
func withHooks(ts *testServer, api *v2.Server) { api.Hooks = sqlstore.NewHookService(ts.db) }

// v2Hook is a hook's exact V2 JSON, "/" written "\/".
func v2Hook(ts *testServer, id int64, scope, destination string, active bool, headers string) string {
	created := ts.clock.Now().Unix()
	body := fmt.Sprintf(`{"id":%d,"client_id":%q,"store_hash":"store1","scope":%q,"destination":%q,"is_active":%t,"headers":%s,"created_at":%d,"updated_at":%d}`,
		id, ts.clientID(), scope, destination, active, headers, created, created)
	return strings.ReplaceAll(body, "/", `\/`)
}

// clientID is the client id of the full token's account.
func (ts *testServer) clientID() string {
	ts.t.Helper()
	var hooks []struct {
		ClientID string `json:"client_id"`
	}
	ts.do("GET", "/hooks", nil).want(ts.t, http.StatusOK).decode(ts.t, &hooks)
	if len(hooks) == 0 {
		ts.t.Fatal("clientID needs a hook of the full token")
	}
	return hooks[0].ClientID
}

func wantBody(tb testing.TB, r *response, status int, contentType, body string) {
	tb.Helper()
	r.want(tb, status)
	if ct := r.Header.Get("Content-Type"); ct != contentType {
		tb.Fatalf("Content-Type=%q, want %q", ct, contentType)
	}
	if string(r.Body) != body {
		tb.Fatalf("body:\n got %s\nwant %s", r.Body, body)
	}
}

func TestHooks_V2(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		wantBody(t, ts.do("GET", "/hooks", nil), http.StatusOK, "application/json", `[]`)
		res := ts.do("POST", "/hooks", map[string]any{"scope": "store/customer/created", "destination": "http://localhost:9/h", "events_history_enabled": true})
		h1 := v2Hook(ts, 1, "store/customer/created", "http://localhost:9/h", true, "null")
		wantBody(t, res, http.StatusCreated, "application/json", h1)
		if got, want := res.Header.Get("Location"), ts.URL+"/stores/store1/v2/hooks/1"; got != want {
			t.Fatalf("Location=%q, want %q", got, want)
		}
		wantBody(t, ts.do("GET", "/hooks/1", nil), http.StatusOK, "application/json", h1)
		res = ts.do("PUT", "/hooks/1", map[string]any{"headers": map[string]string{"X-A": "1"}, "is_active": "false"})
		h1 = v2Hook(ts, 1, "store/customer/created", "http://localhost:9/h", false, `{"X-A":"1"}`)
		wantBody(t, res, http.StatusOK, "application/json", h1)
		wantBody(t, ts.do("GET", "/hooks?is_active=false", nil), http.StatusOK, "application/json", "["+h1+"]")
		wantBody(t, ts.do("GET", "/hooks?is_active=true", nil), http.StatusOK, "application/json", "[]")
		wantBody(t, ts.do("GET", "/hooks?scope=store/customer/created&limit=1&page=1", nil), http.StatusOK, "application/json", "["+h1+"]")
		wantBody(t, ts.do("GET", "/hooks?limit=1&page=2", nil), http.StatusOK, "application/json", "[]")
		wantBody(t, ts.do("GET", "/hooks?destination=http://localhost:9/h", nil), http.StatusOK, "application/json", "["+h1+"]")

		res = ts.do("DELETE", "/hooks/1", nil)
		res.want(t, http.StatusNoContent)
		if len(res.Body) != 0 {
			t.Fatalf("204 with a body %s", res.Body)
		}
		ts.do("GET", "/hooks/1", nil).wantError(t, http.StatusNotFound, "The requested resource was not found.")
		ts.do("DELETE", "/hooks/1", nil).wantError(t, http.StatusNotFound, "The requested resource was not found.")
		ts.do("PUT", "/hooks/1", map[string]any{"is_active": true}).wantError(t, http.StatusNotFound, "The requested resource was not found.")
		ts.do("GET", "/hooks/x", nil).wantError(t, http.StatusNotFound, "The requested resource was not found.")
	}, withHooks)
}

func TestHooks_V2Errors(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		ok := map[string]any{"scope": "store/customer/updated", "destination": "http://localhost:9/h"}
		tests := []struct {
			name    string
			body    any
			message string
		}{
			{"NoScope", map[string]any{"destination": "http://localhost:9/h"}, "The required field 'scope' was not supplied."},
			{"Scope", map[string]any{"scope": "store/product/*", "destination": "http://localhost:9/h"}, "The scope 'store/product/*' is not a webhook scope of this API; want one of store/customer/created, store/customer/updated, store/customer/deleted, store/customer/address/created, store/customer/address/updated, store/customer/address/deleted, store/customer/*, store/customer/address/*."},
			{"Destination", map[string]any{"scope": "store/customer/updated", "destination": "mailto:a@example.com"}, `The destination "mailto:a@example.com" is not an absolute http or https URL.`},
			{"Header", map[string]any{"scope": "store/customer/updated", "destination": "http://localhost:9/h", "headers": map[string]string{"Host": "x"}}, `The header "Host" is set by every delivery itself; a hook cannot send its own.`},
			{"HeadersType", map[string]any{"scope": "store/customer/updated", "destination": "http://localhost:9/h", "headers": "X-A: 1"}, "The field 'headers' is invalid."},
			{"Unknown", map[string]any{"scope": "store/customer/updated", "destination": "http://localhost:9/h", "secret": "s"}, "The field 'secret' is not supported by this resource."},
			{"Malformed", `{"scope":`, "The request body is not valid JSON."},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ts.do("POST", "/hooks", tt.body).wantError(t, http.StatusBadRequest, tt.message)
			})
		}
		ts.do("GET", "/hooks?scope=store/order/created", nil).wantError(t, http.StatusBadRequest, "The field 'scope' is invalid.")
		ts.do("GET", "/hooks?sort=id", nil).wantError(t, http.StatusBadRequest, "The field 'sort' is not supported by this resource.")
		ts.do("GET", "/hooks?limit=251", nil).wantError(t, http.StatusRequestEntityTooLarge, "The specified limit exceeds the maximum allowed.")
		wantBody(t, ts.do("GET", "/hooks", nil), http.StatusOK, "application/json", "[]")

		// Limits are 422, naming the limit.
		ts.do("POST", "/hooks", ok).want(t, http.StatusCreated)
		ts.do("POST", "/hooks", ok).wantError(t, http.StatusUnprocessableEntity, "Hook limit reached: one hook per store, client, scope and destination, and this one exists.")
		for i := range 9 {
			ts.do("POST", "/hooks", map[string]any{"scope": "store/customer/updated", "destination": fmt.Sprintf("http://localhost:9/%d", i)}).want(t, http.StatusCreated)
		}
		ts.do("POST", "/hooks", map[string]any{"scope": "store/customer/updated", "destination": "http://localhost:9/x"}).
			wantError(t, http.StatusUnprocessableEntity, "Hook limit reached: at most 10 hooks per store, client and scope.")
		ts.do("PUT", "/hooks/1", map[string]any{}).wantError(t, http.StatusBadRequest, "Send at least one of the fields scope, destination, is_active or headers.")

		// Any token of the store manages hooks; a customer event needs a customers scope.
		ts.do("GET", "/hooks", nil, withToken(ts.readToken)).want(t, http.StatusOK)
		ts.do("POST", "/hooks", map[string]any{"scope": "store/customer/deleted", "destination": "http://localhost:9/r"}, withToken(ts.readToken)).want(t, http.StatusCreated)
		ts.do("GET", "/hooks", nil, withToken(ts.otherToken)).wantGatewayError(t, http.StatusUnauthorized)
		login := mustCreateToken(t, sqlstore.NewTenantService(ts.db), ts.hash, customersd.ScopeCustomersLogin)
		wantBody(t, ts.do("GET", "/hooks", nil, withToken(login)), http.StatusOK, "application/json", "[]")
		ts.do("POST", "/hooks", map[string]any{"scope": "store/customer/deleted", "destination": "http://localhost:9/l"}, withToken(login)).
			wantGatewayError(t, http.StatusForbidden)
	}, withHooks)
}

// TestHooks_V2XML: /v2/hooks negotiates XML as the rest of V2, in responses
// and request bodies.
func TestHooks_V2XML(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		xml := withHeader("Accept", "application/xml")
		res := ts.do("POST", "/hooks", `<?xml version="1.0"?><hook><scope>store/customer/address/*</scope><destination>http://localhost:9/x?a=1&amp;b=2</destination><headers><X-Token>t&lt;1</X-Token></headers></hook>`,
			xml, withHeader("Content-Type", "application/xml"))
		created := ts.clock.Now().Unix()
		var cid struct {
			ClientID string `json:"client_id"`
		}
		ts.do("GET", "/hooks/1", nil).want(t, http.StatusOK).decode(t, &cid)
		want := fmt.Sprintf("<?xml version=\"1.0\"?>\n<hook>\n  <id>1</id>\n  <client_id>%s</client_id>\n  <store_hash>store1</store_hash>\n"+
			"  <scope>store/customer/address/*</scope>\n  <destination><![CDATA[http://localhost:9/x?a=1&b=2]]></destination>\n  <is_active>true</is_active>\n"+
			"  <headers>\n    <X-Token><![CDATA[t<1]]></X-Token>\n  </headers>\n  <created_at>%d</created_at>\n  <updated_at>%d</updated_at>\n</hook>\n", cid.ClientID, created, created)
		wantBody(t, res, http.StatusCreated, "application/xml", want)
		wantBody(t, ts.do("GET", "/hooks/1", nil, xml), http.StatusOK, "application/xml", want)
		list := ts.do("GET", "/hooks", nil, xml)
		wantBody(t, list, http.StatusOK, "application/xml", "<?xml version=\"1.0\"?>\n<hooks>\n"+indent(strings.TrimPrefix(want, "<?xml version=\"1.0\"?>\n"))+"</hooks>\n")
		wantBody(t, ts.do("GET", "/hooks?is_active=false", nil, xml), http.StatusOK, "application/xml", "<?xml version=\"1.0\"?>\n<hooks>\n</hooks>\n")
		wantBody(t, ts.do("GET", "/hooks/2", nil, xml), http.StatusNotFound, "application/xml",
			"<?xml version=\"1.0\"?>\n<errors>\n  <error>\n    <status>404</status>\n    <message>The requested resource was not found.</message>\n  </error>\n</errors>\n")
		wantBody(t, ts.do("POST", "/hooks", `<hook><scope>store/customer/address/*</scope><destination>http://localhost:9/x?a=1&amp;b=2</destination></hook>`, xml, withHeader("Content-Type", "application/xml")),
			http.StatusUnprocessableEntity, "application/xml",
			"<?xml version=\"1.0\"?>\n<errors>\n  <error>\n    <status>422</status>\n    <message>Hook limit reached: one hook per store, client, scope and destination, and this one exists.</message>\n  </error>\n</errors>\n")
	}, withHooks)
}

func indent(s string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = "  " + l
		}
	}
	return strings.Join(lines, "")
}
