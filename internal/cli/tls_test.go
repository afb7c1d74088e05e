package cli

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/customersd/customersd/internal/logbuf"
)

// startTLSMain is startMain that also waits for the HTTPS listener and
// returns its address.
func startTLSMain(tb testing.TB, env map[string]string, args ...string) (*testMain, string) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &testMain{stdout: &logbuf.Buffer{}, stderr: &logbuf.Buffer{}, cancel: cancel, done: make(chan error, 1)}
	ready, tlsReady := make(chan string, 1), make(chan string, 1)
	m := &Main{
		Stdout:   p.stdout,
		Stderr:   p.stderr,
		Getenv:   func(k string) string { return env[k] },
		Ready:    func(addr string) { ready <- addr },
		TLSReady: func(addr string) { tlsReady <- addr },
	}
	go func() { p.done <- m.Run(ctx, args) }()
	var tlsAddr string
	for p.addr == "" {
		select {
		case p.addr = <-ready:
		case tlsAddr = <-tlsReady:
		case err := <-p.done:
			cancel()
			tb.Fatalf("customersd %s: exited before listening: %v\n%s", strings.Join(args, " "), err, p.stderr)
		}
	}
	if tlsAddr == "" {
		tlsAddr = <-tlsReady // called before Ready, so it is there
	}
	tb.Cleanup(func() { p.stop() })
	return p, tlsAddr
}

