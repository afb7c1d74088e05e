package cli

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// healthcheck runs "customersd healthcheck args..." with env and returns
// the exit code the process would have, and its output.
func healthcheck(t *testing.T, env map[string]string, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &out, Getenv: func(k string) string { return env[k] }}
	err := m.Run(context.Background(), append([]string{"healthcheck"}, args...))
	if err != nil {
		out.WriteString(err.Error())
	}
	return ExitCode(err), out.String()
}

func TestHealthcheck_ExitCodes(t *testing.T) {
	t.Parallel()
	p := startMain(t, map[string]string{}, "--addr", "127.0.0.1:0", "--database", filepath.Join(t.TempDir(), "customersd.db"))

	t.Run("Ready", func(t *testing.T) {
		code, out := healthcheck(t, nil, "--url", p.url("/readyz"))
		if code != 0 || !strings.Contains(out, "200 OK") {
			t.Fatalf("exit %d, want 0; output %q", code, out)
		}
	})
	t.Run("DefaultURLFromAddr", func(t *testing.T) {
		_, port, _ := net.SplitHostPort(p.addr)
		code, out := healthcheck(t, map[string]string{"CUSTOMERSD_ADDR": "0.0.0.0:" + port})
		if code != 0 {
			t.Fatalf("exit %d, want 0; output %q", code, out)
		}
	})
	t.Run("Unavailable", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeStatus(w, http.StatusServiceUnavailable, "unavailable")
		}))
		defer srv.Close()
		code, out := healthcheck(t, nil, "--url", srv.URL+"/readyz")
		if code == 0 || !strings.Contains(out, "503") {
			t.Fatalf("exit %d, want non-zero with the status; output %q", code, out)
		}
	})
	t.Run("Refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		code, out := healthcheck(t, nil, "--url", "http://"+addr+"/readyz")
		if code == 0 || !strings.Contains(out, "refused") {
			t.Fatalf("exit %d, want non-zero, connection refused; output %q", code, out)
		}
	})
	t.Run("BadURL", func(t *testing.T) {
		if code, out := healthcheck(t, nil, "--url", "http://[::1"); code == 0 {
			t.Fatalf("exit 0 for a malformed URL; output %q", out)
		}
	})
}

func TestDefaultHealthURL(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080/readyz",
		"0.0.0.0:8080":   "http://127.0.0.1:8080/readyz",
		":9000":          "http://127.0.0.1:9000/readyz",
		"[::]:8080":      "http://127.0.0.1:8080/readyz",
		"[::1]:8080":     "http://[::1]:8080/readyz",
		"localhost:80":   "http://localhost:80/readyz",
	} {
		if got := defaultHealthURL(addr); got != want {
			t.Errorf("defaultHealthURL(%q) = %q, want %q", addr, got, want)
		}
	}
}

func TestVersion(t *testing.T) {
	out := runMain(t, "version")
	if !strings.HasPrefix(out, "customersd ") || !strings.Contains(out, "go:") {
		t.Fatalf("version printed %q", out)
	}
}
