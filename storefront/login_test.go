package storefront_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/customersd/customersd"
)

// Each official client's token signs the shopper in, lands where its
// redirect says (node's redirect_url is not a claim BigCommerce reads), and
// is recorded as a successful attempt.
func TestLoginToken_OfficialClients(t *testing.T) {
	ts := newTestServer(t)
	tests := []struct {
		name    string
		token   func(int64) string
		landsOn string
	}{
		{"python", ts.pythonToken, "/account.php"},
		{"php", ts.phpToken, "/account.php"},
		{"ruby", ts.rubyToken, "/"},
		{"node", ts.nodeToken, "/account.php"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := ts.browser()
			token := tt.token(ts.fx.alice)
			res := b.get(ts.root()+"/login/token/"+token).wantRedirect(t, ts.root()+tt.landsOn)
			if sig := token[strings.LastIndexByte(token, '.')+1:]; strings.Contains(ts.logs.String(), sig) {
				t.Errorf("the token's signature is in the log:\n%s", ts.logs.String())
			}
			c := res.cookie("SHOP_SESSION_TOKEN")
			if c == nil || c.Value == "" {
				t.Fatalf("no session cookie: %v", res.Header["Set-Cookie"])
			}
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/stores/store1/storefront/" {
				t.Errorf("cookie HttpOnly=%v SameSite=%v Secure=%v Path=%q; want HttpOnly, Lax, not Secure over http, the storefront's path",
					c.HttpOnly, c.SameSite, c.Secure, c.Path)
			}
			page := b.get(ts.root()+tt.landsOn).want(t, http.StatusOK)
			if !strings.Contains(page.Body, "Alice") {
				t.Errorf("%s does not name the signed-in customer:\n%s", tt.landsOn, page.Body)
			}
			a := ts.lastAttempt()
			if !a.OK || a.Reason != "" || a.CustomerID != ts.fx.alice || a.ClientID != ts.fx.app.ClientID || a.Claims["operation"] != "customer_login" {
				t.Errorf("attempt = %+v, want a success of customer %d by %s with its claims", a, ts.fx.alice, ts.fx.app.ClientID)
			}
		})
	}
}

