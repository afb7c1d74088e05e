package admin_test

import (
	"net/http"
	"strings"
	"testing"
)

// storeJSON is a store as GET reads it.
type storeJSON struct {
	Hash      string `json:"store_hash"`
	Plan      string `json:"plan"`
	CreatedAt string `json:"created_at"`
	Counts    *struct {
		Customers int64 `json:"customers"`
		Addresses int64 `json:"addresses"`
		Groups    int64 `json:"groups"`
	} `json:"counts"`
}

func TestCreateStore(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		t.Run("OK", func(t *testing.T) {
			res := ts.admin("POST", "/admin/v1/stores", map[string]any{"store_hash": "abc_1", "plan": "pro"}).want(t, http.StatusCreated)
			var st createdStore
			res.decode(t, &st)
			if st.Hash != "abc_1" || st.Plan != "pro" || st.APIPath != "/stores/abc_1/v2" || st.CreatedAt == "" {
				t.Fatalf("store=%+v", st)
			}
			if got := res.Header.Get("Location"); got != "/admin/v1/stores/abc_1" {
				t.Fatalf("Location=%q", got)
			}
			if len(st.Token.Scopes) != 1 || st.Token.Scopes[0] != "store_v2_customers" || st.Token.AccessToken == "" || st.Token.ClientID == "" {
				t.Fatalf("token=%+v, want one full-scope token", st.Token)
			}
			// The token works at once, on the new store only.
			ts.v2(st.Token.AccessToken, "GET", st.Hash, "/customers", nil).want(t, http.StatusNoContent)
			ts.v2(st.Token.AccessToken, "POST", st.Hash, "/customers", map[string]any{"first_name": "A", "last_name": "B", "email": "a@example.com"}).want(t, http.StatusCreated)
		})
		t.Run("GeneratedHash", func(t *testing.T) {
			for _, body := range []any{nil, map[string]any{}} {
				st := ts.mustCreateStore(t, body)
				if len(st.Hash) != 10 || st.Plan != "standard" {
					t.Fatalf("store=%+v, want a random 10-character hash on the standard plan", st)
				}
			}
		})
		t.Run("ErrHashTaken", func(t *testing.T) {
			ts.mustCreateStore(t, map[string]any{"store_hash": "taken"})
			ts.admin("POST", "/admin/v1/stores", map[string]any{"store_hash": "taken"}).wantProblem(t, http.StatusConflict, "taken")
		})
		t.Run("ErrHash", func(t *testing.T) {
			for _, h := range []string{"has space", "slash/y", strings.Repeat("x", 65), "dot.dot"} {
				ts.admin("POST", "/admin/v1/stores", map[string]any{"store_hash": h}).wantProblem(t, http.StatusBadRequest, "store_hash")
			}
		})
		t.Run("ErrPlan", func(t *testing.T) {
			ts.admin("POST", "/admin/v1/stores", map[string]any{"plan": "gold"}).wantProblem(t, http.StatusBadRequest, "plan")
		})
		t.Run("ErrUnknownField", func(t *testing.T) {
			ts.admin("POST", "/admin/v1/stores", map[string]any{"hash": "x"}).wantProblem(t, http.StatusBadRequest, `unknown field "hash"`)
		})
		t.Run("ErrBody", func(t *testing.T) {
			ts.admin("POST", "/admin/v1/stores", `{"plan": 5}`).wantProblem(t, http.StatusBadRequest, "plan")
			ts.admin("POST", "/admin/v1/stores", `{"plan": "pro"} {}`).wantProblem(t, http.StatusBadRequest, "after")
			ts.admin("POST", "/admin/v1/stores", `{`).wantProblem(t, http.StatusBadRequest, "not valid JSON")
			ts.admin("POST", "/admin/v1/stores", `{"plan":"`+strings.Repeat("x", 1<<20)+`"}`).wantProblem(t, http.StatusRequestEntityTooLarge, "larger")
			req := ts.request("POST", "/admin/v1/stores", "plan=pro")
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Authorization", "Bearer "+adminToken)
			ts.send(req).wantProblem(t, http.StatusUnsupportedMediaType, "application/json")
		})
	})
}

func TestListStores(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		var out struct {
			Stores []storeJSON `json:"stores"`
		}
		ts.admin("GET", "/admin/v1/stores", nil).want(t, http.StatusOK).decode(t, &out)
		if out.Stores == nil || len(out.Stores) != 0 {
			t.Fatalf("stores=%v, want an empty list", out.Stores)
		}
		ts.mustCreateStore(t, map[string]any{"store_hash": "one"})
		ts.mustCreateStore(t, map[string]any{"store_hash": "two", "plan": "plus"})
		ts.admin("GET", "/admin/v1/stores", nil).want(t, http.StatusOK).decode(t, &out)
		if len(out.Stores) != 2 || out.Stores[0].Hash != "one" || out.Stores[1].Plan != "plus" || out.Stores[0].Counts != nil {
			t.Fatalf("stores=%+v", out.Stores)
		}
	})
}

