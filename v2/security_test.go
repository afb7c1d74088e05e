package v2_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	v2 "github.com/customersd/customersd/v2"
)

// v2Route is one V2 route with a request that would succeed on the
// security fixture. {c}, {a} and {g} stand for a customer, address and
// group ID.
type v2Route struct {
	method, path string
	body         any
}

func (rt v2Route) String() string { return rt.method + " " + rt.path }

func (rt v2Route) write() bool { return rt.method != "GET" && rt.method != "HEAD" }

// withIDs fills the ID placeholders.
func (rt v2Route) withIDs(c, a, g string) string {
	return strings.NewReplacer("{c}", c, "{a}", a, "{g}", g).Replace(rt.path)
}

// v2Routes is every V2 route, the undocumented ones included (BEHAVIOR.md,
// "Paths and routing").
var v2Routes = []v2Route{
	{"GET", "/customers", nil},
	{"HEAD", "/customers", nil},
	{"POST", "/customers", obj{"first_name": "A", "last_name": "B", "email": "sec@example.com"}},
	{"DELETE", "/customers?email=nobody@example.com", nil},
	{"GET", "/customers/count", nil},
	{"GET", "/customers/{c}", nil},
	{"HEAD", "/customers/{c}", nil},
	{"PUT", "/customers/{c}", obj{"notes": "x"}},
	{"DELETE", "/customers/{c}", nil},
	{"POST", "/customers/{c}/validate", obj{"password": "secret123"}},
	{"GET", "/customers/{c}/addresses", nil},
	{"POST", "/customers/{c}/addresses", secAddress()},
	{"DELETE", "/customers/{c}/addresses", nil},
	{"GET", "/customers/{c}/addresses/count", nil},
	{"GET", "/customers/{c}/addresses/{a}", nil},
	{"PUT", "/customers/{c}/addresses/{a}", obj{"city": "x"}},
	{"DELETE", "/customers/{c}/addresses/{a}", nil},
	{"GET", "/customers/addresses/count", nil},
	{"GET", "/customers/addresses/{a}", nil},
	{"GET", "/customer_groups", nil},
	{"POST", "/customer_groups", obj{"name": "Sec"}},
	{"DELETE", "/customer_groups", nil},
	{"GET", "/customer_groups/count", nil},
	{"GET", "/customer_groups/{g}", nil},
	{"PUT", "/customer_groups/{g}", obj{"name": "x"}},
	{"DELETE", "/customer_groups/{g}", nil},
}

func secAddress() obj {
	return obj{"first_name": "Jane", "last_name": "Doe", "phone": "555-0100", "street_1": "1 Main St",
		"city": "Austin", "state": "Texas", "zip": "78726", "country": "United States"}
}

const secPassword = "secret123"

// secFixture makes customer 1 (with a password, an address and group 1),
// customer 2 and group 2.
func secFixture(tb testing.TB, ts *testServer) {
	tb.Helper()
	ts.do("POST", "/customer_groups", obj{"name": "Retail"}).want(tb, http.StatusCreated)
	ts.do("POST", "/customer_groups", obj{"name": "Wholesale"}).want(tb, http.StatusCreated)
	mustCreateCustomer(tb, ts, with(jane(), "customer_group_id", 1, "_authentication", obj{"password": secPassword}))
	mustCreateCustomer(tb, ts, with(jane(), "email", "second@example.com"))
	ts.do("POST", "/customers/1/addresses", secAddress()).want(tb, http.StatusCreated)
}

// snapshot is everything the fixture's store holds, as the API shows it.
func snapshot(tb testing.TB, ts *testServer) string {
	tb.Helper()
	var b strings.Builder
	for _, p := range []string{"/customers", "/customers/1/addresses", "/customers/2/addresses", "/customer_groups", "/customers/addresses/count"} {
		res := ts.do("GET", p, nil)
		fmt.Fprintf(&b, "%s %d %s\n", p, res.Status, res.Body)
	}
	return b.String()
}

