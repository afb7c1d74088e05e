package cli

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/internal/logbuf"
)

func TestRedisOptions(t *testing.T) {
	opt, err := redisOptions("127.0.0.1:6379")
	if err != nil {
		t.Fatal(err)
	}
	if opt.Addr != "127.0.0.1:6379" || opt.DialTimeout != redisDialTimeout || opt.ReadTimeout != redisIOTimeout ||
		opt.WriteTimeout != redisIOTimeout || opt.PoolTimeout != redisPoolTimeout || opt.MaxRetries != -1 || opt.DialerRetries != 1 {
		t.Fatalf("bare address: %+v", opt)
	}
	// What the URL says wins.
	opt, err = redisOptions("redis://:pw@redis.internal:6380/2?dial_timeout=1s&read_timeout=2s&max_retries=3")
	if err != nil {
		t.Fatal(err)
	}
	if opt.Addr != "redis.internal:6380" || opt.DB != 2 || opt.Password != "pw" || opt.DialTimeout != time.Second ||
		opt.ReadTimeout != 2*time.Second || opt.WriteTimeout != redisIOTimeout || opt.MaxRetries != 3 {
		t.Fatalf("URL with options: %+v", opt)
	}
	// A bad URL is refused without repeating it: it may hold a password.
	_, err = redisOptions("http://:secret@example.com")
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Fatalf("bad URL: err=%v", err)
	}
}

func TestServe_RateLimitFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--rate-limit", "lots"},
		{"--validate-rate-limit", "5"},
		{"--password-max-failures", "0"},
		{"--password-failure-window", "10ms"},
		{"--groups-max-inflight", "0"},
		{"--redis", "http://x"},
	} {
		c := &ServeCommand{Main: &Main{Stdout: &logbuf.Buffer{}, Stderr: &logbuf.Buffer{}, Getenv: func(string) string { return "" }}}
		if err := c.parse(args); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	// The environment twins.
	env := map[string]string{
		"CUSTOMERSD_RATE_LIMIT": "off", "CUSTOMERSD_VALIDATE_RATE_LIMIT": "10/1m",
		"CUSTOMERSD_PASSWORD_MAX_FAILURES": "3", "CUSTOMERSD_PASSWORD_FAILURE_WINDOW": "1h",
		"CUSTOMERSD_GROUPS_MAX_INFLIGHT": "8", "CUSTOMERSD_REDIS_URL": "127.0.0.1:6379", "CUSTOMERSD_REDIS_PREFIX": "x:",
	}
	c := &ServeCommand{Main: &Main{Stdout: &logbuf.Buffer{}, Stderr: &logbuf.Buffer{}, Getenv: func(k string) string { return env[k] }}}
	if err := c.parse(nil); err != nil {
		t.Fatal(err)
	}
	rl := c.Config.RateLimit
	if !rl.off || *rl.validateQuota != (customersd.Quota{Requests: 10, Window: time.Minute}) || rl.MaxPasswordFailures != 3 ||
		rl.PasswordFailureWindow != time.Hour || rl.GroupsMaxInflight != 8 || rl.RedisURL != "127.0.0.1:6379" || rl.RedisPrefix != "x:" {
		t.Fatalf("from the environment: %+v", rl)
	}
}