func TestGetStore(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		st := ts.mustCreateStore(t, map[string]any{"store_hash": "s1"})
		mustFillStore(t, ts, st, 3)
		var got storeJSON
		ts.admin("GET", "/admin/v1/stores/s1", nil).want(t, http.StatusOK).decode(t, &got)
		if got.Counts == nil || got.Counts.Customers != 3 || got.Counts.Addresses != 3 || got.Counts.Groups != 1 {
			t.Fatalf("store=%s, want 3 customers, 3 addresses, 1 group", mustMarshal(t, got))
		}
		ts.admin("GET", "/admin/v1/stores/nope", nil).wantProblem(t, http.StatusNotFound, "nope")
	})
}

func TestDeleteStore(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		st := ts.mustCreateStore(t, map[string]any{"store_hash": "s1"})
		other := ts.mustCreateStore(t, map[string]any{"store_hash": "s2"})
		mustFillStore(t, ts, st, 2)
		mustFillStore(t, ts, other, 2)
		ts.admin("DELETE", "/admin/v1/stores/s1", nil).want(t, http.StatusNoContent)
		ts.admin("GET", "/admin/v1/stores/s1", nil).wantProblem(t, http.StatusNotFound, "s1")
		ts.v2(st.Token.AccessToken, "GET", "s1", "/customers", nil).want(t, http.StatusUnauthorized)
		ts.admin("DELETE", "/admin/v1/stores/s1", nil).wantProblem(t, http.StatusNotFound, "s1")
		// The other store is whole, and the hash can be used again.
		ts.v2(other.Token.AccessToken, "GET", "s2", "/customers/count", nil).want(t, http.StatusOK)
		var got storeJSON
		ts.admin("GET", "/admin/v1/stores/s2", nil).want(t, http.StatusOK).decode(t, &got)
		if got.Counts.Customers != 2 {
			t.Fatalf("other store has %d customers, want 2", got.Counts.Customers)
		}
		again := ts.mustCreateStore(t, map[string]any{"store_hash": "s1"})
		ts.v2(again.Token.AccessToken, "GET", "s1", "/customers", nil).want(t, http.StatusNoContent)
		ts.v2(st.Token.AccessToken, "GET", "s1", "/customers", nil).want(t, http.StatusUnauthorized)
	})
}

func TestResetStore(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		st := ts.mustCreateStore(t, map[string]any{"store_hash": "s1"})
		mustFillStore(t, ts, st, 3)
		ts.admin("POST", "/admin/v1/stores/s1/reset", nil).want(t, http.StatusNoContent)
		var got storeJSON
		ts.admin("GET", "/admin/v1/stores/s1", nil).want(t, http.StatusOK).decode(t, &got)
		if got.Counts.Customers+got.Counts.Addresses+got.Counts.Groups != 0 {
			t.Fatalf("counts after reset: %+v", *got.Counts)
		}
		// The token survives and IDs restart at 1.
		var c struct {
			ID int64 `json:"id"`
		}
		ts.v2(st.Token.AccessToken, "POST", "s1", "/customers", map[string]any{"first_name": "A", "last_name": "B", "email": "c1@example.com"}).
			want(t, http.StatusCreated).decode(t, &c)
		if c.ID != 1 {
			t.Fatalf("first customer after reset has id %d, want 1", c.ID)
		}
		ts.admin("POST", "/admin/v1/stores/nope/reset", nil).wantProblem(t, http.StatusNotFound, "nope")
	})
}

// mustFillStore adds, through the V2 API, a group and n customers with one
// address each.
func mustFillStore(tb testing.TB, ts *testServer, st createdStore, n int) {
	tb.Helper()
	tok := st.Token.AccessToken
	ts.v2(tok, "POST", st.Hash, "/customer_groups", map[string]any{"name": "VIP", "is_default": true,
		"discount_rules": []any{map[string]any{"type": "all", "method": "percent", "amount": "5"}}}).want(tb, http.StatusCreated)
	for i := 1; i <= n; i++ {
		var c struct {
			ID int64 `json:"id"`
		}
		ts.v2(tok, "POST", st.Hash, "/customers", map[string]any{"first_name": "Jane", "last_name": "Doe",
			"email": "jane" + string(rune('a'+i)) + "@example.com", "_authentication": map[string]any{"password": "secret123"}}).
			want(tb, http.StatusCreated).decode(tb, &c)
		ts.v2(tok, "POST", st.Hash, "/customers/"+itoa(c.ID)+"/addresses", map[string]any{"first_name": "Jane", "last_name": "Doe",
			"street_1": "1 Main St", "city": "Sydney", "state": "NSW", "zip": "2000", "country": "Australia", "phone": "555"}).
			want(tb, http.StatusCreated)
	}
}
