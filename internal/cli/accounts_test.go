package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/sqlstore"
)

// runServe runs serve with env as its whole environment and returns its
// error; a server that starts is stopped at once and returns nil.
func runServe(tb testing.TB, env map[string]string, args ...string) error {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &out, Getenv: func(k string) string { return env[k] }, Ready: func(string) { cancel() }}
	return m.Run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...))
}

// mustFindAccount reads an account with its secret straight from the database.
func mustFindAccount(tb testing.TB, dbPath, hash, clientID string) *customersd.APIAccount {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dbPath)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	tenants := sqlstore.NewTenantService(db)
	st, err := tenants.FindStoreByHash(ctx, hash)
	if err != nil {
		tb.Fatal(err)
	}
	a, err := tenants.FindAPIAccountByClientID(ctx, st.ID, clientID)
	if err != nil {
		tb.Fatalf("account %s of store %s: %v", clientID, hash, err)
	}
	return a
}

func TestTokensCreate_Credentials(t *testing.T) {
	t.Parallel()
	dbPath := filepath.Join(t.TempDir(), "c.db")
	db := []string{"--database", dbPath}
	mustRunCLI(t, "", append([]string{"stores", "create", "--hash", "s1"}, db...)...)

	t.Run("Generated", func(t *testing.T) {
		out := mustRunCLI(t, "", append([]string{"tokens", "create", "--store", "s1"}, db...)...)
		line := func(name string) string {
			m := regexp.MustCompile(`(?m)^` + name + `: +(\S+)$`).FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("no %s line in:\n%s", name, out)
			}
			return m[1]
		}
		id, secret := line("client_id"), line("client_secret")
		if line("scope") != "store_v2_customers" || line("access_token") == "" {
			t.Fatalf("output:\n%s", out)
		}
		if got := mustFindAccount(t, dbPath, "s1", id).ClientSecret; got != secret {
			t.Fatalf("stored secret differs from the printed one")
		}
	})
	t.Run("GivenAndSeveralScopes", func(t *testing.T) {
		out := mustRunCLI(t, "", append([]string{"tokens", "create", "--store", "s1", "--client-id", "cli-app",
			"--client-secret", "cli-secret-0123456", "--token", "cli-token-0123",
			"--scope", "store_v2_customers_read_only", "--scope", "store_v2_customers_login"}, db...)...)
		if strings.Contains(out, "cli-secret-0123456") || strings.Contains(out, "cli-token-0123") ||
			!strings.Contains(out, "scope:        store_v2_customers_read_only store_v2_customers_login") {
			t.Fatalf("output (given secrets are not printed back):\n%s", out)
		}
		a := mustFindAccount(t, dbPath, "s1", "cli-app")
		if a.ClientSecret != "cli-secret-0123456" || len(a.Scopes) != 2 || a.Scopes[1] != customersd.ScopeCustomersLogin {
			t.Fatalf("account=%+v", a)
		}
	})
	for _, tt := range []struct{ flag, value, want string }{
		{"--client-id", "a/b", "--client-id: " + customersd.ClientIDRule},
		{"--client-secret", "tooshort", "--client-secret: " + customersd.ClientSecretRule},
		{"--token", "short", "--token: " + customersd.AccessTokenRule},
		{"--scope", "store_v2_orders", `unknown scope "store_v2_orders"`},
	} {
		t.Run("Err"+tt.flag, func(t *testing.T) {
			_, err := runCLI(t, "", append([]string{"tokens", "create", "--store", "s1", tt.flag, tt.value}, db...)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err=%v, want one with %q", err, tt.want)
			}
			if tt.flag != "--scope" && strings.Contains(err.Error(), tt.value) {
				t.Fatalf("err=%v echoes the value", err)
			}
		})
	}
	if out := mustRunCLI(t, "", append([]string{"tokens", "list", "--store", "s1"}, db...)...); strings.Contains(out, "cli-secret") {
		t.Fatalf("tokens list shows a secret:\n%s", out)
	}
}

