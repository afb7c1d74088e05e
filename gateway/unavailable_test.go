package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/gateway"
	"github.com/customersd/customersd/internal/logbuf"
)

// driverDown stands for a driver's own error type that the Unavailable hook
// recognises (sqlstore.IsUnavailable in production).
type driverDown struct{}

func (driverDown) Error() string { return "dial tcp 10.0.0.9:5432: connection refused" }

type outageFixture struct {
	*httptest.Server
	logs     *logbuf.Buffer
	statuses chan int
	entered  chan struct{}
}

// newOutageFixture mounts an admin-token surface (no database needed) whose
// routes fail the ways a backend outage and a client that leaves make them.
func newOutageFixture(t *testing.T) *outageFixture {
	t.Helper()
	f := &outageFixture{logs: &logbuf.Buffer{}, statuses: make(chan int, 1000), entered: make(chan struct{}, 1)}
	gw := &gateway.Gateway{
		AdminToken:  adminToken,
		Logger:      slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Observe:     func(route string, status int, d time.Duration) { f.statuses <- status },
		Unavailable: func(err error) bool { return errors.As(err, new(driverDown)) },
	}
	fail := func(err error) gateway.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) error { return err }
	}
	s := &gateway.Surface{
		Name: "admin", Auth: gateway.AdminToken, Render: v3Render, Methods: []string{http.MethodGet},
		Routes: []gateway.Route{
			{Pattern: "GET /admin/v1/sentinel", Handler: fail(fmt.Errorf("sqlstore: commit: %w: %w", customersd.ErrUnavailable, errors.New("file deleted")))},
			{Pattern: "GET /admin/v1/driver", Handler: fail(fmt.Errorf("sqlstore: find store: %w", driverDown{}))},
			{Pattern: "GET /admin/v1/bug", Handler: fail(errors.New("nil map"))},
			{Pattern: "GET /admin/v1/ok", Handler: func(w http.ResponseWriter, r *http.Request) error {
				io.WriteString(w, "ok")
				return nil
			}},
			{Pattern: "GET /admin/v1/hang", Handler: func(w http.ResponseWriter, r *http.Request) error {
				f.entered <- struct{}{}
				<-r.Context().Done()
				// What a driver returns when its query's context ends.
				return fmt.Errorf("sqlstore: find customers: %w", r.Context().Err())
			}},
		},
	}
	f.Server = httptest.NewServer(gw.Mount(s))
	t.Cleanup(f.Close)
	return f
}

func (f *outageFixture) get(t *testing.T, path string) result {
	t.Helper()
	req, _ := http.NewRequest("GET", f.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	<-f.statuses // the request is logged once Observe has seen it
	return result{res.StatusCode, res.Header, string(b)}
}

func (f *outageFixture) lines(level, msg string) int {
	n := 0
	for line := range strings.Lines(f.logs.String()) {
		if strings.Contains(line, "level="+level) && strings.Contains(line, "msg=\""+msg+"\"") {
			n++
		}
	}
	return n
}

// TestUnavailable: an outage, marked by customersd.ErrUnavailable or
// recognised by the hook, is a 503 with Retry-After in the surface's shape;
// any other internal error is still a 500.
func TestUnavailable(t *testing.T) {
	f := newOutageFixture(t)
	for _, path := range []string{"/admin/v1/sentinel", "/admin/v1/driver"} {
		res := f.get(t, path).want(t, http.StatusServiceUnavailable, `"status":503`)
		if got := res.header.Get("Retry-After"); got != "5" {
			t.Errorf("%s: Retry-After=%q, want 5", path, got)
		}
		if strings.Contains(res.body, "refused") || strings.Contains(res.body, "deleted") {
			t.Errorf("%s: the 503 shows its cause: %s", path, res.body)
		}
	}
	f.get(t, "/admin/v1/bug").want(t, http.StatusInternalServerError, `"status":500`)
}

// TestUnavailable_LogThrottled: 50 requests failed by an outage write one
// ERROR line, and the first success after it one line with the count.
func TestUnavailable_LogThrottled(t *testing.T) {
	f := newOutageFixture(t)
	for range 50 {
		f.get(t, "/admin/v1/driver").want(t, http.StatusServiceUnavailable, "")
	}
	if n := f.lines("ERROR", "backend unavailable"); n != 1 {
		t.Fatalf("50 failures wrote %d ERROR lines, want 1:\n%s", n, f.logs.String())
	}
	if !strings.Contains(f.logs.String(), "connection refused") {
		t.Errorf("the ERROR line lacks its cause:\n%s", f.logs.String())
	}
	// The first request served after it says the backend is back, once.
	f.get(t, "/admin/v1/ok").want(t, http.StatusOK, "ok")
	f.get(t, "/admin/v1/ok").want(t, http.StatusOK, "ok")
	if n := f.lines("INFO", "backend available again"); n != 1 {
		t.Fatalf("recovery wrote %d lines, want 1:\n%s", n, f.logs.String())
	}
	if !strings.Contains(f.logs.String(), "failed_requests=50 suppressed=49") {
		t.Errorf("the recovery line lacks the counts:\n%s", f.logs.String())
	}
	// Other internal errors are still logged each time.
	f.get(t, "/admin/v1/bug")
	f.get(t, "/admin/v1/bug")
	if n := f.lines("ERROR", "request failed"); n != 2 {
		t.Errorf("2 internal errors wrote %d lines, want 2", n)
	}
}

// TestClientClosedRequest: a request whose client went away is logged and
// observed as 499, never as an ERROR or a 500.
func TestClientClosedRequest(t *testing.T) {
	f := newOutageFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", f.URL+"/admin/v1/hang", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	errc := make(chan error, 1)
	go func() {
		_, err := http.DefaultClient.Do(req)
		errc <- err
	}()
	<-f.entered
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Do=%v, want context.Canceled", err)
	}
	if got := <-f.statuses; got != gateway.StatusClientClosedRequest {
		t.Fatalf("observed status %d, want 499", got)
	}
	logs := f.logs.String()
	if strings.Contains(logs, "level=ERROR") || !strings.Contains(logs, "status=499") {
		t.Fatalf("log of a cancelled request:\n%s", logs)
	}
}