// TestSecurity_Tokens sends every route with a token of another store, with
// a token on another store's path, with no token and with a read-only
// token: 401 revealing nothing, or (read-only) 403 for every write, and
// nothing changes.
func TestSecurity_Tokens(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		secFixture(t, ts)
		before := snapshot(t, ts)
		secrets := []string{ts.hash, ts.otherHash, "Jane", "jane@example.com", "second@example.com", "Austin", "Retail", secPassword}
		for _, rt := range v2Routes {
			path := rt.withIDs("1", "1", "1")
			for _, tc := range []struct {
				what string
				opts []reqOption
			}{
				{"another store's token", []reqOption{withToken(ts.otherToken)}},
				{"the token on another store's path", []reqOption{withStore(ts.otherHash)}},
				{"the read-only token on another store's path", []reqOption{withStore(ts.otherHash), withToken(ts.readToken)}},
				{"no token", []reqOption{withToken("")}},
				{"an empty token header", []reqOption{withHeader("X-Auth-Token", "")}},
				{"a token with SQL in it", []reqOption{withToken("' OR 1=1 --")}},
			} {
				res := ts.do(rt.method, path, rt.body, tc.opts...)
				if rt.method == "HEAD" {
					res.want(t, http.StatusUnauthorized)
					continue
				}
				res.wantGatewayError(t, http.StatusUnauthorized)
				for _, s := range secrets {
					if strings.Contains(string(res.Body), s) || strings.Contains(fmt.Sprint(res.Header), s) {
						t.Errorf("%s with %s: the 401 reveals %q: %v %s", rt, tc.what, s, res.Header, res.Body)
					}
				}
			}
			res := ts.do(rt.method, path, rt.body, withToken(ts.readToken))
			switch {
			case rt.write():
				res.wantGatewayError(t, http.StatusForbidden)
			case res.Status != http.StatusOK && res.Status != http.StatusNoContent:
				t.Errorf("%s with the read-only token: status=%d, want 200 or 204", rt, res.Status)
			}
		}
		if after := snapshot(t, ts); after != before {
			t.Fatalf("rejected requests changed the store:\nbefore %s\nafter  %s", before, after)
		}
	})
}

// TestSecurity_UnusualIDs puts odd IDs in every ID position of every route:
// 404 or 400, never a 5xx, and nothing changes.
func TestSecurity_UnusualIDs(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		secFixture(t, ts)
		before := snapshot(t, ts)
		bad := []string{"0", "-1", "99999999999999999999", "9223372036854775807", "-9223372036854775808",
			"abc", "1e3", "%00", "%20", "1.5", "+1", "0x1", "%27%20OR%201%3D1%20--", "1;DROP%20TABLE%20customers"}
		for _, rt := range v2Routes {
			for _, pos := range []string{"{c}", "{a}", "{g}"} {
				if !strings.Contains(rt.path, pos) {
					continue
				}
				for _, id := range bad {
					ids := map[string]string{"{c}": "1", "{a}": "1", "{g}": "1"}
					ids[pos] = id
					path := rt.withIDs(ids["{c}"], ids["{a}"], ids["{g}"])
					res := ts.do(rt.method, path, rt.body)
					if res.Status != http.StatusNotFound && res.Status != http.StatusBadRequest {
						t.Errorf("%s %s: status=%d, want 404 or 400: %s", rt.method, path, res.Status, res.Body)
					}
				}
			}
		}
		if after := snapshot(t, ts); after != before {
			t.Fatalf("requests with odd IDs changed the store:\nbefore %s\nafter  %s", before, after)
		}
	})
}

// sqlValues are values that would change a query built by pasting text:
// each must be plain data.
var sqlValues = []string{
	`' OR 1=1 --`, `'; DROP TABLE customers; --`, `"; DROP TABLE customers; --`, `%`, `_`, `\`, `\%`, `%_%`,
	`O'Brien`, `a'b"c\d%e_f`, `Zoë 山田 🎉`, `$1`, `?`, `NULL`,
}

