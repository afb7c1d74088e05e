package storefront_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Over TLS the session cookie is Secure as well.
func TestSessionCookie_SecureOverTLS(t *testing.T) {
	ts := newTestServer(t, withTLS())
	res := ts.browser().get(ts.root()+"/login/token/"+ts.pythonToken(ts.fx.alice)).wantRedirect(t, ts.root()+"/account.php")
	c := res.cookie("SHOP_SESSION_TOKEN")
	if c == nil || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
		t.Fatalf("cookie over TLS = %+v, want Secure, HttpOnly, SameSite=Lax", c)
	}
	if !strings.HasPrefix(res.Header.Get("Location"), "https://") {
		t.Fatalf("Location %q is not https", res.Header.Get("Location"))
	}
}

// The account page shows the signed-in customer's name, email and group;
// the home page greets them; signing out ends the session on the server,
// so even a copy of the cookie is a guest's afterwards.
func TestAccountPage_AndLogout(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		b := ts.browser()
		b.get(ts.root()+"/account.php").wantRedirect(t, ts.root()+"/login.php")
		res := b.get(ts.root()+"/login/token/"+ts.phpToken(ts.fx.alice)).wantRedirect(t, ts.root()+"/account.php")
		cookie := res.cookie("SHOP_SESSION_TOKEN")

		page := b.get(ts.root()+"/account.php").want(t, http.StatusOK)
		for _, want := range []string{`<dd class="name">Alice Liddell</dd>`, `<dd class="email">alice@example.com</dd>`, `<dd class="group">Wholesale</dd>`} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("account.php lacks %s:\n%s", want, page.Body)
			}
		}
		if ct := page.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" || strings.Contains(page.Body, "<script") {
			t.Errorf("Content-Type=%q; pages are HTML without script", ct)
		}
		if home := b.get(ts.root()+"/").want(t, http.StatusOK); !strings.Contains(home.Body, "Welcome back, Alice.") {
			t.Errorf("home does not greet Alice:\n%s", home.Body)
		}

		res = b.get(ts.root()+"/login.php?action=logout").wantRedirect(t, ts.root()+"/login.php")
		if c := res.cookie("SHOP_SESSION_TOKEN"); c == nil || c.MaxAge >= 0 {
			t.Errorf("logout did not clear the cookie: %+v", c)
		}
		b.get(ts.root()+"/account.php").wantRedirect(t, ts.root()+"/login.php")
		replay := ts.browser()
		u, _ := url.Parse(ts.root() + "/")
		replay.client.Jar.SetCookies(u, []*http.Cookie{{Name: cookie.Name, Value: cookie.Value, Path: cookie.Path}})
		replay.get(ts.root()+"/account.php").wantRedirect(t, ts.root()+"/login.php")
	})
}

// The sign-in form checks the customer's password (bcrypt hash); a wrong
// password or an unknown email gets BigCommerce's message and no session.
func TestLoginForm(t *testing.T) {
	ts := newTestServer(t)
	b := ts.browser()
	form := b.get(ts.root()+"/login.php").want(t, http.StatusOK)
	if !strings.Contains(form.Body, `name="login_email"`) || !strings.Contains(form.Body, `name="login_pass"`) {
		t.Fatalf("login.php has no form:\n%s", form.Body)
	}
	for _, bad := range []url.Values{
		{"login_email": {ts.fx.aliceEmail}, "login_pass": {"wrong-password1"}},
		{"login_email": {"nobody@example.com"}, "login_pass": {ts.fx.password}},
		{"login_email": {"bob@example.com"}, "login_pass": {ts.fx.password}}, // Bob has no password
	} {
		res := b.postForm(ts.root()+"/login.php", bad).want(t, http.StatusOK)
		if !strings.Contains(res.Body, "Your email address or password is incorrect. Please try again.") || res.cookie("SHOP_SESSION_TOKEN") != nil {
			t.Errorf("%v: want the refusal message and no session:\n%s", bad, res.Body)
		}
	}
	b.postForm(ts.root()+"/login.php", url.Values{"login_email": {""}}).want(t, http.StatusBadRequest)
	b.postForm(ts.root()+"/login.php", url.Values{"login_email": {"ALICE@example.com"}, "login_pass": {ts.fx.password}}).
		wantRedirect(t, ts.root()+"/account.php")
	if page := b.get(ts.root()+"/account.php").want(t, http.StatusOK); !strings.Contains(page.Body, "Alice Liddell") {
		t.Fatalf("account.php after a password sign-in:\n%s", page.Body)
	}
}

