// Package gateway is the request pipeline every HTTP surface of customersd
// mounts: V2 (/stores/{hash}/v2), V3 (/stores/{hash}/v3), the storefront and
// the admin API. A surface brings a route table and an error renderer; the
// gateway owns everything around them, written once: the request ID, the
// access log, metrics labels and panic recovery; the store named in the path;
// authentication (an access token to its API account and store, or the admin
// token) and the scopes each route needs; the store's quota, its headers and
// the in-flight cap; and telling an unknown path (404) from a known path
// with another method (405).
//
// A request's way through (ServeHTTP): request ID, log and recovery wrap
// everything; the surface may rewrite the path; the route is resolved (so
// that even a refused request is logged and counted under its route); the
// store hash comes from the path; the surface negotiates the format;
// credentials are checked, then the route's scopes; the store's quota is
// counted; the store's fault rules may delay, answer or drop the request
// (fault.go); an unrouted request gets 404 or 405; the handler runs. The
// journal (journal.go) copies the bodies as they pass and records the
// request of a store as it ends.
package gateway

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	pathpkg "path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/fault"
	"github.com/customersd/customersd/journal"
	"github.com/customersd/customersd/ratelimit"
)

// Gateway holds what every surface shares. Set the fields before Mount.
type Gateway struct {
	Tenants customersd.TenantService
	// RateLimit is the rate limiting of every store-token surface; nil
	// counts nothing, but responses still carry the X-Rate-Limit-* headers.
	RateLimit *ratelimit.Policy
	// AdminToken is the secret of the AdminToken surfaces, sent as
	// "Authorization: Bearer <token>". Empty disables them: every path
	// answers 404, so a server without it looks like one that has none.
	AdminToken string
	Logger     *slog.Logger
	// Observe, when set, is called once per request as it ends, with the
	// route pattern ("" when none matched), the status and the duration:
	// the hook for metrics.
	Observe func(route string, status int, d time.Duration)
	// Unavailable, when set, recognises a backend failure that is an outage
	// (sqlstore.IsUnavailable) rather than a bug. Errors wrapping
	// customersd.ErrUnavailable are outages whether it is set or not.
	Unavailable func(error) bool
	// PublicURL, when set, is the URL the links in response bodies start
	// with, whatever the request's Host and X-Forwarded-Proto say
	// (ParsePublicURL checks it); see BaseURL.
	PublicURL string
	// Faults, when set, holds the fault rules applied to the requests of
	// a store on every surface but the admin API (fault.go); with no rule
	// it costs one atomic load per request.
	Faults *fault.Engine
	// Journal, when set, records the requests of a store on every surface
	// but the admin API (journal.go).
	Journal *journal.Journal

	outages outageLog

	routesMu    sync.Mutex
	knownRoutes map[string]bool // the relative routes of the store surfaces, for KnownRoute
}

// UnavailableRetryAfter is the Retry-After of a 503: long enough for a
// failover or a restart to make progress, short enough that a client
// retrying on it loses little once the backend is back.
const UnavailableRetryAfter = 5 * time.Second

// StatusClientClosedRequest is nginx's status for a request whose client
// went away before the answer: it is logged and counted as such, not as a
// 500, since nothing failed on our side.
const StatusClientClosedRequest = 499

func (g *Gateway) unavailable(err error) bool {
	return errors.Is(err, customersd.ErrUnavailable) || (g.Unavailable != nil && g.Unavailable(err))
}

func (g *Gateway) logger() *slog.Logger {
	if g.Logger == nil {
		return slog.Default()
	}
	return g.Logger
}

// Auth is how a surface's callers prove who they are.
type Auth int

const (
	// StoreToken: X-Auth-Token of an API account of the store named in the
	// path (X-Auth-Client is accepted and ignored, as BigCommerce does). The
	// store's quota applies and every response carries its headers.
	StoreToken Auth = iota
	// AdminToken: "Authorization: Bearer <Gateway.AdminToken>".
	AdminToken
	// Public: no credentials; the surface checks its own (a storefront
	// session). The store named in the path, if any, must exist.
	Public
)

// HandlerFunc writes a success itself and returns any failure, which the
// surface's renderer writes, so no path can forget to return after writing
// an error.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Route is one entry of a surface's route table.
type Route struct {
	// Pattern is a net/http method pattern with the full path, e.g.
	// "GET /stores/{store_hash}/v2/customers". A GET pattern also answers HEAD.
	Pattern string
	// Scopes are the scopes any one of which lets a StoreToken caller in;
	// nil admits any valid token of the store.
	Scopes []customersd.Scope
	// Capped routes take one of the store's in-flight slots while they run
	// (BigCommerce caps the customer groups endpoints at 40 concurrent).
	Capped  bool
	Handler HandlerFunc
	// Name, when set, is the route as fault rules and the journal name it,
	// for a pattern wider than the paths it serves; by default the
	// pattern's path relative to the version root.
	Name string
}

