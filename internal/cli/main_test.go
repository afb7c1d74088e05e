package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/customersd/customersd/internal/logbuf"
)

// testMain is Main running in-process on :0, with its output captured.
type testMain struct {
	addr   string
	stdout *logbuf.Buffer
	stderr *logbuf.Buffer
	cancel context.CancelFunc
	done   chan error

	once sync.Once
	err  error
}

// startMain runs "customersd args..." with env as its whole environment and
// returns once the server listens. The server is stopped at cleanup.
func startMain(tb testing.TB, env map[string]string, args ...string) *testMain {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &testMain{stdout: &logbuf.Buffer{}, stderr: &logbuf.Buffer{}, cancel: cancel, done: make(chan error, 1)}
	ready := make(chan string, 1)
	m := &Main{
		Stdout: p.stdout,
		Stderr: p.stderr,
		Getenv: func(k string) string { return env[k] },
		Ready:  func(addr string) { ready <- addr },
	}
	go func() { p.done <- m.Run(ctx, args) }()
	select {
	case p.addr = <-ready:
	case err := <-p.done:
		cancel()
		tb.Fatalf("customersd %s: exited before listening: %v\n%s", strings.Join(args, " "), err, p.stderr)
	}
	tb.Cleanup(func() { p.stop() })
	return p
}

// stop cancels the server's context, as SIGTERM does, and returns what Run
// returned.
func (p *testMain) stop() error {
	p.once.Do(func() {
		p.cancel()
		p.err = <-p.done
	})
	return p.err
}

func (p *testMain) url(path string) string { return "http://" + p.addr + path }

