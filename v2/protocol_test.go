package v2_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestRouting_SuffixAndTrailingSlash(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		mustCreateCustomer(t, ts, jane())
		for _, p := range []string{"/customers.json", "/customers/", "/customers/1.json", "/customers/1/", "/customers/count.json", "/customers/count/"} {
			ts.do("GET", p, nil).want(t, http.StatusOK)
		}
		ts.do("POST", "/customers.json", with(jane(), "email", "ruby@example.com")).want(t, http.StatusCreated)
		ts.do("POST", "/customers/1/validate.json", obj{"password": "x"}).want(t, http.StatusOK)
	})
}

func TestRouting_Head(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		mustCreateCustomer(t, ts, jane())
		for _, p := range []string{"/customers", "/customers/1", "/customers/count"} {
			res := ts.do("HEAD", p, nil).want(t, http.StatusOK)
			if len(res.Body) != 0 || res.Header.Get("Content-Type") != "application/json" {
				t.Errorf("HEAD %s: body %q, Content-Type %q", p, res.Body, res.Header.Get("Content-Type"))
			}
		}
		ts.do("HEAD", "/customers/2", nil).want(t, http.StatusNotFound)
	})
}

func TestRouting_MethodNotAllowed(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		tests := []struct{ method, path, allow string }{
			{"PUT", "/customers", "GET, HEAD, POST, DELETE"},
			{"POST", "/customers/1", "GET, HEAD, PUT, DELETE"},
			{"GET", "/customers/1/validate", "POST"},
			{"OPTIONS", "/customers", "GET, HEAD, POST, DELETE"},
		}
		for _, tt := range tests {
			res := ts.do(tt.method, tt.path, nil)
			res.wantError(t, http.StatusMethodNotAllowed, "The HTTP method '"+tt.method+"' is not supported by this resource.")
			if got := res.Header.Get("Allow"); got != tt.allow {
				t.Errorf("%s %s: Allow=%q, want %q", tt.method, tt.path, got, tt.allow)
			}
		}
		for _, m := range []string{"PATCH", "TRACE"} {
			ts.do(m, "/customers/1", nil).wantError(t, http.StatusNotImplemented, "The HTTP method '"+m+"' is not implemented.")
		}
		// Deliberate answers, not failures of the server: nothing at ERROR.
		if strings.Contains(ts.logs.String(), "level=ERROR") {
			t.Errorf("a 405 or 501 was logged as an error:\n%s", ts.logs.String())
		}
	})
}

func TestRouting_NotFound(t *testing.T) {
	ts := newTestServer(t, "sqlite")
	for _, p := range []string{"/orders", "/customers/1/orders", "/customers/1/validate/x", ""} {
		ts.do("GET", p, nil).wantError(t, http.StatusNotFound, "The requested resource was not found.")
	}
	req, _ := http.NewRequest("GET", ts.URL+"/stores/store1/v3/customers", nil)
	req.Header.Set("X-Auth-Token", ts.token)
	req.Header.Set("Accept", "application/json")
	ts.send(req).wantError(t, http.StatusNotFound, "The requested resource was not found.")
}

func TestNegotiation(t *testing.T) {
	ts := newTestServer(t, "sqlite")
	mustCreateCustomer(t, ts, jane())
	// Every row of XML.md's table is TestNegotiationTable's; these are the
	// Accept values this test always had.
	for _, accept := range []string{"application/json", "application/json; charset=utf-8", "text/html, application/json;q=0.9", "application/hal+json"} {
		ts.do("GET", "/customers/1", nil, withHeader("Accept", accept)).wantFormat(t, http.StatusOK, "json")
	}
	for _, accept := range []string{"", "*/*", "application/*", "text/html", "application/xml", "text/csv, text/plain", "application/json;q=0"} {
		ts.do("GET", "/customers/1", nil, withHeader("Accept", accept)).wantFormat(t, http.StatusOK, "xml")
	}
	ts.do("GET", "/customers/1", nil, withHeader("Accept", "application/foo, text/html;q=0.5")).wantFormat(t, http.StatusNotAcceptable, "xml")
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "application/xhtml+xml", "nonsense/"} {
		ts.do("POST", "/customers", with(jane(), "email", "ct@example.com"), withHeader("Content-Type", ct)).
			wantError(t, http.StatusUnsupportedMediaType, "The Content-Type of the request is not supported; send application/json or application/xml.")
	}
	ts.do("POST", "/customers", with(jane(), "email", "charset@example.com"), withHeader("Content-Type", "application/json; charset=utf-8")).want(t, 201)
	ts.do("GET", "/customers/count", nil).want(t, 200)
}

func TestBodyTooLarge(t *testing.T) {
	ts := newTestServer(t, "sqlite")
	big := `{"first_name":"Jane","last_name":"Doe","email":"big@example.com","notes":"` + strings.Repeat("x", 1<<20) + `"}`
	ts.do("POST", "/customers", big).wantError(t, http.StatusRequestEntityTooLarge, "The request body is larger than 1048576 bytes.")
	ts.do("GET", "/customers", nil).want(t, http.StatusNoContent)
}

func TestRequestID(t *testing.T) {
	ts := newTestServer(t, "sqlite")
	res := ts.do("GET", "/customers", nil, withHeader("X-Request-ID", "abc-123"))
	if got := res.Header.Get("X-Request-ID"); got != "abc-123" {
		t.Errorf("X-Request-ID=%q, want the client's", got)
	}
	res = ts.do("GET", "/customers", nil, withHeader("X-Request-ID", "bad id\twith spaces"))
	if got := res.Header.Get("X-Request-ID"); got == "" || strings.ContainsAny(got, " \t") {
		t.Errorf("X-Request-ID=%q, want a fresh one", got)
	}
	a := ts.do("GET", "/customers", nil).Header.Get("X-Request-ID")
	b := ts.do("GET", "/customers", nil).Header.Get("X-Request-ID")
	if a == b {
		t.Errorf("two requests share the ID %q", a)
	}
	if !strings.Contains(ts.logs.String(), "request_id="+a) {
		t.Errorf("the request log has no line for %s", a)
	}
	// Errors carry it too.
	if ts.do("GET", "/customers/9", nil, withToken("")).Header.Get("X-Request-ID") == "" {
		t.Error("a 401 has no X-Request-ID")
	}
}

func TestGzip(t *testing.T) {
	ts := newTestServer(t, "sqlite")
	for i := range 10 {
		mustCreateCustomer(t, ts, with(jane(), "email", "g"+itoa(int64(i))+"@example.com"))
	}
	req, _ := http.NewRequest("GET", ts.URL+"/stores/store1/v2/customers", nil)
	req.Header.Set("X-Auth-Token", ts.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding=%q, want gzip", res.Header.Get("Content-Encoding"))
	}
	raw, _ := io.ReadAll(res.Body)
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !bytes.HasPrefix(plain, []byte(`[{"id":1,`)) {
		t.Errorf("gunzipped body=%.40s", plain)
	}
	// Without Accept-Encoding the body is plain.
	if ts.do("GET", "/customers", nil).Header.Get("Content-Encoding") != "" {
		t.Error("gzip without Accept-Encoding")
	}
}
