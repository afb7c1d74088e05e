package admin_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/customersd/customersd/gateway"
	"github.com/customersd/customersd/journal"
)

// entry is a journal entry as the admin API answers it.
type entry struct {
	Seq        int64     `json:"seq"`
	Time       time.Time `json:"time"`
	Method     string    `json:"method"`
	Path       string    `json:"path"`
	Query      string    `json:"query"`
	Route      string    `json:"route"`
	Surface    string    `json:"surface"`
	Status     int       `json:"status"`
	DurationMS float64   `json:"duration_ms"`
	ClientID   string    `json:"client_id"`
	RequestID  string    `json:"request_id"`
	RateLimit  *struct {
		RequestsLeft  int   `json:"requests_left"`
		RequestsQuota int   `json:"requests_quota"`
		TimeResetMS   int64 `json:"time_reset_ms"`
		TimeWindowMS  int64 `json:"time_window_ms"`
	} `json:"rate_limit"`
	Fault                 *string `json:"fault"`
	RequestBody           string  `json:"request_body"`
	RequestBodyTruncated  bool    `json:"request_body_truncated"`
	ResponseBody          string  `json:"response_body"`
	ResponseBodyTruncated bool    `json:"response_body_truncated"`
}

// requests reads the store's journal, newest first, with a query string.
func (ts *testServer) requests(tb testing.TB, hash, query string) []entry {
	tb.Helper()
	var out struct {
		Node     string  `json:"node"`
		Requests []entry `json:"requests"`
	}
	ts.admin("GET", "/admin/v1/stores/"+hash+"/requests?"+query, nil).want(tb, http.StatusOK).decode(tb, &out)
	if out.Node != "test-node" {
		tb.Fatalf("node %q, want test-node", out.Node)
	}
	return out.Requests
}

func (ts *testServer) requestCount(tb testing.TB, hash, query string) int {
	tb.Helper()
	var out struct {
		Count int    `json:"count"`
		Node  string `json:"node"`
	}
	ts.admin("GET", "/admin/v1/stores/"+hash+"/requests/count?"+query, nil).want(tb, http.StatusOK).decode(tb, &out)
	if out.Node != "test-node" {
		tb.Fatalf("node %q, want test-node", out.Node)
	}
	return out.Count
}

