package cli

import (
	"bytes"
	"net/http"
	"regexp"
	"testing"

	"github.com/customersd/customersd/sqlstore/sqlstoretest"
)

// TestDeferredAuth_RevokedElsewhere: on PostgreSQL a GET goes through on
// what the node last saw of its token and checks the token in the round
// trip of its read (sqlstore/deferred.go), or before its first byte when it
// reads nothing of the kind. A token revoked through another handle on the
// database (another node, or the CLI) is refused by the very next request
// of every kind, with the body a never-valid token gets, and nothing of
// what the handler would have answered. The same holds on SQLite, which
// does not defer.
func TestDeferredAuth_RevokedElsewhere(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			dsn := sqlstoretest.DSN(t, dialect) // skips PostgreSQL without CUSTOMERSD_TEST_POSTGRES_URL
			p := startMain(t, map[string]string{}, "--addr", "127.0.0.1:0", "--database", dsn)
			runMain(t, "stores", "create", "--database", dsn, "--hash", "deferred")
			runMain(t, "stores", "create", "--database", dsn, "--hash", "other")
			const token, reader = "deferred-auth-token-0123", "deferred-reader-token-01"
			out := runMain(t, "tokens", "create", "--database", dsn, "--store", "deferred", "--token", token)
			clientID := regexp.MustCompile(`client_id:\s+(\S+)`).FindStringSubmatch(out)
			runMain(t, "tokens", "create", "--database", dsn, "--store", "deferred", "--token", reader, "--scope", "store_v2_customers_read_only")
			base := p.url("/stores/deferred/v2/customers")
			mustCall(t, http.StatusCreated, "POST", base, token, map[string]string{
				"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com"})
			for range 3 { // the node now knows the token
				mustCall(t, http.StatusOK, "GET", base+"/1", token, nil)
				mustCall(t, http.StatusOK, "GET", base, token, nil)
				mustCall(t, http.StatusNotFound, "GET", base+"/2", token, nil)
			}
			// Known tokens keep their limits: another store's path, a
			// write with a read-only token.
			mustCall(t, http.StatusUnauthorized, "GET", p.url("/stores/other/v2/customers/1"), token, nil)
			mustCall(t, http.StatusOK, "GET", base+"/1", reader, nil)
			mustCall(t, http.StatusForbidden, "POST", base, reader, map[string]string{
				"first_name": "Jo", "last_name": "Doe", "email": "jo@example.com"})

			_, never := call(t, "GET", base+"/1", "never-valid-token-000000", nil)
			runMain(t, "tokens", "revoke", "--database", dsn, "--store", "deferred", "--client-id", clientID[1])
			for _, path := range []string{"/1", "/2", "", "/count", "/1/addresses"} {
				status, body := call(t, "GET", base+path, token, nil)
				if status != http.StatusUnauthorized || !bytes.Equal(body, never) {
					t.Errorf("GET %s after the revoke: %d %s, want 401 %s", path, status, body, never)
				}
			}
			req, _ := http.NewRequest("HEAD", base+"/1", nil)
			req.Header.Set("X-Auth-Token", token)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusUnauthorized || res.Header.Get("X-Rate-Limit-Requests-Left") == "" {
				t.Errorf("HEAD after the revoke: %d, rate limit headers %v; want 401 with them", res.StatusCode, res.Header)
			}
			mustCall(t, http.StatusOK, "GET", base+"/1", reader, nil)
		})
	}
}
