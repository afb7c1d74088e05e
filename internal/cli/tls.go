package cli

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/customersd/customersd/gateway"
)

// TLSConfig is the HTTPS part of Config: a listener of its own beside Addr,
// serving the same handler, with a given certificate or one from a local CA
// that customersd makes (tlsca.go). Several BigCommerce clients hard-code
// https://, so they can only talk to a server that speaks TLS.
type TLSConfig struct {
	// Addr is the HTTPS listen address; empty: no HTTPS.
	Addr string
	// Cert and Key are PEM files of a given certificate and its key.
	Cert, Key string
	// SelfSigned makes (once) a local CA and a server certificate it signs,
	// kept in Dir and reused across restarts.
	SelfSigned bool
	// Dir holds the self-signed files; empty: a "tls" folder beside the
	// SQLite file, or ./tls with PostgreSQL.
	Dir string
	// Hosts are names and addresses the self-signed certificate covers
	// besides localhost, 127.0.0.1 and ::1.
	Hosts []string
	// BigCommerceHosts adds api.bigcommerce.com and login.bigcommerce.com,
	// for clients that cannot be given a base URL: map those names to
	// this server in /etc/hosts.
	BigCommerceHosts bool
}

// bigCommerceHosts are the names BigCommerce's own clients call.
var bigCommerceHosts = []string{"api.bigcommerce.com", "login.bigcommerce.com"}

// tlsFlags registers the --tls-* flags with their environment twins.
func (c *ServeCommand) tlsFlags(fs *flag.FlagSet, cfg *TLSConfig) error {
	fs.StringVar(&cfg.Addr, "tls-addr", c.Getenv("CUSTOMERSD_TLS_ADDR"), "serve HTTPS on this address too, e.g. 127.0.0.1:8443; needs --tls-cert and --tls-key, or --tls-self-signed (env CUSTOMERSD_TLS_ADDR)")
	fs.StringVar(&cfg.Cert, "tls-cert", c.Getenv("CUSTOMERSD_TLS_CERT"), "PEM certificate (chain) for --tls-addr (env CUSTOMERSD_TLS_CERT)")
	fs.StringVar(&cfg.Key, "tls-key", c.Getenv("CUSTOMERSD_TLS_KEY"), "PEM private key of --tls-cert (env CUSTOMERSD_TLS_KEY)")
	selfSigned, err := envBool(c.Getenv, "CUSTOMERSD_TLS_SELF_SIGNED")
	if err != nil {
		return err
	}
	fs.BoolVar(&cfg.SelfSigned, "tls-self-signed", selfSigned, "make a local CA and a server certificate for --tls-addr, kept in --tls-dir and reused (env CUSTOMERSD_TLS_SELF_SIGNED)")
	fs.StringVar(&cfg.Dir, "tls-dir", c.Getenv("CUSTOMERSD_TLS_DIR"), "folder of ca.pem, server.pem and server-key.pem for --tls-self-signed; default: tls beside the SQLite file, ./tls with PostgreSQL (env CUSTOMERSD_TLS_DIR)")
	cfg.Hosts = splitList(c.Getenv("CUSTOMERSD_TLS_HOSTS"))
	fs.Func("tls-hosts", "comma-separated host names or addresses the self-signed certificate covers besides localhost, 127.0.0.1 and ::1 (env CUSTOMERSD_TLS_HOSTS)", func(s string) error {
		cfg.Hosts = splitList(s)
		return nil
	})
	bc, err := envBool(c.Getenv, "CUSTOMERSD_TLS_BIGCOMMERCE_HOSTS")
	if err != nil {
		return err
	}
	fs.BoolVar(&cfg.BigCommerceHosts, "tls-bigcommerce-hosts", bc, "the self-signed certificate also covers api.bigcommerce.com and login.bigcommerce.com, for clients that hard-code them: map them to this server in /etc/hosts (env CUSTOMERSD_TLS_BIGCOMMERCE_HOSTS)")
	return nil
}

