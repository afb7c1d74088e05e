// Package loadgen is the load generator behind "customersd bench": it drives
// a V2 server over real HTTP, closed-loop, with a fixed number of clients,
// and measures a bare net/http handler with the same client in the same
// process, so that every figure can be read as a ratio to what the machine
// does at best. Ratios, not absolute rates, survive a noisy shared machine.
package loadgen

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"sync"
	"time"
)

// Fixture is what the target holds that the scenarios read.
type Fixture struct {
	// Customers is how many seeded customers ID and Email can name.
	Customers int
	// ID and Email give the ID and email of the i-th seeded customer.
	ID    func(i int) int64
	Email func(i int) string
	// Password is every seeded customer's password, and PasswordHash its
	// hash, for the raw bcrypt rate.
	Password     string
	PasswordHash string
}

// Target is a V2 store to drive.
type Target struct {
	// StoreURL is the store's V2 root: http://HOST/stores/HASH/v2.
	StoreURL string
	Token    string
	// SingleCommit, when set, is the same store behind a server that
	// commits each write alone; create then also runs against it.
	SingleCommit *Target
	// Uncached, when set, is the same store behind a server whose read
	// cache is off; get then also runs against it.
	Uncached *Target
}

// Config is a run.
type Config struct {
	Scenarios   []string
	Concurrency int
	Duration    time.Duration
	// RSS, when set, returns the resident set size in bytes; it is
	// sampled while measuring.
	RSS func() int64
	// CPU, when set, returns the CPU time this process has used. In
	// process (client and server in one), CPU per request is the cost
	// that other load on a shared machine does not distort.
	CPU func() time.Duration
	// Cache, when set, returns the server's read cache hits and misses so
	// far; each result then says its hit rate.
	Cache func() (hits, misses int64)
}

// NewClient returns the HTTP client of every measurement: keep-alive with
// a connection per concurrent client, as a real integration would hold.
func NewClient(concurrency int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 2 * concurrency
	t.MaxIdleConnsPerHost = 2 * concurrency
	return &http.Client{Transport: t, Timeout: time.Minute}
}

// Run measures the baseline, then each scenario, and returns the report
// (without the fields only the caller knows: target, database, seeding).
func Run(ctx context.Context, client *http.Client, t *Target, fx *Fixture, cfg Config) (*Report, error) {
	if cfg.Concurrency < 1 || cfg.Duration <= 0 {
		return nil, errors.New("loadgen: concurrency and duration must be positive")
	}
	body, err := sampleBody(ctx, client, t, fx)
	if err != nil {
		return nil, err
	}
	rep := &Report{Customers: fx.Customers, Concurrency: cfg.Concurrency, Duration: cfg.Duration}
	sampler := &rssSampler{read: cfg.RSS}
	base, err := measureBaseline(ctx, client, body, cfg)
	if err != nil {
		return nil, err
	}
	base.Ratio, base.CPURatio = 1, 1
	rep.Baseline = &base
	for _, sc := range cfg.Scenarios {
		// A fresh run ID per measurement keeps created emails unique
		// across scenarios, runs and targets sharing a database.
		run := newRunID()
		if needsCustomers(sc) && fx.Customers == 0 {
			return nil, fmt.Errorf("loadgen: scenario %s needs seeded customers (--customers)", sc)
		}
		res := measure(ctx, sc, cfg, sampler, func(w int) func() (int, error) { return httpDo(ctx, client, t, fx, sc, run, w) })
		rep.Results = append(rep.Results, res)
		if sc == ScenarioGet && t.Uncached != nil {
			rep.Results = append(rep.Results, measure(ctx, ScenarioGetUncached, cfg, sampler, func(w int) func() (int, error) {
				return httpDo(ctx, client, t.Uncached, fx, ScenarioGetUncached, run, w)
			}))
		}
		if sc == ScenarioCreate && t.SingleCommit != nil {
			single := measure(ctx, ScenarioCreateSingle, cfg, sampler, func(w int) func() (int, error) {
				return httpDo(ctx, client, t.SingleCommit, fx, ScenarioCreateSingle, run+"s", w)
			})
			rep.Results = append(rep.Results, single)
		}
		if sc == ScenarioValidate && fx.PasswordHash != "" {
			rep.Results = append(rep.Results, measureBcrypt(ctx, fx, cfg))
		}
	}
	for i := range rep.Results {
		res := &rep.Results[i]
		if base.RPS > 0 {
			res.Ratio = res.RPS / base.RPS
		}
		if res.CPUPerRequest > 0 {
			res.CPURatio = base.CPUPerRequest / res.CPUPerRequest
		}
	}
	rep.MaxRSS = sampler.max
	rep.addChecks()
	return rep, ctx.Err()
}

// stats counts the outcomes of one worker, merged after the run.
type stats struct {
	errors, serverErrors int64
	statuses             map[int]int
	firstError           string
}

func (s *stats) merge(o *stats) {
	s.errors += o.errors
	s.serverErrors += o.serverErrors
	for k, v := range o.statuses {
		s.statuses[k] += v
	}
	if s.firstError == "" {
		s.firstError = o.firstError
	}
}

