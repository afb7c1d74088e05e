package admin_test

import (
	"net/http"
	"strings"
	"testing"
)

// tokenJSON is a token as the admin API shows it.
type tokenJSON struct {
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret"`
	AccessToken  string   `json:"access_token"`
	Scopes       []string `json:"scopes"`
	CreatedAt    string   `json:"created_at"`
}

func TestCreateToken(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		st := ts.mustCreateStore(t, map[string]any{"store_hash": "s1"})
		customer := map[string]any{"first_name": "A", "last_name": "B", "email": "a@example.com"}
		t.Run("ReadOnly", func(t *testing.T) {
			var tok tokenJSON
			ts.admin("POST", "/admin/v1/stores/s1/tokens", map[string]any{"scopes": []string{"store_v2_customers_read_only"}}).
				want(t, http.StatusCreated).decode(t, &tok)
			if tok.AccessToken == "" || tok.ClientID == "" || len(tok.Scopes) != 1 {
				t.Fatalf("token=%+v", tok)
			}
			ts.v2(tok.AccessToken, "GET", "s1", "/customers", nil).want(t, http.StatusNoContent)
			ts.v2(tok.AccessToken, "POST", "s1", "/customers", customer).want(t, http.StatusForbidden)
		})
		t.Run("NoScopes", func(t *testing.T) {
			var tok tokenJSON
			ts.admin("POST", "/admin/v1/stores/s1/tokens", map[string]any{"scopes": []string{}}).want(t, http.StatusCreated).decode(t, &tok)
			if tok.Scopes == nil || len(tok.Scopes) != 0 {
				t.Fatalf("scopes=%v, want []", tok.Scopes)
			}
			ts.v2(tok.AccessToken, "GET", "s1", "/customers", nil).want(t, http.StatusForbidden)
		})
		t.Run("DefaultScopeAndChosenToken", func(t *testing.T) {
			var tok tokenJSON
			ts.admin("POST", "/admin/v1/stores/s1/tokens", map[string]any{"access_token": "my-known-token-123"}).
				want(t, http.StatusCreated).decode(t, &tok)
			if tok.AccessToken != "my-known-token-123" || tok.Scopes[0] != "store_v2_customers" {
				t.Fatalf("token=%+v", tok)
			}
			ts.v2("my-known-token-123", "POST", "s1", "/customers", customer).want(t, http.StatusCreated)
		})
		t.Run("ErrTokenTaken", func(t *testing.T) {
			ts.admin("POST", "/admin/v1/stores/s1/tokens", map[string]any{"access_token": st.Token.AccessToken}).
				wantProblem(t, http.StatusConflict, "already exists")
		})
		t.Run("ErrScope", func(t *testing.T) {
			ts.admin("POST", "/admin/v1/stores/s1/tokens", map[string]any{"scopes": []string{"store_v2_orders"}}).
				wantProblem(t, http.StatusBadRequest, "scopes")
		})
		t.Run("ErrShortToken", func(t *testing.T) {
			ts.admin("POST", "/admin/v1/stores/s1/tokens", map[string]any{"access_token": "short"}).
				wantProblem(t, http.StatusBadRequest, "access_token")
		})
		t.Run("ErrStoreNotFound", func(t *testing.T) {
			ts.admin("POST", "/admin/v1/stores/nope/tokens", nil).wantProblem(t, http.StatusNotFound, "nope")
		})
	})
}

func TestListTokens(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		st := ts.mustCreateStore(t, map[string]any{"store_hash": "s1"})
		ts.mustCreateStore(t, map[string]any{"store_hash": "s2"})
		var second tokenJSON
		ts.admin("POST", "/admin/v1/stores/s1/tokens", map[string]any{"scopes": []string{"store_v2_customers_read_only"}}).
			want(t, http.StatusCreated).decode(t, &second)
		res := ts.admin("GET", "/admin/v1/stores/s1/tokens", nil).want(t, http.StatusOK)
		if strings.Contains(string(res.Body), st.Token.AccessToken) || strings.Contains(string(res.Body), "access_token") {
			t.Fatalf("token list shows secrets: %s", res.Body)
		}
		var out struct {
			Tokens []tokenJSON `json:"tokens"`
		}
		res.decode(t, &out)
		if len(out.Tokens) != 2 {
			t.Fatalf("tokens=%+v, want the 2 of store s1", out.Tokens)
		}
		ids := map[string]bool{out.Tokens[0].ClientID: true, out.Tokens[1].ClientID: true}
		if !ids[st.Token.ClientID] || !ids[second.ClientID] {
			t.Fatalf("tokens=%+v, want %s and %s", out.Tokens, st.Token.ClientID, second.ClientID)
		}
		ts.admin("GET", "/admin/v1/stores/nope/tokens", nil).wantProblem(t, http.StatusNotFound, "nope")
	})
}

func TestRevokeToken(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		st := ts.mustCreateStore(t, map[string]any{"store_hash": "s1"})
		other := ts.mustCreateStore(t, map[string]any{"store_hash": "s2"})
		var spare tokenJSON
		ts.admin("POST", "/admin/v1/stores/s1/tokens", nil).want(t, http.StatusCreated).decode(t, &spare)
		ts.v2(st.Token.AccessToken, "GET", "s1", "/customers", nil).want(t, http.StatusNoContent)

		// Another store's client id is not this store's to revoke.
		ts.admin("DELETE", "/admin/v1/stores/s1/tokens/"+other.Token.ClientID, nil).wantProblem(t, http.StatusNotFound, other.Token.ClientID)
		ts.v2(other.Token.AccessToken, "GET", "s2", "/customers", nil).want(t, http.StatusNoContent)

		ts.admin("DELETE", "/admin/v1/stores/s1/tokens/"+st.Token.ClientID, nil).want(t, http.StatusNoContent)
		// The very next request with the revoked token is refused; the
		// store's other token still works.
		ts.v2(st.Token.AccessToken, "GET", "s1", "/customers", nil).want(t, http.StatusUnauthorized)
		ts.v2(spare.AccessToken, "GET", "s1", "/customers", nil).want(t, http.StatusNoContent)
		ts.admin("DELETE", "/admin/v1/stores/s1/tokens/"+st.Token.ClientID, nil).wantProblem(t, http.StatusNotFound, st.Token.ClientID)
	})
}

// TestNoStore: the answers that carry a new secret or token, and every other
// admin answer, are never cached.
func TestNoStore(t *testing.T) {
	ts := newTestServer(t, "sqlite", adminToken)
	for _, res := range []*response{
		ts.admin("POST", "/admin/v1/stores", map[string]any{"store_hash": "s1"}).want(t, http.StatusCreated),
		ts.admin("POST", "/admin/v1/stores/s1/tokens", map[string]any{}).want(t, http.StatusCreated),
		ts.admin("GET", "/admin/v1/stores/s1/tokens", nil).want(t, http.StatusOK),
		ts.admin("GET", "/admin/v1/stores/s1/export", nil).want(t, http.StatusOK),
		ts.admin("GET", "/admin/v1/stores/nope", nil).want(t, http.StatusNotFound),
	} {
		if got := res.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("Cache-Control=%q, want no-store; body %s", got, res.Body)
		}
	}
}
