// Package v2 is the HTTP surface of the BigCommerce Customers V2 API: routes,
// authentication and scopes, request decoding and the V2 wire format.
package v2

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/customersd/customersd"
)

// Server serves /stores/{store_hash}/v2. Set the services before calling Handler.
type Server struct {
	Tenants   customersd.TenantService
	Customers customersd.CustomerService
	Addresses customersd.AddressService
	Groups    customersd.GroupService
	Logger    *slog.Logger
	// Observe, when set, is called once per request as it ends, with the
	// matched route pattern ("" when none matched), the status and the
	// duration: the hook for metrics.
	Observe func(route string, status int, d time.Duration)
	// RateLimit limits each store's requests (v2/ratelimit.go). nil counts
	// nothing, but every response still carries the X-Rate-Limit-* headers.
	RateLimit *RateLimit

	mux *http.ServeMux
}

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// handlerFunc is a V2 handler: it writes a success itself and returns any
// failure, which one adapter renders, so no path can forget to return after
// writing an error.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) handle(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info := infoOf(r.Context()); info != nil {
			info.pattern = r.Pattern
		}
		if err := fn(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// Handler returns the V2 API with its middleware, in the order of
// ARCHITECTURE.md: request ID, logging and recovery outermost, then path
// normalisation, content negotiation, authentication and scope, then routing.
func (s *Server) Handler() http.Handler {
	s.mux = http.NewServeMux()
	s.routes()
	return s.withRequestInfo(s.withRecovery(http.HandlerFunc(s.serveV2)))
}

// serveV2 runs the checks every V2 request passes before its handler.
func (s *Server) serveV2(w http.ResponseWriter, r *http.Request) {
	normalizePath(r)
	hash, ok := storeHashOf(r.URL.Path)
	if !ok {
		s.writeError(w, r, customersd.Errorf(customersd.ENOTFOUND, notFoundMessage))
		return
	}
	if err := negotiate(r); err != nil {
		s.setAnonymousRateHeaders(w)
		s.writeError(w, r, err)
		return
	}
	account, err := s.authenticate(r, hash)
	if err != nil {
		s.setAnonymousRateHeaders(w)
		s.writeError(w, r, err)
		return
	}
	if info := infoOf(r.Context()); info != nil {
		info.account = account
	}
	release, err := s.limit(w, r, account)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer release()
	// Handler only finds the route; ServeHTTP also sets the path values.
	if s.route(r) == "" {
		s.writeError(w, r, s.unrouted(r))
		return
	}
	s.mux.ServeHTTP(w, r)
}

// storeHashOf extracts {store_hash} from /stores/{store_hash}/v2/...
func storeHashOf(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, "/stores/")
	if !ok {
		return "", false
	}
	hash, rest, ok := strings.Cut(rest, "/")
	if !ok || hash == "" || !(rest == "v2" || strings.HasPrefix(rest, "v2/")) {
		return "", false
	}
	return hash, true
}

// normalizePath accepts what V2 always accepted: a trailing slash and a
// ".json" suffix on the last segment (the old Ruby client appends it).
func normalizePath(r *http.Request) {
	p := r.URL.Path
	if len(p) > 1 {
		p = strings.TrimSuffix(p, "/")
	}
	p = strings.TrimSuffix(p, ".json")
	if p != r.URL.Path {
		r.URL.Path = p
		r.URL.RawPath = ""
	}
}

// unrouted tells a known path with an unsupported method (405 with Allow, or
// 501 for PATCH and TRACE, which V2 never implemented) from an unknown path (404).
func (s *Server) unrouted(r *http.Request) error {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if s.route(probe) != "" {
			allow = append(allow, m)
		}
	}
	if r.Method == http.MethodPatch || r.Method == http.MethodTrace {
		return &httpError{status: http.StatusNotImplemented, message: "The HTTP method '" + r.Method + "' is not implemented."}
	}
	if len(allow) == 0 {
		return customersd.Errorf(customersd.ENOTFOUND, notFoundMessage)
	}
	return &httpError{
		status:  http.StatusMethodNotAllowed,
		message: "The HTTP method '" + r.Method + "' is not supported by this resource.",
		header:  http.Header{"Allow": {strings.Join(allow, ", ")}},
	}
}

// authenticate checks X-Auth-Token against the store in the path and the
// token's scope against the method. X-Auth-Client is accepted and ignored,
// as BigCommerce no longer checks it.
func (s *Server) authenticate(r *http.Request, hash string) (*customersd.APIAccount, error) {
	a, err := s.Tenants.Authenticate(r.Context(), hash, r.Header.Get("X-Auth-Token"))
	if err != nil {
		return nil, err
	}
	readOnly := r.Method == http.MethodGet || r.Method == http.MethodHead
	if (readOnly && !a.CanRead()) || (!readOnly && !a.CanWrite()) {
		return nil, customersd.Errorf(customersd.EFORBIDDEN, "You don't have a required scope to access the endpoint")
	}
	return a, nil
}

// storeOf returns the store the request authenticated for.
func storeOf(r *http.Request) customersd.StoreID {
	return infoOf(r.Context()).account.Store.ID
}

// negotiate answers 406 when the client accepts nothing JSON. A missing
// Accept, */* or anything that admits JSON gets JSON.
func negotiate(r *http.Request) error {
	accept := r.Header.Values("Accept")
	if len(accept) == 0 {
		return nil
	}
	for _, v := range accept {
		for part := range strings.SplitSeq(v, ",") {
			mt, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			mt = strings.ToLower(strings.TrimSpace(mt))
			if strings.Contains(strings.ReplaceAll(params, " ", ""), "q=0") && !strings.Contains(params, "q=0.") {
				continue
			}
			if mt == "" || mt == "*/*" || mt == "application/*" || isJSONMediaType(mt) {
				return nil
			}
		}
	}
	return &httpError{status: http.StatusNotAcceptable, message: "This resource can only be served as application/json."}
}

type ctxKey struct{}

// requestInfo is what the middleware learns about a request on its way in
// and reads on its way out (logging, metrics).
type requestInfo struct {
	id      string
	pattern string
	account *customersd.APIAccount
}

func infoOf(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(ctxKey{}).(*requestInfo)
	return info
}

func requestID(ctx context.Context) string {
	if info := infoOf(ctx); info != nil {
		return info.id
	}
	return ""
}

func withInfo(ctx context.Context, info *requestInfo) context.Context {
	return context.WithValue(ctx, ctxKey{}, info)
}
