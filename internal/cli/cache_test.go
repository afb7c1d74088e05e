package cli

import (
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// A token revoked by "customersd tokens revoke" run as another process is
// refused by the running server's very next request, though the server
// answered the token's earlier requests from its read cache.
func TestTokensRevoke_SecondProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Parallel()
	bin := buildBinary(t)
	dbPath := filepath.Join(t.TempDir(), "customersd.db")
	p := startMain(t, map[string]string{}, "--addr", "127.0.0.1:0", "--database", dbPath)
	runMain(t, "stores", "create", "--database", dbPath, "--hash", "cache-store")
	const token = "cache-revoke-token-0123"
	out := runMain(t, "tokens", "create", "--database", dbPath, "--store", "cache-store", "--token", token)
	m := regexp.MustCompile(`client_id:\s+(\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("tokens create printed no client_id: %q", out)
	}
	base := p.url("/stores/cache-store/v2/customers")
	mustCall(t, http.StatusCreated, "POST", base, token, map[string]string{
		"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com"})
	for range 3 {
		mustCall(t, http.StatusOK, "GET", base+"/1", token, nil)
	}
	cmd := exec.Command(bin, "tokens", "revoke", "--database", dbPath, "--store", "cache-store", "--client-id", m[1])
	cmd.Env = []string{}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("customersd tokens revoke: %v\n%s", err, out)
	}
	mustCall(t, http.StatusUnauthorized, "GET", base+"/1", token, nil)
	mustCall(t, http.StatusUnauthorized, "GET", base+"/1", token, nil)
}