// measure runs cfg.Concurrency workers for cfg.Duration. newOp gives each
// worker its operation, which returns the HTTP status (0 for none) and an
// error when the outcome is not what the scenario expects.
func measure(ctx context.Context, name string, cfg Config, sampler *rssSampler, newOp func(worker int) func() (int, error)) Result {
	ctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	stopSampling := sampler.start()
	var cpu0 time.Duration
	if cfg.CPU != nil {
		cpu0 = cfg.CPU()
	}
	var hits0, misses0 int64
	if cfg.Cache != nil {
		hits0, misses0 = cfg.Cache()
	}
	lats := make([][]int64, cfg.Concurrency)
	sts := make([]*stats, cfg.Concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range cfg.Concurrency {
		op := newOp(w)
		st := &stats{statuses: map[int]int{}}
		sts[w] = st
		wg.Go(func() {
			lat := make([]int64, 0, 4096)
			for ctx.Err() == nil {
				t0 := time.Now()
				status, err := op()
				d := time.Since(t0)
				if status == 0 && err == nil {
					break // an operation that declined to start: the run is over
				}
				lat = append(lat, int64(d))
				if status != 0 {
					st.statuses[status]++
				}
				if status >= 500 {
					st.serverErrors++
				}
				if err != nil {
					st.errors++
					if st.firstError == "" {
						st.firstError = err.Error()
					}
				}
			}
			lats[w] = lat
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	var cpu time.Duration
	if cfg.CPU != nil {
		cpu = cfg.CPU() - cpu0
	}
	stopSampling()
	var all []int64
	total := &stats{statuses: map[int]int{}}
	for w := range lats {
		all = append(all, lats[w]...)
		total.merge(sts[w])
	}
	res := summarize(name, all, elapsed, total)
	if cfg.Cache != nil {
		hits, misses := cfg.Cache()
		if n := hits - hits0 + misses - misses0; n > 0 {
			res.CacheHitRate = float64(hits-hits0) / float64(n)
		}
	}
	if len(all) > 0 && cpu > 0 {
		res.CPUPerRequest = float64(cpu.Microseconds()) / float64(len(all))
	}
	return res
}

// httpDo returns worker w's operation for a scenario against t.
func httpDo(ctx context.Context, client *http.Client, t *Target, fx *Fixture, scenario, run string, w int) func() (int, error) {
	b := &builder{fx: fx, rng: newRand(), run: run, worker: w}
	return func() (int, error) {
		req := b.next(scenario)
		var body io.Reader
		if req.body != nil {
			body = bytes.NewReader(req.body)
		}
		r, err := http.NewRequestWithContext(ctx, req.method, t.StoreURL+req.path, body)
		if err != nil {
			return 0, err
		}
		setHeaders(r, t.Token)
		status, err := roundTrip(client, r)
		if err == nil && !req.ok(status) {
			err = fmt.Errorf("%s %s: status %d", req.method, req.path, status)
		}
		return status, err
	}
}

func setHeaders(r *http.Request, token string) {
	r.Header.Set("X-Auth-Token", token)
	r.Header.Set("Accept", "application/json")
	if r.Body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
}

// roundTrip sends r and reads the whole body, so the connection is reused
// and the measured time includes the transfer.
func roundTrip(client *http.Client, r *http.Request) (int, error) {
	resp, err := client.Do(r)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, err
}

// sampleBody fetches one seeded customer, whose size the baseline's body
// copies; without seeded customers, a body of a typical customer's size.
func sampleBody(ctx context.Context, client *http.Client, t *Target, fx *Fixture) ([]byte, error) {
	if fx.Customers == 0 {
		return bytes.Repeat([]byte("x"), 900), nil
	}
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/customers/%d", t.StoreURL, fx.ID(0)), nil)
	if err != nil {
		return nil, err
	}
	setHeaders(r, t.Token)
	resp, err := client.Do(r)
	if err != nil {
		return nil, fmt.Errorf("loadgen: fetch a customer: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("loadgen: fetch a customer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("loadgen: fetch a customer: status %d: %.200s", resp.StatusCode, body)
	}
	return body, nil
}

// maxBaselineDuration caps the baseline's measurement: its rate settles in
// seconds, and a long run (a ten-minute soak) should not spend as long
// again measuring it.
const maxBaselineDuration = 10 * time.Second

// measureBaseline serves body from a bare handler on a loopback port and
// drives it as get drives the target: the most this machine, this client
// and net/http can do for a response of that size. It runs for
// cfg.Duration, at most maxBaselineDuration.
func measureBaseline(ctx context.Context, client *http.Client, body []byte, cfg Config) (Result, error) {
	cfg.Duration = min(cfg.Duration, maxBaselineDuration)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Result{}, fmt.Errorf("loadgen: baseline listen: %w", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	t := &Target{StoreURL: "http://" + ln.Addr().String() + "/stores/baseline/v2"}
	fx := &Fixture{Customers: 1, ID: func(int) int64 { return 1 }}
	return measure(ctx, "baseline", cfg, &rssSampler{}, func(w int) func() (int, error) {
		return httpDo(ctx, client, t, fx, ScenarioGet, "", w)
	}), nil
}

func newRunID() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// rssSampler keeps the largest resident set size seen while measuring.
type rssSampler struct {
	read func() int64
	mu   sync.Mutex
	max  int64
}

// start samples every 200 ms until the returned stop is called.
func (s *rssSampler) start() (stop func()) {
	if s.read == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			s.mu.Lock()
			s.max = max(s.max, s.read())
			s.mu.Unlock()
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// workers is how many goroutines run the raw bcrypt measurement: as many
// as the server could use for validations at once.
func workers(concurrency int) int { return min(concurrency, runtime.GOMAXPROCS(0)) }
