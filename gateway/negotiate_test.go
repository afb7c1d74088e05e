package gateway_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/customersd/customersd/gateway"
)

// TestNegotiate: a surface's Negotiate sees the path as the client sent it,
// before Rewrite; its format reaches the handler and the renderer through
// Info.Format, and its refusal is rendered in the format it still returns.
func TestNegotiate(t *testing.T) {
	render := func(w http.ResponseWriter, r *http.Request, err error) int {
		p := gateway.ProblemOf(err, http.StatusBadRequest)
		w.WriteHeader(p.Status)
		io.WriteString(w, "error in "+gateway.InfoOf(r.Context()).Format)
		return p.Status
	}
	s := &gateway.Surface{
		Name: "formats", Auth: gateway.Public, Render: render, Methods: []string{http.MethodGet},
		Negotiate: func(r *http.Request) (string, error) {
			switch {
			case strings.HasSuffix(r.URL.Path, ".b"):
				return "b", nil
			case strings.HasSuffix(r.URL.Path, ".bad"):
				return "a", errors.New("refused") // rendered as an internal error, in "a"
			}
			return "a", nil
		},
		Rewrite: func(r *http.Request) {
			if i := strings.LastIndexByte(r.URL.Path, '.'); i >= 0 {
				r.URL.Path = r.URL.Path[:i]
			}
		},
		Routes: []gateway.Route{{Pattern: "GET /thing", Handler: func(w http.ResponseWriter, r *http.Request) error {
			io.WriteString(w, "thing in "+gateway.InfoOf(r.Context()).Format)
			return nil
		}}},
	}
	h := (&gateway.Gateway{}).Mount(s)
	for _, tt := range []struct {
		path   string
		status int
		body   string
	}{
		{"/thing", 200, "thing in a"},
		{"/thing.b", 200, "thing in b"},
		{"/thing.bad", 500, "error in a"},
		{"/nothing.b", 404, "error in b"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", tt.path, nil))
		if rec.Code != tt.status || rec.Body.String() != tt.body {
			t.Errorf("GET %s: %d %q, want %d %q", tt.path, rec.Code, rec.Body, tt.status, tt.body)
		}
	}
}
