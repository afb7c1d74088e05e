// Command pageattack measures what large list pages cost a customersd node
// (issue 12, defect 2): it seeds one Standard-plan store with 250 customers
// with 64 KB notes and 250 groups with many discount rules, then runs 32
// concurrent GET ?limit=250 pages of one collection for a while, sampling
// the server's peak RSS (VmHWM in /proc/PID/status) and the latency of
// another store's GETs meanwhile.
//
//	go run ./scripts/pageattack -bin /tmp/customersd-base -target customers
//	go run ./scripts/pageattack -bin /tmp/customersd -target groups -rules 1000
//
// The server is started twice on a temporary SQLite database: unthrottled
// to seed, then with the plan quotas for the attack, so the peak is the
// attack's alone. Linux only (/proc). Keep -duration short on a shared machine.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type config struct {
	bin         string
	target      string // customers or groups
	customers   int
	notes       int
	groups      int
	rules       int
	concurrency int
	duration    time.Duration
}

const (
	attackStore = "attack"
	otherStore  = "other"
	token       = "pageattacktoken0000000000000001"
	otherToken  = "pageattacktoken0000000000000002"
)

func main() {
	var c config
	flag.StringVar(&c.bin, "bin", "", "customersd binary to measure (required)")
	flag.StringVar(&c.target, "target", "customers", "collection to page: customers or groups")
	flag.IntVar(&c.customers, "customers", 250, "customers to seed (only with -target customers)")
	flag.IntVar(&c.notes, "notes", 65535, "bytes of notes per customer")
	flag.IntVar(&c.groups, "groups", 250, "groups to seed (only with -target groups)")
	flag.IntVar(&c.rules, "rules", 1000, "discount rules per group (the base accepts 15000)")
	flag.IntVar(&c.concurrency, "concurrency", 32, "concurrent pages")
	flag.DurationVar(&c.duration, "duration", 20*time.Second, "how long the pages run")
	flag.Parse()
	if c.bin == "" || (c.target != "customers" && c.target != "groups") {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(c); err != nil {
		log.Fatal(err)
	}
}

func run(c config) error {
	dir, err := os.MkdirTemp("", "pageattack")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db := filepath.Join(dir, "attack.db")
	for _, args := range [][]string{
		{"stores", "create", "--hash", attackStore, "--plan", "standard"},
		{"tokens", "create", "--store", attackStore, "--token", token},
		{"stores", "create", "--hash", otherStore, "--plan", "standard"},
		{"tokens", "create", "--store", otherStore, "--token", otherToken},
	} {
		if out, err := exec.Command(c.bin, append(args, "--database", db)...).CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}

	seeder, err := start(c.bin, db, dir, "off")
	if err != nil {
		return err
	}
	err = seed(c, seeder.url)
	seeder.stop()
	if err != nil {
		return err
	}

	srv, err := start(c.bin, db, dir, "plan")
	if err != nil {
		return err
	}
	defer srv.stop()
	return attack(c, srv)
}

// server is a started customersd.
type server struct {
	cmd *exec.Cmd
	url string
}

func start(bin, db, dir, rateLimit string) (*server, error) {
	logPath := filepath.Join(dir, "server-"+rateLimit+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--database", db, "--rate-limit", rateLimit,
		"--log-format", "json", "--bcrypt-cost", "4")
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	for range 300 {
		time.Sleep(100 * time.Millisecond)
		b, _ := os.ReadFile(logPath)
		for line := range strings.SplitSeq(string(b), "\n") {
			var l struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "customersd listening" {
				return &server{cmd: cmd, url: "http://" + l.Addr}, nil
			}
		}
	}
	cmd.Process.Kill()
	return nil, errors.New("the server did not start listening")
}

func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	s.cmd.Wait()
}

func do(method, url, tok string, body any) (int, error) {
	var rdr io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rdr = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rdr)
	if err != nil {
		return 0, err
	}
	req.Header.Set("X-Auth-Token", tok)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	io.Copy(io.Discard, res.Body)
	return res.StatusCode, nil
}

