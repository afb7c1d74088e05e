package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/customersd/customersd/internal/logbuf"
)

// startServe is startMain for the serve command with test timeouts, which
// Main cannot set.
func startServe(tb testing.TB, env map[string]string, readHeaderTimeout, readTimeout time.Duration, args ...string) *testMain {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &testMain{stdout: &logbuf.Buffer{}, stderr: &logbuf.Buffer{}, cancel: cancel, done: make(chan error, 1)}
	ready := make(chan string, 1)
	m := &Main{Stdout: p.stdout, Stderr: p.stderr, Getenv: func(k string) string { return env[k] }}
	c := &ServeCommand{Main: m, Ready: func(addr string) { ready <- addr },
		readHeaderTimeout: readHeaderTimeout, readTimeout: readTimeout}
	go func() { p.done <- c.Run(ctx, args) }()
	select {
	case p.addr = <-ready:
	case err := <-p.done:
		cancel()
		tb.Fatalf("customersd serve: exited before listening: %v\n%s", err, p.stderr)
	}
	tb.Cleanup(func() { p.stop() })
	return p
}

// readUntilClosed reads what the server sends on conn until it closes the
// connection. The deadline only keeps a broken server from hanging the test.
func readUntilClosed(tb testing.TB, conn net.Conn) string {
	tb.Helper()
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	b, err := io.ReadAll(conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		tb.Fatalf("the server kept the connection open; read so far: %q", b)
	}
	return string(b)
}

// TestServe_SlowClients: a client that sends its headers too slowly, or its
// body too slowly, loses the connection instead of holding it, and what it
// sent is not acted on; a prompt client on the same server is served.
func TestServe_SlowClients(t *testing.T) {
	t.Parallel()
	const token = "slow-token-0123"
	p := startServe(t, storeEnv("s1", token), 200*time.Millisecond, 400*time.Millisecond,
		"--addr", "127.0.0.1:0", "--database", filepath.Join(t.TempDir(), "c.db"))

	// Headers that never end.
	conn, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /stores/s1/v2/customers HTTP/1.1\r\nHost: %s\r\nX-Auth-Token: %s\r\n", p.addr, token)
	if got := readUntilClosed(t, conn); strings.Contains(got, "201") {
		t.Fatalf("a request whose headers never ended was served: %q", got)
	}

	// A body that never ends.
	conn2, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	body := `{"first_name":"Slow","last_name":"Body","email":"slow@example.com"}`
	fmt.Fprintf(conn2, "POST /stores/s1/v2/customers HTTP/1.1\r\nHost: %s\r\nX-Auth-Token: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		p.addr, token, len(body)+10, body)
	if got := readUntilClosed(t, conn2); !strings.HasPrefix(got, "HTTP/1.1 408 ") || !strings.Contains(got, "not received in time") {
		t.Fatalf("a request whose body never ended: %q, want a 408", got)
	}

	// The server still serves, and neither slow request created anything.
	b := mustCall(t, http.StatusOK, "GET", p.url("/stores/s1/v2/customers/count"), token, nil)
	if string(b) != `{"count":0}` {
		t.Fatalf("count=%s, want 0", b)
	}
}

// TestServe_HugeHeaders: headers over the server's limit are refused with 431
// before any handler runs.
func TestServe_HugeHeaders(t *testing.T) {
	t.Parallel()
	const token = "huge-token-0123"
	p := startMain(t, storeEnv("s1", token), "serve", "--addr", "127.0.0.1:0", "--database", filepath.Join(t.TempDir(), "c.db"))
	for _, hdr := range []struct{ name, value string }{
		{"X-Padding", strings.Repeat("a", 2*maxHeaderBytes)},
		{"X-Auth-Token", strings.Repeat("t", 2*maxHeaderBytes)},
	} {
		req, _ := http.NewRequest("GET", p.url("/stores/s1/v2/customers"), nil)
		req.Header.Set("X-Auth-Token", token)
		req.Header.Set(hdr.name, hdr.value)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s of %d bytes: %v", hdr.name, len(hdr.value), err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Fatalf("%s of %d bytes: status=%d, want 431", hdr.name, len(hdr.value), res.StatusCode)
		}
	}
	// Many headers add up just the same.
	conn, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	w := bufio.NewWriter(conn)
	fmt.Fprintf(w, "GET /stores/s1/v2/customers HTTP/1.1\r\nHost: %s\r\nX-Auth-Token: %s\r\n", p.addr, token)
	for i := range 4000 {
		fmt.Fprintf(w, "X-H%d: %s\r\n", i, strings.Repeat("v", 40))
	}
	w.WriteString("\r\n")
	go w.Flush() // the server may stop reading before the end
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("4000 headers: status=%d, want 431", res.StatusCode)
	}
	mustCall(t, http.StatusNoContent, "GET", p.url("/stores/s1/v2/customers"), token, nil)
}

