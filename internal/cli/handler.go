package cli

import (
	"context"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/customersd/customersd/metrics"
)

// readyTimeout bounds the database ping of a readiness probe: a probe that
// hangs is as bad as one that fails.
const readyTimeout = 2 * time.Second

// handlerDeps is what the top-level handler is made of.
type handlerDeps struct {
	api     http.Handler // the V2 API
	ping    func(context.Context) error
	metrics *metrics.Metrics
	// serveMetrics adds /metrics to this handler; false when it has a
	// listener of its own (--metrics-addr).
	serveMetrics bool
	logger       *slog.Logger
	// admin is the admin API (admin/), answering 404 itself when no admin
	// token is configured; nil leaves /admin/ to the V2 API.
	admin http.Handler
	// v3 is the V3 API (v3/: webhooks); nil leaves its paths to V2's 404.
	v3 http.Handler
	// storefront is the stores' storefronts (storefront/); nil leaves
	// their paths to the V2 API.
	storefront http.Handler
	// panel is the control panel (panel/); nil when the admin API is off.
	panel http.Handler
}

// newHandler is the whole URL space of the process. The operational
// endpoints need no store token: keep /metrics private with --metrics-addr
// or at the proxy (README.md, "Running in production").
func newHandler(d handlerDeps) http.Handler {
	mux := http.NewServeMux()
	// The V2 API answers everything not claimed below, so an unknown path
	// gets a V2 error body, as before.
	mux.Handle("/", d.api)
	mux.Handle("GET /healthz", d.metrics.Instrument("GET /healthz", http.HandlerFunc(healthz)))
	mux.Handle("GET /readyz", d.metrics.Instrument("GET /readyz", readyz(d.ping, d.logger)))
	if d.serveMetrics {
		mux.Handle("GET /metrics", d.metrics.Handler())
	}
	if d.admin != nil {
		mux.Handle("/admin/", d.admin)
	}
	if d.v3 != nil {
		mux.Handle("/stores/{store_hash}/v3/", d.v3)
	}
	if d.storefront != nil {
		mux.Handle(storefrontPrefix, d.storefront)
	}
	if d.panel != nil {
		mux.Handle("/admin/ui/", d.panel)
	}
	return withReadScope(v2First(d.api, mux))
}

// v2First sends a V2 request straight to the V2 API, which finds its route
// with a mux of its own: nothing above claims /stores/{hash}/v2/..., so
// matching it here too would only cost time. Anything else, and whatever
// the mux might answer itself (an unclean path is redirected), goes through
// the mux.
func v2First(api http.Handler, mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isV2Path(r) {
			api.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// isV2Path reports whether r's path is /stores/{hash}/v2/... and clean, as
// the mux would make it, so that the mux would hand it to "/" as it is.
func isV2Path(r *http.Request) bool {
	if r.Method == http.MethodConnect {
		return false
	}
	p := r.URL.EscapedPath()
	rest, ok := strings.CutPrefix(p, "/stores/")
	if !ok {
		return false
	}
	hash, rest, _ := strings.Cut(rest, "/")
	return hash != "" && strings.HasPrefix(rest, "v2/") && cleanPath(p) == p
}

// cleanPath is net/http's: path.Clean, keeping a trailing slash. It does
// not allocate for a path already clean.
func cleanPath(p string) string {
	np := path.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		if len(p) == len(np)+1 && strings.HasPrefix(p, np) {
			return p
		}
		return np + "/"
	}
	return np
}

// newMetricsHandler serves /metrics alone, for --metrics-addr.
func newMetricsHandler(m *metrics.Metrics) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	return mux
}

// healthz implements GET /healthz: the process is up and serving HTTP. It
// checks nothing else, so a database outage does not get every node
// restarted; that is what /readyz is for.
func healthz(w http.ResponseWriter, r *http.Request) {
	writeStatus(w, http.StatusOK, "ok")
}

// readyz implements GET /readyz: 200 when the database answers a ping, 503
// when it does not, so a load balancer sends traffic elsewhere.
func readyz(ping func(context.Context) error, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := ping(ctx); err != nil {
			// The cause goes to the log only: the probe is unauthenticated.
			logger.WarnContext(ctx, "not ready: database unreachable", slog.Any("err", err))
			writeStatus(w, http.StatusServiceUnavailable, "unavailable")
			return
		}
		writeStatus(w, http.StatusOK, "ok")
	})
}

// writeStatus writes the body of the probes: {"status":"..."}. The status
// strings are constants, so no encoder is needed.
func writeStatus(w http.ResponseWriter, code int, status string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	w.Write([]byte(`{"status":"` + status + `"}` + "\n"))
}