// Every refusal redirects to /login.php, which shows BigCommerce's
// message; the attempt records the precise reason and the log says it at
// info level.
func TestLoginToken_Refusals(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		used := ts.phpToken(ts.fx.alice)
		ts.browser().get(ts.root()+"/login/token/"+used).wantRedirect(t, ts.root()+"/account.php")
		spoil := func(f func(c map[string]any)) string {
			c := ts.claims(ts.fx.alice)
			f(c)
			return sign(headerWithTyp, c, ts.fx.app.Secret)
		}
		now := ts.clock.Now().Unix()
		tests := []struct {
			name, token, check, reason string
		}{
			{"bad signature", sign(headerWithTyp, ts.claims(ts.fx.alice), ts.fx.otherApp.Secret), "signature", "bad_signature"},
			{"unknown iss", spoil(func(c map[string]any) { c["iss"] = "nosuchclient" }), "iss", "unknown_iss"},
			{"account of another store", sign(headerWithTyp, func() map[string]any {
				c := ts.claims(ts.fx.alice)
				c["iss"] = ts.fx.otherApp.ClientID
				return c
			}(), ts.fx.otherApp.Secret), "iss", "account_of_another_store"},
			{"missing scope", sign(headerWithTyp, func() map[string]any {
				c := ts.claims(ts.fx.alice)
				c["iss"] = ts.fx.noLogin.ClientID
				return c
			}(), ts.fx.noLogin.Secret), "scope", "missing_scope"},
			{"iat 31 s old", spoil(func(c map[string]any) { c["iat"] = now - 31 }), "iat", "iat_too_old"},
			{"iat 31 s ahead", spoil(func(c map[string]any) { c["iat"] = now + 31 }), "iat", "iat_in_future"},
			{"reused jti", used, "jti", "jti_reused"},
			{"wrong operation", spoil(func(c map[string]any) { c["operation"] = "current_customer" }), "operation", "wrong_operation"},
			{"wrong store_hash", spoil(func(c map[string]any) { c["store_hash"] = "store2" }), "store_hash", "wrong_store_hash"},
			{"unknown customer", spoil(func(c map[string]any) { c["customer_id"] = 999 }), "customer_id", "unknown_customer"},
			{"ip mismatch", spoil(func(c map[string]any) { c["request_ip"] = "203.0.113.9" }), "request_ip", "ip_mismatch"},
			{"unknown channel", spoil(func(c map[string]any) { c["channel_id"] = 2 }), "channel_id", "unknown_channel"},
			{"redirect to another host", spoil(func(c map[string]any) { c["redirect_to"] = "//evil.example/" }), "redirect_to", "bad_redirect_to"},
			{"expired exp", spoil(func(c map[string]any) { c["exp"] = now - 1 }), "exp", "expired"},
			{"alg none", "eyJhbGciOiJub25lIn0." + strings.Split(spoil(func(map[string]any) {}), ".")[1] + ".", "alg", "unsupported_alg"},
			{"malformed", "not-a-jwt", "token", "malformed_token"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				b := ts.browser()
				res := b.get(ts.root()+"/login/token/"+tt.token).wantRedirect(t, ts.root()+"/login.php")
				if c := res.cookie("SHOP_SESSION_TOKEN"); c != nil {
					t.Errorf("a refused token set a session cookie: %v", c)
				}
				a := ts.lastAttempt()
				if a.OK || a.Check != tt.check || a.Reason != tt.reason || a.Detail == "" {
					t.Errorf("attempt = %+v, want check %q reason %q with a detail", a, tt.check, tt.reason)
				}
				if !strings.Contains(ts.logs.String(), "level=INFO msg=\"customer login refused\"") ||
					!strings.Contains(ts.logs.String(), "reason="+tt.reason) {
					t.Errorf("the log does not give the reason %s at info level:\n%s", tt.reason, ts.logs.String())
				}
				page := b.get(ts.root()+"/login.php").want(t, http.StatusOK)
				if !strings.Contains(page.Body, "Invalid login. Please attempt to log in again.") {
					t.Errorf("login.php does not show BigCommerce's message:\n%s", page.Body)
				}
				// The message is shown once.
				if again := b.get(ts.root() + "/login.php"); strings.Contains(again.Body, "Invalid login") {
					t.Errorf("the message shows again on the next visit")
				}
				b.get(ts.root()+"/account.php").wantRedirect(t, ts.root()+"/login.php")
			})
		}
		for _, a := range ts.attempts(50) {
			for _, secret := range []string{ts.fx.app.Secret, ts.fx.otherApp.Secret, ts.fx.noLogin.Secret} {
				if strings.Contains(a.Detail, secret) || strings.Contains(a.IP, secret) {
					t.Fatalf("attempt %d holds a secret", a.ID)
				}
			}
		}
	})
}

// The window is 30 s each way: 30 s old and 30 s ahead still sign in.
func TestLoginToken_IATWindowEdges(t *testing.T) {
	ts := newTestServer(t)
	for _, skew := range []int64{-30, 30} {
		c := ts.claims(ts.fx.alice)
		c["iat"] = ts.clock.Now().Unix() + skew
		ts.browser().get(ts.root()+"/login/token/"+sign(headerWithTyp, c, ts.fx.app.Secret)).wantRedirect(t, ts.root()+"/account.php")
	}
}

// A used jti stays used across a restart: the record is in the database
// file, not in the process.
func TestLoginToken_ReusedAcrossRestart(t *testing.T) {
	first := newTestServer(t)
	token := first.pythonToken(first.fx.alice)
	first.browser().get(first.root()+"/login/token/"+token).wantRedirect(t, first.root()+"/account.php")
	first.Close()
	first.db.Close()

	second := newTestServer(t, withDatabase(first.dsn, first.fx), withClock(first.clock))
	second.clock.Advance(5 * time.Second)
	second.browser().get(second.root()+"/login/token/"+token).wantRedirect(t, second.root()+"/login.php")
	if a := second.lastAttempt(); a.Reason != "jti_reused" {
		t.Fatalf("after a restart: reason %q, want jti_reused", a.Reason)
	}
}

