package cli

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestServe_Panel: the control panel is served exactly when the admin API
// is, under /admin/ui/.
func TestServe_Panel(t *testing.T) {
	t.Parallel()
	t.Run("Enabled", func(t *testing.T) {
		p := startMain(t, map[string]string{"CUSTOMERSD_BCRYPT_COST": "4", "CUSTOMERSD_ADMIN_TOKEN": testAdminToken},
			"--addr", "127.0.0.1:0", "--database", filepath.Join(t.TempDir(), "c.db"))
		res, err := http.Get(p.url("/admin/ui/login"))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET /admin/ui/login: %d %s, want the sign-in form", res.StatusCode, res.Header.Get("Content-Type"))
		}
	})
	t.Run("Disabled", func(t *testing.T) {
		p := startMain(t, map[string]string{"CUSTOMERSD_BCRYPT_COST": "4"}, "--addr", "127.0.0.1:0",
			"--database", filepath.Join(t.TempDir(), "c.db"))
		for _, path := range []string{"/admin/ui/login", "/admin/ui/"} {
			status, body := adminCall(t, "GET", p.url(path), nil)
			if status != http.StatusNotFound || !strings.Contains(string(body), `"status":404`) {
				t.Fatalf("GET %s with the admin API disabled: %d %s, want the admin 404", path, status, body)
			}
		}
	})
}
