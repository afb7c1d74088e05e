package storefront_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// v2 calls store1's V2 API with an account's token.
func (ts *testServer) v2(path string, a account, hdr ...string) *response {
	ts.t.Helper()
	return ts.browser().get(ts.URL+"/stores/"+ts.fx.hash+"/v2"+path,
		append([]string{"X-Auth-Client", a.ClientID, "X-Auth-Token", a.Token}, hdr...)...)
}

// GET /v2/time is the server's clock for any valid token of the store,
// including one with only the login scope; JSON or XML as V2 negotiates.
func TestV2Time(t *testing.T) {
	ts := newTestServer(t)
	for _, a := range []account{ts.fx.app, ts.fx.api, ts.fx.noLogin} {
		res := ts.v2("/time", a, "Accept", "application/json").want(t, http.StatusOK)
		if want := `{"time":` + strconv.FormatInt(ts.clock.Now().Unix(), 10) + `}`; res.Body != want {
			t.Errorf("body=%s, want %s", res.Body, want)
		}
	}
	res := ts.v2("/time", ts.fx.api, "Accept", "application/xml").want(t, http.StatusOK)
	if want := "<time>\n  <time>" + strconv.FormatInt(ts.clock.Now().Unix(), 10) + "</time>\n</time>"; !strings.Contains(res.Body, want) {
		t.Errorf("XML body=%s, want %s", res.Body, want)
	}
	ts.v2("/time", account{Token: "wrong-token-123"}).want(t, http.StatusUnauthorized)
	ts.v2("/time", ts.fx.otherApp).want(t, http.StatusUnauthorized)
}

// GET /v2/store has store_information.v2.yml's keys, and its secure_url is
// this store's storefront on this server: the Python client's create_url,
// {secure_url}/login/token/{jwt}, signs the shopper in unchanged.
func TestV2Store_SecureURLSignsIn(t *testing.T) {
	ts := newTestServer(t)
	res := ts.v2("/store", ts.fx.app, "Accept", "application/json").want(t, http.StatusOK)
	var info map[string]any
	if err := json.Unmarshal([]byte(res.Body), &info); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"id", "account_uuid", "domain", "secure_url", "control_panel_base_url", "status", "name",
		"first_name", "last_name", "address", "country", "country_code", "phone", "admin_email", "order_email", "favicon_url",
		"timezone", "language", "currency", "currency_symbol", "decimal_separator", "thousands_separator", "decimal_places",
		"currency_symbol_location", "weight_units", "dimension_units", "dimension_decimal_places", "dimension_decimal_token",
		"dimension_thousands_token", "plan_name", "plan_level", "plan_is_trial", "industry", "logo", "is_price_entered_with_tax",
		"store_id", "default_channel_id", "default_site_id", "active_comparison_modules", "features"} {
		if _, ok := info[key]; !ok {
			t.Errorf("no %q in %s", key, res.Body)
		}
	}
	if info["id"] != ts.fx.hash || info["domain"] != "127.0.0.1" || info["plan_name"] != "Standard" || info["default_channel_id"] != 1.0 {
		t.Errorf("id=%v domain=%v plan_name=%v default_channel_id=%v", info["id"], info["domain"], info["plan_name"], info["default_channel_id"])
	}
	secureURL, _ := info["secure_url"].(string)
	if secureURL != ts.root() {
		t.Fatalf("secure_url=%q, want %q", secureURL, ts.root())
	}
	ts.browser().get(secureURL+"/login/token/"+ts.pythonToken(ts.fx.alice)).wantRedirect(t, ts.root()+"/account.php")
	if res := ts.v2("/store", ts.fx.api, "Accept", "application/xml").want(t, http.StatusOK); !strings.Contains(res.Body, "<secure_url>"+secureURL+"</secure_url>") {
		t.Errorf("XML store lacks secure_url:\n%s", res.Body)
	}
}