// Renderer writes err as the surface's error body and returns the status it
// wrote. err is a *Error (from the gateway or a handler), a
// *customersd.Error, or anything else, which is an internal error: the
// gateway logs it, and the renderer must not show it.
type Renderer func(w http.ResponseWriter, r *http.Request, err error) int

// Surface is an HTTP API mounted on the gateway.
type Surface struct {
	// Name appears in the access log ("v2", "admin").
	Name   string
	Auth   Auth
	Routes []Route
	Render Renderer
	// Methods are the methods a 405's Allow header may list, in order.
	Methods []string
	// Rewrite, when set, normalises the request's path before routing.
	Rewrite func(r *http.Request)
	// Match, when set, may refuse a route the mux matched: for a pattern
	// wider than the paths it serves.
	Match func(r *http.Request, pattern string) bool
	// Version, when set, is the only version segment of
	// /stores/{store_hash}/{version}/... the surface serves; a path with
	// another is a 404 before authentication.
	Version string
	// Negotiate, when set, picks the response format (Info.Format) from the
	// request as the client sent it, before Rewrite; an error (406) refuses
	// the request before authentication, rendered in the format Negotiate
	// still returns (the surface's default).
	Negotiate func(r *http.Request) (format string, err error)
	// Unrouted, when set, words the answer to a request no route serves;
	// allow lists the methods that would be served (nil: unknown path). Nil
	// means Unrouted.
	Unrouted func(r *http.Request, allow []string) error
	// DefaultScopes are the scopes of a request no route serves, which is
	// still authenticated before its 404 or 405; nil admits any valid token.
	DefaultScopes func(method string) []customersd.Scope
	// LogPath, when set, is the path as log lines show it: a surface whose
	// paths carry a credential (a login JWT) masks it.
	LogPath func(path string) string
}

// logPath is the path of r as log lines show it.
func (p *pipeline) logPath(r *http.Request) string {
	if p.s.LogPath != nil {
		return p.s.LogPath(r.URL.Path)
	}
	return r.URL.Path
}

// StoreHashOf finds {store_hash} and {version} in
// /stores/{store_hash}/{version}/..., for any version segment.
func StoreHashOf(path string) (hash, version string, ok bool) {
	rest, ok := strings.CutPrefix(path, "/stores/")
	if !ok {
		return "", "", false
	}
	hash, rest, ok = strings.Cut(rest, "/")
	if !ok || hash == "" {
		return "", "", false
	}
	version, _, _ = strings.Cut(rest, "/")
	return hash, version, version != ""
}

// Mount returns the handler of a surface. Give it the full paths of its
// routes (mount it at the top-level mux's prefix).
func (g *Gateway) Mount(s *Surface) http.Handler {
	p := &pipeline{g: g, s: s, mux: http.NewServeMux(), routes: make(map[string]*Route, len(s.Routes)), relRoutes: make(map[string]string, len(s.Routes))}
	g.routesMu.Lock()
	defer g.routesMu.Unlock()
	if g.knownRoutes == nil {
		g.knownRoutes = make(map[string]bool)
	}
	for i := range s.Routes {
		rt := &s.Routes[i]
		p.routes[rt.Pattern] = rt
		p.relRoutes[rt.Pattern] = relativeRoute(rt)
		if s.Auth != AdminToken {
			g.knownRoutes[p.relRoutes[rt.Pattern]] = true
		}
		p.mux.Handle(rt.Pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p.serveMatched(w, r, rt)
		}))
		p.redirects = p.redirects || mayRedirect(rt.Pattern)
	}
	// Whatever no route serves comes here, so that the mux never answers
	// a request itself (404, or 405 without the surface's body).
	if p.routes["/"] == nil {
		p.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			p.serveMatched(w, r, nil)
		})
	}
	return p
}

// mayRedirect reports whether the mux may answer a path with a redirect
// to the pattern's path plus a slash ("/a" to "/a/"), which it only does
// for a pattern ending in a slash, {$} or a {name...} wildcard, or one
// with a host.
func mayRedirect(pattern string) bool {
	_, path, _ := strings.Cut(pattern, " ")
	if path == "" {
		path = pattern
	}
	return !strings.HasPrefix(path, "/") || strings.HasSuffix(path, "/") || strings.HasSuffix(path, "{$}") || strings.HasSuffix(path, "...}")
}

