package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Report is the outcome of a run: the baseline, one Result per scenario,
// and the checks of issue 7's targets that this run can decide.
type Report struct {
	Target      string        `json:"target"`   // "in-process" or the --url
	Database    string        `json:"database"` // "sqlite", "postgres", or "" for --url
	Customers   int           `json:"customers"`
	Concurrency int           `json:"concurrency"`
	Duration    time.Duration `json:"duration_ns"`
	// SeedTime is how long seeding took; 0 when nothing was seeded.
	SeedTime time.Duration `json:"seed_ns"`
	// Startup is the time from starting a server on the seeded database
	// to its first /readyz 200; 0 when not measured (--url).
	Startup time.Duration `json:"startup_ns,omitempty"`
	// MaxRSS is the largest resident set size sampled while measuring, in
	// bytes; 0 when not sampled. In-process it covers client and server.
	MaxRSS   int64    `json:"max_rss_bytes,omitempty"`
	Baseline *Result  `json:"baseline"`
	Results  []Result `json:"results"`
	Checks   []Check  `json:"checks"`
}

// Result is one scenario's measurement.
type Result struct {
	Scenario string  `json:"scenario"`
	Requests int64   `json:"requests"`
	RPS      float64 `json:"rps"`
	P50      float64 `json:"p50_ms"`
	P95      float64 `json:"p95_ms"`
	P99      float64 `json:"p99_ms"`
	// Errors are transport errors and unexpected statuses; ServerErrors
	// the 5xx among them, always errors.
	Errors       int64       `json:"errors"`
	ServerErrors int64       `json:"server_errors"`
	Statuses     map[int]int `json:"statuses,omitempty"`
	// Ratio is RPS over the baseline's RPS.
	Ratio float64 `json:"ratio_to_baseline"`
	// CPUPerRequest is the process's CPU time per request, in
	// microseconds (in-process runs only), and CPURatio the baseline's
	// over it: the throughput ratio a machine with no other load would
	// show when both are CPU-bound.
	CPUPerRequest float64 `json:"cpu_us_per_request,omitempty"`
	CPURatio      float64 `json:"cpu_ratio_to_baseline,omitempty"`
	// CacheHitRate is the share of the server's read cache lookups
	// (token and customer) answered from it, when the server says.
	CacheHitRate float64 `json:"cache_hit_rate,omitempty"`
	// FirstError describes one error, to start the diagnosis with.
	FirstError string `json:"first_error,omitempty"`
}

// Check is a target of the issue, decided by this run's ratios.
type Check struct {
	Name   string  `json:"name"`
	Value  float64 `json:"value"`
	Target float64 `json:"target"` // Value must be at least Target
	Met    bool    `json:"met"`
}

// HasErrors reports whether any measurement saw an error or a 5xx: the
// report is then not a measurement of the service working.
func (r *Report) HasErrors() bool {
	all := r.Results
	if r.Baseline != nil {
		all = append([]Result{*r.Baseline}, all...)
	}
	for _, res := range all {
		if res.Errors > 0 || res.ServerErrors > 0 {
			return true
		}
	}
	return false
}

// Result returns the result of a scenario, or nil.
func (r *Report) Result(scenario string) *Result {
	for i := range r.Results {
		if r.Results[i].Scenario == scenario {
			return &r.Results[i]
		}
	}
	return nil
}

// addChecks adds the ratio targets whose two sides were both measured.
func (r *Report) addChecks() {
	ratio := func(name, a, b string, target float64) {
		x, y := r.Result(a), r.Result(b)
		if b == "baseline" {
			y = r.Baseline
		}
		if x == nil || y == nil || y.RPS == 0 {
			return
		}
		v := x.RPS / y.RPS
		r.Checks = append(r.Checks, Check{Name: name, Value: v, Target: target, Met: v >= target})
	}
	ratio("get / baseline req/s", ScenarioGet, "baseline", 0.5)
	ratio("create / create-single-commit req/s", ScenarioCreate, ScenarioCreateSingle, 2)
	ratio("validate / raw bcrypt rate", ScenarioValidate, ScenarioBcrypt, 0.9)
}