func TestJournal_Entries(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		st := ts.mustCreateStore(t, map[string]any{"plan": "standard"})
		tok := st.Token.AccessToken
		before := time.Now().UTC().Add(-time.Second)
		created := ts.v2(tok, "POST", st.Hash, "/customers", map[string]any{"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com"}).want(t, http.StatusCreated)
		ts.v2(tok, "GET", st.Hash, "/customers/1", nil).want(t, http.StatusOK)
		ts.v2(tok, "GET", st.Hash, "/customers?email=jane@example.com", nil).want(t, http.StatusOK)
		ts.v2(tok, "GET", st.Hash, "/customers/9", nil).want(t, http.StatusNotFound)
		ts.v2("not-a-token", "GET", st.Hash, "/customers/1", nil).want(t, http.StatusUnauthorized) // no store to file it under

		all := ts.requests(t, st.Hash, "")
		if len(all) != 4 {
			t.Fatalf("%d entries, want the 4 authenticated V2 requests (admin calls are not journaled): %+v", len(all), all)
		}
		post := all[3]
		if post.Method != "POST" || post.Path != "/stores/"+st.Hash+"/v2/customers" || post.Query != "" || post.Route != "/customers" ||
			post.Surface != "v2" || post.Status != 201 || post.DurationMS <= 0 || post.ClientID != st.Token.ClientID ||
			post.RequestID != created.Header.Get("X-Request-ID") || post.Fault != nil || post.Time.Before(before) {
			t.Fatalf("POST entry %+v", post)
		}
		if post.RateLimit == nil || post.RateLimit.RequestsQuota != 150 || post.RateLimit.TimeWindowMS != 30000 || post.RateLimit.RequestsLeft > 150 {
			t.Fatalf("rate limit %+v, want the standard plan's quota as the response told it", post.RateLimit)
		}
		if !strings.Contains(post.RequestBody, `"email":"jane@example.com"`) || !strings.Contains(post.ResponseBody, `"id":1`) {
			t.Fatalf("bodies %q / %q", post.RequestBody, post.ResponseBody)
		}
		if q := all[1]; q.Query != "email=jane@example.com" || q.Route != "/customers" {
			t.Fatalf("list entry %+v", q)
		}
		if all[0].Seq <= all[1].Seq {
			t.Fatalf("seq %d then %d: want newest first", all[0].Seq, all[1].Seq)
		}

		counts := map[string]int{
			"":                               4,
			"method=get":                     3,
			"method=POST&route=/customers":   1,
			"route=/customers/{customer_id}": 2,
			"status=404":                     1,
			"status=2xx":                     3,
			"client_id=" + st.Token.ClientID: 4,
			"client_id=nobody":               0,
			"since=" + post.Time.Format(time.RFC3339Nano):   4,
			"since=" + all[0].Time.Format(time.RFC3339Nano): 1,
			"limit=1": 4, // limit does not apply to a count
		}
		for q, want := range counts {
			if got := ts.requestCount(t, st.Hash, q); got != want {
				t.Errorf("count?%s = %d, want %d", q, got, want)
			}
		}
		if got := ts.requests(t, st.Hash, "limit=2"); len(got) != 2 || got[0].Seq != all[0].Seq {
			t.Fatalf("limit=2 gave %+v, want the 2 newest", got)
		}
		ts.admin("DELETE", "/admin/v1/stores/"+st.Hash+"/requests", nil).want(t, http.StatusNoContent)
		if n := ts.requestCount(t, st.Hash, ""); n != 0 {
			t.Fatalf("count %d after clear", n)
		}
		// Deleting the store forgets its journal; a store made again under
		// the same hash starts with none.
		ts.v2(tok, "GET", st.Hash, "/customers/1", nil).want(t, http.StatusOK)
		ts.admin("DELETE", "/admin/v1/stores/"+st.Hash, nil).want(t, http.StatusNoContent)
		again := ts.mustCreateStore(t, map[string]any{"store_hash": st.Hash})
		if n := ts.requestCount(t, again.Hash, ""); n != 0 {
			t.Fatalf("a new store under an old hash has %d entries", n)
		}
	})
}

func TestJournal_QueryErrors(t *testing.T) {
	ts := newTestServer(t, "sqlite", adminToken)
	st := ts.mustCreateStore(t, nil)
	for q, detail := range map[string]string{
		"verb=GET":               "Unknown query parameter 'verb'",
		"method=GET&method=POST": "'method' is given 2 times",
		"status=abc":             "'status' must be a status",
		"status=700":             "'status' must be a status",
		"since=yesterday":        "'since' must be an RFC 3339 time",
		"limit=0":                "'limit' must be a whole number of 1 or more",
		"route=/customers/{id}":  "is no route of this server",
	} {
		ts.admin("GET", "/admin/v1/stores/"+st.Hash+"/requests?"+q, nil).wantProblem(t, http.StatusBadRequest, detail)
		ts.admin("GET", "/admin/v1/stores/"+st.Hash+"/requests/count?"+q, nil).wantProblem(t, http.StatusBadRequest, detail)
	}
	ts.admin("GET", "/admin/v1/stores/nosuch/requests", nil).wantProblem(t, http.StatusNotFound, "")
}