// pipeline is one mounted surface.
type pipeline struct {
	g      *Gateway
	s      *Surface
	mux    *http.ServeMux
	routes map[string]*Route
	// relRoutes names each pattern as fault rules and the journal do.
	relRoutes map[string]string
	// redirects: a route's pattern lets the mux redirect a path to
	// another (mayRedirect), so routing must find out first (viaHandler).
	redirects bool
}

func (p *pipeline) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	// One allocation for what every request needs.
	st := &struct {
		info Info
		rec  recorder
		id   [1]string
	}{info: Info{ID: requestIDOf(r), publicURL: p.g.PublicURL}, rec: recorder{ResponseWriter: w}}
	info, rec := &st.info, &st.rec
	st.id[0] = info.ID
	// Set directly, not through Set: BEHAVIOR.md spells it X-Request-ID, and
	// Set would send the canonical X-Request-Id to clients that match names exactly.
	w.Header()["X-Request-ID"] = st.id[:]
	r = r.WithContext(withInfo(r.Context(), info))
	if p.journaling() {
		info.capture = p.startCapture(rec, r)
		p.recordBeforeLastWrite(rec, r, info, start)
	}
	defer p.logRequest(rec, r, info, start)
	defer p.recoverPanic(rec, r)
	p.serve(rec, r, info)
}

func (p *pipeline) serve(w http.ResponseWriter, r *http.Request, info *Info) {
	if p.s.Negotiate != nil {
		info.Format, info.notAcceptable = p.s.Negotiate(r)
	}
	if p.s.Rewrite != nil {
		p.s.Rewrite(r)
	}
	if p.matchOnce(r) {
		// One match: the mux sets the path values and calls serveMatched
		// with the route, or without one (the "/" of Mount).
		p.mux.ServeHTTP(w, r)
		return
	}
	// The mux may answer r itself, with a redirect or a 400, but only
	// once the request is authenticated for the route it would take: find
	// it first, and let the mux dispatch after the checks.
	info.viaHandler = true
	p.serveRoute(w, r, info, p.route(r))
}

// matchOnce reports whether the mux dispatches r to one of the pipeline's
// handlers (a route's or the "/" of Mount), never answering it itself:
// the path is clean, as the mux would make it, no pattern may redirect,
// and r is no CONNECT or "*" request, which the mux treats apart.
func (p *pipeline) matchOnce(r *http.Request) bool {
	if p.redirects || r.Method == http.MethodConnect || r.RequestURI == "*" {
		return false
	}
	path := r.URL.EscapedPath()
	return path != "" && path[0] == '/' && cleanPath(path) == path
}

// cleanPath is net/http's: path.Clean, keeping a trailing slash. It does
// not allocate for a path already clean.
func cleanPath(p string) string {
	np := pathpkg.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		if len(p) == len(np)+1 && strings.HasPrefix(p, np) {
			return p
		}
		return np + "/"
	}
	return np
}

// serveMatched is the mux's handler of every pattern; rt is nil for a
// request no route's pattern matches.
func (p *pipeline) serveMatched(w http.ResponseWriter, r *http.Request, rt *Route) {
	info := InfoOf(r.Context())
	if info.viaHandler {
		// serveRoute has run: the mux sets the path values only.
		p.runRoute(w, r, rt)
		return
	}
	if rt != nil && p.s.Match != nil && !p.s.Match(r, rt.Pattern) {
		rt = nil
	}
	p.serveRoute(w, r, info, rt)
}

// serveRoute runs the checks of a request, then the handler of rt, or
// answers that no route serves it.
func (p *pipeline) serveRoute(w http.ResponseWriter, r *http.Request, info *Info, rt *Route) {
	if rt != nil {
		info.Route = rt.Pattern
	}
	switch p.s.Auth {
	case StoreToken:
		var release func()
		var deferred customersd.DeferredAuthenticator
		var err error
		r, deferred, release, err = p.authenticate(w, r, info, rt)
		if deferred != nil {
			// Everything from here on, a refusal for the quota included,
			// is written only once the token is confirmed.
			under, req := w, r
			cw := &confirmWriter{ResponseWriter: w, confirm: func() bool { return p.confirm(under, req, info, rt, deferred) }}
			// A handler that writes nothing answers 200: confirmed first.
			defer cw.settle()
			w = cw
		}
		if err != nil {
			p.fail(w, r, err)
			return
		}
		defer release()
	case AdminToken:
		if err := p.authorizeAdmin(w, r); err != nil {
			p.fail(w, r, err)
			return
		}
	case Public:
		if err := p.findStore(r, info); err != nil {
			p.fail(w, r, err)
			return
		}
	}
	if p.g.Faults.Active() && info.Store != nil && p.s.Auth != AdminToken {
		var done bool
		if w, done = p.injectFault(w, r, info); done {
			return
		}
	}
	if rt == nil {
		p.fail(w, r, p.unrouted(r))
		return
	}
	info.served = true
	if info.viaHandler {
		p.mux.ServeHTTP(w, r) // sets the path values, or redirects
		return
	}
	p.runRoute(w, r, rt)
}

