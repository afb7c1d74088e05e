package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/customersd/customersd/loadgen"
)

// BenchCommand measures a V2 server under load (docs in BENCHMARKS.md).
// The command is the flags and the target; loadgen does the measuring.
type BenchCommand struct {
	*Main

	url, store, token string
	database          string
	customers         int
	scenario          string
	concurrency       int
	duration          time.Duration
	json              bool
	cpuprofile        string
	// storeHash is the bench store made in --database, to delete.
	storeHash string
}

// exitError ends the process with a status of its own: bench exits 2 when
// its report shows errors, so scripts tell "slow" from "broken".
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// benchPassword is every seeded customer's password.
const benchPassword = "bench-Passw0rd"

func (c *BenchCommand) parse(args []string) error {
	fs := newFlagSet(c.Main, "bench")
	fs.StringVar(&c.url, "url", "", "base URL of a running server, e.g. http://127.0.0.1:8080 (default: an in-process server)")
	fs.StringVar(&c.store, "store", "", "store hash on --url")
	fs.StringVar(&c.token, "token", "", "access token of --store on --url")
	fs.Var(dsnFlag{&c.database}, "database", "database of the in-process server: a SQLite path or postgres:// URL; a bench store is made in it and deleted afterwards (default: a temporary SQLite file)")
	fs.IntVar(&c.customers, "customers", 10000, "customers (with addresses, and a few groups) to seed before measuring")
	fs.StringVar(&c.scenario, "scenario", "all", "get, get-hot, list, email, count, create, update, validate, mix, a comma-separated list of them, or all (each, then mix; get also runs as get-uncached on SQLite)")
	fs.IntVar(&c.concurrency, "concurrency", 64, "concurrent clients")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "duration of each scenario (the baseline runs for this long too, at most 10s)")
	fs.BoolVar(&c.json, "json", false, "print the report as JSON instead of a Markdown table")
	fs.StringVar(&c.cpuprofile, "cpuprofile", "", "write a CPU profile of the whole run (in-process: client and server) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("bench: unexpected argument %q", fs.Arg(0))
	case !validScenarios(c.scenario):
		return fmt.Errorf("bench: --scenario must be one of %s, a comma-separated list of them, or all, not %q", strings.Join(loadgen.Scenarios, ", "), c.scenario)
	case c.concurrency < 1:
		return errors.New("bench: --concurrency must be at least 1")
	case c.duration <= 0:
		return errors.New("bench: --duration must be positive")
	case c.customers < 0:
		return errors.New("bench: --customers must be 0 or more")
	case c.url != "" && (c.store == "" || c.token == ""):
		return errors.New("bench: --url needs --store and --token")
	case c.url != "" && c.database != "":
		return errors.New("bench: --url and --database exclude each other")
	}
	return nil
}

func (c *BenchCommand) scenarios() []string {
	if c.scenario == "all" {
		return slices.Clone(loadgen.Scenarios)
	}
	return strings.Split(c.scenario, ",")
}

// validScenarios reports whether --scenario names "all", a scenario, or
// a comma-separated list of scenarios, so that one run can measure the
// few a change concerns beside the baseline.
func validScenarios(s string) bool {
	if s == "all" {
		return true
	}
	for name := range strings.SplitSeq(s, ",") {
		if name == "all" || !loadgen.ValidScenario(name) {
			return false
		}
	}
	return true
}

// Run sets up the target, measures, and prints the report. A failure to
// set up is an error (status 1); a report with errors is printed, then
// returned as an exitError of status 2.
func (c *BenchCommand) Run(ctx context.Context, args []string) error {
	if err := c.parse(args); err != nil {
		return err
	}
	if c.cpuprofile != "" {
		f, err := os.Create(c.cpuprofile)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	client := loadgen.NewClient(c.concurrency)
	var rep *loadgen.Report
	var err error
	if c.url != "" {
		rep, err = c.runRemote(ctx, client)
	} else {
		rep, err = c.runInProcess(ctx, client)
	}
	if err != nil {
		return err
	}
	if c.json {
		err = rep.WriteJSON(c.Stdout)
	} else {
		err = rep.WriteMarkdown(c.Stdout)
	}
	if err != nil {
		return err
	}
	if rep.HasErrors() {
		return &exitError{code: 2, err: errors.New("bench: the report has errors")}
	}
	return nil
}

// runRemote measures a running server, seeding it through its API.
func (c *BenchCommand) runRemote(ctx context.Context, client *http.Client) (*loadgen.Report, error) {
	t := &loadgen.Target{StoreURL: strings.TrimSuffix(c.url, "/") + "/stores/" + c.store + "/v2", Token: c.token}
	fx := &loadgen.Fixture{}
	var seedTime time.Duration
	if c.customers > 0 {
		start := time.Now()
		var err error
		fx, err = loadgen.SeedAPI(ctx, client, t, c.customers, c.concurrency, benchPassword, c.progress())
		if err != nil {
			return nil, err
		}
		seedTime = time.Since(start)
	}
	rep, err := loadgen.Run(ctx, client, t, fx, c.config(nil, nil))
	if err != nil {
		return nil, err
	}
	rep.Target, rep.SeedTime = c.url, seedTime
	return rep, nil
}

func (c *BenchCommand) config(rss func() int64, cpu func() time.Duration) loadgen.Config {
	return loadgen.Config{Scenarios: c.scenarios(), Concurrency: c.concurrency, Duration: c.duration, RSS: rss, CPU: cpu}
}

func (c *BenchCommand) progress() *loadgen.Progress {
	return &loadgen.Progress{W: c.Stderr, TTY: isTerminal(c.Stderr), Label: "seeding", Total: c.customers}
}

// isTerminal reports whether w is a character device, where a redrawn
// bar reads well; in a log file it would be noise.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// readRSS returns this process's resident set size from /proc, or 0 where
// there is none.
func readRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb)
			return kb << 10
		}
	}
	return 0
}
