// Package storefront is each store's shopper-facing pages on customersd:
// just enough of a BigCommerce storefront for the Customer Login and
// Current Customer APIs (spec/LOGIN.md, docs/login.md). Each store's
// storefront lives under /stores/{store_hash}/storefront, which is the
// secure_url GET /v2/store gives, so a client building
// {secure_url}/login/token/{jwt} lands here:
//
//	GET  …/storefront/                      home: who is signed in
//	GET  …/storefront/login/token/{jwt}     Customer Login (SSO)
//	GET  …/storefront/login.php             sign-in form; ?action=logout signs out
//	POST …/storefront/login.php             email and password
//	GET  …/storefront/account.php           the signed-in customer
//	GET  …/storefront/customer/current.jwt  Current Customer JWT
//
// Pages are server-rendered HTML without JavaScript. A session is a row
// in the database (LoginService), found by the hash of the random token in
// the shopper's cookie, so any node serves it and signing out ends it on
// all of them.
package storefront

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/gateway"
	"github.com/customersd/customersd/login"
	"github.com/customersd/customersd/ratelimit"
)

// SessionLifetime is how long a sign-in lasts, unless the shopper signs out.
const SessionLifetime = 24 * time.Hour

// CookieName is the session cookie, named as BigCommerce's storefronts name it.
const CookieName = "SHOP_SESSION_TOKEN"

// flashCookie carries the refusal of a login token across its redirect to
// /login.php, which shows BigCommerce's message once.
const flashCookie = "SHOP_LOGIN_FAILED"

// Server serves the storefronts. Set the fields, then mount Surface.
type Server struct {
	Customers customersd.CustomerService
	Groups    customersd.GroupService
	Tenants   customersd.TenantService
	Logins    customersd.LoginService
	Verifier  *login.Verifier
	// RateLimit guards password sign-ins as it guards V2's validate call.
	RateLimit *ratelimit.Policy
	Logger    *slog.Logger
	// Now is the clock of sessions and current customer tokens; nil means time.Now.
	Now func() time.Time
}

func (s *Server) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// Surface returns the storefronts for gateway.Mount. Mount it at
// "/stores/{store_hash}/storefront/".
func (s *Server) Surface() *gateway.Surface {
	const base = "/stores/{store_hash}/storefront"
	return &gateway.Surface{
		Name:    "storefront",
		Auth:    gateway.Public,
		Version: "storefront",
		Render:  renderError,
		Methods: []string{http.MethodGet, http.MethodHead, http.MethodPost},
		LogPath: maskToken,
		Routes: []gateway.Route{
			{Pattern: "GET " + base + "/{$}", Handler: s.home},
			{Pattern: "GET " + base + "/login/token/{jwt}", Handler: s.loginWithToken},
			{Pattern: "GET " + base + "/login.php", Handler: s.loginPage},
			{Pattern: "POST " + base + "/login.php", Handler: s.loginWithPassword},
			{Pattern: "GET " + base + "/account.php", Handler: s.account},
			{Pattern: "GET " + base + "/customer/current.jwt", Handler: s.currentCustomer},
		},
	}
}

// maskToken keeps a login JWT's signature out of the access log: the
// header and claims stay, for reading, and the attempt's record has the
// rest. A token is single-use, but a line read within its 30 seconds, before
// the shopper's browser used it, would otherwise sign someone in.
func maskToken(path string) string {
	i := strings.Index(path, "/login/token/")
	if i < 0 {
		return path
	}
	tok := path[i+len("/login/token/"):]
	if j := strings.LastIndexByte(tok, '.'); j >= 0 {
		return path[:i] + "/login/token/" + tok[:j] + ".REDACTED"
	}
	return path[:i] + "/login/token/REDACTED"
}

// Root is the storefront of st as an absolute URL: the secure_url of GET
// /v2/store, and where redirect_to paths start.
func Root(r *http.Request, st *customersd.Store) string {
	return login.StorefrontURL(r, st.Hash)
}

// cookiePath keeps a store's cookies to its storefront, also behind a
// proxy that serves customersd under a path (--public-url).
func cookiePath(r *http.Request, st *customersd.Store) string {
	u, err := url.Parse(Root(r, st))
	if err != nil || u.Path == "" {
		return "/"
	}
	return u.Path + "/"
}

// secure reports whether the browser reached us over TLS: here, or at a
// proxy that says so (--public-url https://…, X-Forwarded-Proto).
func secure(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(gateway.BaseURL(r), "https://")
}

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: cookiePath(r, gateway.StoreOf(r.Context())),
		MaxAge: maxAge, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secure(r)})
}

// signIn starts a session of customer and sets its cookie, ending the
// browser's previous session: a browser holds one. The cookie has no
// Max-Age: it ends with the browser, and the session with SessionLifetime
// at the latest.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, customer int64) error {
	st := gateway.StoreOf(r.Context())
	if c, err := r.Cookie(CookieName); err == nil && c.Value != "" {
		if err := s.Logins.DeleteSession(r.Context(), st.ID, c.Value); err != nil {
			return err
		}
	}
	token := customersd.NewClientSecret() // 64 random characters, about 330 bits
	if err := s.Logins.CreateSession(r.Context(), st.ID, token, customer, s.now().Add(SessionLifetime)); err != nil {
		return err
	}
	s.setCookie(w, r, CookieName, token, 0)
	return nil
}

// signOut ends the request's session, if any, and clears its cookie.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) error {
	st := gateway.StoreOf(r.Context())
	if c, err := r.Cookie(CookieName); err == nil && c.Value != "" {
		if err := s.Logins.DeleteSession(r.Context(), st.ID, c.Value); err != nil {
			return err
		}
	}
	s.setCookie(w, r, CookieName, "", -1)
	return nil
}

// shopper returns the signed-in customer of the request, nil for a guest
// (no cookie, an ended session, or a customer deleted since).
func (s *Server) shopper(ctx context.Context, r *http.Request) (*customersd.Customer, error) {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	st := gateway.StoreOf(ctx)
	id, err := s.Logins.FindSession(ctx, st.ID, c.Value)
	if customersd.ErrorCode(err) == customersd.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	cu, err := s.Customers.FindCustomerByID(ctx, st.ID, id)
	if customersd.ErrorCode(err) == customersd.ENOTFOUND {
		return nil, nil
	}
	return cu, err
}

// redirect answers 302 to path on the store's storefront (LOGIN.md: both
// redirects of a login token are 302).
func redirect(w http.ResponseWriter, r *http.Request, path string) error {
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, Root(r, gateway.StoreOf(r.Context()))+path, http.StatusFound)
	return nil
}
