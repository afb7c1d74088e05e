package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/customersd/customersd"
)

// runCLI runs a command that ends by itself with stdin as its input and
// returns its output and error.
func runCLI(tb testing.TB, stdin string, args ...string) (string, error) {
	tb.Helper()
	var stdout, stderr bytes.Buffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(k string) string { return map[string]string{"CUSTOMERSD_BCRYPT_COST": "4"}[k] }}
	err := m.Run(context.Background(), args)
	return stdout.String(), err
}

func mustRunCLI(tb testing.TB, stdin string, args ...string) string {
	tb.Helper()
	out, err := runCLI(tb, stdin, args...)
	if err != nil {
		tb.Fatalf("customersd %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// TestStoresCLI runs every stores and tokens subcommand against the
// database of a running server, and checks the effect through its V2 API.
func TestStoresCLI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "c.db")
	p := startMain(t, map[string]string{"CUSTOMERSD_BCRYPT_COST": "4"}, "--addr", "127.0.0.1:0", "--database", dbPath)
	db := []string{"--database", dbPath}
	cli := func(args ...string) string { t.Helper(); return mustRunCLI(t, "", append(args, db...)...) }

	cli("stores", "create", "--hash", "cli", "--plan", "pro")
	if out := cli("stores", "list"); !strings.Contains(out, "cli\tpro\t") {
		t.Fatalf("stores list: %q", out)
	}
	if _, err := runCLI(t, "", append([]string{"stores", "create", "--hash", "x", "--plan", "gold"}, db...)...); err == nil {
		t.Fatal("stores create --plan gold succeeded")
	}

	// Import from standard input, naming the store on the command line.
	out := mustRunCLI(t, seedFixture, append([]string{"stores", "import", "--store", "cli"}, db...)...)
	if !strings.Contains(out, "replaced the state of store cli: 2 customers") {
		t.Fatalf("stores import: %q", out)
	}
	const token = "cli-token-0123456789"
	cli("tokens", "create", "--store", "cli", "--token", token)
	base := p.url("/stores/cli/v2")
	mustCall(t, http.StatusOK, "GET", base+"/customers/5", token, nil)

	// Export to a file, private to the user: it holds password hashes.
	file := filepath.Join(dir, "out.json")
	cli("stores", "export", "--store", "cli", "--out", file)
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("export file mode %v, want 0600", fi.Mode().Perm())
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if stdout := cli("stores", "export", "cli"); stdout != string(b) {
		t.Fatal("export to stdout and to --out differ")
	}
	var doc customersd.Document
	if err := json.Unmarshal(b, &doc); err != nil || len(doc.Customers) != 2 || !strings.HasPrefix(doc.Customers[0].PasswordHash, "$2") ||
		doc.APIAccounts != nil {
		t.Fatalf("exported document: %v\n%s", err, b)
	}
	var withAccounts customersd.Document
	if err := json.Unmarshal([]byte(cli("stores", "export", "--api-accounts", "--store", "cli")), &withAccounts); err != nil || len(withAccounts.APIAccounts) != 1 || withAccounts.APIAccounts[0].ClientSecret == "" {
		t.Fatalf("export --api-accounts: %v, %+v", err, withAccounts.APIAccounts)
	}

	cli("stores", "reset", "--store", "cli")
	mustCall(t, http.StatusNoContent, "GET", base+"/customers", token, nil)

	// Import from a file into a store that does not exist yet: the
	// document's store.hash is used and the store is created. With store
	// cli's API accounts the copy is refused and no store is left behind.
	withAccounts.Store.Hash = "copy"
	copyFile := filepath.Join(dir, "copy.json")
	b, _ = json.Marshal(withAccounts)
	if err := os.WriteFile(copyFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, "", append([]string{"stores", "import", "--in", copyFile}, db...)...); err == nil ||
		!strings.Contains(err.Error(), "belongs to another store") {
		t.Fatalf("copy with store cli's accounts: %v, want a conflict", err)
	}
	if out := cli("stores", "list"); strings.Contains(out, "copy\t") {
		t.Fatalf("a refused import left a store behind: %q", out)
	}
	doc.Store.Hash = "copy"
	b, _ = json.Marshal(doc)
	if err := os.WriteFile(copyFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if out := cli("stores", "import", "--in", copyFile); !strings.Contains(out, "created store copy") {
		t.Fatalf("stores import into a new store: %q", out)
	}
	if out := cli("stores", "export", "copy"); !strings.Contains(out, `"email": "john@example.com"`) {
		t.Fatalf("copied store: %s", out)
	}

	// A bad document names its record and changes nothing.
	cli("stores", "import", "--store", "cli", "--in", file)
	before := cli("stores", "export", "cli")
	bad := strings.Replace(string(b), `"jane@example.com"`, `"jane@"`, 1)
	_, err = runCLI(t, bad, append([]string{"stores", "import", "--store", "cli"}, db...)...)
	if err == nil || !strings.Contains(err.Error(), "customers[0].email") {
		t.Fatalf("bad import: %v, want an error naming customers[0].email", err)
	}
	if after := cli("stores", "export", "cli"); after != before {
		t.Fatal("a refused import changed the store")
	}

	// Tokens: list without secrets, revoke at once.
	list := cli("tokens", "list", "--store", "cli")
	if strings.Contains(list, token) || !strings.Contains(list, "store_v2_customers") {
		t.Fatalf("tokens list: %q", list)
	}
	clientID, _, _ := strings.Cut(list, "\t")
	cli("tokens", "revoke", "--store", "cli", "--client-id", clientID)
	mustCall(t, http.StatusUnauthorized, "GET", base+"/customers", token, nil)
	if _, err := runCLI(t, "", append([]string{"tokens", "revoke", "--store", "cli", "--client-id", clientID}, db...)...); err == nil {
		t.Fatal("revoking twice succeeded")
	}

	cli("stores", "delete", "cli")
	if out := cli("stores", "list"); strings.Contains(out, "cli\t") || !strings.Contains(out, "copy\t") {
		t.Fatalf("stores list after delete: %q", out)
	}
	if _, err := runCLI(t, "", append([]string{"stores", "reset", "--store", "cli"}, db...)...); err == nil {
		t.Fatal("reset of a deleted store succeeded")
	}
	if _, err := runCLI(t, "", append([]string{"stores", "delete"}, db...)...); err == nil {
		t.Fatal("stores delete without a store succeeded")
	}
}
