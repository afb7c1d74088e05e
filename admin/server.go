// Package admin is the HTTP API test suites use to manage customersd:
// create, list, reset, export, import and delete stores, and issue and
// revoke their tokens. It is mounted under /admin/v1 and answers only when an
// admin token is configured.
package admin

import (
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/customersd/customersd"
)

// Server serves /admin/v1. Set the fields before calling Handler.
type Server struct {
	Tenants  customersd.TenantService
	Exporter customersd.ExportService
	// Token is the secret a client sends as "Authorization: Bearer <token>".
	// Empty disables the admin API: every admin path answers 404, so a
	// server without it looks like one that has none.
	Token  string
	Logger *slog.Logger

	mux *http.ServeMux
}

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// handlerFunc writes a success itself and returns any failure, which one
// adapter renders.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) handle(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// Handler returns the admin API. Mount it at "/admin/" of the top-level mux;
// it matches full paths.
func (s *Server) Handler() http.Handler {
	s.mux = http.NewServeMux()
	s.routes()
	return s.withLog(s.withRecovery(http.HandlerFunc(s.serveAdmin)))
}

// serveAdmin checks that the API is enabled and the caller holds the token
// before routing, so an unauthorised caller learns nothing about the routes.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	if s.Token == "" {
		s.writeError(w, r, &httpError{status: http.StatusNotFound, detail: "Not found."})
		return
	}
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="customersd admin"`)
		s.writeError(w, r, &httpError{status: http.StatusUnauthorized, detail: "A valid admin token is required: Authorization: Bearer <token>."})
		return
	}
	if _, pattern := s.mux.Handler(r); pattern == "" {
		s.writeError(w, r, s.unrouted(r))
		return
	}
	s.mux.ServeHTTP(w, r)
}

// authorized compares the bearer token in constant time. Both sides are
// hashed first, so the time does not depend on the token's length either.
func (s *Server) authorized(r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got, want := sha256.Sum256([]byte(strings.TrimSpace(token))), sha256.Sum256([]byte(s.Token))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// unrouted tells a known path with another method (405 with Allow) from an
// unknown path (404).
func (s *Server) unrouted(r *http.Request) error {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, p := s.mux.Handler(probe); p != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		return &httpError{status: http.StatusNotFound, detail: "Not found."}
	}
	return &httpError{
		status: http.StatusMethodNotAllowed,
		detail: "The method " + r.Method + " is not allowed here.",
		header: http.Header{"Allow": {strings.Join(allow, ", ")}},
	}
}

// statusRecorder remembers the status of a response for the log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// withLog logs one line per request: method, path, status and duration,
// never a header (the admin token travels in one) nor a body (imports
// carry password hashes).
func (s *Server) withLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		s.logger().LogAttrs(r.Context(), slog.LevelInfo, "admin request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", rec.status),
			slog.Duration("duration", time.Since(start)), slog.String("remote", r.RemoteAddr))
	})
}

// withRecovery turns a panic into a logged 500.
func (s *Server) withRecovery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.logger().ErrorContext(r.Context(), "panic serving admin request",
				slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
			s.writeError(w, r, &httpError{status: http.StatusInternalServerError, detail: internalDetail})
		}()
		next.ServeHTTP(w, r)
	})
}
