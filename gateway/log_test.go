package gateway_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/customersd/customersd/fault"
	"github.com/customersd/customersd/gateway"
	"github.com/customersd/customersd/internal/logbuf"
)

// requestLines returns the access log lines of a text log.
func requestLines(logs string) []string {
	var lines []string
	for line := range strings.Lines(logs) {
		if strings.Contains(line, " msg=request ") {
			lines = append(lines, strings.TrimSuffix(line, "\n"))
		}
	}
	return lines
}

// TestAccessLog_Text pins the access log line, field by field and in
// order, as the text handler of `customersd serve` writes it: with the
// store and the account once known, and the fault rule that fired.
func TestAccessLog_Text(t *testing.T) {
	f := newFixture(t)
	f.get(t, "GET", "/stores/store1/v3/hooks", "X-Auth-Token", f.full, "X-Request-ID", "req-1").want(t, http.StatusOK, "data")
	f.get(t, "GET", "/stores/store1/v3/hooks?email=x@example.com", "X-Auth-Token", "nope", "X-Request-ID", "req-2").want(t, http.StatusUnauthorized, "")
	f.get(t, "DELETE", "/stores/store1/v3/hooks", "X-Auth-Token", f.full, "X-Request-ID", "req-3").want(t, http.StatusMethodNotAllowed, "")
	rule := f.gw.Faults.Add(f.store1, fault.Rule{Route: "/hooks", Status: http.StatusServiceUnavailable, Times: 1})
	f.get(t, "GET", "/stores/store1/v3/hooks", "X-Auth-Token", f.full, "X-Request-ID", "req-4").want(t, http.StatusServiceUnavailable, "")
	f.get(t, "GET", "/stores/store1/storefront/account.php", "X-Request-ID", "req-5").want(t, http.StatusOK, "store1")

	const head = `^time=\S+ level=INFO msg=request `
	const tail = ` duration=\d[\d.]*[µnm]?s remote=127\.0\.0\.1:\d+`
	want := []string{
		head + `request_id=req-1 surface=v3 method=GET path=/stores/store1/v3/hooks route="GET /stores/{store_hash}/v3/hooks" status=200 bytes=\d+` + tail + ` store=store1 client_id=\S+$`,
		head + `request_id=req-2 surface=v3 method=GET path=/stores/store1/v3/hooks route="GET /stores/{store_hash}/v3/hooks" status=401 bytes=\d+` + tail + `$`,
		head + `request_id=req-3 surface=v3 method=DELETE path=/stores/store1/v3/hooks route="" status=405 bytes=\d+` + tail + ` store=store1 client_id=\S+$`,
		head + `request_id=req-4 surface=v3 method=GET path=/stores/store1/v3/hooks route="GET /stores/{store_hash}/v3/hooks" status=503 bytes=\d+` + tail + ` store=store1 client_id=\S+ fault=` + rule.ID + `$`,
		head + `request_id=req-5 surface=storefront method=GET path=/stores/store1/storefront/account.php route="GET /stores/{store_hash}/storefront/account.php" status=200 bytes=15` + tail + ` store=store1$`,
	}
	lines := requestLines(f.logs.String())
	if len(lines) != len(want) {
		t.Fatalf("%d request lines, want %d:\n%s", len(lines), len(want), f.logs)
	}
	for i, w := range want {
		if !regexp.MustCompile(w).MatchString(lines[i]) {
			t.Errorf("line %d:\n%s\nwant\n%s", i, lines[i], w)
		}
	}
}

// TestAccessLog_JSON: the JSON handler gets the same fields, and a handler
// that adds the source finds the gateway's log call; a logger whose level
// leaves INFO out writes no request line, and Observe still sees the
// request.
func TestAccessLog_JSON(t *testing.T) {
	logs := &logbuf.Buffer{}
	seen := &observed{}
	ping := gateway.Route{Pattern: "GET /admin/v1/ping", Handler: func(w http.ResponseWriter, r *http.Request) error {
		io.WriteString(w, "pong")
		return nil
	}}
	mount := func(logger *slog.Logger) http.Handler {
		gw := &gateway.Gateway{AdminToken: adminToken, Logger: logger, Observe: seen.observe}
		return gw.Mount(&gateway.Surface{Name: "admin", Auth: gateway.AdminToken, Render: v3Render, Routes: []gateway.Route{ping}})
	}
	serve := func(h http.Handler) {
		req := httptest.NewRequest("GET", "/admin/v1/ping?q=1", nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		req.Header.Set("X-Request-ID", "req-json")
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	serve(mount(slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{AddSource: true}))))

	line := logs.String()
	var keys []string
	dec := json.NewDecoder(strings.NewReader(line))
	dec.Token()
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var skip json.RawMessage
		dec.Decode(&skip)
	}
	if got := strings.Join(keys, ","); got != "time,level,source,msg,request_id,surface,method,path,route,status,bytes,duration,remote" {
		t.Errorf("keys %s in %s", got, line)
	}
	var v struct {
		Level, Msg, RequestID, Surface, Method, Path, Route, Remote string
		Status, Bytes                                               int
		Duration                                                    int64
		Source                                                      struct{ Function, File string }
	}
	if err := json.Unmarshal([]byte(line), &v); err != nil {
		t.Fatal(err)
	}
	if v.Level != "INFO" || v.Msg != "request" || v.Surface != "admin" || v.Method != "GET" || v.Path != "/admin/v1/ping" ||
		v.Route != "GET /admin/v1/ping" || v.Status != 200 || v.Bytes != 4 || v.Duration <= 0 || v.Remote != "192.0.2.1:1234" {
		t.Errorf("line %s", line)
	}
	if v.Source.Function != "github.com/customersd/customersd/gateway.(*pipeline).logRequest" || !strings.HasSuffix(v.Source.File, "gateway/log.go") {
		t.Errorf("source %+v", v.Source)
	}

	quiet := &logbuf.Buffer{}
	serve(mount(slog.New(slog.NewTextHandler(quiet, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	if quiet.String() != "" {
		t.Errorf("logged at WARN: %s", quiet)
	}
	if route, code := seen.last(); route != "GET /admin/v1/ping" || code != http.StatusOK || len(seen.codes) != 2 {
		t.Errorf("observed %v %v", seen.routes, seen.codes)
	}
}