// clientTrusting is an HTTP client that trusts only the CA in caPath, as
// Python's requests does with REQUESTS_CA_BUNDLE.
func clientTrusting(tb testing.TB, caPath string) *http.Client {
	tb.Helper()
	pool, err := loadCAPool(caPath)
	if err != nil {
		tb.Fatal(err)
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// do sends a V2 request with token and returns the status and body.
func do(tb testing.TB, client *http.Client, method, url, token, body string) (int, string) {
	tb.Helper()
	var rdr io.Reader
	if body != "" {
		rdr = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rdr)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Auth-Token", token)
	res, err := client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

var tlsEnv = map[string]string{
	"CUSTOMERSD_STORE_HASH":   "tls",
	"CUSTOMERSD_ACCESS_TOKEN": "tls-token-0123456789",
	"CUSTOMERSD_BCRYPT_COST":  "4",
}

// TestTLS_SelfSigned serves HTTPS beside HTTP with a certificate from the
// local CA it makes, which a client trusting only that CA accepts; a
// restart reuses the CA and the certificate, and new host names get a new
// certificate from the same CA.
func TestTLS_SelfSigned(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "customersd.db")
	args := []string{"--addr", "127.0.0.1:0", "--database", dbPath, "--tls-addr", "127.0.0.1:0", "--tls-self-signed"}
	p, tlsAddr := startTLSMain(t, tlsEnv, args...)

	tlsDir := filepath.Join(dir, "tls") // the default: beside the SQLite file
	caPath := filepath.Join(tlsDir, "ca.pem")
	for _, want := range []string{"REQUESTS_CA_BUNDLE=" + caPath, "NODE_EXTRA_CA_CERTS=" + caPath, "SSL_CERT_FILE=" + caPath} {
		if !strings.Contains(p.stdout.String(), want) {
			t.Errorf("stdout does not say %q:\n%s", want, p.stdout)
		}
	}
	for name, perm := range map[string]os.FileMode{"ca.pem": 0o644, "server.pem": 0o644, "server-key.pem": 0o600, "ca-key.pem": 0o600} {
		fi, err := os.Stat(filepath.Join(tlsDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != perm {
			t.Errorf("%s: mode %v, want %v", name, fi.Mode().Perm(), perm)
		}
	}

	client := clientTrusting(t, caPath)
	_, port, _ := strings.Cut(tlsAddr, ":")
	for _, host := range []string{"127.0.0.1", "localhost"} {
		base := "https://" + host + ":" + port + "/stores/tls/v2/customers"
		if status, body := do(t, client, "GET", base, tlsEnv["CUSTOMERSD_ACCESS_TOKEN"], ""); status != http.StatusNoContent {
			t.Fatalf("GET %s: status %d, want 204; body %s", base, status, body)
		}
	}
	// Links in bodies say https when the request came over TLS.
	base := "https://localhost:" + port + "/stores/tls/v2/customers"
	status, body := do(t, client, "POST", base, tlsEnv["CUSTOMERSD_ACCESS_TOKEN"], `{"first_name":"Jane","last_name":"Doe","email":"jane@example.com"}`)
	var created struct{ Addresses struct{ URL string } }
	decodeJSON(t, []byte(body), &created)
	if status != http.StatusCreated || created.Addresses.URL != "https://localhost:"+port+"/stores/tls/v2/customers/1/addresses" {
		t.Fatalf("POST over HTTPS: status %d, want 201 with an https addresses link; body %s", status, body)
	}
	// HTTP goes on serving the same API.
	decodeJSON(t, mustCall(t, http.StatusOK, "GET", p.url("/stores/tls/v2/customers/1"), tlsEnv["CUSTOMERSD_ACCESS_TOKEN"], nil), &created)
	if !strings.HasPrefix(created.Addresses.URL, "http://"+p.addr+"/") {
		t.Fatalf("GET over HTTP: addresses link %q, want http://%s/...", created.Addresses.URL, p.addr)
	}
	// A client that trusts the system's CAs only refuses the certificate.
	if _, err := http.Get("https://" + tlsAddr + "/healthz"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("a client without the CA: err %v, want a certificate error", err)
	}
	// The health check reaches HTTPS with the CA, and only with it.
	if code, out := healthcheck(t, nil, "--url", "https://localhost:"+port+"/readyz", "--ca", caPath); code != 0 {
		t.Fatalf("healthcheck over HTTPS with --ca: exit %d; %s", code, out)
	}
	if code, _ := healthcheck(t, nil, "--url", "https://localhost:"+port+"/readyz"); code == 0 {
		t.Fatal("healthcheck over HTTPS without the CA: exit 0")
	}
	pythonRequests(t, "https://localhost:"+port+"/stores/tls/v2/customers/1", caPath)
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}

	ca, server := mustRead(t, caPath), mustRead(t, filepath.Join(tlsDir, "server.pem"))
	_, tlsAddr = startTLSMain(t, tlsEnv, args...)
	if !bytes.Equal(mustRead(t, caPath), ca) || !bytes.Equal(mustRead(t, filepath.Join(tlsDir, "server.pem")), server) {
		t.Fatal("a restart made a new CA or server certificate")
	}
	if status, body := do(t, client, "GET", "https://"+tlsAddr+"/stores/tls/v2/customers/1", tlsEnv["CUSTOMERSD_ACCESS_TOKEN"], ""); status != http.StatusOK {
		t.Fatalf("after restart: status %d, want 200; body %s", status, body)
	}

	// Another host name: a new server certificate, from the same CA.
	_, tlsAddr = startTLSMain(t, tlsEnv, append(args, "--tls-hosts", "customersd.test", "--tls-bigcommerce-hosts")...)
	if !bytes.Equal(mustRead(t, caPath), ca) {
		t.Fatal("new host names made a new CA")
	}
	for _, name := range []string{"customersd.test", "api.bigcommerce.com", "login.bigcommerce.com"} {
		c := clientTrusting(t, caPath)
		c.Transport.(*http.Transport).TLSClientConfig.ServerName = name
		if status, body := do(t, c, "GET", "https://"+tlsAddr+"/readyz", "", ""); status != http.StatusOK {
			t.Fatalf("as %s: status %d; body %s", name, status, body)
		}
	}
}

func mustRead(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestTLS_GivenCertificate serves a certificate from files, here one made
// by another CA in another folder.
func TestTLS_GivenCertificate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files, err := ensureSelfSigned(filepath.Join(dir, "pki"), []string{"localhost", "127.0.0.1"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	p, tlsAddr := startTLSMain(t, tlsEnv, "--addr", "127.0.0.1:0", "--database", filepath.Join(dir, "customersd.db"),
		"--tls-addr", "127.0.0.1:0", "--tls-cert", files.cert, "--tls-key", files.key)
	if status, body := do(t, clientTrusting(t, files.ca), "GET", "https://"+tlsAddr+"/stores/tls/v2/customers", tlsEnv["CUSTOMERSD_ACCESS_TOKEN"], ""); status != http.StatusNoContent {
		t.Fatalf("status %d, want 204; body %s", status, body)
	}
	if strings.Contains(p.stdout.String(), "REQUESTS_CA_BUNDLE") {
		t.Errorf("a given certificate needs no advice on a local CA:\n%s", p.stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "tls")); !os.IsNotExist(err) {
		t.Errorf("a given certificate made a tls folder: %v", err)
	}
	// HTTP/2 is offered over TLS, as by BigCommerce.
	h2 := clientTrusting(t, files.ca)
	h2.Transport.(*http.Transport).ForceAttemptHTTP2 = true
	res, err := h2.Get("https://" + tlsAddr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Proto != "HTTP/2.0" {
		t.Errorf("proto %s, want HTTP/2.0", res.Proto)
	}
}

func TestTLS_BadFlags(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "customersd.db")
	for name, tt := range map[string]struct {
		args []string
		want string
	}{
		"NoCertificate":   {[]string{"--tls-addr", "127.0.0.1:0"}, "--tls-self-signed"},
		"NoAddr":          {[]string{"--tls-self-signed"}, "need --tls-addr"},
		"CertWithoutKey":  {[]string{"--tls-addr", ":0", "--tls-cert", "x.pem"}, "go together"},
		"Both":            {[]string{"--tls-addr", ":0", "--tls-cert", "x.pem", "--tls-key", "k.pem", "--tls-self-signed"}, "not both"},
		"BadHost":         {[]string{"--tls-addr", ":0", "--tls-self-signed", "--tls-hosts", "a/b"}, "--tls-hosts"},
		"MissingCertFile": {[]string{"--tls-addr", "127.0.0.1:0", "--tls-cert", "/nonexistent.pem", "--tls-key", "/nonexistent.pem"}, "/nonexistent.pem"},
	} {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			m := &Main{Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" }}
			err := m.Run(context.Background(), append([]string{"serve", "--addr", "127.0.0.1:0", "--database", db}, tt.args...))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want one that mentions %q", err, tt.want)
			}
		})
	}
}

// TestEnsureSelfSigned_Renews makes a new server certificate, from the same
// CA, when the old one nears its end.
func TestEnsureSelfSigned_Renews(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	now := time.Now()
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	f, err := ensureSelfSigned(dir, hosts, now)
	if err != nil || len(f.made) != 2 {
		t.Fatalf("made %v, err %v; want the CA and the server certificate", f.made, err)
	}
	if f, err = ensureSelfSigned(dir, hosts, now.Add(24*time.Hour)); err != nil || len(f.made) != 0 {
		t.Fatalf("a day later: made %v, err %v; want nothing", f.made, err)
	}
	later := now.Add(serverLifetime - renewBefore + time.Hour)
	if f, err = ensureSelfSigned(dir, hosts, later); err != nil || len(f.made) != 1 || f.made[0] != "server certificate" {
		t.Fatalf("near expiry: made %v, err %v; want the server certificate only", f.made, err)
	}
	pair, err := tls.LoadX509KeyPair(f.cert, f.key)
	if err != nil {
		t.Fatal(err)
	}
	pool, _ := loadCAPool(f.ca)
	if _, err := pair.Leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "localhost", CurrentTime: later.Add(300 * 24 * time.Hour)}); err != nil {
		t.Fatalf("renewed certificate: %v", err)
	}
	// A damaged CA is refused, not replaced: clients may trust it.
	if err := os.WriteFile(f.ca, []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ensureSelfSigned(dir, hosts, now); err == nil || !strings.Contains(err.Error(), "remove") {
		t.Fatalf("damaged CA: err %v, want a refusal that says what to remove", err)
	}
}

// pythonRequests GETs url with Python's requests, trusting the CA through
// REQUESTS_CA_BUNDLE as a Python test suite does, when python3 with
// requests is installed.
func pythonRequests(t *testing.T, url, caPath string) {
	t.Helper()
	if exec.Command("python3", "-c", "import requests").Run() != nil {
		t.Log("python3 with requests is not installed: the Python client check is skipped")
		return
	}
	cmd := exec.Command("python3", "-c", `import os, sys, requests
r = requests.get(sys.argv[1], headers={"X-Auth-Token": sys.argv[2], "Accept": "application/json"})
print(r.status_code, r.json()["email"])`, url, tlsEnv["CUSTOMERSD_ACCESS_TOKEN"])
	cmd.Env = append(os.Environ(), "REQUESTS_CA_BUNDLE="+caPath)
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "200 jane@example.com" {
		t.Fatalf("python3 requests with REQUESTS_CA_BUNDLE: %v\n%s", err, out)
	}
}