// TestServe_NoSecretsInLogs runs a session through a real server that
// touches every secret it handles: customer passwords (create, change,
// validate right and wrong), access tokens (good, wrong, another store's,
// a new one from the admin API), the admin token, and an export and import
// through the admin API, whose documents carry password hashes by design.
// The log must hold none of them.
func TestServe_NoSecretsInLogs(t *testing.T) {
	t.Parallel()
	const token, pw1, pw2, wrong, imported = "logs-token-0123456789", "Passw0rdOne", "Passw0rdTwo", "Wr0ngGuess", "Imp0rtedPw"
	env := storeEnv("s1", token)
	env["CUSTOMERSD_ADMIN_TOKEN"] = testAdminToken
	env["CUSTOMERSD_LOG_FORMAT"] = "json"
	p := startMain(t, env, "serve", "--addr", "127.0.0.1:0", "--database", filepath.Join(t.TempDir(), "c.db"))
	v2 := func(path string) string { return p.url("/stores/s1/v2" + path) }
	var responses strings.Builder
	keep := func(b []byte) { responses.Write(b) }

	keep(mustCall(t, http.StatusCreated, "POST", v2("/customers"), token, map[string]any{"first_name": "A", "last_name": "B",
		"email": "a@example.com", "_authentication": map[string]any{"password": pw1, "password_confirmation": pw1}}))
	keep(mustCall(t, http.StatusOK, "PUT", v2("/customers/1"), token, map[string]any{"_authentication": map[string]any{"password": pw2}}))
	keep(mustCall(t, http.StatusBadRequest, "PUT", v2("/customers/1"), token, map[string]any{"_authentication": map[string]any{"password": pw1, "password_confirmation": wrong}}))
	keep(mustCall(t, http.StatusOK, "POST", v2("/customers/1/validate"), token, map[string]any{"password": pw2}))
	keep(mustCall(t, http.StatusOK, "POST", v2("/customers/1/validate"), token, map[string]any{"password": wrong}))
	keep(mustCall(t, http.StatusOK, "GET", v2("/customers/1"), token, nil))
	keep(mustCall(t, http.StatusUnauthorized, "GET", v2("/customers"), token+"x", nil))
	keep(mustCall(t, http.StatusUnauthorized, "GET", v2("/customers"), wrong, nil))

	status, created := adminCall(t, "POST", p.url("/admin/v1/stores"), map[string]any{"store_hash": "s2"})
	if status != http.StatusCreated {
		t.Fatalf("create store: %d %s", status, created)
	}
	var st struct {
		Token struct {
			AccessToken  string `json:"access_token"`
			ClientSecret string `json:"client_secret"`
		} `json:"token"`
	}
	decodeJSON(t, created, &st)
	keep(mustCall(t, http.StatusUnauthorized, "GET", v2("/customers"), st.Token.AccessToken, nil))
	status, export := adminCall(t, "GET", p.url("/admin/v1/stores/s1/export"), nil)
	if status != http.StatusOK || !strings.Contains(string(export), "$2a$") {
		t.Fatalf("export: %d %s, want a document with the password hash", status, export)
	}
	doc := `{"format":"customersd/1","store":{"hash":"s2"},"customers":[{"id":1,"first_name":"I","last_name":"M",` +
		`"email":"i@example.com","password":"` + imported + `"}]}`
	req, _ := http.NewRequest("PUT", p.url("/admin/v1/stores/s2/import"), strings.NewReader(doc))
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("import: %d %s", res.StatusCode, b)
	}
	keep(b)
	keep(mustCall(t, http.StatusOK, "POST", p.url("/stores/s2/v2/customers/1/validate"), st.Token.AccessToken, map[string]any{"password": imported}))
	if status, _ := adminCall(t, "GET", p.url("/admin/v1/stores"), nil); status != http.StatusOK {
		t.Fatalf("list stores: %d", status)
	}
	req, _ = http.NewRequest("GET", p.url("/admin/v1/stores"), nil)
	req.Header.Set("Authorization", "Bearer "+testAdminToken+"x")
	if res, err := http.DefaultClient.Do(req); err == nil {
		res.Body.Close()
	}
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}

	logs := p.stderr.String() + p.stdout.String()
	if !strings.Contains(logs, `"msg":"request"`) {
		t.Fatalf("no request lines were logged:\n%s", logs)
	}
	if st.Token.ClientSecret == "" {
		t.Fatalf("no client secret in the new store's answer: %s", created)
	}
	for _, secret := range []string{token, st.Token.AccessToken, st.Token.ClientSecret, testAdminToken, pw1, pw2, wrong, imported, "$2a$", "$2b$"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains the secret %q:\n%s", secret, logs)
		}
		if secret != token && secret != st.Token.AccessToken && strings.Contains(responses.String(), secret) {
			t.Errorf("a V2 or import response contains the secret %q", secret)
		}
	}
}
