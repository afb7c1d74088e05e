package v3_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	v2 "github.com/customersd/customersd/v2"
	v3 "github.com/customersd/customersd/v3"
)

// hookBody is the exact JSON of a hook as the V3 and V2 paths write it.
func hookBody(id int64, clientID, scope, destination string, active bool, headers string, created, updated time.Time) string {
	return fmt.Sprintf(`{"id":%d,"client_id":%q,"store_hash":"store1","scope":%q,"destination":%q,"is_active":%t,"headers":%s,"created_at":%d,"updated_at":%d}`,
		id, clientID, scope, destination, active, headers, created.Unix(), updated.Unix())
}

func TestCreateHook(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		t.Run("OK", func(t *testing.T) {
			res := ts.do("POST", "/hooks", map[string]any{"scope": "store/customer/created", "destination": "http://127.0.0.1:8080/hooks?x=1",
				"headers": map[string]string{"X-Secret": "s3"}, "events_history_enabled": true})
			want := hookBody(1, ts.clientID, "store/customer/created", "http://127.0.0.1:8080/hooks?x=1", true, `{"X-Secret":"s3"}`, start, start)
			res.wantBody(t, http.StatusOK, `{"data":`+want+`,"meta":{}}`)
			// The store's quota applies to V3 as to V2: its headers are on every answer.
			for _, h := range []string{"X-Rate-Limit-Requests-Quota", "X-Rate-Limit-Requests-Left", "X-Rate-Limit-Time-Window-Ms", "X-Rate-Limit-Time-Reset-Ms"} {
				if res.Header.Get(h) == "" {
					t.Errorf("no %s header", h)
				}
			}
			ts.do("GET", "/hooks/1", nil).wantBody(t, http.StatusOK, `{"data":`+want+`,"meta":{}}`)
			head := ts.do("HEAD", "/hooks/1", nil).want(t, http.StatusOK)
			if len(head.Body) != 0 || head.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("HEAD: body %q, Content-Type %q", head.Body, head.Header.Get("Content-Type"))
			}
		})
		t.Run("Defaults", func(t *testing.T) {
			// is_active defaults to true; {} headers are none (null).
			res := ts.do("POST", "/hooks", map[string]any{"scope": "store/customer/*", "destination": "https://example.com/h", "headers": map[string]string{}})
			res.wantBody(t, http.StatusOK, `{"data":`+hookBody(2, ts.clientID, "store/customer/*", "https://example.com/h", true, "null", start, start)+`,"meta":{}}`)
			res = ts.do("POST", "/hooks", map[string]any{"scope": "store/customer/address/*", "destination": "https://example.com/h", "is_active": false,
				"id": 99, "created_at": 5})
			res.wantBody(t, http.StatusOK, `{"data":`+hookBody(3, ts.clientID, "store/customer/address/*", "https://example.com/h", false, "null", start, start)+`,"meta":{}}`)
		})
	})
}

