package storefront_test

import (
	"net/http"
	"strings"
	"testing"
)

type explanation struct {
	Valid  bool `json:"valid"`
	Checks []struct {
		Name   string `json:"name"`
		OK     bool   `json:"ok"`
		Detail string `json:"detail"`
	} `json:"checks"`
}

func (e explanation) check(tb testing.TB, name string) (ok bool, detail string) {
	tb.Helper()
	for _, c := range e.Checks {
		if c.Name == name {
			return c.OK, c.Detail
		}
	}
	tb.Fatalf("no check %q in %+v", name, e)
	return false, ""
}

var allChecks = []string{"token", "alg", "iss", "signature", "scope", "operation", "store_hash", "iat", "exp",
	"channel_id", "customer_id", "request_ip", "redirect_to", "jti"}

// Explain runs every check, in order, without using the jti or recording
// an attempt: the explained token still signs in once, and explained
// again it is reported as used.
func TestExplain_DoesNotConsumeJTI(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		token := ts.pythonToken(ts.fx.alice)
		path := "/stores/" + ts.fx.hash + "/login/explain"
		var e explanation
		ts.adminDo(http.MethodPost, path, map[string]string{"token": token}, http.StatusOK, &e)
		if !e.Valid || len(e.Checks) != len(allChecks) {
			t.Fatalf("explain = %+v, want valid with %d checks", e, len(allChecks))
		}
		for i, c := range e.Checks {
			if c.Name != allChecks[i] || !c.OK || c.Detail == "" {
				t.Errorf("check %d = %+v, want %q ok with a detail", i, c, allChecks[i])
			}
		}
		ts.adminDo(http.MethodPost, path, map[string]string{"token": token}, http.StatusOK, &e)
		if !e.Valid {
			t.Fatalf("a second explain says invalid: %+v", e)
		}
		if n := len(ts.attempts(10)); n != 0 {
			t.Fatalf("explain recorded %d attempts, want none", n)
		}
		ts.browser().get(ts.root()+"/login/token/"+token).wantRedirect(t, ts.root()+"/account.php")

		ts.adminDo(http.MethodPost, path, map[string]string{"token": token}, http.StatusOK, &e)
		if ok, detail := e.check(t, "jti"); e.Valid || ok || !strings.Contains(detail, "used already") {
			t.Fatalf("explain after use: valid=%v jti ok=%v %q, want the jti reported used", e.Valid, ok, detail)
		}
	})
}

// Explain reports each failing check with its detail, and every check
// even when several fail; request_ip is compared when "ip" is given.
func TestExplain_Failures(t *testing.T) {
	ts := newTestServer(t)
	path := "/stores/" + ts.fx.hash + "/login/explain"
	c := ts.claims(999)
	c["operation"] = "nope"
	c["iat"] = ts.clock.Now().Unix() - 31
	c["request_ip"] = "192.0.2.1"
	var e explanation
	ts.adminDo(http.MethodPost, path, map[string]string{"token": sign(headerWithTyp, c, "wrong-secret-0123456789")}, http.StatusOK, &e)
	if e.Valid || len(e.Checks) != len(allChecks) {
		t.Fatalf("explain = %+v, want invalid with every check", e)
	}
	for name, wantOK := range map[string]bool{"iss": true, "signature": false, "operation": false, "iat": false,
		"customer_id": false, "request_ip": true, "jti": true} {
		if ok, detail := e.check(t, name); ok != wantOK || detail == "" {
			t.Errorf("check %s: ok=%v %q, want ok=%v with a detail", name, ok, detail, wantOK)
		}
	}
	ts.adminDo(http.MethodPost, path, map[string]string{"token": sign(headerWithTyp, c, ts.fx.app.Secret), "ip": "192.0.2.2"}, http.StatusOK, &e)
	if ok, detail := e.check(t, "request_ip"); ok || !strings.Contains(detail, "192.0.2.2") {
		t.Errorf("request_ip with another ip: ok=%v %q, want a mismatch naming it", ok, detail)
	}
	ts.adminDo(http.MethodPost, path, map[string]string{"token": "x.y"}, http.StatusOK, &e)
	if ok, _ := e.check(t, "token"); e.Valid || ok {
		t.Errorf("a two-part token explained as readable: %+v", e)
	}

	// Bad calls are 4xx problems; an unknown store is 404.
	ts.adminDo(http.MethodPost, path, map[string]string{}, http.StatusBadRequest, nil)
	ts.adminDo(http.MethodPost, path, map[string]string{"tokn": "x"}, http.StatusBadRequest, nil)
	ts.adminDo(http.MethodPost, "/stores/nosuch/login/explain", map[string]string{"token": "x"}, http.StatusNotFound, nil)
}

// Attempts are listed newest first, limited, and kept to the newest
// MaxLoginAttempts per store.
func TestLoginAttempts_ListAndBound(t *testing.T) {
	ts := newTestServer(t)
	b := ts.browser()
	for i := range 205 {
		b.get(ts.root()+"/login/token/not-a-jwt-"+itoa(i)).want(t, http.StatusFound)
	}
	all := ts.attempts(200)
	if len(all) != 200 {
		t.Fatalf("%d attempts kept, want 200", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].ID >= all[i-1].ID {
			t.Fatalf("attempts not newest first at %d: %d after %d", i, all[i].ID, all[i-1].ID)
		}
	}
	if got := ts.attempts(3); len(got) != 3 || got[0].ID != all[0].ID {
		t.Fatalf("limit=3 gave %d attempts starting at %d", len(got), got[0].ID)
	}
	if a := all[0]; a.Reason != "malformed_token" || a.IP != "127.0.0.1" || len(a.Claims) != 0 || a.At == "" {
		t.Fatalf("newest attempt = %+v", a)
	}
	for _, bad := range []string{"0", "201", "x"} {
		ts.adminDo(http.MethodGet, "/stores/"+ts.fx.hash+"/login/attempts?limit="+bad, nil, http.StatusBadRequest, nil)
	}
	var other []attempt
	ts.adminDo(http.MethodGet, "/stores/"+ts.fx.otherHash+"/login/attempts", nil, http.StatusOK, &other)
	if len(other) != 0 {
		t.Fatalf("store2 lists %d attempts of store1", len(other))
	}
}