// summarize turns latencies (nanoseconds, any order) into a Result.
func summarize(name string, lat []int64, elapsed time.Duration, st *stats) Result {
	slices.Sort(lat)
	res := Result{Scenario: name, Requests: int64(len(lat)), Errors: st.errors, ServerErrors: st.serverErrors,
		Statuses: st.statuses, FirstError: st.firstError}
	if elapsed > 0 {
		res.RPS = float64(len(lat)) / elapsed.Seconds()
	}
	res.P50, res.P95, res.P99 = percentile(lat, 0.50), percentile(lat, 0.95), percentile(lat, 0.99)
	return res
}

// percentile returns the q-quantile of sorted nanoseconds, in milliseconds.
func percentile(sorted []int64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := min(len(sorted)-1, int(q*float64(len(sorted))))
	return float64(sorted[i]) / 1e6
}

// WriteJSON writes the report for machines.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteMarkdown writes the report as a Markdown table, for people and for
// pasting into BENCHMARKS.md.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	db := r.Database
	if db == "" {
		db = "remote"
	}
	fmt.Fprintf(&b, "target: %s (%s), customers: %d, concurrency: %d, duration: %s per scenario\n",
		r.Target, db, r.Customers, r.Concurrency, r.Duration)
	if r.SeedTime > 0 {
		fmt.Fprintf(&b, "seeded in %s\n", r.SeedTime.Round(time.Millisecond))
	}
	if r.Startup > 0 {
		fmt.Fprintf(&b, "start-up on the seeded database to first /readyz 200: %s\n", r.Startup.Round(time.Millisecond/10))
	}
	if r.MaxRSS > 0 {
		fmt.Fprintf(&b, "max resident memory while measuring (client and server): %.0f MB\n", float64(r.MaxRSS)/(1<<20))
	}
	b.WriteString("\n| scenario | req/s | p50 ms | p95 ms | p99 ms | errors | 5xx | vs baseline | CPU µs/req | CPU vs baseline |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	row := func(res Result) {
		cpu, cpuRatio := "-", "-"
		if res.CPUPerRequest > 0 {
			cpu, cpuRatio = fmt.Sprintf("%.0f", res.CPUPerRequest), fmt.Sprintf("%.2fx", res.CPURatio)
		}
		fmt.Fprintf(&b, "| %s | %.0f | %.2f | %.2f | %.2f | %d | %d | %.2fx | %s | %s |\n",
			res.Scenario, res.RPS, res.P50, res.P95, res.P99, res.Errors, res.ServerErrors, res.Ratio, cpu, cpuRatio)
	}
	if r.Baseline != nil {
		row(*r.Baseline)
	}
	for _, res := range r.Results {
		row(res)
	}
	var rates []string
	for _, res := range r.Results {
		if res.CacheHitRate > 0 {
			rates = append(rates, fmt.Sprintf("%s %.1f%%", res.Scenario, 100*res.CacheHitRate))
		}
	}
	if len(rates) > 0 {
		fmt.Fprintf(&b, "\nread cache hit rate (token and customer lookups): %s\n", strings.Join(rates, ", "))
	}
	if len(r.Checks) > 0 {
		b.WriteString("\n| check | value | target | met |\n|---|---:|---:|---|\n")
		for _, c := range r.Checks {
			met := "yes"
			if !c.Met {
				met = "NO"
			}
			fmt.Fprintf(&b, "| %s | %.2fx | >= %.1fx | %s |\n", c.Name, c.Value, c.Target, met)
		}
	}
	for _, res := range r.Results {
		if res.FirstError != "" {
			fmt.Fprintf(&b, "\n%s: first error: %s", res.Scenario, res.FirstError)
		}
	}
	if r.HasErrors() {
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
