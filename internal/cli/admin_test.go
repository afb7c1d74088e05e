package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const testAdminToken = "cmd-admin-token-7d1e"

// adminCall sends an admin request with the admin token and a JSON body
// (none when nil), and returns the status and body.
func adminCall(tb testing.TB, method, url string, body any) (int, []byte) {
	tb.Helper()
	var rdr io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			tb.Fatal(err)
		}
		rdr = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rdr)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return res.StatusCode, b
}

func TestServe_AdminDisabled(t *testing.T) {
	t.Parallel()
	p := startMain(t, map[string]string{"CUSTOMERSD_BCRYPT_COST": "4"}, "--addr", "127.0.0.1:0",
		"--database", filepath.Join(t.TempDir(), "c.db"))
	for _, path := range []string{"/admin/v1/stores", "/admin/v1/stores/x/export", "/admin/"} {
		status, body := adminCall(t, "GET", p.url(path), nil)
		if status != http.StatusNotFound || !strings.Contains(string(body), `"status":404`) {
			t.Fatalf("GET %s with the admin API disabled: %d %s, want an admin 404", path, status, body)
		}
	}
}

// TestServe_AdminAPI drives a test suite's life through a real server: a
// store per test, its token, a revocation and the store's deletion.
func TestServe_AdminAPI(t *testing.T) {
	t.Parallel()
	p := startMain(t, map[string]string{"CUSTOMERSD_ADMIN_TOKEN": testAdminToken, "CUSTOMERSD_BCRYPT_COST": "4"},
		"--addr", "127.0.0.1:0", "--database", filepath.Join(t.TempDir(), "c.db"))
	status, body := adminCall(t, "POST", p.url("/admin/v1/stores"), map[string]any{"store_hash": "suite-1"})
	if status != http.StatusCreated {
		t.Fatalf("create store: %d %s", status, body)
	}
	var st struct {
		Token struct {
			ClientID    string `json:"client_id"`
			AccessToken string `json:"access_token"`
		} `json:"token"`
	}
	decodeJSON(t, body, &st)
	base := p.url("/stores/suite-1/v2/customers")
	mustCall(t, http.StatusCreated, "POST", base, st.Token.AccessToken, map[string]string{"first_name": "A", "last_name": "B", "email": "a@example.com"})
	if status, body := adminCall(t, "DELETE", p.url("/admin/v1/stores/suite-1/tokens/"+st.Token.ClientID), nil); status != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", status, body)
	}
	mustCall(t, http.StatusUnauthorized, "GET", base, st.Token.AccessToken, nil)
	if status, body := adminCall(t, "DELETE", p.url("/admin/v1/stores/suite-1"), nil); status != http.StatusNoContent {
		t.Fatalf("delete store: %d %s", status, body)
	}
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(p.stdout.String()+p.stderr.String(), testAdminToken) {
		t.Fatal("the admin token was printed or logged")
	}
}

func TestServe_AdminTokenNotInHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	m := &Main{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string {
		return map[string]string{"CUSTOMERSD_ADMIN_TOKEN": testAdminToken}[k]
	}}
	if err := m.Run(context.Background(), []string{"serve", "-h"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "-admin-token") || strings.Contains(stderr.String(), testAdminToken) {
		t.Fatalf("serve -h must list --admin-token without its value:\n%s", stderr.String())
	}
}

// seedFixture is a hand-written fixture, as docs/admin.md shows one.
const seedFixture = `{
  "format": "customersd/1",
  "store": {"hash": "seeded", "plan": "plus"},
  "groups": [{"id": 1, "name": "Retail", "is_default": true}],
  "customers": [
    {"id": 1, "first_name": "Jane", "last_name": "Doe", "email": "jane@example.com",
     "customer_group_id": 1, "password": "secret123"},
    {"id": 5, "first_name": "John", "last_name": "Roe", "email": "john@example.com", "store_credit": "12.50"}
  ],
  "addresses": [
    {"id": 1, "customer_id": 1, "first_name": "Jane", "last_name": "Doe", "street_1": "1 Main St",
     "city": "Sydney", "state": "NSW", "zip": "2000", "country": "Australia", "phone": "555-0100"}
  ]
}`

var tokenLine = regexp.MustCompile(`access token: (\S+)`)

func TestServe_Seed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	seed, dbPath := filepath.Join(dir, "seed.json"), filepath.Join(dir, "c.db")
	if err := os.WriteFile(seed, []byte(seedFixture), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CUSTOMERSD_BCRYPT_COST": "4"}
	p := startMain(t, env, "--addr", "127.0.0.1:0", "--database", dbPath, "--seed", seed)
	m := tokenLine.FindStringSubmatch(p.stdout.String())
	if m == nil {
		t.Fatalf("no token printed for the seeded store:\n%s", p.stdout)
	}
	token, base := m[1], p.url("/stores/seeded/v2")
	var jane customerBody
	decodeJSON(t, mustCall(t, http.StatusOK, "GET", base+"/customers/1", token, nil), &jane)
	if jane.Email != "jane@example.com" || jane.CustomerGroupID != 1 {
		t.Fatalf("seeded customer: %+v", jane)
	}
	if b := mustCall(t, http.StatusOK, "POST", base+"/customers/1/validate", token, map[string]string{"password": "secret123"}); !strings.Contains(string(b), "true") {
		t.Fatalf("seeded password does not validate: %s", b)
	}
	mustCall(t, http.StatusOK, "GET", base+"/customers/1/addresses/1", token, nil)
	mustCall(t, http.StatusNoContent, "DELETE", base+"/customers", token, nil)
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}

	// A restart seeds again (from the environment this time): the fixture
	// is back, the token still works, and no new one is printed.
	env["CUSTOMERSD_SEED"] = seed
	again := startMain(t, env, "--addr", "127.0.0.1:0", "--database", dbPath)
	if strings.Contains(again.stdout.String(), "access token") {
		t.Fatalf("restart printed a new token:\n%s", again.stdout)
	}
	mustCall(t, http.StatusOK, "GET", again.url("/stores/seeded/v2/customers/5"), token, nil)
}

func TestServe_SeedBad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	seed, dbPath := filepath.Join(dir, "seed.json"), filepath.Join(dir, "c.db")
	bad := strings.Replace(seedFixture, `"customer_id": 1`, `"customer_id": 2`, 1)
	if err := os.WriteFile(seed, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	m := &Main{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
	err := m.Run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--database", dbPath, "--seed", seed})
	if err == nil || !strings.Contains(err.Error(), "addresses[0].customer_id") {
		t.Fatalf("serve with a bad seed: %v, want an error naming addresses[0].customer_id", err)
	}
	if out := runMain(t, "stores", "list", "--database", dbPath); strings.Contains(out, "seeded") {
		t.Fatalf("a bad seed created its store:\n%s", out)
	}
}
