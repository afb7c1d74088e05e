package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

// HealthcheckCommand asks a running server whether it is ready, for images
// without curl (the Containerfile's HEALTHCHECK): customersd healthcheck.
// It exits 0 when the URL answers 200, and 1 otherwise.
type HealthcheckCommand struct {
	*Main
}

// Run implements "customersd healthcheck".
func (c *HealthcheckCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet(c.Main, "healthcheck")
	url := fs.String("url", envOr(c.Getenv, "CUSTOMERSD_HEALTHCHECK_URL", defaultHealthURL(envOr(c.Getenv, "CUSTOMERSD_ADDR", "127.0.0.1:8080"))),
		"URL that must answer 200; the default is /readyz on CUSTOMERSD_ADDR, reached over loopback (env CUSTOMERSD_HEALTHCHECK_URL)")
	timeout := fs.Duration("timeout", 5*time.Second, "give up after this long")
	caFile := fs.String("ca", c.Getenv("CUSTOMERSD_HEALTHCHECK_CA"), "PEM file of the CA to trust for an https URL, e.g. the ca.pem of --tls-self-signed (env CUSTOMERSD_HEALTHCHECK_CA)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	client := &http.Client{Timeout: *timeout}
	if *caFile != "" {
		pool, err := loadCAPool(*caFile)
		if err != nil {
			return fmt.Errorf("healthcheck: %w", err)
		}
		client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: GET %s: %s %s", *url, res.Status, body)
	}
	fmt.Fprintf(c.Stdout, "%s: %s %s", *url, res.Status, body)
	return nil
}

// defaultHealthURL is /readyz on the listen address addr. A wildcard host
// (":8080", "0.0.0.0:8080", "[::]:8080") is reached on loopback, which is
// where a container's health check runs.
func defaultHealthURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr + "/readyz"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/readyz"
}

// loadCAPool reads PEM certificates from path into a pool of their own.
func loadCAPool(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, errors.New(path + ": no PEM certificate in it")
	}
	return pool, nil
}
