// Package contracttest checks HTTP responses seen in tests against BigCommerce's
// OpenAPI document for Customers V2 (shared/spec/customers.v2.yml), with the
// deliberate departures from that document listed in one table (exceptions.go).
//
// HTTP tests call Check on every response they receive; package tests call
// NewChecker directly.
package contracttest

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
)

// SpecEnv names the environment variable that holds the path of the OpenAPI
// document. Use an absolute path: go test runs each package in its own directory.
const SpecEnv = "CUSTOMERSD_CONTRACT_SPEC"

// maxBodyExcerpt bounds the body quoted in a failure: enough to see the
// offending field, short enough to keep test output readable.
const maxBodyExcerpt = 1024

var (
	loadOnce   sync.Once
	processChk *Checker // nil when SpecEnv is unset
	processErr error

	skipOnce sync.Once
)

// Check validates one exchange against the document named by SpecEnv, which it
// reads once per process. When SpecEnv is unset it checks nothing and says so
// once per test binary. A response that breaks the contract is reported with
// tb.Errorf, so the test goes on and can report more.
func Check(tb testing.TB, req *http.Request, status int, header http.Header, body []byte) {
	tb.Helper()
	c, err := processChecker()
	if err != nil {
		tb.Errorf("contracttest: %v", err)
		return
	}
	if c == nil {
		skipOnce.Do(func() {
			tb.Logf("contracttest: %s unset; responses not checked against the OpenAPI document", SpecEnv)
		})
		return
	}
	if err := c.Validate(req, status, header, body); err != nil {
		tb.Errorf("contracttest: %s %s answered %d: %v\nbody: %s",
			req.Method, req.URL.RequestURI(), status, err, excerpt(header, body))
	}
}

// processChecker loads the document named by SpecEnv on first use. Every test
// of the binary shares it: loading and validating the document costs far more
// than checking one response.
func processChecker() (*Checker, error) {
	loadOnce.Do(func() {
		path := os.Getenv(SpecEnv)
		if path == "" {
			return
		}
		processChk, processErr = NewChecker(path)
	})
	return processChk, processErr
}

// excerpt returns the body as a reader wants to see it: decompressed, and cut
// at maxBodyExcerpt bytes.
func excerpt(header http.Header, body []byte) string {
	b, err := decodeBody(header, body)
	if err != nil {
		return fmt.Sprintf("(%d bytes, %v)", len(body), err)
	}
	if len(b) == 0 {
		return "(empty)"
	}
	if len(b) <= maxBodyExcerpt {
		return string(b)
	}
	// The cut may split a UTF-8 sequence; drop the broken tail.
	cut := strings.ToValidUTF8(string(b[:maxBodyExcerpt]), "")
	return fmt.Sprintf("%s... (%d bytes in all)", cut, len(b))
}
