package admin_test

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/customersd/customersd/sqlstore/sqlstoretest"
)

func TestExportImport_RoundTrip(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		st := ts.mustCreateStore(t, map[string]any{"store_hash": "s1", "plan": "plus"})
		mustFillStore(t, ts, st, 3)
		// A deleted customer leaves a gap that the counters must keep.
		ts.v2(st.Token.AccessToken, "DELETE", "s1", "/customers/2", nil).want(t, http.StatusNoContent)

		first := ts.admin("GET", "/admin/v1/stores/s1/export", nil).want(t, http.StatusOK)
		var doc struct {
			Format    string `json:"format"`
			Counters  map[string]int64
			Customers []struct {
				ID           int64  `json:"id"`
				PasswordHash string `json:"password_hash"`
				DateCreated  string `json:"date_created"`
			} `json:"customers"`
		}
		first.decode(t, &doc)
		if doc.Format != "customersd/1" || doc.Counters["customers"] != 3 || len(doc.Customers) != 2 ||
			doc.Customers[1].ID != 3 || !strings.HasPrefix(doc.Customers[1].PasswordHash, "$2") ||
			!strings.HasSuffix(doc.Customers[1].DateCreated, "Z") {
			t.Fatalf("export: %s", first.Body)
		}

		var after storeJSON
		ts.admin("PUT", "/admin/v1/stores/s1/import", first.Body).want(t, http.StatusOK).decode(t, &after)
		if after.Counts == nil || after.Counts.Customers != 2 || after.Counts.Addresses != 2 || after.Counts.Groups != 1 || after.Plan != "plus" {
			t.Fatalf("import answer: %s", mustMarshal(t, after))
		}
		second := ts.admin("GET", "/admin/v1/stores/s1/export", nil).want(t, http.StatusOK)
		if string(second.Body) != string(first.Body) {
			t.Fatalf("export -> import -> export differs:\n%s\n%s", first.Body, second.Body)
		}

		// The same document seeds a second store (it holds no API accounts
		// unless asked); its password hashes work.
		if strings.Contains(string(first.Body), "api_accounts") {
			t.Fatalf("a plain export holds the API accounts: %s", first.Body)
		}
		other := ts.mustCreateStore(t, map[string]any{"store_hash": "s2"})
		ts.admin("PUT", "/admin/v1/stores/s2/import", first.Body).want(t, http.StatusOK)
		var ok struct {
			Success bool `json:"success"`
		}
		ts.v2(other.Token.AccessToken, "POST", "s2", "/customers/3/validate", map[string]any{"password": "secret123"}).
			want(t, http.StatusOK).decode(t, &ok)
		if !ok.Success {
			t.Fatal("imported password hash does not validate")
		}
		var c struct {
			ID int64 `json:"id"`
		}
		ts.v2(other.Token.AccessToken, "POST", "s2", "/customers", map[string]any{"first_name": "N", "last_name": "N", "email": "n@example.com"}).
			want(t, http.StatusCreated).decode(t, &c)
		if c.ID != 4 {
			t.Fatalf("next id after import=%d, want 4", c.ID)
		}
	})
}

func TestImport_BadDocument(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		ts.mustCreateStore(t, map[string]any{"store_hash": "s1"})
		good, err := json.Marshal(sqlstoretest.FixtureDocument("s1", 4))
		if err != nil {
			t.Fatal(err)
		}
		ts.admin("PUT", "/admin/v1/stores/s1/import", good).want(t, http.StatusOK)
		before := ts.admin("GET", "/admin/v1/stores/s1/export", nil).want(t, http.StatusOK).Body

		bad := sqlstoretest.FixtureDocument("s1", 4)
		bad.Customers[3].Email = "nope"
		badJSON, err := json.Marshal(bad)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			name, body, detail string
		}{
			{"Record", string(badJSON), "customers[3].email: The field 'email' is invalid."},
			{"UnknownField", strings.Replace(string(good), `"email":"jane2@`, `"emial":"x","email":"jane2@`, 1), `customers[1]: unknown field "emial"`},
			{"WrongType", strings.Replace(string(good), `"customer_id":3,`, `"customer_id":"3",`, 1), "addresses[2].customer_id: want an integer, got string"},
			{"Format", `{"format":"customersd/2"}`, `format: want "customersd/1"`},
			{"NotJSON", `{"format":`, "document:"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				ts.admin("PUT", "/admin/v1/stores/s1/import", tt.body).wantProblem(t, http.StatusBadRequest, tt.detail)
				if after := ts.admin("GET", "/admin/v1/stores/s1/export", nil).Body; string(after) != string(before) {
					t.Fatal("a refused import changed the store")
				}
			})
		}
		ts.admin("PUT", "/admin/v1/stores/nope/import", good).wantProblem(t, http.StatusNotFound, "nope")
		ts.admin("GET", "/admin/v1/stores/nope/export", nil).wantProblem(t, http.StatusNotFound, "nope")
	})
}