// TestSecurity_SQLInBodies stores SQL metacharacters in every text field of
// customers, addresses and groups: returned verbatim, and found again by the
// exact-match filters.
func TestSecurity_SQLInBodies(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		fields := []string{"first_name", "last_name", "company", "phone", "notes", "tax_exempt_category"}
		for i, v := range sqlValues {
			body := obj{"first_name": "F", "last_name": "L", "email": fmt.Sprintf("sql%d@example.com", i)}
			for _, f := range fields {
				body[f] = v
			}
			var c map[string]any
			ts.do("POST", "/customers", body).want(t, http.StatusCreated).decode(t, &c)
			for _, f := range fields {
				if c[f] != v {
					t.Errorf("customer %s=%q, want %q verbatim", f, c[f], v)
				}
			}
			for _, f := range []string{"first_name", "last_name", "company", "phone", "tax_exempt_category"} {
				wantIDs(t, ts, "/customers?"+f+"="+url.QueryEscape(v)+"&email="+url.QueryEscape(body["email"].(string)), int64(c["id"].(float64)))
				wantCount(t, ts, "/customers/count?"+f+"="+url.QueryEscape(v), 1)
			}

			addr := secAddress()
			for _, f := range []string{"first_name", "last_name", "company", "street_1", "street_2", "city", "state", "zip", "phone"} {
				addr[f] = v
			}
			var a map[string]any
			ts.do("POST", fmt.Sprintf("/customers/%v/addresses", c["id"]), addr).want(t, http.StatusCreated).decode(t, &a)
			for f, want := range addr {
				if a[f] != want {
					t.Errorf("address %s=%q, want %q verbatim", f, a[f], want)
				}
			}

			var g map[string]any
			ts.do("POST", "/customer_groups", obj{"name": v}).want(t, http.StatusCreated).decode(t, &g)
			if g["name"] != v {
				t.Errorf("group name=%q, want %q verbatim", g["name"], v)
			}
			wantCount(t, ts, "/customer_groups/count?name="+url.QueryEscape(v), 1)
		}
		// name:like is a substring match: its wildcards are plain characters.
		for _, v := range sqlValues {
			var gs []map[string]any
			ts.do("GET", "/customer_groups?limit=250&name:like="+url.QueryEscape(v), nil).want(t, http.StatusOK).decode(t, &gs)
			for _, g := range gs {
				if !strings.Contains(strings.ToLower(g["name"].(string)), strings.ToLower(v)) {
					t.Errorf("name:like=%q matched %q", v, g["name"])
				}
			}
		}
		// The tables are all still there.
		wantCount(t, ts, "/customers/count", int64(len(sqlValues)))
		wantCount(t, ts, "/customer_groups/count", int64(len(sqlValues)))
		wantCount(t, ts, "/customers/addresses/count", int64(len(sqlValues)))
	})
}

