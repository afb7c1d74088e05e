package cli

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestServe_Hooks: serve mounts /v3/hooks and /v2/hooks on the same hooks,
// and CUSTOMERSD_WEBHOOK_REQUIRE_HTTPS holds destinations to https on 443.
func TestServe_Hooks(t *testing.T) {
	t.Parallel()
	const token = "hooks-token-0123456"
	env := storeEnv("s1", token)
	env["CUSTOMERSD_WEBHOOK_REQUIRE_HTTPS"] = "true"
	p := startMain(t, env, "serve", "--addr", "127.0.0.1:0", "--database", filepath.Join(t.TempDir(), "customersd.db"))

	status, b := call(t, "POST", p.url("/stores/s1/v3/hooks"), token, map[string]any{"scope": "store/customer/created", "destination": "http://localhost:9/h"})
	if status != http.StatusUnprocessableEntity || !strings.Contains(string(b), "--webhook-require-https") {
		t.Fatalf("http destination: status=%d body=%s, want 422 naming --webhook-require-https", status, b)
	}
	b = mustCall(t, http.StatusOK, "POST", p.url("/stores/s1/v3/hooks"), token, map[string]any{"scope": "store/customer/created", "destination": "https://example.com/h"})
	if !strings.HasPrefix(string(b), `{"data":{"id":1,`) {
		t.Fatalf("create: %s", b)
	}
	var hooks []struct {
		ID          int64  `json:"id"`
		Destination string `json:"destination"`
	}
	decodeJSON(t, mustCall(t, http.StatusOK, "GET", p.url("/stores/s1/v2/hooks"), token, nil), &hooks)
	if len(hooks) != 1 || hooks[0].ID != 1 || hooks[0].Destination != "https://example.com/h" {
		t.Fatalf("/v2/hooks: %+v", hooks)
	}
	mustCall(t, http.StatusUnauthorized, "GET", p.url("/stores/s1/v3/hooks"), "wrong-token-0123456", nil)
}

func TestServe_HooksRequireHTTPSBadEnv(t *testing.T) {
	t.Parallel()
	var stderr strings.Builder
	m := &Main{Stdout: &stderr, Stderr: &stderr, Getenv: func(k string) string {
		if k == "CUSTOMERSD_WEBHOOK_REQUIRE_HTTPS" {
			return "sometimes"
		}
		return ""
	}}
	err := m.Run(t.Context(), []string{"serve", "--addr", "127.0.0.1:0", "--database", filepath.Join(t.TempDir(), "c.db")})
	if err == nil || !strings.Contains(err.Error(), "CUSTOMERSD_WEBHOOK_REQUIRE_HTTPS") {
		t.Fatalf("err=%v, want one naming CUSTOMERSD_WEBHOOK_REQUIRE_HTTPS", err)
	}
}
