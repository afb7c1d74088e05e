package gateway_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/customersd/customersd/gateway"
)

// routeFixture mounts an admin-token surface (no database needed) directly,
// with no mux in front that would clean paths or redirect first.
func routeFixture(t *testing.T, routes ...gateway.Route) (http.Handler, *observed) {
	t.Helper()
	seen := &observed{}
	gw := &gateway.Gateway{AdminToken: adminToken, Logger: slog.New(slog.DiscardHandler), Observe: seen.observe}
	return gw.Mount(&gateway.Surface{
		Name: "admin", Auth: gateway.AdminToken, Render: v3Render, Routes: routes,
		Methods: []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete},
		Match: func(r *http.Request, pattern string) bool {
			return !strings.HasSuffix(r.URL.Path, "/hidden") // a pattern wider than the paths it serves
		},
	}), seen
}

// echo writes the path value name.
func echo(name string) gateway.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		io.WriteString(w, name+"="+r.PathValue(name))
		return nil
	}
}

func serveRaw(h http.Handler, method, target string, authorized bool) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	if authorized {
		req.Header.Set("Authorization", "Bearer "+adminToken)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func wantRaw(t *testing.T, rec *httptest.ResponseRecorder, status int, body string, header ...string) {
	t.Helper()
	if rec.Code != status || rec.Body.String() != body {
		t.Errorf("status %d, body %q; want %d, %q", rec.Code, rec.Body, status, body)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if got := rec.Header().Get(header[i]); got != header[i+1] {
			t.Errorf("%s=%q, want %q", header[i], got, header[i+1])
		}
	}
}

// TestRouting covers what the mux decides for a request as the pipeline
// finds its route once: path values, HEAD on a GET route, 404 and 405 with
// Allow after authentication, the surface's Match, and the mux's own
// answers to an unclean path, which still come after authentication.
func TestRouting(t *testing.T) {
	h, seen := routeFixture(t,
		gateway.Route{Pattern: "GET /admin/v1/echo/{id}", Handler: echo("id")},
		gateway.Route{Pattern: "POST /admin/v1/echo/{id}", Handler: echo("id")},
	)
	wantRaw(t, serveRaw(h, "GET", "/admin/v1/echo/7", true), http.StatusOK, "id=7")
	if route, code := seen.last(); route != "GET /admin/v1/echo/{id}" || code != http.StatusOK {
		t.Errorf("observed %q %d", route, code)
	}
	wantRaw(t, serveRaw(h, "POST", "/admin/v1/echo/8", true), http.StatusOK, "id=8")
	rec := serveRaw(h, "HEAD", "/admin/v1/echo/9", true)
	wantRaw(t, rec, http.StatusOK, "id=9") // a recorder keeps what a server would not send
	if route, _ := seen.last(); route != "GET /admin/v1/echo/{id}" {
		t.Errorf("HEAD observed under %q", route)
	}

	const notFound = `{"errors":{},"status":404,"title":"Not Found","type":"about:blank"}` + "\n"
	const notAllowed = `{"errors":{},"status":405,"title":"Method Not Allowed","type":"about:blank"}` + "\n"
	wantRaw(t, serveRaw(h, "PUT", "/admin/v1/echo/7", true), http.StatusMethodNotAllowed, notAllowed, "Allow", "GET, HEAD, POST")
	if route, code := seen.last(); route != "" || code != http.StatusMethodNotAllowed {
		t.Errorf("observed %q %d", route, code)
	}
	wantRaw(t, serveRaw(h, "GET", "/admin/v1/nothing", true), http.StatusNotFound, notFound, "Allow", "")
	wantRaw(t, serveRaw(h, "GET", "/", true), http.StatusNotFound, notFound)
	if got := serveRaw(h, "PUT", "/admin/v1/echo/7", false).Code; got != http.StatusUnauthorized {
		t.Errorf("405 before authentication: %d", got)
	}
	// Match refuses the route: no route serves the path, whatever the method.
	wantRaw(t, serveRaw(h, "GET", "/admin/v1/echo/hidden", true), http.StatusNotFound, notFound, "Allow", "")

	// An unclean path: the mux redirects it to the clean one, once the
	// request is authenticated for the route it would take; with no route,
	// 404.
	if got := serveRaw(h, "GET", "/admin/v1/x/../echo/7", false).Code; got != http.StatusUnauthorized {
		t.Errorf("unclean path without token: %d", got)
	}
	rec = serveRaw(h, "GET", "/admin/v1/x/../echo/7", true)
	if rec.Code != http.StatusTemporaryRedirect || rec.Header().Get("Location") != "/admin/v1/echo/7" {
		t.Errorf("unclean path: %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	if route, _ := seen.last(); route != "GET /admin/v1/echo/{id}" {
		t.Errorf("redirect observed under %q", route)
	}
	wantRaw(t, serveRaw(h, "GET", "/admin/v1//nothing", true), http.StatusNotFound, notFound)
	wantRaw(t, serveRaw(h, "OPTIONS", "*", true), http.StatusNotFound, notFound)
}

// TestRouting_TrailingSlashRedirect: a surface with a pattern the mux
// redirects to ("/dir" to "/dir/") still authenticates first, and its
// routes still get their path values.
func TestRouting_TrailingSlashRedirect(t *testing.T) {
	h, _ := routeFixture(t,
		gateway.Route{Pattern: "GET /admin/v1/dir/{$}", Handler: echo("name")},
		gateway.Route{Pattern: "GET /admin/v1/dir/{name}", Handler: echo("name")},
	)
	if got := serveRaw(h, "GET", "/admin/v1/dir", false).Code; got != http.StatusUnauthorized {
		t.Errorf("without token: %d", got)
	}
	rec := serveRaw(h, "GET", "/admin/v1/dir", true)
	if rec.Code != http.StatusTemporaryRedirect || rec.Header().Get("Location") != "/admin/v1/dir/" {
		t.Errorf("%d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	wantRaw(t, serveRaw(h, "GET", "/admin/v1/dir/", true), http.StatusOK, "name=")
	wantRaw(t, serveRaw(h, "GET", "/admin/v1/dir/x", true), http.StatusOK, "name=x")
	wantRaw(t, serveRaw(h, "HEAD", "/admin/v1/dir/x", true), http.StatusOK, "name=x")
	wantRaw(t, serveRaw(h, "DELETE", "/admin/v1/dir/x", true), http.StatusMethodNotAllowed,
		`{"errors":{},"status":405,"title":"Method Not Allowed","type":"about:blank"}`+"\n", "Allow", "GET, HEAD")
}