// TestSecurity_OddFilterValues sends SQL metacharacters, 10 KB values, NUL
// bytes and invalid UTF-8 in every filter: 200, 204 or 400, never a 5xx.
func TestSecurity_OddFilterValues(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		secFixture(t, ts)
		before := snapshot(t, ts)
		// TestSecurity_SQLInBodies covers the exact-match filters with every
		// SQL value; here each filter gets the values parsers trip on.
		values := []string{strings.Repeat("x", 10<<10), strings.Repeat("%", 10<<10), "\x00", "a\x00b", "\xff\xfe", "",
			`' OR 1=1 --`, `\`, `_`}
		customerFilters := []string{"first_name", "last_name", "company", "email", "phone", "store_credit", "customer_group_id",
			"tax_exempt_category", "min_id", "max_id", "min_date_created", "max_date_created", "min_date_modified", "max_date_modified", "page", "limit"}
		groupFilters := []string{"name", "name:like", "is_default", "is_group_for_guests", "date_created", "date_created:min",
			"date_created:max", "date_modified", "date_modified:min", "date_modified:max", "page", "limit"}
		for _, v := range values {
			for _, f := range customerFilters {
				for _, p := range []string{"/customers", "/customers/count"} {
					checkFilterStatus(t, ts, "GET", p+"?"+f+"="+url.QueryEscape(v))
				}
			}
			for _, f := range groupFilters {
				for _, p := range []string{"/customer_groups", "/customer_groups/count"} {
					checkFilterStatus(t, ts, "GET", p+"?"+f+"="+url.QueryEscape(v))
				}
			}
			for _, p := range []string{"/customers/1/addresses", "/customers/addresses/count"} {
				checkFilterStatus(t, ts, "GET", p+"?page="+url.QueryEscape(v))
			}
			// The deletes match nothing: no value names a fixture.
			if v != "" && v != "%" && v != "_" {
				checkFilterStatus(t, ts, "DELETE", "/customers?first_name="+url.QueryEscape(v))
				checkFilterStatus(t, ts, "DELETE", "/customer_groups?name="+url.QueryEscape(v))
			}
		}
		if after := snapshot(t, ts); after != before {
			t.Fatalf("filters with odd values changed the store:\nbefore %s\nafter  %s", before, after)
		}
	})
}

func checkFilterStatus(t *testing.T, ts *testServer, method, path string) {
	t.Helper()
	res := ts.do(method, path, nil)
	switch res.Status {
	case http.StatusOK, http.StatusNoContent, http.StatusBadRequest:
	default:
		t.Errorf("%s %.80s: status=%d: %s", method, path, res.Status, res.Body)
	}
}

// TestSecurity_LongValues sends 10 KB in every body field: stored verbatim
// where the field allows it, else a 400 naming the field, never a 5xx.
func TestSecurity_LongValues(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		secFixture(t, ts)
		long := strings.Repeat("é", 5<<10) // 10 KB of UTF-8
		for _, tc := range []struct {
			path   string
			base   obj
			fields []string
		}{
			{"/customers", jane(), []string{"first_name", "last_name", "company", "email", "phone", "notes", "tax_exempt_category",
				"store_credit", "customer_group_id", "registration_ip_address", "reset_pass_on_login"}},
			{"/customers/1", obj{}, []string{"first_name", "notes", "email"}},
			{"/customers/1/addresses", secAddress(), []string{"first_name", "last_name", "company", "street_1", "street_2",
				"city", "state", "zip", "country", "phone", "address_type"}},
			{"/customers/1/addresses/1", obj{}, []string{"city", "country"}},
			{"/customer_groups", obj{"name": "G"}, []string{"name", "is_default", "is_group_for_guests"}},
			{"/customer_groups/1", obj{}, []string{"name"}},
		} {
			method := "POST"
			if strings.ContainsAny(tc.path[len(tc.path)-1:], "0123456789") {
				method = "PUT"
			}
			for _, f := range tc.fields {
				body := with(tc.base, f, long)
				if tc.path == "/customers" && f != "email" {
					body["email"] = "long-" + f + "@example.com" // each create a customer of its own
				}
				res := ts.do(method, tc.path, body)
				switch res.Status {
				case http.StatusOK, http.StatusCreated:
					var got map[string]any
					res.decode(t, &got)
					if got[f] != long {
						t.Errorf("%s %s with a long %s: accepted but stored %.40q...", method, tc.path, f, got[f])
					}
				case http.StatusBadRequest:
					res.wantError(t, http.StatusBadRequest, fmt.Sprintf("The field '%s' is invalid.", f))
				default:
					t.Errorf("%s %s with a long %s: status=%d: %s", method, tc.path, f, res.Status, res.Body)
				}
			}
		}
		for _, body := range []obj{
			{"password": long},
			{"password": strings.Repeat("a1", 100)},
		} {
			res := ts.do("POST", "/customers/1/validate", body).want(t, http.StatusOK)
			if string(res.Body) != `{"success":false}` {
				t.Errorf("validate with a long password: %s", res.Body)
			}
		}
		res := ts.do("POST", "/customers", with(jane(), "email", "long@example.com", "_authentication", obj{"password": long}))
		res.wantError(t, http.StatusBadRequest, "The field 'password' is invalid.")
	})
}

// TestSecurity_OversizedBodies sends a body one byte over the cap to every
// route that reads one: 413 in the V2 error shape, and nothing stored.
func TestSecurity_OversizedBodies(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		secFixture(t, ts)
		before := snapshot(t, ts)
		body := `{"notes":"` + strings.Repeat("x", v2.MaxBodyBytes) + `"}`
		for _, rt := range v2Routes {
			if rt.body == nil {
				continue
			}
			path := rt.withIDs("1", "1", "1")
			res := ts.do(rt.method, path, body)
			res.wantError(t, http.StatusRequestEntityTooLarge, fmt.Sprintf("The request body is larger than %d bytes.", v2.MaxBodyBytes))
		}
		if after := snapshot(t, ts); after != before {
			t.Fatalf("oversized bodies changed the store:\nbefore %s\nafter  %s", before, after)
		}
	})
}

// TestSecurity_NoSecretsInLogsOrResponses runs a session with passwords,
// validations and bad tokens, then searches every response and the log for
// the tokens, the passwords and bcrypt hashes.
func TestSecurity_NoSecretsInLogsOrResponses(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		const pw1, pw2, wrong = "Passw0rdOne", "Passw0rdTwo", "Wr0ngGuess"
		var bodies []string
		keep := func(r *response) *response {
			bodies = append(bodies, fmt.Sprint(r.Header)+string(r.Body))
			return r
		}
		keep(ts.do("POST", "/customers", with(jane(), "_authentication", obj{"password": pw1, "password_confirmation": pw1}))).want(t, http.StatusCreated)
		keep(ts.do("PUT", "/customers/1", obj{"_authentication": obj{"password": pw2}})).want(t, http.StatusOK)
		keep(ts.do("PUT", "/customers/1", obj{"_authentication": obj{"password": pw1, "password_confirmation": wrong}})).want(t, http.StatusBadRequest)
		keep(ts.do("POST", "/customers", with(jane(), "email", "b@example.com", "_authentication", obj{"password": "short"}))).want(t, http.StatusBadRequest)
		keep(ts.do("POST", "/customers/1/validate", obj{"password": pw2})).want(t, http.StatusOK)
		keep(ts.do("POST", "/customers/1/validate", obj{"password": wrong})).want(t, http.StatusOK)
		keep(ts.do("POST", "/customers/1/validate", `{"password":"`+wrong)).want(t, http.StatusBadRequest)
		keep(ts.do("GET", "/customers/1", nil)).want(t, http.StatusOK)
		keep(ts.do("GET", "/customers?email=jane@example.com", nil)).want(t, http.StatusOK)
		keep(ts.do("GET", "/customers", nil, withToken(ts.otherToken))).want(t, http.StatusUnauthorized)
		keep(ts.do("GET", "/customers", nil, withToken(ts.token+"x"))).want(t, http.StatusUnauthorized)
		keep(ts.do("POST", "/customers", jane(), withToken(ts.readToken))).want(t, http.StatusForbidden)
		keep(ts.do("GET", "/customers", nil, withStore(ts.otherHash))).want(t, http.StatusUnauthorized)
		keep(ts.do("GET", "/customers/1", nil, withHeader("Authorization", "Bearer "+ts.token))).want(t, http.StatusOK)

		logs := ts.logs.String()
		if !strings.Contains(logs, "request") {
			t.Fatalf("no request lines were logged:\n%s", logs)
		}
		for _, secret := range []string{ts.token, ts.readToken, ts.otherToken, pw1, pw2, wrong, "$2a$", "$2b$"} {
			if strings.Contains(logs, secret) {
				t.Errorf("the log contains the secret %q:\n%s", secret, logs)
			}
			for _, b := range bodies {
				if strings.Contains(b, secret) {
					t.Errorf("a response contains the secret %q: %s", secret, b)
				}
			}
		}
	})
}

