package cli

import (
	"maps"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/customersd/customersd/internal/logbuf"
)

// TestServe_DefaultFormat: V2 answers a request that asks for no format
// in XML, as BigCommerce, unless --default-format or
// CUSTOMERSD_DEFAULT_FORMAT says json.
func TestServe_DefaultFormat(t *testing.T) {
	t.Parallel()
	parse := func(env map[string]string, args ...string) (*ServeCommand, error) {
		c := &ServeCommand{Main: &Main{Stdout: &logbuf.Buffer{}, Stderr: &logbuf.Buffer{}, Getenv: func(k string) string { return env[k] }}}
		return c, c.parse(args)
	}
	if _, err := parse(nil, "--default-format", "yaml"); err == nil {
		t.Error("--default-format yaml: no error")
	}
	if _, err := parse(map[string]string{"CUSTOMERSD_DEFAULT_FORMAT": "csv"}); err == nil {
		t.Error("CUSTOMERSD_DEFAULT_FORMAT=csv: no error")
	}
	c, err := parse(map[string]string{"CUSTOMERSD_DEFAULT_FORMAT": "json"}, "--default-format", "xml")
	if err != nil || c.Config.DefaultFormat != "xml" {
		t.Errorf("the flag does not win over the environment: %q, %v", c.Config.DefaultFormat, err)
	}

	const token = "format-token-0123456"
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{nil, "application/xml"},
		{map[string]string{"CUSTOMERSD_DEFAULT_FORMAT": "json"}, "application/json"},
	} {
		env := storeEnv("s1", token)
		maps.Copy(env, tt.env)
		p := startMain(t, env, "serve", "--addr", "127.0.0.1:0", "--database", filepath.Join(t.TempDir(), "customersd.db"))
		req, _ := http.NewRequest("GET", p.url("/stores/s1/v2/customers/count"), nil)
		req.Header.Set("X-Auth-Token", token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if ct := res.Header.Get("Content-Type"); res.StatusCode != http.StatusOK || ct != tt.want {
			t.Errorf("env %v: %d %s, want 200 %s", tt.env, res.StatusCode, ct, tt.want)
		}
		p.stop()
	}
}
