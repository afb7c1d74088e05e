package storefront_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// verifyJWT checks an HS256 token with secret, as an app would, and
// returns its header and claims (numbers as json.Number).
func verifyJWT(tb testing.TB, token, secret string) (header, claims map[string]any) {
	tb.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		tb.Fatalf("token %q has %d parts", token, len(parts))
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(parts[0] + "." + parts[1]))
	if got := parts[2]; got != base64.RawURLEncoding.EncodeToString(m.Sum(nil)) {
		tb.Fatalf("the signature does not verify with the app's secret")
	}
	for i, v := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			tb.Fatal(err)
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.UseNumber()
		if err := dec.Decode(v); err != nil {
			tb.Fatal(err)
		}
	}
	return header, claims
}

// The current customer JWT is signed with the app's secret and carries
// exactly BigCommerce's claims with their types: group_id a string, sub the
// store hash, exp - iat = 900. Plain text by default, {"token"} when
// Accept asks for JSON only.
func TestCurrentCustomer(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		b := ts.browser()
		b.get(ts.root()+"/login/token/"+ts.pythonToken(ts.fx.alice)).wantRedirect(t, ts.root()+"/account.php")
		url := ts.root() + "/customer/current.jwt?app_client_id=" + ts.fx.api.ClientID

		res := b.get(url).want(t, http.StatusOK)
		if ct := res.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
			t.Errorf("Content-Type=%q, want text/plain", ct)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control=%q, want no-store", cc)
		}
		header, claims := verifyJWT(t, res.Body, ts.fx.api.Secret)
		if header["alg"] != "HS256" || header["typ"] != "JWT" {
			t.Errorf("header = %v", header)
		}
		now := ts.clock.Now().Unix()
		groupID := func() string {
			c := claims["customer"].(map[string]any)
			return c["group_id"].(string)
		}
		want := map[string]any{
			"customer": map[string]any{"id": json.Number(strconv.FormatInt(ts.fx.alice, 10)), "email": ts.fx.aliceEmail, "group_id": groupID()},
			"iss":      "bc/apps", "sub": ts.fx.hash, "iat": json.Number(strconv.FormatInt(now, 10)),
			"exp": json.Number(strconv.FormatInt(now+900, 10)), "version": json.Number("1"), "aud": ts.fx.api.ClientID,
			"application_id": ts.fx.api.ClientID, "store_hash": ts.fx.hash, "operation": "current_customer",
		}
		gotJSON, _ := json.Marshal(claims)
		wantJSON, _ := json.Marshal(want)
		if string(gotJSON) != string(wantJSON) {
			t.Errorf("claims =\n%s\nwant\n%s", gotJSON, wantJSON)
		}
		if groupID() != "1" {
			t.Errorf("group_id = %q, want \"1\" (a string)", groupID())
		}

		res = b.get(url, "Accept", "application/json").want(t, http.StatusOK)
		var body struct {
			Token string `json:"token"`
		}
		if err := json.Unmarshal([]byte(res.Body), &body); err != nil || res.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("Accept: application/json gave %q (%s): %v", res.Body, res.Header.Get("Content-Type"), err)
		}
		verifyJWT(t, body.Token, ts.fx.api.Secret)
		// Accept that takes anything else as well gets text.
		if res := b.get(url, "Accept", "application/json, text/plain, */*").want(t, http.StatusOK); strings.HasPrefix(res.Body, "{") {
			t.Errorf("a browser's Accept got JSON: %s", res.Body)
		}

		// Errors: no app_client_id, an app of another store, then a guest.
		b.get(ts.root()+"/customer/current.jwt").want(t, http.StatusBadRequest)
		b.get(ts.root()+"/customer/current.jwt?app_client_id="+ts.fx.otherApp.ClientID).want(t, http.StatusNotFound)
		guest := ts.browser()
		res = guest.get(url).want(t, http.StatusNotFound)
		if !strings.Contains(res.Body, "No customer is signed in") {
			t.Errorf("guest body = %q", res.Body)
		}
		res = guest.get(url, "Accept", "application/json").want(t, http.StatusNotFound)
		if !strings.HasPrefix(res.Body, `{"status":404`) {
			t.Errorf("guest JSON body = %q", res.Body)
		}
	})
}

// A customer in no group has group_id "0".
func TestCurrentCustomer_NoGroup(t *testing.T) {
	ts := newTestServer(t)
	b := ts.browser()
	b.get(ts.root()+"/login/token/"+ts.phpToken(ts.fx.bob)).wantRedirect(t, ts.root()+"/account.php")
	res := b.get(ts.root()+"/customer/current.jwt?app_client_id="+ts.fx.app.ClientID).want(t, http.StatusOK)
	_, claims := verifyJWT(t, res.Body, ts.fx.app.Secret)
	if g := claims["customer"].(map[string]any)["group_id"]; g != "0" {
		t.Fatalf("group_id = %#v, want \"0\"", g)
	}
}