// TestSecurity_OddStoreHashesAndTokens sends odd store hashes and tokens:
// 401 (or 404 for a path that is no store's), never a 5xx.
func TestSecurity_OddStoreHashesAndTokens(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		secFixture(t, ts)
		for _, hash := range []string{"\x00", "\xff", "a\x00b", "' OR 1=1 --", "%", "_", `\`, strings.Repeat("h", 10<<10), "store1\x00"} {
			res := ts.do("GET", "/customers", nil, withStore(hash))
			if res.Status != http.StatusUnauthorized && res.Status != http.StatusNotFound {
				t.Errorf("store hash %.20q: status=%d: %s", hash, res.Status, res.Body)
			}
		}
		for _, token := range []string{"\xff\xfe", "' OR 1=1 --", "%", strings.Repeat("t", 10<<10), ts.token[:len(ts.token)-1]} {
			ts.do("GET", "/customers", nil, withToken(token)).wantGatewayError(t, http.StatusUnauthorized)
		}
		for _, since := range []string{"\xff", "' OR 1=1 --", "Mon, 06 May 9999 07:34:10 GMT", "Mon, 06 May 0001 07:34:10 GMT"} {
			res := ts.do("GET", "/customers", nil, withHeader("If-Modified-Since", since))
			if res.Status >= 500 {
				t.Errorf("If-Modified-Since %q: status=%d: %s", since, res.Status, res.Body)
			}
		}
	})
}