// TestStoreIsolation checks that stores share nothing: a token of one store
// never reads or changes another, through any V2 path, and admin
// operations on one store leave the other as it was.
func TestStoreIsolation(t *testing.T) {
	eachDB(t, func(t *testing.T, ts *testServer) {
		a := ts.mustCreateStore(t, map[string]any{"store_hash": "a"})
		b := ts.mustCreateStore(t, map[string]any{"store_hash": "b"})
		mustFillStore(t, ts, a, 2)
		mustFillStore(t, ts, b, 2)
		beforeA := ts.admin("GET", "/admin/v1/stores/a/export", nil).want(t, http.StatusOK).Body

		for _, req := range []struct{ method, path string }{
			{"GET", "/customers"}, {"GET", "/customers/1"}, {"PUT", "/customers/1"}, {"DELETE", "/customers/1"},
			{"DELETE", "/customers"}, {"GET", "/customers/1/addresses"}, {"POST", "/customers/1/addresses"},
			{"GET", "/customer_groups"}, {"DELETE", "/customer_groups"}, {"POST", "/customers/1/validate"},
		} {
			ts.v2(a.Token.AccessToken, req.method, "b", req.path, map[string]any{"first_name": "X"}).want(t, http.StatusUnauthorized)
		}

		ts.admin("POST", "/admin/v1/stores/b/reset", nil).want(t, http.StatusNoContent)
		doc := sqlstoretest.FixtureDocument("b", 3)
		body, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		ts.admin("PUT", "/admin/v1/stores/b/import", body).want(t, http.StatusOK)
		ts.admin("DELETE", "/admin/v1/stores/b/tokens/"+b.Token.ClientID, nil).want(t, http.StatusNoContent)
		if after := ts.admin("GET", "/admin/v1/stores/a/export", nil).Body; string(after) != string(beforeA) {
			t.Fatalf("operations on store b changed store a:\n%s\n%s", beforeA, after)
		}
		ts.v2(a.Token.AccessToken, "GET", "a", "/customers/count", nil).want(t, http.StatusOK)
	})
}

// TestDocsFixture imports the hand-written fixture of docs/admin.md, so the
// documentation cannot drift from what an import accepts.
func TestDocsFixture(t *testing.T) {
	md, err := os.ReadFile("../docs/admin.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(md), "A small fixture:\n\n```json\n")
	fixture, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("docs/admin.md has no fixture after \"A small fixture:\"")
	}
	ts := newTestServer(t, "sqlite", adminToken)
	st := ts.mustCreateStore(t, map[string]any{"store_hash": "demo"})
	var got storeJSON
	ts.admin("PUT", "/admin/v1/stores/demo/import", fixture).want(t, http.StatusOK).decode(t, &got)
	if got.Counts.Customers != 2 || got.Counts.Addresses != 1 || got.Counts.Groups != 2 {
		t.Fatalf("counts after importing the docs fixture: %+v", *got.Counts)
	}
	var ok3 struct {
		Success bool `json:"success"`
	}
	ts.v2(st.Token.AccessToken, "POST", "demo", "/customers/1/validate", map[string]any{"password": "secret123"}).
		want(t, http.StatusOK).decode(t, &ok3)
	if !ok3.Success {
		t.Fatal("the docs fixture's plain password does not validate")
	}
}