func (cfg *TLSConfig) validate() error {
	given := cfg.Cert != "" || cfg.Key != ""
	switch {
	case cfg.Addr == "" && (given || cfg.SelfSigned):
		return errors.New("--tls-cert, --tls-key and --tls-self-signed need --tls-addr, the HTTPS listen address")
	case cfg.Addr == "":
		return nil
	case given && cfg.SelfSigned:
		return errors.New("give either --tls-cert and --tls-key or --tls-self-signed, not both")
	case given && (cfg.Cert == "" || cfg.Key == ""):
		return errors.New("--tls-cert and --tls-key go together")
	case !given && !cfg.SelfSigned:
		return errors.New("--tls-addr needs --tls-cert and --tls-key, or --tls-self-signed")
	}
	for _, h := range cfg.Hosts {
		if net.ParseIP(h) == nil && (strings.Contains(h, ":") || !gateway.ValidHost(h)) {
			return fmt.Errorf("--tls-hosts: %q is not a host name or an IP address", h)
		}
	}
	return nil
}

// certHosts are the names and addresses of the self-signed certificate.
func (cfg *TLSConfig) certHosts() []string {
	hosts := append([]string{"localhost", "127.0.0.1", "::1"}, cfg.Hosts...)
	if cfg.BigCommerceHosts {
		hosts = append(hosts, bigCommerceHosts...)
	}
	return hosts
}

// tlsDir is --tls-dir, or its default for the database dsn.
func (cfg *TLSConfig) tlsDir(dsn string) string {
	if cfg.Dir != "" {
		return cfg.Dir
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return "tls"
	}
	// The same reading of a SQLite dsn as sqlstore's.
	path := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:"), "//")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	return filepath.Join(filepath.Dir(path), "tls")
}

// withTLS adds the HTTPS server of --tls-addr to servers, serving the
// handler of the first (the API), behind a connection cap of its own.
func (c *ServeCommand) withTLS(servers []served, logger *slog.Logger) ([]served, error) {
	cfg := &c.Config.TLS
	if cfg.Addr == "" {
		return servers, nil
	}
	cert, err := c.loadTLSCertificate(logger)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen for HTTPS: %w", err)
	}
	limited := newConnLimiter(ln, c.maxConns(), logger)
	srv := c.newHTTPServer(logger, servers[0].srv.Handler)
	srv.ConnState = func(conn net.Conn, state http.ConnState) {
		if tc, ok := conn.(*tls.Conn); ok {
			conn = tc.NetConn() // the limiter knows the connection under TLS
		}
		limited.connState(conn, state)
	}
	tcfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"h2", "http/1.1"}}
	srv.TLSConfig = tcfg
	logger.Info("customersd HTTPS listening", slog.String("addr", ln.Addr().String()))
	if c.TLSReady != nil {
		c.TLSReady(ln.Addr().String())
	}
	return append(servers, served{srv: srv, ln: tls.NewListener(limited, tcfg)}), nil
}

// loadTLSCertificate reads the given certificate, or makes or reuses the
// self-signed one and says how to trust its CA.
func (c *ServeCommand) loadTLSCertificate(logger *slog.Logger) (tls.Certificate, error) {
	cfg := &c.Config.TLS
	if !cfg.SelfSigned {
		cert, err := tls.LoadX509KeyPair(cfg.Cert, cfg.Key)
		if err != nil {
			return tls.Certificate{}, fmt.Errorf("--tls-cert %s, --tls-key %s: %w", cfg.Cert, cfg.Key, err)
		}
		return cert, nil
	}
	files, err := ensureSelfSigned(cfg.tlsDir(c.Config.Database), cfg.certHosts(), time.Now())
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("--tls-self-signed: %w", err)
	}
	for _, what := range files.made {
		logger.Info("customersd TLS: made "+what, slog.String("dir", files.dir))
	}
	printTrust(c.Stdout, files.ca)
	cert, err := tls.LoadX509KeyPair(files.cert, files.key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("--tls-self-signed: %w", err)
	}
	return cert, nil
}

// printTrust says where the CA is and how each kind of client trusts it.
func printTrust(w io.Writer, ca string) {
	fmt.Fprintf(w, `
customersd: HTTPS uses a certificate from a local CA: %[1]s
Trust that CA in the clients of your tests (it signs nothing else):
  Python (requests):      export REQUESTS_CA_BUNDLE=%[1]s
  Node.js:                export NODE_EXTRA_CA_CERTS=%[1]s
  OpenSSL, Ruby, Go, PHP: export SSL_CERT_FILE=%[1]s
  curl:                   curl --cacert %[1]s ...
REQUESTS_CA_BUNDLE and SSL_CERT_FILE replace the system's CAs for that process.

`, ca)
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// envBool reads a boolean variable; unset is false.
func envBool(getenv func(string) string, name string) (bool, error) {
	v := getenv(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s: want true or false, not %q", name, v)
	}
	return b, nil
}