// TestJournal_Redaction sends every kind of secret V2 takes, in JSON, XML,
// query strings and paths, then searches the whole journal for them.
func TestJournal_Redaction(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		st := ts.mustCreateStore(t, nil)
		tok := st.Token.AccessToken
		const (
			pw1 = "Pw1-Create-7781zz"
			pw2 = "Pw2-Update-5530qq"
			pw3 = "Pw3-Xml-9921kk"
			pw4 = "Pw4-Escaped-1200mm"
			jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjdXN0b21lcjEifQ.c2lnbmF0dXJlLW9mLWp3dA"
		)
		ts.v2(tok, "POST", st.Hash, "/customers", map[string]any{"first_name": "A", "last_name": "B", "email": "a@example.com",
			"_authentication": map[string]any{"password": pw1, "password_confirmation": pw1}}).want(t, http.StatusCreated)
		ts.v2(tok, "PUT", st.Hash, "/customers/1", map[string]any{"_authentication": map[string]any{"password": pw2, "password_confirmation": pw2, "force_reset": true}}).want(t, http.StatusOK)
		ts.v2(tok, "POST", st.Hash, "/customers/1/validate", map[string]any{"password": pw2}).want(t, http.StatusOK)
		ts.v2(tok, "POST", st.Hash, "/customers/1/validate", map[string]any{"password": pw1}).want(t, http.StatusOK)
		xml := ts.request("POST", "/stores/"+st.Hash+"/v2/customers", "<customer><first_name>X</first_name><last_name>Y</last_name><email>x@example.com</email>"+
			"<_authentication><password>"+pw3+"</password><password_confirmation><![CDATA["+pw3+"]]></password_confirmation></_authentication></customer>")
		xml.Header.Set("Content-Type", "application/xml")
		xml.Header.Set("X-Auth-Token", tok)
		ts.send(xml)
		ts.v2(tok, "POST", st.Hash, "/customers", `{"first_name":"E","last_name":"F","email":"e@example.com","_authentication":{"pass\u0077ord":"`+pw4+`"}}`)
		ts.v2(tok, "GET", st.Hash, "/customers/"+jwt, nil)
		ts.v2(tok, "GET", st.Hash, "/customers?access_token="+tok+"&password="+pw1+"&client_secret="+st.Token.ClientSecret, nil)

		dump := string(ts.admin("GET", "/admin/v1/stores/"+st.Hash+"/requests", nil).want(t, http.StatusOK).Body)
		if n := ts.requestCount(t, st.Hash, ""); n != 8 {
			t.Fatalf("%d entries, want 8", n)
		}
		for name, secret := range map[string]string{"pw1": pw1, "pw2": pw2, "pw3": pw3, "pw4": pw4, "jwt": jwt[:20], "jwt signature": jwt[len(jwt)-16:],
			"access token": tok, "client secret": st.Token.ClientSecret, "token header": "X-Auth-Token"} {
			if strings.Contains(dump, secret) {
				t.Errorf("the journal holds the %s %q:\n%s", name, secret, dump)
			}
		}
		if !strings.Contains(dump, journal.Redacted) || !strings.Contains(dump, "a@example.com") {
			t.Fatalf("the journal lost more than the secrets:\n%s", dump)
		}
	})
}

// TestJournal_RedactionOfCutBodies: a body cut by the size bound in the
// middle of a secret keeps none of it.
func TestJournal_RedactionOfCutBodies(t *testing.T) {
	ts := newTestServerWith(t, "sqlite", adminToken, func(gw *gateway.Gateway) {
		gw.Journal = journal.New(journal.Config{MaxBody: 100})
	})
	st := ts.mustCreateStore(t, nil)
	const secret = "CUTSECRET0123456789abcdefghijklmnopqrstuvwxyz"
	prefix := `{"first_name":"A","last_name":"B","email":"cut@example.com","_authentication":{"password":"`
	body := prefix + secret + `"}}`
	if len(prefix) >= 100 || len(prefix)+len(secret) <= 100 {
		t.Fatalf("the bound must cut the secret: prefix %d bytes", len(prefix))
	}
	ts.v2(st.Token.AccessToken, "POST", st.Hash, "/customers", body).want(t, http.StatusCreated)
	xmlBody := strings.Repeat(" ", 100-len("<customer><password>")-4) + "<customer><password>" + secret + "</password></customer>"
	ts.v2(st.Token.AccessToken, "POST", st.Hash, "/customers", xmlBody)
	e := ts.requests(t, st.Hash, "")
	dump := string(ts.admin("GET", "/admin/v1/stores/"+st.Hash+"/requests", nil).Body)
	if strings.Contains(dump, "CUTS") {
		t.Fatalf("a cut secret was kept:\n%s", dump)
	}
	if !e[1].RequestBodyTruncated || len(e[1].RequestBody) > 100 || !strings.Contains(e[1].RequestBody, "cut@example.com") {
		t.Fatalf("cut body %q (truncated %v)", e[1].RequestBody, e[1].RequestBodyTruncated)
	}
}

