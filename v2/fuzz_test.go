package v2_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// fuzzServer is a server on SQLite whose handler the fuzz targets call
// in-process, without a network round trip, so each input is cheap.
func fuzzServer(f *testing.F) (*testServer, http.Handler) {
	ts := newTestServer(f, "sqlite")
	mustCreateCustomer(f, ts, with(jane(), "_authentication", obj{"password": "secret123"}))
	return ts, ts.Config.Handler
}

// checkFuzzResponse is the property of every fuzz target: never a 5xx, and
// every 4xx in the V2 error shape.
func checkFuzzResponse(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	// 501 is the deliberate answer to PATCH and TRACE (BEHAVIOR.md).
	if rec.Code >= 500 && rec.Code != http.StatusNotImplemented {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if rec.Code < 400 {
		return
	}
	switch rec.Code {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusTooManyRequests:
		var e struct {
			Status int    `json:"status"`
			Title  string `json:"title"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Status != rec.Code || e.Title == "" {
			t.Fatalf("status %d with a body not in the gateway shape: %s", rec.Code, rec.Body)
		}
	default:
		var errs []struct {
			Status  int    `json:"status"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &errs); err != nil || len(errs) != 1 || errs[0].Status != rec.Code || errs[0].Message == "" {
			t.Fatalf("status %d with a body not in the V2 error shape: %s", rec.Code, rec.Body)
		}
	}
}

func fuzzRequest(ts *testServer, method, path, body string) *http.Request {
	r := httptest.NewRequest(method, "/stores/"+ts.hash+"/v2"+path, strings.NewReader(body))
	r.Header.Set("X-Auth-Token", ts.token)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "application/json")
	return r
}

// FuzzCustomerBody drives POST /customers and PUT /customers/1 with
// arbitrary bodies.
func FuzzCustomerBody(f *testing.F) {
	for _, seed := range []string{
		`{"first_name":"Jane","last_name":"Doe","email":"jane@example.com"}`,
		`{"first_name":"A","last_name":"B","email":"a@b.c","store_credit":"1e2","customer_group_id":"0","_authentication":{"password":"secret123","password_confirmation":"secret123","force_reset":true}}`,
		`{"email":"x@y.z","store_credit":-1}`,
		`{"notes":null,"phone":12345,"reset_pass_on_login":"1"}`,
		`{"customer_group_id":1e400}`,
		`{"_authentication":{"password":"` + strings.Repeat("x", 100) + `1"}}`,
		`[]`, `null`, `{`, `{"a":1}`, `"x"`, `{"first_name":"\u0000"}`,
	} {
		f.Add(seed)
	}
	ts, h := fuzzServer(f)
	f.Fuzz(func(t *testing.T, body string) {
		for _, r := range []*http.Request{fuzzRequest(ts, "POST", "/customers", body), fuzzRequest(ts, "PUT", "/customers/1", body)} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			checkFuzzResponse(t, rec)
		}
	})
}

// FuzzValidateBody drives POST /customers/1/validate.
func FuzzValidateBody(f *testing.F) {
	for _, seed := range []string{`{"password":"secret123"}`, `{"password":""}`, `{"password":12}`, `{}`, `{"password":null}`, `x`} {
		f.Add(seed)
	}
	ts, h := fuzzServer(f)
	f.Fuzz(func(t *testing.T, body string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, fuzzRequest(ts, "POST", "/customers/1/validate", body))
		checkFuzzResponse(t, rec)
	})
}

// FuzzCustomerQuery drives the customer filters of list, count and delete.
func FuzzCustomerQuery(f *testing.F) {
	for _, seed := range []string{
		"email=jane@example.com", "min_id=1&max_id=9", "page=2&limit=1", "limit=99999999999999999999",
		"min_date_created=2024-05-06", "max_date_modified=Mon, 06 May 2024 07:34:10 +0000",
		"store_credit=1.5", "customer_group_id=0", "first_name=' OR 1=1 --", "page=9223372036854775807&limit=250",
		"%zz", "a=b&a=c", "min_date_created=2024-05-06T07:34:10+25:00",
	} {
		f.Add(seed)
	}
	ts, h := fuzzServer(f)
	f.Fuzz(func(t *testing.T, rawQuery string) {
		if strings.ContainsAny(rawQuery, " #\r\n") {
			rawQuery = url.PathEscape(rawQuery)
		}
		for _, path := range []string{"/customers?", "/customers/count?"} {
			r := fuzzRequest(ts, "GET", "/customers", "")
			r.URL.RawQuery = rawQuery
			r.URL.Path = "/stores/" + ts.hash + "/v2" + strings.TrimSuffix(path, "?")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			checkFuzzResponse(t, rec)
		}
	})
}

// FuzzPath drives arbitrary paths and methods under the store.
func FuzzPath(f *testing.F) {
	for _, seed := range []string{"/customers/1", "/customers/abc", "/customers/-1.json", "/customers/99999999999999999999/validate", "/customers//1", "/customers/1/addresses/x", "/customer_groups/0/"} {
		f.Add("GET", seed)
	}
	f.Add("PATCH", "/customers")
	f.Add("DELETE", "/customers/count")
	ts, h := fuzzServer(f)
	f.Fuzz(func(t *testing.T, method, path string) {
		if !validMethod(method) || strings.ContainsAny(path, " ?#\r\n\x00") || !strings.HasPrefix(path, "/") {
			return
		}
		r := fuzzRequest(ts, method, "", "")
		r.URL.Path = "/stores/" + ts.hash + "/v2" + path
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code == http.StatusMovedPermanently || rec.Code == http.StatusTemporaryRedirect {
			return // the mux cleaning a path such as "//"
		}
		checkFuzzResponse(t, rec)
	})
}