// TestCreateHook_Invalid: every bad body is refused with what is wrong, and
// creates nothing.
func TestCreateHook_Invalid(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		ok := map[string]any{"scope": "store/customer/created", "destination": "http://localhost:9/h"}
		with := func(k string, v any) map[string]any {
			m := map[string]any{}
			for k, v := range ok {
				m[k] = v
			}
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
			return m
		}
		manyHeaders := map[string]string{}
		for i := range 21 {
			manyHeaders[fmt.Sprintf("X-H%d", i)] = "v"
		}
		tests := []struct {
			name  string
			body  any
			field string
			title string
		}{
			{"NoScope", with("scope", nil), "scope", "The required field 'scope' was not supplied."},
			{"NoDestination", with("destination", nil), "destination", "The required field 'destination' was not supplied."},
			{"UnknownScope", with("scope", "store/order/created"), "scope", "The scope 'store/order/created' is not a webhook scope of this API; want one of store/customer/created, store/customer/updated, store/customer/deleted, store/customer/address/created, store/customer/address/updated, store/customer/address/deleted, store/customer/*, store/customer/address/*."},
			{"ScopeType", with("scope", 5), "scope", "The field 'scope' must be a string."},
			{"EmptyDestination", with("destination", ""), "destination", "The destination is empty; send an absolute http or https URL."},
			{"FTP", with("destination", "ftp://example.com/h"), "destination", `The destination "ftp://example.com/h" is not an absolute http or https URL.`},
			{"Relative", with("destination", "/hooks"), "destination", `The destination "/hooks" is not an absolute http or https URL.`},
			{"Credentials", with("destination", "https://u:p@example.com/h"), "destination", "The destination must not carry credentials; send them in the hook's headers."},
			{"Fragment", with("destination", "https://example.com/h#x"), "destination", "The destination must not have a fragment."},
			{"Port", with("destination", "http://example.com:99999/h"), "destination", `The destination has a bad port "99999".`},
			{"Space", with("destination", "http://exa mple.com/"), "destination", "The destination has a space or a control character."},
			{"Long", with("destination", "https://example.com/"+strings.Repeat("a", 2048)), "destination", "The destination is longer than 2048 bytes."},
			{"IsActiveType", with("is_active", "yes"), "is_active", "The field 'is_active' must be true or false."},
			{"HistoryType", with("events_history_enabled", "yes"), "events_history_enabled", "The field 'events_history_enabled' must be true or false."},
			{"HeadersType", with("headers", []string{"a"}), "headers", "The field 'headers' must be an object of strings or null."},
			{"HeaderValueType", with("headers", map[string]any{"X-A": 1}), "headers", "The field 'headers' must be an object of strings or null."},
			{"HeaderName", with("headers", map[string]string{"X Bad": "v"}), "headers", `The header "X Bad" is not a valid header name: use letters, digits, '-' and '_', starting with a letter.`},
			{"HeaderReserved", with("headers", map[string]string{"content-type": "text/plain"}), "headers", `The header "content-type" is set by every delivery itself; a hook cannot send its own.`},
			{"HeaderSigning", with("headers", map[string]string{"Webhook-Signature": "v1,x"}), "headers", `The header "Webhook-Signature" is set by every delivery itself; a hook cannot send its own.`},
			{"HeaderRepeated", with("headers", map[string]string{"X-A": "1", "x-a": "2"}), "headers", `The header "x-a" repeats "X-A": header names are case-insensitive.`},
			{"HeaderNewline", with("headers", map[string]string{"X-A": "a\r\nX-B: b"}), "headers", `The header "X-A" has a control character in its value.`},
			{"HeaderLong", with("headers", map[string]string{"X-A": strings.Repeat("v", 2049)}), "headers", `The header "X-A" has a value longer than 2048 bytes.`},
			{"HeaderCount", with("headers", manyHeaders), "headers", "A hook may have at most 20 headers, not 21."},
			{"Unknown", with("secret", "x"), "secret", "The field 'secret' is not supported by this resource."},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ts.do("POST", "/hooks", tt.body).wantError(t, http.StatusUnprocessableEntity, tt.title, `{"`+tt.field+`":`+quote(tt.title)+`}`)
			})
		}
		t.Run("Malformed", func(t *testing.T) {
			ts.do("POST", "/hooks", `{"scope":`).wantError(t, http.StatusBadRequest, "The request body is not valid JSON.", `{}`)
			ts.do("POST", "/hooks", `[]`).wantError(t, http.StatusBadRequest, "The request body is not valid JSON.", `{}`)
			ts.do("POST", "/hooks", `{} {}`).wantError(t, http.StatusBadRequest, "The request body is not valid JSON.", `{}`)
		})
		t.Run("TooLarge", func(t *testing.T) {
			ts.do("POST", "/hooks", `{"scope":"`+strings.Repeat("a", 64<<10)+`"}`).
				wantError(t, http.StatusRequestEntityTooLarge, "The request body is larger than 65536 bytes.", `{}`)
		})
		t.Run("MediaType", func(t *testing.T) {
			req, _ := http.NewRequest("POST", ts.URL+"/stores/store1/v3/hooks", strings.NewReader(`scope=x`))
			req.Header.Set("X-Auth-Token", ts.token)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusUnsupportedMediaType {
				t.Fatalf("status=%d, want 415", res.StatusCode)
			}
		})
		ts.do("GET", "/hooks", nil).wantBody(t, http.StatusOK,
			`{"data":[],"meta":{"pagination":{"total":0,"count":0,"per_page":50,"current_page":1,"total_pages":0,"links":{"current":"?limit=50&page=1"}}}}`)
	})
}

func TestCreateHook_RequireHTTPS(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		const title = "The destination must be an https URL on port 443, as BigCommerce requires (this server runs with --webhook-require-https)."
		for _, d := range []string{"http://example.com/h", "https://example.com:8443/h"} {
			ts.do("POST", "/hooks", map[string]any{"scope": "store/customer/created", "destination": d}).
				wantError(t, http.StatusUnprocessableEntity, title, `{"destination":"`+title+`"}`)
		}
		for _, d := range []string{"https://example.com/h", "https://example.com:443/h2"} {
			ts.do("POST", "/hooks", map[string]any{"scope": "store/customer/created", "destination": d}).want(t, http.StatusOK)
		}
		// PUT is held to the same rule.
		ts.do("PUT", "/hooks/1", map[string]any{"destination": "http://example.com/h"}).
			wantError(t, http.StatusUnprocessableEntity, title, `{"destination":"`+title+`"}`)
	}, func(s3 *v3.Server, s2 *v2.Server) { s3.Rules.RequireHTTPS = true })
}