func (p *pipeline) runRoute(w http.ResponseWriter, r *http.Request, rt *Route) {
	if err := rt.Handler(w, r); err != nil {
		p.fail(w, r, err)
	}
}

// authenticate runs the checks of a StoreToken request: store in the path,
// format, token, scopes, quota and in-flight cap. It sets the four
// X-Rate-Limit-* headers whatever the outcome: clients expect them on every
// response. A request refused for its credentials or scope spends nothing.
//
// A GET or HEAD may be authenticated on a hint (confirm.go): deferred is
// then the authenticator to confirm the token with before the response,
// and r carries the check.
func (p *pipeline) authenticate(w http.ResponseWriter, r *http.Request, info *Info, rt *Route) (_ *http.Request, deferred customersd.DeferredAuthenticator, release func(), err error) {
	noRelease := func() {}
	hash, ok := p.storeHash(r.URL.Path)
	if !ok {
		return r, nil, noRelease, &Error{Status: http.StatusNotFound}
	}
	anonymous := func() { setRateLimitHeaders(w.Header(), p.g.RateLimit.AnonymousDecision()) }
	if info.notAcceptable != nil {
		anonymous()
		return r, nil, noRelease, info.notAcceptable
	}
	var a *customersd.APIAccount
	if d, ok := p.g.Tenants.(customersd.DeferredAuthenticator); ok && deferrable(r) {
		var ctx context.Context
		if ctx, a, err = d.AuthenticateDeferred(r.Context(), hash, r.Header.Get("X-Auth-Token")); err == nil {
			r, deferred = r.WithContext(ctx), d
		}
	} else {
		a, err = p.g.Tenants.Authenticate(r.Context(), hash, r.Header.Get("X-Auth-Token"))
	}
	if err != nil {
		anonymous()
		return r, nil, noRelease, err
	}
	scopes := p.scopes(r, rt)
	if deferred != nil && !permits(a, scopes) {
		// Refused on a hint: confirmed first, on the account as it is.
		if a, err = deferred.Confirm(r.Context()); err != nil {
			anonymous()
			return r, nil, noRelease, err
		}
		deferred = nil
	}
	// Known before the scope check, so that a refused request is logged
	// and journaled under its store and account.
	info.Account, info.Store = a, &a.Store
	if !permits(a, scopes) {
		anonymous()
		return r, nil, noRelease, errMissingScope()
	}
	d := p.g.RateLimit.AllowRequest(r.Context(), info.Store)
	setRateLimitHeaders(w.Header(), d)
	if !d.Allowed {
		return r, deferred, noRelease, &ratelimit.LimitError{RetryAfter: d.ResetAfter}
	}
	if rt != nil && rt.Capped {
		release, err := p.g.RateLimit.Acquire(info.Store)
		return r, deferred, release, err
	}
	return r, deferred, noRelease, nil
}

// permits reports whether a holds one of scopes; nil scopes admit any
// account.
func permits(a *customersd.APIAccount, scopes []customersd.Scope) bool {
	return scopes == nil || slices.ContainsFunc(a.Scopes, func(s customersd.Scope) bool { return slices.Contains(scopes, s) })
}

func errMissingScope() error {
	return &Error{Status: http.StatusForbidden, Message: "You don't have a required scope to access the endpoint"}
}

func (p *pipeline) scopes(r *http.Request, rt *Route) []customersd.Scope {
	if rt != nil {
		return rt.Scopes
	}
	if p.s.DefaultScopes != nil {
		return p.s.DefaultScopes(r.Method)
	}
	return nil
}