func validMethod(m string) bool {
	if m == "" || len(m) > 16 {
		return false
	}
	for _, c := range m {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// FuzzAddressBody drives POST /customers/1/addresses and
// PUT /customers/1/addresses/1 with arbitrary bodies.
func FuzzAddressBody(f *testing.F) {
	for _, seed := range []string{
		`{"first_name":"Jane","last_name":"Doe","phone":"555-0100","street_1":"1 Main St","city":"Austin","state":"Texas","zip":"78726","country":"United States"}`,
		`{"first_name":"Jane","last_name":"Doe","phone":5550100,"street_1":"x","city":"y","state":" ","zip":2000,"country":"Australia","address_type":"commercial"}`,
		`{"country":"Narnia"}`, `{"address_type":"castle"}`, `{"zip":1e400}`, `{"customer_id":2,"country_iso2":"XX","form_fields":[{"name":null}]}`,
		`{"street_1":"' OR 1=1 --","city":"\"; DROP TABLE addresses; --"}`, `{"company":null,"state":{"a":[null]}}`,
		`[]`, `null`, `{`, `{"a":1}`,
	} {
		f.Add(seed)
	}
	ts, h := fuzzServer(f)
	ts.do("POST", "/customers/1/addresses", obj{"first_name": "Jane", "last_name": "Doe", "phone": "555-0100",
		"street_1": "1 Main St", "city": "Austin", "state": "Texas", "zip": "78726", "country": "United States"}).want(f, http.StatusCreated)
	f.Fuzz(func(t *testing.T, body string) {
		for _, r := range []*http.Request{fuzzRequest(ts, "POST", "/customers/1/addresses", body), fuzzRequest(ts, "PUT", "/customers/1/addresses/1", body)} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			checkFuzzResponse(t, rec)
		}
	})
}

// FuzzGroupBody drives POST /customer_groups and PUT /customer_groups/1 with
// arbitrary bodies, discount rules and category access included.
func FuzzGroupBody(f *testing.F) {
	for _, seed := range []string{
		`{"name":"Wholesale","is_default":true,"discount_rules":[{"type":"all","method":"percent","amount":5}]}`,
		`{"name":"B","category_access":{"type":"specific","categories":[18,"19",20.0]},"discount_rules":[{"type":"price_list","price_list_id":3}]}`,
		`{"discount_rules":[{"type":"category","method":"fixed","amount":"1e400","category_id":99999999999999999999}]}`,
		`{"discount_rules":[{"type":"all","method":"price","amount":"-1"},{"type":"all","method":"percent","amount":1}]}`,
		`{"discount_rules":[null,{"type":null}],"category_access":null}`, `{"category_access":{"type":"specific","categories":[null,[]]}}`,
		`{"discount_rules":{}}`, `{"is_group_for_guests":"1","is_default":"yes"}`, `{"name":"' OR 1=1 --"}`, `{"name":"\u0000\ud800"}`,
		`[]`, `null`, `{`, `{"a":1}`,
	} {
		f.Add(seed)
	}
	ts, h := fuzzServer(f)
	ts.do("POST", "/customer_groups", obj{"name": "Retail"}).want(f, http.StatusCreated)
	f.Fuzz(func(t *testing.T, body string) {
		for _, r := range []*http.Request{fuzzRequest(ts, "POST", "/customer_groups", body), fuzzRequest(ts, "PUT", "/customer_groups/1", body)} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			checkFuzzResponse(t, rec)
		}
	})
}

// FuzzGroupQuery drives the group filters of list and count.
func FuzzGroupQuery(f *testing.F) {
	for _, seed := range []string{
		"name=Retail", "name:like=ret", "is_default=1&is_group_for_guests=false", "date_created=2024-05-06",
		"date_created:min=2024-05-06T07:34:10Z&date_created:max=Mon, 06 May 2024 07:34:10 +0000",
		"date_modified:max=2024-05-06&date_modified=2024-05-07", "name:like=%25", "name:like=_", "name:like=\\",
		"name=' OR 1=1 --", "page=9223372036854775807&limit=1", "limit=0", "%zz", "name:like=%00",
	} {
		f.Add(seed)
	}
	ts, h := fuzzServer(f)
	ts.do("POST", "/customer_groups", obj{"name": "Retail", "is_default": true}).want(f, http.StatusCreated)
	f.Fuzz(func(t *testing.T, rawQuery string) {
		if strings.ContainsAny(rawQuery, " #\r\n") {
			rawQuery = url.PathEscape(rawQuery)
		}
		for _, path := range []string{"/customer_groups", "/customer_groups/count"} {
			r := fuzzRequest(ts, "GET", path, "")
			r.URL.RawQuery = rawQuery
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			checkFuzzResponse(t, rec)
		}
	})
}
