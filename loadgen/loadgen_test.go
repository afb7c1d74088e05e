package loadgen_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/customersd/customersd/loadgen"
)

// fakeV2 answers every request with what the scenario expects, except
// that it fails the paths in fail with fail's status.
func fakeV2(fail map[string]int) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for prefix, status := range fail {
			if strings.Contains(r.URL.Path, prefix) {
				w.WriteHeader(status)
				return
			}
		}
		if r.Header.Get("X-Auth-Token") != "tok" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/customers") {
			w.WriteHeader(http.StatusCreated)
		}
		fmt.Fprint(w, `{"id":1,"email":"a@example.com"}`)
	}))
}

func fixture() *loadgen.Fixture {
	return &loadgen.Fixture{Customers: 10, ID: func(i int) int64 { return int64(i + 1) },
		Email: func(i int) string { return fmt.Sprintf("c%d@example.com", i) }, Password: "pw"}
}

func TestRun(t *testing.T) {
	srv := fakeV2(nil)
	defer srv.Close()
	target := &loadgen.Target{StoreURL: srv.URL + "/stores/s/v2", Token: "tok"}
	cfg := loadgen.Config{Scenarios: loadgen.Scenarios, Concurrency: 2, Duration: 50 * time.Millisecond}
	rep, err := loadgen.Run(context.Background(), loadgen.NewClient(2), target, fixture(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if rep.HasErrors() {
		t.Fatalf("errors against a server that answers well: %+v", rep.Results)
	}
	if len(rep.Results) != len(loadgen.Scenarios) {
		t.Fatalf("%d results, want one per scenario", len(rep.Results))
	}
	for _, res := range rep.Results {
		if res.Requests == 0 || res.RPS <= 0 || res.P50 > res.P99 || res.Ratio <= 0 {
			t.Errorf("%s: %+v", res.Scenario, res)
		}
	}
	var md, js bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil || !strings.Contains(md.String(), "| mix |") {
		t.Errorf("markdown: %v\n%s", err, md.String())
	}
	if err := rep.WriteJSON(&js); err != nil || !strings.Contains(js.String(), `"scenario": "mix"`) {
		t.Errorf("json: %v\n%s", err, js.String())
	}
}

// TestRun_Errors: 5xx are errors, counted apart too, and so are
// unexpected statuses such as a 401.
func TestRun_Errors(t *testing.T) {
	srv := fakeV2(map[string]int{"/customers/count": http.StatusServiceUnavailable})
	defer srv.Close()
	target := &loadgen.Target{StoreURL: srv.URL + "/stores/s/v2", Token: "tok"}
	cfg := loadgen.Config{Scenarios: []string{loadgen.ScenarioCount, loadgen.ScenarioGet}, Concurrency: 1, Duration: 30 * time.Millisecond}
	rep, err := loadgen.Run(context.Background(), loadgen.NewClient(1), target, fixture(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	count, get := rep.Result(loadgen.ScenarioCount), rep.Result(loadgen.ScenarioGet)
	if count.Errors == 0 || count.ServerErrors != count.Errors || count.FirstError == "" {
		t.Errorf("count = %+v, want every request a 5xx error", count)
	}
	if get.Errors != 0 || !rep.HasErrors() {
		t.Errorf("get = %+v, HasErrors = %v", get, rep.HasErrors())
	}

	ok := fakeV2(nil)
	defer ok.Close()
	target = &loadgen.Target{StoreURL: ok.URL + "/stores/s/v2", Token: "wrong"}
	rep, err = loadgen.Run(context.Background(), loadgen.NewClient(1), target, &loadgen.Fixture{}, loadgen.Config{
		Scenarios: []string{loadgen.ScenarioCount}, Concurrency: 1, Duration: 30 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if c := rep.Result(loadgen.ScenarioCount); c.Errors == 0 || c.ServerErrors != 0 {
		t.Errorf("401s: %+v, want errors that are not 5xx", c)
	}
}

func TestProgress_Plain(t *testing.T) {
	var b bytes.Buffer
	p := &loadgen.Progress{W: &b, Label: "seeding", Total: 1000}
	for i := 1; i <= 1000; i++ {
		p.Update(i)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 10 || lines[9] != "seeding: 100% (1000/1000)" {
		t.Errorf("got %d lines, want one per 10%%:\n%s", len(lines), b.String())
	}
}