func TestJournal_Bounds(t *testing.T) {
	t.Run("entries", func(t *testing.T) {
		ts := newTestServerWith(t, "sqlite", adminToken, func(gw *gateway.Gateway) {
			gw.Journal = journal.New(journal.Config{MaxEntries: 3})
		})
		st := ts.mustCreateStore(t, nil)
		for i := range 5 {
			ts.v2(st.Token.AccessToken, "GET", st.Hash, "/customers/"+itoa(int64(i+1)), nil)
		}
		got := ts.requests(t, st.Hash, "")
		if len(got) != 3 || got[0].Path != "/stores/"+st.Hash+"/v2/customers/5" || got[2].Path != "/stores/"+st.Hash+"/v2/customers/3" {
			t.Fatalf("entries %+v, want the 3 newest", got)
		}
	})
	t.Run("bytes", func(t *testing.T) {
		ts := newTestServerWith(t, "sqlite", adminToken, func(gw *gateway.Gateway) {
			gw.Journal = journal.New(journal.Config{MaxBytes: 4000, MaxBody: 1000})
		})
		st := ts.mustCreateStore(t, nil)
		notes := strings.Repeat("n", 2000)
		for i := range 6 {
			ts.v2(st.Token.AccessToken, "POST", st.Hash, "/customers", map[string]any{"first_name": "A", "last_name": "B",
				"email": "b" + itoa(int64(i)) + "@example.com", "notes": notes}).want(t, http.StatusCreated)
		}
		got := ts.requests(t, st.Hash, "")
		// Each entry holds two bodies cut to 1000 bytes: two fit in 4000.
		if len(got) != 1 || !strings.Contains(got[0].RequestBody, "b5@example.com") || !got[0].RequestBodyTruncated || !got[0].ResponseBodyTruncated {
			t.Fatalf("%d entries (first: truncated %v/%v, %d/%d bytes), want the newest alone, its bodies cut", len(got),
				got[0].RequestBodyTruncated, got[0].ResponseBodyTruncated, len(got[0].RequestBody), len(got[0].ResponseBody))
		}
		if len(got[0].RequestBody) > 1000 || len(got[0].ResponseBody) > 1000 {
			t.Fatalf("bodies of %d and %d bytes past the 1000-byte bound", len(got[0].RequestBody), len(got[0].ResponseBody))
		}
	})
}

