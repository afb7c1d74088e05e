package cli

import (
	"net/http"

	"github.com/customersd/customersd/sqlstore"
)

// withReadScope gives each request a read scope (sqlstore/scope.go), so that
// its token lookup and its customer lookup share one check of SQLite's read
// cache. Harmless on PostgreSQL, which has no cache.
func withReadScope(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(sqlstore.WithRequestScope(r.Context())))
	})
}
