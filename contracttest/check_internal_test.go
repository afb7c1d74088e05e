package contracttest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// recordingTB records what Check reports instead of failing the test.
type recordingTB struct {
	testing.TB
	errors, logs []string
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recordingTB) Logf(format string, args ...any) {
	r.logs = append(r.logs, fmt.Sprintf(format, args...))
}

// resetProcessChecker forgets the document Check loaded, so a test can change SpecEnv.
func resetProcessChecker(t *testing.T) {
	loadOnce, processChk, processErr, skipOnce = sync.Once{}, nil, nil, sync.Once{}
	t.Cleanup(func() { loadOnce, processChk, processErr, skipOnce = sync.Once{}, nil, nil, sync.Once{} })
}

func TestCheck_Unset(t *testing.T) {
	resetProcessChecker(t)
	t.Setenv(SpecEnv, "")
	rec := &recordingTB{TB: t}
	req := httptest.NewRequest("GET", "/stores/abc/v2/customers/1", nil)
	Check(rec, req, 200, http.Header{}, []byte("not even JSON"))
	Check(rec, req, 200, http.Header{}, []byte("not even JSON"))
	if len(rec.errors) != 0 {
		t.Fatalf("Check reported %q with %s unset", rec.errors, SpecEnv)
	}
	if len(rec.logs) != 1 || !strings.Contains(rec.logs[0], "unset") || !strings.Contains(rec.logs[0], "not checked") {
		t.Fatalf("logs = %q, want one that says the check was skipped", rec.logs)
	}
}

func TestCheck_Reports(t *testing.T) {
	path := mustSpec(t)
	resetProcessChecker(t)
	t.Setenv(SpecEnv, path)
	rec := &recordingTB{TB: t}
	req := httptest.NewRequest("GET", "/stores/abc/v2/customers/count?page=2", nil)
	Check(rec, req, 200, http.Header{"Content-Type": {"application/json"}}, []byte(`{"count":3}`))
	if len(rec.errors) != 0 {
		t.Fatalf("Check reported a valid exchange: %q", rec.errors)
	}
	body := `{"count":"three"}` + strings.Repeat(" ", 2*maxBodyExcerpt)
	Check(rec, req, 200, http.Header{"Content-Type": {"application/json"}}, []byte(body))
	if len(rec.errors) != 1 {
		t.Fatalf("errors = %q, want one", rec.errors)
	}
	msg := rec.errors[0]
	for _, want := range []string{"GET", "/stores/abc/v2/customers/count?page=2", "200", `Error at "/count"`, `{"count":"three"}`, "bytes in all"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
	if len(msg) > 2*maxBodyExcerpt {
		t.Errorf("error is %d bytes long; the body should be cut", len(msg))
	}
}

func TestCheck_BadSpec(t *testing.T) {
	resetProcessChecker(t)
	t.Setenv(SpecEnv, filepath.Join(t.TempDir(), "missing.yml"))
	rec := &recordingTB{TB: t}
	Check(rec, httptest.NewRequest("GET", "/stores/abc/v2/customers", nil), 204, http.Header{}, nil)
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "missing.yml") {
		t.Fatalf("errors = %q, want one naming the document", rec.errors)
	}
}

func TestErrorShapes_Valid(t *testing.T) {
	for _, s := range []*openapi3.Schema{appErrorSchema, gatewayErrorSchema} {
		if err := s.Validate(context.Background()); err != nil {
			t.Errorf("%s: %v", shapeName(s), err)
		}
	}
}

func TestV2Path(t *testing.T) {
	tests := []struct {
		in         string
		hash, path string
		ok         bool
	}{
		{"/stores/abc/v2/customers", "abc", "/customers", true},
		{"/stores/abc/v2/customers/", "abc", "/customers", true},
		{"/stores/abc/v2/customers.json", "abc", "/customers", true},
		{"/stores/abc/v2/customers/5.json", "abc", "/customers/5", true},
		{"/stores/abc/v2/customers/5/addresses.json/", "abc", "/customers/5/addresses", true},
		{"/stores/abc/v2", "abc", "/", true},
		{"/stores/abc/v2/", "abc", "/", true},
		{"/stores/abc/v3/customers", "", "", false},
		{"/stores//v2/customers", "", "", false},
		{"/stores/abc", "", "", false},
		{"/healthz", "", "", false},
		{"/admin/stores/abc/v2/customers", "", "", false},
	}
	for _, tt := range tests {
		hash, path, ok := v2Path(tt.in)
		if hash != tt.hash || path != tt.path || ok != tt.ok {
			t.Errorf("v2Path(%q) = %q, %q, %v; want %q, %q, %v", tt.in, hash, path, ok, tt.hash, tt.path, tt.ok)
		}
	}
}

// Every row says what it matches and why, and does exactly one kind of thing.
func TestExceptions_Rows(t *testing.T) {
	for _, e := range exceptions {
		if e.match == "" || len(e.reason) < 20 {
			t.Errorf("row %q: needs what it matches and a reason", e.match)
		}
		if e.alias != nil && (e.load != nil || e.decide != nil) {
			t.Errorf("row %q: an alias row does nothing else", e.match)
		}
		if e.alias == nil && e.load == nil && e.decide == nil {
			t.Errorf("row %q: does nothing", e.match)
		}
	}
}

func mustSpec(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv(SpecEnv); p != "" {
		return p
	}
	p := filepath.Join("..", "..", "shared", "spec", "customers.v2.yml")
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("no OpenAPI document: set %s or provide %s", SpecEnv, p)
	}
	return p
}