// TestJournal_BodiesAsSent: the journal sees the bytes the client gets,
// and the client gets what it would without the journal: a streamed XML
// list, and a gzipped JSON list, which the journal keeps unpacked.
func TestJournal_BodiesAsSent(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		st := ts.mustCreateStore(t, nil)
		tok := st.Token.AccessToken
		for i := range 15 { // a list under the journal's 16 KB body bound
			ts.v2(tok, "POST", st.Hash, "/customers", map[string]any{"first_name": "A", "last_name": "B",
				"email": "c" + itoa(int64(i)) + "@example.com", "notes": "<&> " + strings.Repeat("x", 40)}).want(t, http.StatusCreated)
		}
		req := ts.request("GET", "/stores/"+st.Hash+"/v2/customers?limit=250", nil)
		req.Header.Set("X-Auth-Token", tok)
		req.Header.Set("Accept", "application/xml")
		xmlRes := ts.send(req).want(t, http.StatusOK)
		if n := bytes.Count(xmlRes.Body, []byte("<customer>")); n != 15 {
			t.Fatalf("XML list of %d customers, want 15", n)
		}
		if got := ts.requests(t, st.Hash, "limit=1")[0]; got.ResponseBody != string(xmlRes.Body) {
			i := 0
			for i < min(len(got.ResponseBody), len(xmlRes.Body)) && got.ResponseBody[i] == xmlRes.Body[i] {
				i++
			}
			t.Fatalf("journal XML (%d bytes) differs from what the client read (%d bytes) at %d: %.80q", len(got.ResponseBody), len(xmlRes.Body), i, got.ResponseBody[max(i-20, 0):])
		}

		req = ts.request("GET", "/stores/"+st.Hash+"/v2/customers?limit=250", nil)
		req.Header.Set("X-Auth-Token", tok)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := rawClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("Content-Encoding %q, want gzip", res.Header.Get("Content-Encoding"))
		}
		zr, err := gzip.NewReader(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		var sent, kept any
		if err := json.Unmarshal(plain, &sent); err != nil {
			t.Fatal(err)
		}
		got := ts.requests(t, st.Hash, "limit=1")[0]
		if err := json.Unmarshal([]byte(got.ResponseBody), &kept); err != nil {
			t.Fatalf("journal body is not the JSON sent: %v\n%s", err, got.ResponseBody)
		}
		if !reflect.DeepEqual(sent, kept) {
			t.Fatalf("journal JSON differs from what the client read")
		}
	})
}

func TestJournal_Off(t *testing.T) {
	ts := newTestServerWith(t, "sqlite", adminToken, func(gw *gateway.Gateway) { gw.Journal = nil })
	st := ts.mustCreateStore(t, nil)
	ts.v2(st.Token.AccessToken, "GET", st.Hash, "/customers", nil)
	ts.admin("GET", "/admin/v1/stores/"+st.Hash+"/requests", nil).wantProblem(t, http.StatusNotFound, "journal is off")
	ts.admin("GET", "/admin/v1/stores/"+st.Hash+"/requests/count", nil).wantProblem(t, http.StatusNotFound, "journal is off")
	ts.admin("DELETE", "/admin/v1/stores/"+st.Hash+"/requests", nil).wantProblem(t, http.StatusNotFound, "journal is off")
	// Faults work without the journal.
	ts.mustAddFault(t, st.Hash, map[string]any{"status": 500, "times": 1})
	ts.v2(st.Token.AccessToken, "GET", st.Hash, "/customers", nil).want(t, http.StatusInternalServerError)
}

// TestJournal_RefusedForScope: a request its token may not make (403) is
// the store's and journaled; one with no valid token (401) has no store.
func TestJournal_RefusedForScope(t *testing.T) {
	ts := newTestServer(t, "sqlite", adminToken)
	st := ts.mustCreateStore(t, nil)
	var ro struct {
		ClientID    string `json:"client_id"`
		AccessToken string `json:"access_token"`
	}
	ts.admin("POST", "/admin/v1/stores/"+st.Hash+"/tokens", map[string]any{"scopes": []string{"store_v2_customers_read_only"}}).want(t, http.StatusCreated).decode(t, &ro)
	ts.v2(ro.AccessToken, "POST", st.Hash, "/customers", map[string]any{"first_name": "A"}).want(t, http.StatusForbidden)
	ts.v2("wrong-token", "POST", st.Hash, "/customers", map[string]any{"first_name": "A"}).want(t, http.StatusUnauthorized)
	got := ts.requests(t, st.Hash, "")
	if len(got) != 1 || got[0].Status != 403 || got[0].ClientID != ro.ClientID || got[0].Route != "/customers" {
		t.Fatalf("entries %+v, want the 403 alone, under the read-only client", got)
	}
}