// A HEAD of the login URL (a link preview) neither uses nor records the
// token: the shopper's GET still signs in.
func TestLoginToken_HeadDoesNotSpendIt(t *testing.T) {
	ts := newTestServer(t)
	token := ts.pythonToken(ts.fx.alice)
	b := ts.browser()
	res := b.do(http.MethodHead, ts.root()+"/login/token/"+token, nil).want(t, http.StatusNoContent)
	if res.cookie("SHOP_SESSION_TOKEN") != nil || res.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("HEAD headers: %v", res.Header)
	}
	if n := len(ts.attempts(10)); n != 0 {
		t.Fatalf("HEAD recorded %d attempts", n)
	}
	b.get(ts.root()+"/login/token/"+token).wantRedirect(t, ts.root()+"/account.php")
}

// A long claim is cut in the detail and a huge payload is not stored; a
// fractional or string customer_id is refused, as is no jti.
func TestLoginToken_OddClaims(t *testing.T) {
	ts := newTestServer(t)
	for _, tt := range []struct {
		name   string
		set    func(c map[string]any)
		reason string
	}{
		{"long operation", func(c map[string]any) { c["operation"] = strings.Repeat("x", 2000) }, "wrong_operation"},
		{"huge payload", func(c map[string]any) { c["padding"] = strings.Repeat("p", 5000); c["customer_id"] = 999 }, "unknown_customer"},
		{"fractional customer_id", func(c map[string]any) { c["customer_id"] = 1.5 }, "unknown_customer"},
		{"string customer_id", func(c map[string]any) { c["customer_id"] = "1" }, "unknown_customer"},
		{"no jti", func(c map[string]any) { delete(c, "jti") }, "jti_missing"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := ts.claims(ts.fx.alice)
			tt.set(c)
			ts.browser().get(ts.root()+"/login/token/"+sign(headerWithTyp, c, ts.fx.app.Secret)).wantRedirect(t, ts.root()+"/login.php")
			a := ts.lastAttempt()
			if a.Reason != tt.reason || len(a.Detail) > 300 {
				t.Fatalf("attempt = reason %q detail %d bytes, want %q and a short detail", a.Reason, len(a.Detail), tt.reason)
			}
			if tt.name == "huge payload" && (a.Claims["customersd_truncated"] == nil || a.Claims["padding"] != nil) {
				t.Fatalf("claims of a huge payload kept: %v", a.Claims)
			}
		})
	}
}

// redirect_to "/login.php?action=logout" signs in, then out (LOGIN.md).
func TestLoginToken_RedirectToLogout(t *testing.T) {
	ts := newTestServer(t)
	c := ts.claims(ts.fx.alice)
	c["redirect_to"] = "/login.php?action=logout"
	b := ts.browser()
	b.get(ts.root()+"/login/token/"+sign(headerWithTyp, c, ts.fx.app.Secret)).wantRedirect(t, ts.root()+"/login.php?action=logout")
	b.get(ts.root()+"/login.php?action=logout").wantRedirect(t, ts.root()+"/login.php")
	b.get(ts.root()+"/account.php").wantRedirect(t, ts.root()+"/login.php")
}

// ghostCustomers finds customer 999, which the database does not have: the
// verifier's check passes, as it would for a customer deleted just after.
type ghostCustomers struct{ customersd.CustomerService }

func (g ghostCustomers) FindCustomerByID(ctx context.Context, store customersd.StoreID, id int64) (*customersd.Customer, error) {
	if id == 999 {
		return &customersd.Customer{ID: 999}, nil
	}
	return g.CustomerService.FindCustomerByID(ctx, store, id)
}

// A customer deleted between the check and the session is refused as
// unknown, and the attempt says so: no half sign-in.
func TestLoginToken_CustomerDeletedMidway(t *testing.T) {
	ts := newTestServer(t, func(c *serverConfig) {
		c.checkCustomers = func(cs customersd.CustomerService) customersd.CustomerService { return ghostCustomers{cs} }
	})
	res := ts.browser().get(ts.root()+"/login/token/"+ts.phpToken(999)).wantRedirect(t, ts.root()+"/login.php")
	if res.cookie("SHOP_SESSION_TOKEN") != nil {
		t.Fatal("a session cookie for a customer that does not exist")
	}
	if a := ts.lastAttempt(); a.OK || a.Reason != "unknown_customer" || !strings.Contains(a.Detail, "deleted while signing in") {
		t.Fatalf("attempt = %+v", a)
	}
}