// seed creates the pages' rows with 4 concurrent POSTs, and a few customers
// of the other store.
func seed(c config, base string) error {
	type post struct {
		path string
		tok  string
		body any
	}
	var posts []post
	notes := strings.Repeat("n", c.notes)
	if c.target == "customers" {
		for i := range c.customers {
			posts = append(posts, post{"/stores/" + attackStore + "/v2/customers", token, map[string]any{
				"first_name": "Page", "last_name": "Attack", "email": fmt.Sprintf("c%d@example.com", i), "notes": notes}})
		}
	} else {
		rules := make([]map[string]any, c.rules)
		for i := range rules {
			rules[i] = map[string]any{"type": "product", "method": "fixed", "amount": 1, "product_id": i + 1}
		}
		for i := range c.groups {
			posts = append(posts, post{"/stores/" + attackStore + "/v2/customer_groups", token, map[string]any{
				"name": fmt.Sprintf("G%d", i), "discount_rules": rules}})
		}
	}
	for i := range 20 {
		posts = append(posts, post{"/stores/" + otherStore + "/v2/customers", otherToken, map[string]any{
			"first_name": "Other", "last_name": "Store", "email": fmt.Sprintf("o%d@example.com", i)}})
	}
	work := make(chan post)
	errs := make(chan error, len(posts))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for p := range work {
				status, err := do("POST", base+p.path, p.tok, p.body)
				if err == nil && status != http.StatusCreated {
					err = fmt.Errorf("POST %s: status %d", p.path, status)
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	for _, p := range posts {
		work <- p
	}
	close(work)
	wg.Wait()
	close(errs)
	return <-errs // nil when none
}

func attack(c config, srv *server) error {
	pid := srv.cmd.Process.Pid
	before, _ := procStatus(pid, "VmRSS")
	path := "/stores/" + attackStore + "/v2/" + map[string]string{"customers": "customers", "groups": "customer_groups"}[c.target] + "?limit=250"

	ctx, cancel := context.WithTimeout(context.Background(), c.duration)
	defer cancel()
	var statuses sync.Map // status -> *atomic.Int64
	var bytesRead atomic.Int64
	var wg sync.WaitGroup
	for range c.concurrency {
		wg.Go(func() {
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, "GET", srv.url+path, nil)
				req.Header.Set("X-Auth-Token", token)
				req.Header.Set("Accept", "application/json")
				res, err := http.DefaultClient.Do(req)
				status := "error"
				if err == nil {
					n, _ := io.Copy(io.Discard, res.Body)
					res.Body.Close()
					bytesRead.Add(n)
					status = strconv.Itoa(res.StatusCode)
				}
				if ctx.Err() != nil {
					return
				}
				v, _ := statuses.LoadOrStore(status, new(atomic.Int64))
				v.(*atomic.Int64).Add(1)
			}
		})
	}
	// The other store: a small page every 150 ms, within its own quota.
	var latencies []time.Duration
	var otherFailed int
	wg.Go(func() {
		for ctx.Err() == nil {
			t0 := time.Now()
			status, err := do("GET", srv.url+"/stores/"+otherStore+"/v2/customers?limit=10", otherToken, nil)
			if ctx.Err() != nil {
				return
			}
			if err != nil || status != http.StatusOK {
				otherFailed++
			} else {
				latencies = append(latencies, time.Since(t0))
			}
			time.Sleep(150 * time.Millisecond)
		}
	})
	var peakRSS int64
	wg.Go(func() {
		for ctx.Err() == nil {
			if v, err := procStatus(pid, "VmRSS"); err == nil {
				peakRSS = max(peakRSS, v)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	wg.Wait()
	hwm, err := procStatus(pid, "VmHWM")
	if err != nil {
		return err
	}

	fmt.Printf("bin=%s target=%s concurrency=%d duration=%s rules=%d\n", c.bin, c.target, c.concurrency, c.duration, c.rules)
	fmt.Printf("rss_before_mb=%.0f rss_peak_sampled_mb=%.0f vmhwm_mb=%.0f\n", mb(before), mb(peakRSS), mb(hwm))
	var counts []string
	statuses.Range(func(k, v any) bool {
		counts = append(counts, fmt.Sprintf("%s:%d", k, v.(*atomic.Int64).Load()))
		return true
	})
	slices.Sort(counts)
	fmt.Printf("attack_pages=%s attack_mb_read=%.0f\n", strings.Join(counts, ","), float64(bytesRead.Load())/(1<<20))
	slices.Sort(latencies)
	fmt.Printf("other_store_get n=%d failed=%d p50=%s p90=%s max=%s\n", len(latencies), otherFailed,
		pct(latencies, 50), pct(latencies, 90), pct(latencies, 100))
	return nil
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	return d[min(len(d)-1, len(d)*p/100)].Round(100 * time.Microsecond)
}

func mb(kb int64) float64 { return float64(kb) / 1024 }

// procStatus reads a "Name:   123 kB" line of /proc/PID/status, in kB.
func procStatus(pid int, name string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), name+":"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", name, pid)
}
