package admin_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/sqlstore"
)

// mustFindSecret reads an account's stored secret, as webhooks and login
// JWTs will.
func (ts *testServer) mustFindSecret(tb testing.TB, hash, clientID string) string {
	tb.Helper()
	tenants := sqlstore.NewTenantService(ts.db)
	st, err := tenants.FindStoreByHash(context.Background(), hash)
	if err != nil {
		tb.Fatal(err)
	}
	a, err := tenants.FindAPIAccountByClientID(context.Background(), st.ID, clientID)
	if err != nil {
		tb.Fatalf("find account %s: %v", clientID, err)
	}
	return a.ClientSecret
}

func TestCreateToken_Credentials(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		ts.mustCreateStore(t, map[string]any{"store_hash": "s1"})
		t.Run("Generated", func(t *testing.T) {
			var tok tokenJSON
			ts.admin("POST", "/admin/v1/stores/s1/tokens", nil).want(t, http.StatusCreated).decode(t, &tok)
			if !customersd.ValidClientID(tok.ClientID) || !customersd.ValidClientSecret(tok.ClientSecret) || tok.AccessToken == "" {
				t.Fatalf("token=%+v, want all three credentials", tok)
			}
			if got := ts.mustFindSecret(t, "s1", tok.ClientID); got != tok.ClientSecret {
				t.Fatalf("stored secret differs from the one shown")
			}
		})
		t.Run("Given", func(t *testing.T) {
			var tok tokenJSON
			ts.admin("POST", "/admin/v1/stores/s1/tokens", map[string]any{"client_id": "my-app",
				"client_secret": "my-app-secret-0123", "access_token": "my-app-token-0123"}).
				want(t, http.StatusCreated).decode(t, &tok)
			if tok.ClientID != "my-app" || tok.ClientSecret != "my-app-secret-0123" || tok.AccessToken != "my-app-token-0123" {
				t.Fatalf("token=%+v, want the given credentials", tok)
			}
			if got := ts.mustFindSecret(t, "s1", "my-app"); got != "my-app-secret-0123" {
				t.Fatalf("stored secret=%q", got)
			}
			// X-Auth-Client is accepted and ignored, whatever it says.
			for _, client := range []string{"my-app", "someone-else"} {
				req := ts.request("GET", "/stores/s1/v2/customers", nil)
				req.Header.Set("X-Auth-Client", client)
				req.Header.Set("X-Auth-Token", "my-app-token-0123")
				req.Header.Set("Accept", "application/json")
				ts.send(req).want(t, http.StatusNoContent)
			}
		})
		t.Run("ErrClientIDTaken", func(t *testing.T) {
			ts.admin("POST", "/admin/v1/stores/s1/tokens", map[string]any{"client_id": "my-app"}).
				wantProblem(t, http.StatusConflict, `"my-app" already exists`)
		})
		for field, rule := range map[string]string{
			"client_id":     customersd.ClientIDRule,
			"client_secret": customersd.ClientSecretRule,
			"access_token":  customersd.AccessTokenRule,
		} {
			t.Run("ErrInvalid_"+field, func(t *testing.T) {
				bad := "no/slash or space"
				p := ts.admin("POST", "/admin/v1/stores/s1/tokens", map[string]any{field: bad}).
					wantProblem(t, http.StatusBadRequest, field+": "+rule)
				if strings.Contains(p.Detail, bad) {
					t.Fatalf("detail %q echoes the value", p.Detail)
				}
			})
		}
		t.Run("SeveralScopes", func(t *testing.T) {
			var both, login tokenJSON
			ts.admin("POST", "/admin/v1/stores/s1/tokens", map[string]any{"scopes": []string{"store_v2_customers_read_only", "store_v2_customers_login"}}).
				want(t, http.StatusCreated).decode(t, &both)
			if len(both.Scopes) != 2 || both.Scopes[1] != "store_v2_customers_login" {
				t.Fatalf("scopes=%v", both.Scopes)
			}
			ts.v2(both.AccessToken, "GET", "s1", "/customers", nil).want(t, http.StatusNoContent)
			// Customers Login alone grants nothing on the V2 customers API.
			ts.admin("POST", "/admin/v1/stores/s1/tokens", map[string]any{"scopes": []string{"store_v2_customers_login"}}).
				want(t, http.StatusCreated).decode(t, &login)
			ts.v2(login.AccessToken, "GET", "s1", "/customers", nil).want(t, http.StatusForbidden)
		})
	})
}

func TestListTokens_NoSecrets(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		st := ts.mustCreateStore(t, map[string]any{"store_hash": "s1"})
		res := ts.admin("GET", "/admin/v1/stores/s1/tokens", nil).want(t, http.StatusOK)
		for _, secret := range []string{"client_secret", "access_token", st.Token.ClientSecret, st.Token.AccessToken} {
			if strings.Contains(string(res.Body), secret) {
				t.Fatalf("token list shows %q: %s", secret, res.Body)
			}
		}
		var out struct {
			Tokens []tokenJSON `json:"tokens"`
		}
		res.decode(t, &out)
		if len(out.Tokens) != 1 || out.Tokens[0].ClientID != st.Token.ClientID || out.Tokens[0].CreatedAt == "" ||
			len(out.Tokens[0].Scopes) != 1 {
			t.Fatalf("tokens=%+v, want the store's one account with client id, scopes and created_at", out.Tokens)
		}
	})
}

