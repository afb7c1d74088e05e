package panel

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/gateway"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// view is what every page's template gets.
type view struct {
	Title string
	// CSRF is the token of the page's forms.
	CSRF string
	// Store, when set, puts the store's navigation in the header; Section
	// names the current entry of it.
	Store   *customersd.Store
	Section string
	Data    any
	// SignedIn shows the sign-out button.
	SignedIn bool
	// Features are the optional pages the store's navigation links to.
	Features features
}

// features are the pages that appear with their feature.
type features struct {
	Hooks, Requests, Faults, Logins bool
}

var funcs = template.FuncMap{
	"iso":   func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"utc":   func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") + " UTC" },
	"money": func(d customersd.Decimal) string { return d.String() },
	"base":  func() string { return base },
}

// pages are parsed once: each page template with the layout it fills.
var pages = func() map[string]*template.Template {
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html"))
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		name := path.Base(n)[:len(path.Base(n))-len(".html")]
		if name == "layout" {
			continue
		}
		out[name] = template.Must(template.Must(layout.Clone()).ParseFS(templateFS, n))
	}
	return out
}()

// render writes a page. It is executed into a buffer first, so that a
// template error is a clean 500 and never half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, v *view) error {
	v.Features = features{Hooks: s.hooksEnabled(), Requests: s.Journal != nil, Faults: s.Faults != nil, Logins: s.Logins != nil}
	if se := sessionOf(r.Context()); se != nil {
		v.SignedIn = true
		if v.CSRF == "" {
			v.CSRF = se.csrf
		}
	}
	var buf bytes.Buffer
	if err := pages[name].ExecuteTemplate(&buf, "layout.html", v); err != nil {
		return fmt.Errorf("panel: render %s: %w", name, err)
	}
	setPageHeaders(w.Header())
	w.WriteHeader(status)
	w.Write(buf.Bytes()) // a failed write means the browser left
	return nil
}

// setPageHeaders: no cache keeps a page (one shows a secret once, all show
// a store's state), no site frames one, and only the panel's own files run.
func setPageHeaders(h http.Header) {
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

// errForbidden is a refused action.
func errForbidden(msg string) error {
	return &gateway.Error{Status: http.StatusForbidden, Message: msg}
}

// errBadInput is a form or query the panel cannot use.
func errBadInput(msg string) error {
	return &gateway.Error{Status: http.StatusBadRequest, Message: msg}
}

// renderError writes err as a page saying what went wrong; the detail of
// an internal error stays in the log.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) int {
	p := gateway.ProblemOf(err, http.StatusConflict)
	switch {
	case p.Status == http.StatusInternalServerError:
		p.Message = "Something went wrong on the server; its log has the cause."
	case p.Status == http.StatusMethodNotAllowed:
		p.Message = "The method " + r.Method + " is not allowed here."
	case p.Message == "":
		p.Message = "There is no such page."
	}
	if sr := s.signedIn(r); sr != nil {
		r = sr
	}
	v := &view{Title: http.StatusText(p.Status), Data: p.Message}
	if err := s.render(w, r, p.Status, "error", v); err != nil {
		// The error page itself failed: plain text, still no detail.
		http.Error(w, p.Message, p.Status)
	}
	return p.Status
}

// serveStatic implements GET /admin/ui/static/{file}: the stylesheet and
// the script, which need no session.
func serveStatic(w http.ResponseWriter, r *http.Request) error {
	b, err := staticFS.ReadFile("static/" + r.PathValue("file"))
	if errors.Is(err, fs.ErrNotExist) {
		return &gateway.Error{Status: http.StatusNotFound}
	} else if err != nil {
		return fmt.Errorf("panel: read %s: %w", r.PathValue("file"), err)
	}
	switch path.Ext(r.PathValue("file")) {
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	}
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(b)
	return nil
}