// rateCall sends an authenticated GET and returns the status and the
// headers.
func rateCall(tb testing.TB, url, token string) (int, http.Header) {
	tb.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("X-Auth-Token", token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode, res.Header
}

// TestServe_RateLimit drives the quotas end to end: the start-up store is
// unthrottled, "stores quota" sets and clears a store's quota while the
// server runs, and --rate-limit is the default it falls back to.
func TestServe_RateLimit(t *testing.T) {
	t.Parallel()
	dbPath := filepath.Join(t.TempDir(), "customersd.db")
	const hash, token = "limited", "limited-token-0123456789"
	env := storeEnv(hash, token)
	p := startMain(t, env, "--addr", "127.0.0.1:0", "--database", dbPath, "--rate-limit", "5/30s")
	url := p.url("/stores/" + hash + "/v2/customers/count")

	_, h := rateCall(t, url, token)
	if h.Get("X-Rate-Limit-Requests-Quota") != "1000000" || h.Get("X-Rate-Limit-Time-Window-Ms") != "30000" {
		t.Fatalf("start-up store: headers %v, want the unthrottled quota", h)
	}
	if out := runMain(t, "stores", "quota", "--database", dbPath, "--hash", hash); out != hash+"\t1000000/30s\n" {
		t.Fatalf("stores quota printed %q", out)
	}

	if out := runMain(t, "stores", "quota", "--database", dbPath, "--hash", hash, "--requests", "2", "--window", "1m"); out != hash+"\t2/1m0s\n" {
		t.Fatalf("stores quota --requests printed %q", out)
	}
	for i := range 2 {
		if st, h := rateCall(t, url, token); st != http.StatusOK || h.Get("X-Rate-Limit-Requests-Left") != []string{"1", "0"}[i] {
			t.Fatalf("request %d: %d, headers %v", i+1, st, h)
		}
	}
	st, h := rateCall(t, url, token)
	if st != http.StatusTooManyRequests || h.Get("X-Retry-After") == "" || h.Get("X-Rate-Limit-Requests-Quota") != "2" {
		t.Fatalf("over quota: %d, headers %v", st, h)
	}

	if out := runMain(t, "stores", "quota", "--database", dbPath, "--hash", hash, "--clear"); out != hash+"\tplan default (standard)\n" {
		t.Fatalf("stores quota --clear printed %q", out)
	}
	if st, h := rateCall(t, url, token); st != http.StatusOK || h.Get("X-Rate-Limit-Requests-Quota") != "5" {
		t.Fatalf("after --clear: %d, headers %v, want the --rate-limit default", st, h)
	}
}

func TestServe_ZeroSetupStoreUnthrottled(t *testing.T) {
	t.Parallel()
	p := startMain(t, map[string]string{}, "--addr", "127.0.0.1:0", "--database", filepath.Join(t.TempDir(), "customersd.db"))
	out := p.stdout.String()
	hash := regexp.MustCompile(`store hash: +(\S+)`).FindStringSubmatch(out)
	token := regexp.MustCompile(`access token: +(\S+)`).FindStringSubmatch(out)
	if hash == nil || token == nil {
		t.Fatalf("no store in:\n%s", out)
	}
	st, h := rateCall(t, p.url("/stores/"+hash[1]+"/v2/customers"), token[1])
	if st != http.StatusNoContent || h.Get("X-Rate-Limit-Requests-Quota") != "1000000" || h.Get("X-Rate-Limit-Requests-Left") != "999999" {
		t.Fatalf("%d, headers %v", st, h)
	}
}

// TestServe_RedisDown starts with a Redis that refuses connections: the
// server starts, serves, and counts the errors in its metrics.
func TestServe_RedisDown(t *testing.T) {
	t.Parallel()
	const hash, token = "noredis", "noredis-token-0123456789"
	p := startMain(t, storeEnv(hash, token), "--addr", "127.0.0.1:0",
		"--database", filepath.Join(t.TempDir(), "customersd.db"), "--redis", "redis://127.0.0.1:1")
	for range 3 {
		if st, h := rateCall(t, p.url("/stores/"+hash+"/v2/customers"), token); st != http.StatusNoContent || h.Get("X-Rate-Limit-Requests-Left") != "1000000" {
			t.Fatalf("%d, headers %v", st, h)
		}
	}
	metrics := string(mustCall(t, http.StatusOK, "GET", p.url("/metrics"), "", nil))
	if !hasLine(metrics, "customersd_ratelimit_backend_errors_total 3") {
		t.Fatalf("no error count of 3 in the metrics:\n%s", metrics)
	}
	if !strings.Contains(p.stderr.String(), "Redis unreachable at start-up") {
		t.Fatalf("start-up did not log the outage:\n%s", p.stderr)
	}
}

// TestServe_SeededStoreUnthrottled seeds the store that
// CUSTOMERSD_STORE_HASH names: the seed makes it before bootstrap looks for
// it, and it must be unthrottled all the same.
func TestServe_SeededStoreUnthrottled(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	seed := filepath.Join(dir, "seed.json")
	if err := os.WriteFile(seed, []byte(seedFixture), 0o600); err != nil {
		t.Fatal(err)
	}
	const token = "seeded-token-0123456789"
	p := startMain(t, storeEnv("seeded", token), "--addr", "127.0.0.1:0", "--database", filepath.Join(dir, "c.db"), "--seed", seed)
	if st, h := rateCall(t, p.url("/stores/seeded/v2/customers/1"), token); st != http.StatusOK || h.Get("X-Rate-Limit-Requests-Quota") != "1000000" {
		t.Fatalf("%d, headers %v", st, h)
	}
}
