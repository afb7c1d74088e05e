package cli

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestServe_FaultsAndJournal: an outside suite that sets only the admin
// token gets both; --journal=false (or CUSTOMERSD_JOURNAL=false) keeps
// faults and turns the journal off; bad bounds refuse to start.
func TestServe_FaultsAndJournal(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		env     map[string]string
		args    []string
		journal bool
	}{
		{"default", nil, nil, true},
		{"env off", map[string]string{"CUSTOMERSD_JOURNAL": "false"}, nil, false},
		{"flag off", nil, []string{"--journal=false"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"CUSTOMERSD_ADMIN_TOKEN": testAdminToken, "CUSTOMERSD_BCRYPT_COST": "4"}
			for k, v := range tt.env {
				env[k] = v
			}
			p := startMain(t, env, append([]string{"--addr", "127.0.0.1:0", "--database", filepath.Join(t.TempDir(), "c.db")}, tt.args...)...)
			if status, body := adminCall(t, "POST", p.url("/admin/v1/stores"), map[string]any{"store_hash": "s1", "access_token": "tok-0123456789abcdef0123"}); status != http.StatusCreated {
				t.Fatalf("create store: %d %s", status, body)
			}
			if status, body := adminCall(t, "POST", p.url("/admin/v1/stores/s1/faults"), map[string]any{"route": "/customers/count", "status": 503, "times": 1}); status != http.StatusCreated || !strings.Contains(string(body), `"node":"`) {
				t.Fatalf("create fault: %d %s", status, body)
			}
			mustCall(t, http.StatusServiceUnavailable, "GET", p.url("/stores/s1/v2/customers/count"), "tok-0123456789abcdef0123", nil)
			mustCall(t, http.StatusOK, "GET", p.url("/stores/s1/v2/customers/count"), "tok-0123456789abcdef0123", nil)
			status, body := adminCall(t, "GET", p.url("/admin/v1/stores/s1/requests/count?route=/customers/count"), nil)
			switch {
			case tt.journal && (status != http.StatusOK || !strings.Contains(string(body), `"count":2`)):
				t.Fatalf("journal count: %d %s, want 2", status, body)
			case !tt.journal && status != http.StatusNotFound:
				t.Fatalf("journal off: %d %s, want 404", status, body)
			}
		})
	}
}

func TestServe_JournalBoundsChecked(t *testing.T) {
	t.Parallel()
	err := NewMain().Run(t.Context(), []string{"serve", "--journal-max-entries", "0"})
	if err == nil || !strings.Contains(err.Error(), "--journal-max-entries") {
		t.Fatalf("err %v, want the bound refused", err)
	}
}