// TestServe_StartValuesRefused checks that every start-up value is checked
// before the database is touched, and that a refusal names the setting and
// its rule without echoing a secret.
func TestServe_StartValuesRefused(t *testing.T) {
	t.Parallel()
	ok := map[string]string{"CUSTOMERSD_STORE_HASH": "boot", "CUSTOMERSD_ACCESS_TOKEN": "boot-token-0123"}
	for _, tt := range []struct {
		name, key, value, want string
	}{
		{"ShortToken", "CUSTOMERSD_ACCESS_TOKEN", "1234567", "CUSTOMERSD_ACCESS_TOKEN: " + customersd.AccessTokenRule},
		{"TokenWithSpace", "CUSTOMERSD_ACCESS_TOKEN", "has a space", "CUSTOMERSD_ACCESS_TOKEN: " + customersd.AccessTokenRule},
		{"ClientID", "CUSTOMERSD_CLIENT_ID", "no/slash", "CUSTOMERSD_CLIENT_ID: " + customersd.ClientIDRule},
		{"ClientSecret", "CUSTOMERSD_CLIENT_SECRET", "tooshort", "CUSTOMERSD_CLIENT_SECRET: " + customersd.ClientSecretRule},
		{"StoreHash", "CUSTOMERSD_STORE_HASH", "a.b", "CUSTOMERSD_STORE_HASH"},
		{"ClientIDAlone", "CUSTOMERSD_STORE_HASH", "", "CUSTOMERSD_CLIENT_ID"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{tt.key: tt.value}
			for k, v := range ok {
				if k != tt.key {
					env[k] = v
				}
			}
			if tt.name == "ClientIDAlone" {
				env = map[string]string{"CUSTOMERSD_CLIENT_ID": "app"}
			}
			dbPath := filepath.Join(t.TempDir(), "c.db")
			err := runServe(t, env, "--database", dbPath)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err=%v, want one with %q", err, tt.want)
			}
			if tt.key != "CUSTOMERSD_STORE_HASH" && tt.value != "" && strings.Contains(err.Error(), tt.value) {
				t.Fatalf("err=%v echoes the value", err)
			}
			if out := mustRunCLI(t, "", "stores", "list", "--database", dbPath); out != "" {
				t.Fatalf("a refused start made stores:\n%s", out)
			}
		})
	}
}

// TestServe_StartAccount starts with a known client id and secret, as an
// app that signs login JWTs needs, and restarts with them and with others.
func TestServe_StartAccount(t *testing.T) {
	t.Parallel()
	dbPath := filepath.Join(t.TempDir(), "c.db")
	env := map[string]string{"CUSTOMERSD_STORE_HASH": "boot", "CUSTOMERSD_ACCESS_TOKEN": "boot-token-0123",
		"CUSTOMERSD_CLIENT_ID": "boot-app", "CUSTOMERSD_CLIENT_SECRET": "boot-secret-0123456", "CUSTOMERSD_BCRYPT_COST": "4"}
	for range 2 { // idempotent
		if err := runServe(t, env, "--database", dbPath); err != nil {
			t.Fatal(err)
		}
	}
	a := mustFindAccount(t, dbPath, "boot", "boot-app")
	if a.ClientSecret != "boot-secret-0123456" || !a.CanWrite() {
		t.Fatalf("account=%+v, want the configured secret and full scope", a)
	}
	p := startMain(t, env, "--addr", "127.0.0.1:0", "--database", dbPath)
	mustCall(t, 204, "GET", p.url("/stores/boot/v2/customers"), "boot-token-0123", nil)
	p.stop()

	other := map[string]string{}
	for k, v := range env {
		other[k] = v
	}
	other["CUSTOMERSD_CLIENT_SECRET"] = "another-secret-0123"
	if err := runServe(t, other, "--database", dbPath); err == nil || !strings.Contains(err.Error(), "CUSTOMERSD_CLIENT_SECRET") ||
		strings.Contains(err.Error(), "another-secret") {
		t.Fatalf("restart with another secret: %v, want an error naming CUSTOMERSD_CLIENT_SECRET", err)
	}
	other["CUSTOMERSD_CLIENT_SECRET"], other["CUSTOMERSD_CLIENT_ID"] = env["CUSTOMERSD_CLIENT_SECRET"], "other-app"
	if err := runServe(t, other, "--database", dbPath); err == nil || !strings.Contains(err.Error(), "CUSTOMERSD_CLIENT_ID") {
		t.Fatalf("restart with another client id: %v, want an error naming CUSTOMERSD_CLIENT_ID", err)
	}
	// A client id taken by another account, with a new token.
	other["CUSTOMERSD_CLIENT_ID"], other["CUSTOMERSD_ACCESS_TOKEN"] = "boot-app", "new-token-0123"
	if err := runServe(t, other, "--database", dbPath); err == nil || !strings.Contains(err.Error(), "CUSTOMERSD_CLIENT_ID") {
		t.Fatalf("start with a taken client id: %v, want an error naming CUSTOMERSD_CLIENT_ID", err)
	}
}