// TestHooks_Scopes: any valid token of the store manages hooks, but a hook
// on store/customer/* events needs a customers scope.
func TestHooks_Scopes(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		body := map[string]any{"scope": "store/customer/updated", "destination": "http://localhost:9/h"}
		const title = "A hook on store/customer/updated needs a token with the store_v2_customers or store_v2_customers_read_only scope."
		ts.doAs(ts.loginToken, "POST", "/stores/store1/v3/hooks", body).wantError(t, http.StatusForbidden, title, `{}`)
		ts.doAs(ts.loginToken, "GET", "/stores/store1/v3/hooks", nil).want(t, http.StatusOK)
		ts.doAs(ts.loginToken, "GET", "/stores/store1/v3/hooks/admin", nil).want(t, http.StatusOK)
		// A read-only token may subscribe: events are reads.
		ts.mustCreateHook(t, ts.readToken, body)
		ts.doAs(ts.readToken, "PUT", "/stores/store1/v3/hooks/1", map[string]any{"is_active": false}).want(t, http.StatusOK)
		ts.doAs(ts.readToken, "DELETE", "/stores/store1/v3/hooks/1", nil).want(t, http.StatusOK)

		ts.doAs("", "GET", "/stores/store1/v3/hooks", nil).wantError(t, http.StatusUnauthorized, "No valid credentials were found in this request", `{}`)
		ts.doAs(ts.otherToken, "GET", "/stores/store1/v3/hooks", nil).wantError(t, http.StatusUnauthorized, "No valid credentials were found in this request", `{}`)
	})
}

// TestHooks_PerAccount: a hook is its account's: another account of the
// store, or another store, sees a 404 and an empty list.
func TestHooks_PerAccount(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		id := ts.mustCreateHook(t, ts.token, map[string]any{"scope": "store/customer/created", "destination": "http://localhost:9/h"})
		nf := fmt.Sprintf("Webhook with id [%d] not found", id)
		path := "/stores/store1/v3/hooks/" + itoa(id)
		ts.doAs(ts.token2, "GET", path, nil).wantError(t, http.StatusNotFound, nf, `{}`)
		ts.doAs(ts.token2, "PUT", path, map[string]any{"is_active": false}).wantError(t, http.StatusNotFound, nf, `{}`)
		ts.doAs(ts.token2, "DELETE", path, nil).wantError(t, http.StatusNotFound, nf, `{}`)
		var list struct {
			Data []any `json:"data"`
		}
		ts.doAs(ts.token2, "GET", "/stores/store1/v3/hooks", nil).want(t, http.StatusOK).decode(t, &list)
		if len(list.Data) != 0 {
			t.Fatalf("another account lists %d hooks, want none", len(list.Data))
		}
		ts.doAs(ts.otherToken, "GET", "/stores/store2/v3/hooks/"+itoa(id), nil).wantError(t, http.StatusNotFound, nf, `{}`)
		// The other account's limits are its own: the same scope and destination is no duplicate.
		ts.mustCreateHook(t, ts.token2, map[string]any{"scope": "store/customer/created", "destination": "http://localhost:9/h"})
		// Still there, unchanged, for its owner.
		ts.do("GET", "/hooks/"+itoa(id), nil).want(t, http.StatusOK)
	})
}

func TestHooks_Limits(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		for i := range 10 {
			ts.mustCreateHook(t, ts.token, map[string]any{"scope": "store/customer/created", "destination": fmt.Sprintf("http://localhost:9/h%d", i)})
		}
		const tooMany = "Hook limit reached: at most 10 hooks per store, client and scope."
		ts.do("POST", "/hooks", map[string]any{"scope": "store/customer/created", "destination": "http://localhost:9/h10"}).
			wantError(t, http.StatusUnprocessableEntity, tooMany, `{"scope":"`+tooMany+`"}`)
		const dup = "Hook limit reached: one hook per store, client, scope and destination, and this one exists."
		ts.do("POST", "/hooks", map[string]any{"scope": "store/customer/updated", "destination": "http://localhost:9/u"}).want(t, http.StatusOK)
		ts.do("POST", "/hooks", map[string]any{"scope": "store/customer/updated", "destination": "http://localhost:9/u"}).
			wantError(t, http.StatusUnprocessableEntity, dup, `{"destination":"`+dup+`"}`)
		// A PUT into a full scope breaks the limit too, and changes nothing.
		ts.do("PUT", "/hooks/11", map[string]any{"scope": "store/customer/created"}).
			wantError(t, http.StatusUnprocessableEntity, tooMany, `{"scope":"`+tooMany+`"}`)
		var one struct {
			Data struct{ Scope string } `json:"data"`
		}
		ts.do("GET", "/hooks/11", nil).want(t, http.StatusOK).decode(t, &one)
		if one.Data.Scope != "store/customer/updated" {
			t.Fatalf("scope=%q after a refused PUT", one.Data.Scope)
		}
		// So does a PUT onto another hook's scope and destination.
		ts.do("POST", "/hooks", map[string]any{"scope": "store/customer/updated", "destination": "http://localhost:9/v"}).want(t, http.StatusOK)
		ts.do("PUT", "/hooks/12", map[string]any{"destination": "http://localhost:9/u"}).
			wantError(t, http.StatusUnprocessableEntity, dup, `{"destination":"`+dup+`"}`)
		// Other accounts have limits of their own.
		ts.mustCreateHook(t, ts.token2, map[string]any{"scope": "store/customer/created", "destination": "http://localhost:9/h10"})
	})
}

