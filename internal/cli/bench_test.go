package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/customersd/customersd/loadgen"
)

// runBench runs "customersd bench args..." in-process with a fast bcrypt
// cost, returning stdout and Run's error.
func runBench(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := map[string]string{"CUSTOMERSD_BCRYPT_COST": "4"}
	m := &Main{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return env[k] }}
	err := m.Run(context.Background(), append([]string{"bench"}, args...))
	t.Logf("stderr:\n%s", stderr.String())
	return stdout.String(), err
}

// TestBench_InProcess runs every scenario briefly against the in-process
// server and checks the report's shape, not its speed.
func TestBench_InProcess(t *testing.T) {
	out, err := runBench(t, "--customers", "150", "--scenario", "all", "--concurrency", "2", "--duration", "100ms", "--json")
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, out)
	}
	var rep loadgen.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, out)
	}
	if rep.Customers != 150 || rep.Concurrency != 2 || rep.Database != "sqlite" || rep.Target != "in-process" {
		t.Errorf("report header = %+v", rep)
	}
	if rep.Baseline == nil || rep.Baseline.Requests == 0 || rep.Baseline.Ratio != 1 {
		t.Errorf("baseline = %+v, want requests and ratio 1", rep.Baseline)
	}
	want := append(append([]string{}, loadgen.Scenarios...), loadgen.ScenarioCreateSingle, loadgen.ScenarioBcrypt, loadgen.ScenarioGetUncached)
	for _, name := range want {
		res := rep.Result(name)
		if res == nil {
			t.Errorf("no result for %s", name)
			continue
		}
		if res.Requests == 0 || res.Errors != 0 || res.ServerErrors != 0 || res.Ratio <= 0 {
			t.Errorf("%s = %+v, want requests, no errors and a ratio", name, res)
		}
	}
	// get-hot reads the same few customers again and again: the read
	// cache answers most; the uncached server's lookups are not counted.
	if hot := rep.Result(loadgen.ScenarioGetHot); hot == nil || hot.CacheHitRate <= 0 {
		t.Errorf("get-hot = %+v, want a cache hit rate", hot)
	}
	if unc := rep.Result(loadgen.ScenarioGetUncached); unc != nil && unc.CacheHitRate != 0 {
		t.Errorf("get-uncached = %+v, want no cache hits counted", unc)
	}
	if len(rep.Checks) != 3 {
		t.Errorf("checks = %+v, want get, create and validate", rep.Checks)
	}
	if rep.Startup <= 0 || rep.SeedTime <= 0 {
		t.Errorf("startup %v, seed %v: want both measured", rep.Startup, rep.SeedTime)
	}
}

func TestBench_Markdown(t *testing.T) {
	out, err := runBench(t, "--customers", "20", "--scenario", "count", "--concurrency", "1", "--duration", "50ms")
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, out)
	}
	for _, want := range []string{"| scenario | req/s |", "| baseline |", "| count |"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

// TestBench_ServerErrors: a server answering 500 gives a printed report
// and exit status 2.
func TestBench_ServerErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "broken", http.StatusInternalServerError)
	}))
	defer srv.Close()
	out, err := runBench(t, "--url", srv.URL, "--store", "s", "--token", "t", "--customers", "0",
		"--scenario", "count", "--concurrency", "2", "--duration", "50ms")
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 2 {
		t.Fatalf("err = %v, want an exit status of 2", err)
	}
	if !strings.Contains(out, "| count |") || !strings.Contains(out, "first error") {
		t.Errorf("report not printed before failing:\n%s", out)
	}
}

// A comma-separated --scenario runs just those scenarios, and get its
// uncached twin, beside the baseline.
func TestBench_ScenarioList(t *testing.T) {
	out, err := runBench(t, "--customers", "20", "--scenario", "get-hot,count", "--concurrency", "1", "--duration", "50ms", "--json")
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, out)
	}
	var rep loadgen.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, out)
	}
	var got []string
	for _, res := range rep.Results {
		got = append(got, res.Scenario)
	}
	if want := []string{"get-hot", "count"}; !slices.Equal(got, want) || rep.Baseline == nil {
		t.Errorf("scenarios = %v (baseline %v), want %v and a baseline", got, rep.Baseline != nil, want)
	}
}

func TestBench_Usage(t *testing.T) {
	for _, args := range [][]string{
		{"--scenario", "nope"},
		{"--scenario", "get,nope"},
		{"--scenario", "get,all"},
		{"--scenario", "get,"},
		{"--concurrency", "0"},
		{"--url", "http://127.0.0.1:1"},
		{"--url", "http://127.0.0.1:1", "--store", "s", "--token", "t", "--database", "x.db"},
	} {
		_, err := runBench(t, args...)
		var ee *exitError
		if err == nil || errors.As(err, &ee) {
			t.Errorf("bench %v: err = %v, want a usage error (status 1)", args, err)
		}
	}
}