// authorizeAdmin compares the bearer token in constant time. Both sides are
// hashed first, so the time does not depend on the token's length either.
// It runs before routing, so an unauthorised caller learns nothing about
// the routes.
func (p *pipeline) authorizeAdmin(w http.ResponseWriter, r *http.Request) error {
	if p.g.AdminToken == "" {
		return &Error{Status: http.StatusNotFound}
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	got, want := sha256.Sum256([]byte(strings.TrimSpace(token))), sha256.Sum256([]byte(p.g.AdminToken))
	if !ok || !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="customersd admin"`)
		return &Error{Status: http.StatusUnauthorized, Message: "A valid admin token is required: Authorization: Bearer <token>."}
	}
	return nil
}

// findStore resolves the store of a Public request's path, when it names one.
func (p *pipeline) findStore(r *http.Request, info *Info) error {
	if info.notAcceptable != nil {
		return info.notAcceptable
	}
	hash, ok := p.storeHash(r.URL.Path)
	if !ok {
		return nil
	}
	st, err := p.g.Tenants.FindStoreByHash(r.Context(), hash)
	if err != nil {
		return err
	}
	info.Store = st
	return nil
}

// storeHash finds the store in a path of the surface's version.
func (p *pipeline) storeHash(path string) (string, bool) {
	hash, version, ok := StoreHashOf(path)
	return hash, ok && (p.s.Version == "" || version == p.s.Version)
}

// route returns the route that serves r, or nil.
func (p *pipeline) route(r *http.Request) *Route {
	_, pattern := p.mux.Handler(r)
	if pattern == "" || (p.s.Match != nil && !p.s.Match(r, pattern)) {
		return nil
	}
	return p.routes[pattern]
}

// unrouted tells a known path with another method (405 with Allow) from an
// unknown path (404). The surface's renderer words both.
func (p *pipeline) unrouted(r *http.Request) error {
	var allow []string
	for _, m := range p.s.Methods {
		probe := r.Clone(r.Context())
		probe.Method = m
		if p.route(probe) != nil {
			allow = append(allow, m)
		}
	}
	if p.s.Unrouted != nil {
		return p.s.Unrouted(r, allow)
	}
	return Unrouted(allow)
}

// Unrouted is the answer to a request no route serves: 404, or 405 with the
// methods in allow. The surface's renderer words both.
func Unrouted(allow []string) error {
	if len(allow) == 0 {
		return &Error{Status: http.StatusNotFound}
	}
	return &Error{Status: http.StatusMethodNotAllowed, Header: http.Header{"Allow": {strings.Join(allow, ", ")}}}
}

// fail renders err with the surface's renderer, after turning a limit into
// its 429 and an outage into its 503, and logs an internal error (a 500) in
// full: the client sees none of it. A deliberate answer, such as V2's 501
// for PATCH, is no error of ours. An internal error of a request whose
// client has gone is the client's doing (499): nobody reads the answer.
func (p *pipeline) fail(w http.ResponseWriter, r *http.Request, err error) {
	var le *ratelimit.LimitError
	if errors.As(err, &le) {
		err = tooManyRequests(le.RetryAfterSeconds())
	}
	info := InfoOf(r.Context())
	cause := err
	if ProblemOf(err, http.StatusConflict).Status == http.StatusInternalServerError {
		switch {
		case errors.Is(r.Context().Err(), context.Canceled):
			info.clientClosed = true
			p.g.logger().DebugContext(r.Context(), "client closed request", p.logAttrs(r, slog.Any("error", err))...)
			return
		case p.g.unavailable(err):
			info.unavailable = true
			err = serviceUnavailable()
		}
	}
	var e *Error
	if errors.As(err, &e) {
		for k, v := range e.Header {
			w.Header()[k] = v
		}
	}
	status := p.s.Render(w, r, err)
	switch {
	case info.unavailable:
		p.logOutage(r, cause)
	case status == http.StatusInternalServerError:
		p.g.logger().ErrorContext(r.Context(), "request failed", p.logAttrs(r, slog.Any("error", err))...)
	}
}

// logOutage logs a request failed by an unavailable backend, if the
// outage's log allows a line now.
func (p *pipeline) logOutage(r *http.Request, err error) {
	if log, suppressed := p.g.outages.failure(); log {
		p.g.logger().ErrorContext(r.Context(), "backend unavailable", p.logAttrs(r, slog.Any("error", err),
			slog.Int("suppressed", suppressed), slog.Duration("quiet_for", p.g.outages.intervalOrDefault()))...)
	}
}

// logAttrs are the attributes of a log line about request r, then extra.
func (p *pipeline) logAttrs(r *http.Request, extra ...slog.Attr) []any {
	attrs := []any{slog.String("request_id", RequestID(r.Context())), slog.String("surface", p.s.Name),
		slog.String("method", r.Method), slog.String("path", p.logPath(r))}
	for _, a := range extra {
		attrs = append(attrs, a)
	}
	return attrs
}
