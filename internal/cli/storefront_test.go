package cli

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/customersd/customersd/login"
)

// TestServe_CustomerLogin drives the Python client's login helper against
// the real server: an app with the login scope (admin API), a customer
// (V2), secure_url from GET /v2/store behind --public-url, a token signed
// with the app's secret, the storefront's redirect with its session, then
// the attempt in the admin API and the reason of a refusal in the log.
func TestServe_CustomerLogin(t *testing.T) {
	t.Parallel()
	p := startMain(t, map[string]string{"CUSTOMERSD_ADMIN_TOKEN": testAdminToken, "CUSTOMERSD_BCRYPT_COST": "4"},
		"--addr", "127.0.0.1:0", "--database", filepath.Join(t.TempDir(), "c.db"), "--public-url", "https://shop.example")
	status, body := adminCall(t, "POST", p.url("/admin/v1/stores"), map[string]any{"store_hash": "sso"})
	if status != http.StatusCreated {
		t.Fatalf("create store: %d %s", status, body)
	}
	var st struct {
		Token struct {
			AccessToken string `json:"access_token"`
		} `json:"token"`
	}
	decodeJSON(t, body, &st)
	status, body = adminCall(t, "POST", p.url("/admin/v1/stores/sso/tokens"), map[string]any{"scopes": []string{"store_v2_customers_login"}})
	if status != http.StatusCreated {
		t.Fatalf("create app: %d %s", status, body)
	}
	var app struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	decodeJSON(t, body, &app)
	mustCall(t, http.StatusCreated, "POST", p.url("/stores/sso/v2/customers"), st.Token.AccessToken,
		map[string]string{"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"})

	var info struct {
		SecureURL string `json:"secure_url"`
	}
	decodeJSON(t, mustCall(t, http.StatusOK, "GET", p.url("/stores/sso/v2/store"), st.Token.AccessToken, nil), &info)
	if want := "https://shop.example/stores/sso/storefront"; info.SecureURL != want {
		t.Fatalf("secure_url=%q, want %q", info.SecureURL, want)
	}
	var now struct {
		Time int64 `json:"time"`
	}
	decodeJSON(t, mustCall(t, http.StatusOK, "GET", p.url("/stores/sso/v2/time"), st.Token.AccessToken, nil), &now)
	if d := time.Since(time.Unix(now.Time, 0)); d < -time.Minute || d > time.Minute {
		t.Fatalf("/v2/time = %d, %s from this clock", now.Time, d)
	}

	token, err := login.Sign(map[string]any{"iss": app.ClientID, "iat": now.Time, "jti": "0123456789abcdef0123456789abcdef",
		"operation": "customer_login", "store_hash": "sso", "customer_id": 1, "channel_id": 1}, app.ClientSecret)
	if err != nil {
		t.Fatal(err)
	}
	// The proxy in front of https://shop.example would forward this path.
	loginURL := p.url(strings.TrimPrefix(info.SecureURL, "https://shop.example") + "/login/token/" + token)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for i, want := range []string{"https://shop.example/stores/sso/storefront/account.php", "https://shop.example/stores/sso/storefront/login.php"} {
		res, err := noFollow.Get(loginURL)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusFound || res.Header.Get("Location") != want {
			t.Fatalf("use %d: %d Location %q, want 302 to %s", i+1, res.StatusCode, res.Header.Get("Location"), want)
		}
		if c := res.Cookies(); i == 0 && (len(c) != 1 || !c[0].Secure || c[0].Path != "/stores/sso/storefront/") {
			t.Fatalf("session cookie behind an https public URL: %v", c)
		}
	}
	status, body = adminCall(t, "GET", p.url("/admin/v1/stores/sso/login/attempts"), nil)
	var attempts []struct {
		OK     bool   `json:"ok"`
		Reason string `json:"reason"`
	}
	if err := json.Unmarshal(body, &attempts); status != http.StatusOK || err != nil || len(attempts) != 2 || attempts[0].Reason != "jti_reused" || !attempts[1].OK {
		t.Fatalf("attempts: %d %s", status, body)
	}
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	logs := p.stderr.String()
	if !strings.Contains(logs, `level=INFO msg="customer login refused"`) || !strings.Contains(logs, "reason=jti_reused") {
		t.Fatalf("the log lacks the refusal's reason at info level:\n%s", logs)
	}
	if strings.Contains(logs, app.ClientSecret) || strings.Contains(logs, strings.Split(token, ".")[2]) {
		t.Fatal("a secret or a token's signature reached the log")
	}
}