// runMain runs a command that ends by itself (stores, tokens) and returns
// its standard output.
func runMain(tb testing.TB, args ...string) string {
	tb.Helper()
	var stdout, stderr bytes.Buffer
	m := &Main{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
	if err := m.Run(context.Background(), args); err != nil {
		tb.Fatalf("customersd %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// call sends a V2-style request with token (none when "") and a JSON body
// (none when nil), and returns the status and body.
func call(tb testing.TB, method, url, token string, body any) (int, []byte) {
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
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return res.StatusCode, b
}

// mustCall is call that fails the test unless the status is want.
func mustCall(tb testing.TB, want int, method, url, token string, body any) []byte {
	tb.Helper()
	status, b := call(tb, method, url, token, body)
	if status != want {
		tb.Fatalf("%s %s: status=%d, want %d; body: %s", method, url, status, want, b)
	}
	return b
}

type customerBody struct {
	ID              int64  `json:"id"`
	FirstName       string `json:"first_name,omitempty"`
	LastName        string `json:"last_name,omitempty"`
	Email           string `json:"email"`
	CustomerGroupID int64  `json:"customer_group_id"`
}

func decodeJSON(tb testing.TB, b []byte, v any) {
	tb.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		tb.Fatalf("decode %s: %v", b, err)
	}
}

// TestMain_Serve drives a customer's life through the real binary's Main, on
// a store made from CUSTOMERSD_STORE_HASH and CUSTOMERSD_ACCESS_TOKEN.
func TestMain_Serve(t *testing.T) {
	t.Parallel()
	const token = "e2e-token-0123456789"
	p := startMain(t, map[string]string{
		"CUSTOMERSD_STORE_HASH":   "e2e",
		"CUSTOMERSD_ACCESS_TOKEN": token,
		"CUSTOMERSD_BCRYPT_COST":  "4",
	}, "serve", "--addr", "127.0.0.1:0", "--database", filepath.Join(t.TempDir(), "customersd.db"))
	base := p.url("/stores/e2e/v2/customers")

	var c customerBody
	decodeJSON(t, mustCall(t, http.StatusCreated, "POST", base, token,
		map[string]string{"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com"}), &c)
	if c.ID != 1 || c.Email != "jane@example.com" {
		t.Fatalf("created %+v, want id 1 with email jane@example.com", c)
	}
	one := fmt.Sprintf("%s/%d", base, c.ID)

	var got customerBody
	decodeJSON(t, mustCall(t, http.StatusOK, "GET", one, token, nil), &got)
	if got != c {
		t.Fatalf("GET %s = %+v, want %+v", one, got, c)
	}
	var list []customerBody
	decodeJSON(t, mustCall(t, http.StatusOK, "GET", base+"?email=JANE@example.com", token, nil), &list)
	if len(list) != 1 || list[0].ID != c.ID {
		t.Fatalf("list by email = %+v, want customer %d", list, c.ID)
	}
	mustCall(t, http.StatusNoContent, "DELETE", one, token, nil)
	mustCall(t, http.StatusNotFound, "GET", one, token, nil)
	mustCall(t, http.StatusNoContent, "GET", base, token, nil)
	if b := mustCall(t, http.StatusOK, "GET", base+"/count", token, nil); !bytes.Equal(bytes.TrimSpace(b), []byte(`{"count":0}`)) {
		t.Fatalf("count = %s, want {\"count\":0}", b)
	}
	mustCall(t, http.StatusUnauthorized, "GET", base, "wrong-token-0123", nil)
	mustCall(t, http.StatusOK, "GET", p.url("/healthz"), "", nil)

	if err := p.stop(); err != nil {
		t.Fatalf("Run after cancel = %v, want nil", err)
	}
}

// TestMain_ZeroSetup starts on an empty database with nothing configured:
// customersd makes a store and prints its hash, its token and a curl line
// that works.
func TestMain_ZeroSetup(t *testing.T) {
	t.Parallel()
	dbPath := filepath.Join(t.TempDir(), "customersd.db")
	p := startMain(t, map[string]string{}, "--addr", "127.0.0.1:0", "--database", dbPath)
	out := p.stdout.String()
	hash := regexp.MustCompile(`store hash: +(\S+)`).FindStringSubmatch(out)
	token := regexp.MustCompile(`access token: +(\S+)`).FindStringSubmatch(out)
	curl := regexp.MustCompile(`curl .* (http://\S+)`).FindStringSubmatch(out)
	if hash == nil || token == nil || curl == nil {
		t.Fatalf("want the store hash, the token and a curl line; stdout:\n%s", out)
	}
	if want := p.url("/stores/" + hash[1] + "/v2/customers"); curl[1] != want {
		t.Fatalf("curl URL %q, want %q", curl[1], want)
	}
	if !strings.Contains(out, "X-Auth-Token: "+token[1]) {
		t.Fatalf("the curl line does not send the token; stdout:\n%s", out)
	}
	mustCall(t, http.StatusNoContent, "GET", curl[1], token[1], nil)
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}

	// The store exists now: a restart prints no new one.
	again := startMain(t, map[string]string{}, "--addr", "127.0.0.1:0", "--database", dbPath)
	if strings.Contains(again.stdout.String(), "access token") {
		t.Fatalf("restart made another store:\n%s", again.stdout)
	}
	mustCall(t, http.StatusNoContent, "GET", again.url("/stores/"+hash[1]+"/v2/customers"), token[1], nil)
}

// TestMain_StoresAndTokens provisions with the CLI, against the database a
// server is using, and checks that a read-only token reads but cannot write.
func TestMain_StoresAndTokens(t *testing.T) {
	t.Parallel()
	dbPath := filepath.Join(t.TempDir(), "customersd.db")
	p := startMain(t, map[string]string{}, "--addr", "127.0.0.1:0", "--database", dbPath)

	if out := runMain(t, "stores", "create", "--database", dbPath, "--hash", "cli-store"); !strings.Contains(out, "cli-store") {
		t.Fatalf("stores create printed %q, want the hash", out)
	}
	const full, readOnly = "cli-full-token-0123", "cli-read-token-0123"
	runMain(t, "tokens", "create", "--database", dbPath, "--store", "cli-store", "--token", full)
	runMain(t, "tokens", "create", "--database", dbPath, "--store", "cli-store",
		"--scope", "store_v2_customers_read_only", "--token", readOnly)

	base := p.url("/stores/cli-store/v2/customers")
	jane := map[string]string{"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com"}
	mustCall(t, http.StatusCreated, "POST", base, full, jane)
	mustCall(t, http.StatusOK, "GET", base+"/1", readOnly, nil)
	mustCall(t, http.StatusOK, "GET", base, readOnly, nil)
	mustCall(t, http.StatusForbidden, "POST", base, readOnly, map[string]string{
		"first_name": "John", "last_name": "Doe", "email": "john@example.com"})
	mustCall(t, http.StatusForbidden, "DELETE", base+"/1", readOnly, nil)
	mustCall(t, http.StatusOK, "GET", base+"/1", readOnly, nil)
}