func TestCreateStore_Credentials(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		t.Run("Generated", func(t *testing.T) {
			st := ts.mustCreateStore(t, map[string]any{"store_hash": "gen"})
			if !customersd.ValidClientSecret(st.Token.ClientSecret) || st.Token.AccessToken == "" || st.Token.ClientID == "" {
				t.Fatalf("token=%+v, want all three credentials", st.Token)
			}
			if got := ts.mustFindSecret(t, "gen", st.Token.ClientID); got != st.Token.ClientSecret {
				t.Fatal("stored secret differs from the one shown")
			}
		})
		t.Run("Given", func(t *testing.T) {
			st := ts.mustCreateStore(t, map[string]any{"store_hash": "given", "client_id": "given-app",
				"client_secret": "given-secret-0123", "access_token": "given-token-0123"})
			if st.Token.ClientID != "given-app" || st.Token.ClientSecret != "given-secret-0123" || st.Token.AccessToken != "given-token-0123" {
				t.Fatalf("token=%+v, want the given credentials", st.Token)
			}
			ts.v2("given-token-0123", "GET", "given", "/customers", nil).want(t, http.StatusNoContent)
		})
		t.Run("ErrInvalidCreatesNothing", func(t *testing.T) {
			ts.admin("POST", "/admin/v1/stores", map[string]any{"store_hash": "bad", "client_secret": "short"}).
				wantProblem(t, http.StatusBadRequest, "client_secret: "+customersd.ClientSecretRule)
			ts.admin("GET", "/admin/v1/stores/bad", nil).wantProblem(t, http.StatusNotFound, "bad")
		})
		t.Run("ErrTokenTakenCreatesNothing", func(t *testing.T) {
			ts.admin("POST", "/admin/v1/stores", map[string]any{"store_hash": "dup", "access_token": "given-token-0123"}).
				wantProblem(t, http.StatusConflict, "already exists")
			ts.admin("GET", "/admin/v1/stores/dup", nil).wantProblem(t, http.StatusNotFound, "dup")
		})
	})
}

func TestExportImport_AccountsAndRateLimit(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		st := ts.mustCreateStore(t, map[string]any{"store_hash": "s1", "rate_limit": map[string]any{"requests": 77, "window_ms": 5000},
			"client_id": "app", "client_secret": "app-secret-0123456", "access_token": "app-token-0123"})
		ts.admin("GET", "/admin/v1/stores/s1/export?api_accounts=yes", nil).wantProblem(t, http.StatusBadRequest, "api_accounts")
		res := ts.admin("GET", "/admin/v1/stores/s1/export?api_accounts=true", nil).want(t, http.StatusOK)
		if got := res.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("Cache-Control=%q, want no-store", got)
		}
		var doc struct {
			Store struct {
				RateLimit *struct {
					Requests int   `json:"requests"`
					WindowMS int64 `json:"window_ms"`
				} `json:"rate_limit"`
			} `json:"store"`
			APIAccounts []map[string]any `json:"api_accounts"`
		}
		res.decode(t, &doc)
		if rl := doc.Store.RateLimit; rl == nil || rl.Requests != 77 || rl.WindowMS != 5000 {
			t.Fatalf("exported rate limit: %s", res.Body)
		}
		if len(doc.APIAccounts) != 1 || doc.APIAccounts[0]["client_id"] != "app" || doc.APIAccounts[0]["client_secret"] != "app-secret-0123456" ||
			len(doc.APIAccounts[0]["access_token_sha256"].(string)) != 64 || doc.APIAccounts[0]["created_at"] == nil {
			t.Fatalf("exported accounts: %s", res.Body)
		}
		if strings.Contains(string(res.Body), st.Token.AccessToken) {
			t.Fatal("the export holds the plain token")
		}

		// Revoked and throttled differently, then restored from the export.
		ts.admin("DELETE", "/admin/v1/stores/s1/tokens/app", nil).want(t, http.StatusNoContent)
		ts.admin("PUT", "/admin/v1/stores/s1/rate_limit", nil).want(t, http.StatusOK)
		var after struct {
			RateLimit *struct {
				Requests int `json:"requests"`
			} `json:"rate_limit"`
		}
		ts.admin("PUT", "/admin/v1/stores/s1/import", res.Body).want(t, http.StatusOK).decode(t, &after)
		if after.RateLimit == nil || after.RateLimit.Requests != 77 {
			t.Fatalf("rate limit after import: %+v", after.RateLimit)
		}
		ts.v2("app-token-0123", "GET", "s1", "/customers", nil).want(t, http.StatusNoContent)
		if got := ts.mustFindSecret(t, "s1", "app"); got != "app-secret-0123456" {
			t.Fatalf("restored secret=%q", got)
		}

		// Into another store the account is a conflict, and nothing changes.
		other := ts.mustCreateStore(t, map[string]any{"store_hash": "s2"})
		before := ts.admin("GET", "/admin/v1/stores/s2/export", nil).want(t, http.StatusOK).Body
		ts.admin("PUT", "/admin/v1/stores/s2/import", res.Body).wantProblem(t, http.StatusConflict, "api_accounts[0]")
		if got := ts.admin("GET", "/admin/v1/stores/s2/export", nil).want(t, http.StatusOK).Body; string(got) != string(before) {
			t.Fatalf("a refused import changed the store:\n%s\n%s", before, got)
		}
		ts.v2(other.Token.AccessToken, "GET", "s2", "/customers", nil).want(t, http.StatusNoContent)

		// A document without accounts (an older export) keeps the store's.
		ts.admin("PUT", "/admin/v1/stores/s2/import", `{"format":"customersd/1","store":{"hash":"x"}}`).want(t, http.StatusOK)
		ts.v2(other.Token.AccessToken, "GET", "s2", "/customers", nil).want(t, http.StatusNoContent)
	})
}