func TestUpdateHook(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		id := ts.mustCreateHook(t, ts.token, map[string]any{"scope": "store/customer/created", "destination": "http://localhost:9/h",
			"headers": map[string]string{"X-A": "1"}})
		later := start.Add(time.Hour)
		ts.clock.Advance(time.Hour)
		ts.do("PUT", "/hooks/1", map[string]any{"is_active": false}).wantBody(t, http.StatusOK,
			`{"data":`+hookBody(id, ts.clientID, "store/customer/created", "http://localhost:9/h", false, `{"X-A":"1"}`, start, later)+`,"meta":{}}`)
		ts.do("PUT", "/hooks/1", map[string]any{"headers": nil, "scope": "store/customer/address/deleted", "destination": "https://example.com/x", "is_active": true}).
			wantBody(t, http.StatusOK, `{"data":`+hookBody(id, ts.clientID, "store/customer/address/deleted", "https://example.com/x", true, `null`, start, later)+`,"meta":{}}`)
		const none = "Send at least one of the fields scope, destination, is_active or headers."
		ts.do("PUT", "/hooks/1", map[string]any{}).wantError(t, http.StatusUnprocessableEntity, none, `{}`)
		ts.do("PUT", "/hooks/1", map[string]any{"events_history_enabled": true}).wantError(t, http.StatusUnprocessableEntity, none, `{}`)
		ts.do("PUT", "/hooks/1", map[string]any{"scope": "store/cart/created"}).want(t, http.StatusUnprocessableEntity)
		ts.do("PUT", "/hooks/2", map[string]any{"is_active": true}).wantError(t, http.StatusNotFound, "Webhook with id [2] not found", `{}`)
		// The refused PUTs changed nothing.
		ts.do("GET", "/hooks/1", nil).wantBody(t, http.StatusOK,
			`{"data":`+hookBody(id, ts.clientID, "store/customer/address/deleted", "https://example.com/x", true, `null`, start, later)+`,"meta":{}}`)
	})
}

func TestDeleteHook(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		id := ts.mustCreateHook(t, ts.token, map[string]any{"scope": "store/customer/deleted", "destination": "http://localhost:9/h"})
		want := `{"data":` + hookBody(id, ts.clientID, "store/customer/deleted", "http://localhost:9/h", true, "null", start, start) + `,"meta":{}}`
		ts.do("DELETE", "/hooks/1", nil).wantBody(t, http.StatusOK, want)
		ts.do("GET", "/hooks/1", nil).wantError(t, http.StatusNotFound, "Webhook with id [1] not found", `{}`)
		ts.do("DELETE", "/hooks/1", nil).wantError(t, http.StatusNotFound, "Webhook with id [1] not found", `{}`)
	})
}

func TestHooks_Routing(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		ts.do("GET", "/hooks/abc", nil).wantError(t, http.StatusNotFound, "Webhook with id [abc] not found", `{}`)
		ts.do("GET", "/hooks/0", nil).wantError(t, http.StatusNotFound, "Webhook with id [0] not found", `{}`)
		ts.do("GET", "/hooks/999", nil).wantError(t, http.StatusNotFound, "Webhook with id [999] not found", `{}`)
		res := ts.do("DELETE", "/hooks/admin", nil)
		res.wantError(t, http.StatusMethodNotAllowed, "Method Not Allowed", `{}`)
		if got := res.Header.Get("Allow"); got != "GET, HEAD, PUT" {
			t.Fatalf("Allow=%q, want GET, HEAD, PUT", got)
		}
		res = ts.do("PATCH", "/hooks", nil)
		res.wantError(t, http.StatusMethodNotAllowed, "Method Not Allowed", `{}`)
		if got := res.Header.Get("Allow"); got != "GET, HEAD, POST" {
			t.Fatalf("Allow=%q, want GET, HEAD, POST", got)
		}
		ts.do("GET", "/customers", nil).wantError(t, http.StatusNotFound, "Not Found", `{}`)
	})
}