// A store that does not exist has no storefront; another store's session
// cookie is not sent to this one (its Path), nor valid here.
func TestStorefront_Stores(t *testing.T) {
	ts := newTestServer(t)
	ts.browser().get(ts.URL+"/stores/nosuch/storefront/login.php").want(t, http.StatusNotFound)
	b := ts.browser()
	res := b.get(ts.root()+"/login/token/"+ts.phpToken(ts.fx.alice)).wantRedirect(t, ts.root()+"/account.php")
	other := ts.URL + "/stores/" + ts.fx.otherHash + "/storefront"
	b.get(other+"/account.php").wantRedirect(t, other+"/login.php")
	c := res.cookie("SHOP_SESSION_TOKEN")
	stolen := ts.browser()
	u, _ := url.Parse(other + "/")
	stolen.client.Jar.SetCookies(u, []*http.Cookie{{Name: c.Name, Value: c.Value, Path: "/stores/" + ts.fx.otherHash + "/storefront/"}})
	stolen.get(other+"/account.php").wantRedirect(t, other+"/login.php")
	ts.browser().do(http.MethodDelete, ts.root()+"/account.php", nil).want(t, http.StatusMethodNotAllowed)
}

// Signing in changes nothing on the customer (no webhook has anything to
// say); deleting the customer ends their sessions.
func TestSession_CustomerUnchangedThenDeleted(t *testing.T) {
	ts := newTestServer(t)
	path := "/customers/" + itoa(int(ts.fx.alice))
	before := ts.v2(path, ts.fx.api, "Accept", "application/json").want(t, http.StatusOK)
	ts.clock.Advance(5 * time.Second)
	b := ts.browser()
	b.get(ts.root()+"/login/token/"+ts.phpToken(ts.fx.alice)).wantRedirect(t, ts.root()+"/account.php")
	if after := ts.v2(path, ts.fx.api, "Accept", "application/json").want(t, http.StatusOK); after.Body != before.Body {
		t.Fatalf("signing in changed the customer:\n%s\n%s", before.Body, after.Body)
	}
	b.get(ts.root()+"/account.php").want(t, http.StatusOK)
	req, _ := http.NewRequest(http.MethodDelete, ts.URL+"/stores/"+ts.fx.hash+"/v2"+path, nil)
	req.Header.Set("X-Auth-Token", ts.fx.api.Token)
	res, err := ts.Client().Do(req)
	if err != nil || res.StatusCode != http.StatusNoContent {
		t.Fatalf("delete customer: %v %v", res, err)
	}
	res.Body.Close()
	b.get(ts.root()+"/account.php").wantRedirect(t, ts.root()+"/login.php")
}

// The form is behind V2's password guard: after 5 wrong passwords the
// customer is locked, the right password included, on the form and on
// V2's validate call alike.
func TestLoginForm_PasswordGuard(t *testing.T) {
	ts := newTestServer(t)
	b := ts.browser()
	wrong := url.Values{"login_email": {ts.fx.aliceEmail}, "login_pass": {"wrong-password1"}}
	for range 5 {
		b.postForm(ts.root()+"/login.php", wrong).want(t, http.StatusOK)
	}
	res := b.postForm(ts.root()+"/login.php", url.Values{"login_email": {ts.fx.aliceEmail}, "login_pass": {ts.fx.password}}).
		want(t, http.StatusTooManyRequests)
	if res.Header.Get("Retry-After") == "" || res.cookie("SHOP_SESSION_TOKEN") != nil || !strings.Contains(res.Body, "Too many sign-in attempts") {
		t.Fatalf("locked sign-in: %v\n%s", res.Header, res.Body)
	}
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/stores/"+ts.fx.hash+"/v2/customers/"+itoa(int(ts.fx.alice))+"/validate",
		strings.NewReader(`{"password":"`+ts.fx.password+`"}`))
	req.Header.Set("X-Auth-Token", ts.fx.api.Token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	v, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	v.Body.Close()
	if v.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("V2 validate after the form's failures: %d, want 429", v.StatusCode)
	}
}

// Signing in again replaces the browser's session: the old cookie no
// longer works, and the new one names the new customer.
func TestSession_SignInAgainReplacesIt(t *testing.T) {
	ts := newTestServer(t)
	b := ts.browser()
	first := b.get(ts.root()+"/login/token/"+ts.phpToken(ts.fx.alice)).wantRedirect(t, ts.root()+"/account.php").cookie("SHOP_SESSION_TOKEN")
	b.get(ts.root()+"/login/token/"+ts.phpToken(ts.fx.bob)).wantRedirect(t, ts.root()+"/account.php")
	if page := b.get(ts.root()+"/account.php").want(t, http.StatusOK); !strings.Contains(page.Body, "Bob Tables") {
		t.Fatalf("after the second sign-in:\n%s", page.Body)
	}
	old := ts.browser()
	u, _ := url.Parse(ts.root() + "/")
	old.client.Jar.SetCookies(u, []*http.Cookie{{Name: first.Name, Value: first.Value, Path: first.Path}})
	old.get(ts.root()+"/account.php").wantRedirect(t, ts.root()+"/login.php")
}

// HEAD changes nothing: a link checker following the sign-out link leaves
// the shopper signed in.
func TestLogout_HeadChangesNothing(t *testing.T) {
	ts := newTestServer(t)
	b := ts.browser()
	b.get(ts.root()+"/login/token/"+ts.phpToken(ts.fx.alice)).wantRedirect(t, ts.root()+"/account.php")
	b.do(http.MethodHead, ts.root()+"/login.php?action=logout", nil).want(t, http.StatusOK)
	b.get(ts.root()+"/account.php").want(t, http.StatusOK)
}
