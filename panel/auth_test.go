package panel_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestLogin(t *testing.T) {
	ts := newTestPanel(t, 0)

	t.Run("PagesNeedSession", func(t *testing.T) {
		b := ts.browser(t)
		for _, path := range []string{"/admin/ui/", "/admin/ui/stores/shop/customers", "/admin/ui/stores/shop/customers/1",
			"/admin/ui/stores/shop/groups", "/admin/ui/stores/shop/accounts", "/admin/ui/stores/shop/reset"} {
			b.get(path).wantRedirect(t, "/admin/ui/login")
		}
	})
	t.Run("OK", func(t *testing.T) {
		b := ts.browser(t)
		form := b.get("/admin/ui/login").want(t, http.StatusOK, `<label for="token">Admin token</label>`, `name="token" type="password"`)
		p := b.post("/admin/ui/login", url.Values{"token": {adminToken}, "csrf": {form.csrf(t)}})
		p.wantRedirect(t, "/admin/ui/")
		var session *http.Cookie
		for _, c := range (&http.Response{Header: p.Header}).Cookies() {
			if c.Name == "customersd_panel" {
				session = c
			}
		}
		if session == nil {
			t.Fatalf("no session cookie in %v", p.Header["Set-Cookie"])
		}
		if !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Path != "/admin/ui/" || session.Secure {
			t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict, Path=/admin/ui/, not Secure over plain HTTP", session)
		}
		if strings.Contains(session.Value, adminToken) || strings.Contains(p.Header.Get("Location"), adminToken) {
			t.Fatal("the admin token leaks into the cookie or the redirect")
		}
		home := b.get("/admin/ui/").want(t, http.StatusOK, "<h1>Stores</h1>", "Sign out")
		for _, h := range []string{"Cache-Control", "Content-Security-Policy", "X-Frame-Options"} {
			if home.Header.Get(h) == "" {
				t.Errorf("page lacks header %s", h)
			}
		}
		// A signed-in browser asking for the form goes home.
		b.get("/admin/ui/login").wantRedirect(t, "/admin/ui/")
	})
	t.Run("SecureBehindTLS", func(t *testing.T) {
		srv := httptest.NewTLSServer(newHandler(ts.db))
		defer srv.Close()
		jar, _ := cookiejar.New(nil)
		c := srv.Client()
		c.Jar = jar
		res, err := c.Get(srv.URL + "/admin/ui/login")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		for _, ck := range res.Cookies() {
			if !ck.Secure {
				t.Fatalf("cookie %s over TLS is not Secure", ck.Name)
			}
		}
	})
	t.Run("ErrWrongToken", func(t *testing.T) {
		b := ts.browser(t)
		form := b.get("/admin/ui/login")
		p := b.post("/admin/ui/login", url.Values{"token": {adminToken + "x"}, "csrf": {form.csrf(t)}})
		p.want(t, http.StatusUnauthorized, "That is not the admin token.")
		if strings.Contains(p.Body, adminToken) {
			t.Fatal("the page echoes a token")
		}
		b.get("/admin/ui/").wantRedirect(t, "/admin/ui/login")
	})
	t.Run("ErrTokenInURL", func(t *testing.T) {
		// The form posts its body; a token in the query string signs nobody in.
		b := ts.browser(t)
		form := b.get("/admin/ui/login")
		b.post("/admin/ui/login?token="+adminToken, url.Values{"csrf": {form.csrf(t)}}).want(t, http.StatusUnauthorized)
	})
	t.Run("ErrForgedCookie", func(t *testing.T) {
		b := ts.browser(t)
		b.signIn()
		u, _ := url.Parse(ts.URL + "/admin/ui/")
		c := b.client.Jar.Cookies(u)[0]
		c.Value = c.Value[:len(c.Value)-2] + "AA"
		c.Path = "/admin/ui/"
		b.client.Jar.SetCookies(u, []*http.Cookie{c})
		b.get("/admin/ui/").wantRedirect(t, "/admin/ui/login")
	})
	t.Run("Logout", func(t *testing.T) {
		b := ts.browser(t)
		csrf := b.signIn()
		u, _ := url.Parse(ts.URL + "/admin/ui/")
		stolen := b.client.Jar.Cookies(u)
		b.post("/admin/ui/logout", url.Values{"csrf": {csrf}}).wantRedirect(t, "/admin/ui/login")
		b.get("/admin/ui/").wantRedirect(t, "/admin/ui/login")
		// The cookie copied before sign-out no longer works either.
		b.client.Jar.SetCookies(u, stolen)
		b.get("/admin/ui/").wantRedirect(t, "/admin/ui/login")
	})
}

// TestActions_RefuseWithoutCSRF posts every action signed in but without
// the session's token, with another session's token, and with none at
// all, and checks each is refused with 403 and changed nothing.
func TestActions_RefuseWithoutCSRF(t *testing.T) {
	ts := newTestPanel(t, 0)
	b := ts.browser(t)
	b.signIn()
	other := ts.browser(t).signIn()
	actions := []struct {
		path string
		form url.Values
	}{
		{"/admin/ui/logout", url.Values{}},
		{"/admin/ui/stores/shop/accounts", url.Values{"scope": {"store_v2_customers"}}},
		{"/admin/ui/stores/shop/reset", url.Values{"confirm": {"yes"}}},
	}
	for _, a := range actions {
		for name, token := range map[string]string{"Missing": "", "OtherSession": other, "Garbage": "x"} {
			t.Run(strings.TrimPrefix(a.path, "/admin/ui/")+"/"+name, func(t *testing.T) {
				form := url.Values{}
				for k, v := range a.form {
					form[k] = v
				}
				if token != "" {
					form.Set("csrf", token)
				}
				b.post(a.path, form).want(t, http.StatusForbidden, "did not come from this panel")
			})
		}
	}
	t.Run("SignedOut", func(t *testing.T) {
		ts.browser(t).post("/admin/ui/stores/shop/reset", url.Values{"confirm": {"yes"}, "csrf": {other}}).want(t, http.StatusForbidden, "not signed in")
	})
	t.Run("Login", func(t *testing.T) {
		// Sign-in has its own token, bound to a cookie of the form.
		ts.browser(t).post("/admin/ui/login", url.Values{"token": {adminToken}}).want(t, http.StatusForbidden)
		fresh := ts.browser(t)
		form := ts.browser(t).get("/admin/ui/login") // another browser's form
		fresh.get("/admin/ui/login")
		fresh.post("/admin/ui/login", url.Values{"token": {adminToken}, "csrf": {form.csrf(t)}}).want(t, http.StatusForbidden)
	})
	// Nothing changed: still signed in, still the same customers and accounts.
	b.get("/admin/ui/stores/shop/customers").want(t, http.StatusOK, "jane@example.com")
	p := b.get("/admin/ui/stores/shop/accounts").want(t, http.StatusOK)
	if strings.Contains(p.Body, "<tbody>") {
		t.Fatalf("an account was created:\n%s", p.Body)
	}
}
