// Command pgoutage measures what a customersd binary does during a
// PostgreSQL outage: it starts the binary on a fresh schema of the shared
// PostgreSQL behind a TCP proxy (internal/tcpproxy), loads it with GETs,
// cuts the proxy for -outage (the shared server keeps running), restores it,
// and reports the statuses answered during the outage and the ERROR lines
// and bytes the server logged.
//
//	go run ./scripts/pgoutage -bin /tmp/customersd -pg postgres://postgres@127.0.0.1:5432/test?sslmode=disable
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/customersd/customersd/internal/logbuf"
	"github.com/customersd/customersd/internal/tcpproxy"
	_ "github.com/jackc/pgx/v5/stdlib"
)

func main() {
	bin := flag.String("bin", "customersd", "the binary to measure")
	pg := flag.String("pg", os.Getenv("CUSTOMERSD_TEST_POSTGRES_URL"), "the shared PostgreSQL (never stopped)")
	outage := flag.Duration("outage", 10*time.Second, "how long the proxy stays cut")
	workers := flag.Int("c", 8, "concurrent clients")
	addr := flag.String("addr", "127.0.0.1:18090", "the server's listen address")
	flag.Parse()
	if err := run(*bin, *pg, *addr, *outage, *workers); err != nil {
		fmt.Fprintln(os.Stderr, "pgoutage:", err)
		os.Exit(1)
	}
}

func run(bin, pg, addr string, outage time.Duration, workers int) error {
	u, err := url.Parse(pg)
	if err != nil || pg == "" {
		return fmt.Errorf("-pg %q: %v", pg, err)
	}
	admin, err := sql.Open("pgx", pg)
	if err != nil {
		return err
	}
	defer admin.Close()
	schema := fmt.Sprintf("pgoutage_%d", time.Now().UnixNano())
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		return err
	}
	defer admin.Exec("DROP SCHEMA " + schema + " CASCADE")

	proxy, err := tcpproxy.Listen("127.0.0.1:0", u.Host)
	if err != nil {
		return err
	}
	defer proxy.Close()
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery, u.Host = q.Encode(), proxy.Addr()

	const token = "pgoutage-token-0123"
	logs := &logbuf.Buffer{}
	cmd := exec.Command(bin, "serve", "--addr", addr, "--database", u.String())
	cmd.Env = append(os.Environ(), "CUSTOMERSD_STORE_HASH=s1", "CUSTOMERSD_ACCESS_TOKEN="+token, "CUSTOMERSD_BCRYPT_COST=4")
	cmd.Stderr, cmd.Stdout = logs, logs
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	target := "http://" + addr + "/stores/s1/v2/customers"
	if err := waitUp(target, token); err != nil {
		return fmt.Errorf("%w\n%s", err, logs)
	}

	var phase atomic.Int32 // 0 before, 1 outage, 2 after
	var mu sync.Mutex
	counts := [3]map[int]int{{}, {}, {}}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			client := &http.Client{Timeout: 5 * time.Second}
			for ctx.Err() == nil {
				req, _ := http.NewRequest("GET", target, nil)
				req.Header.Set("X-Auth-Token", token)
				status := -1 // transport error
				if res, err := client.Do(req); err == nil {
					res.Body.Close()
					status = res.StatusCode
				}
				p := phase.Load()
				mu.Lock()
				counts[p][status]++
				mu.Unlock()
			}
		})
	}
	time.Sleep(2 * time.Second)
	before := len(logs.String())
	errorsBefore := strings.Count(logs.String(), "level=ERROR")
	phase.Store(1)
	proxy.Cut()
	time.Sleep(outage)
	proxy.Restore()
	outageLog := logs.String()[before:]
	phase.Store(2)
	time.Sleep(3 * time.Second)
	cancel()
	wg.Wait()

	fmt.Printf("binary %s, %v outage, %d clients\n", bin, outage, workers)
	fmt.Printf("  before:  %v\n  outage:  %v\n  after:   %v\n", counts[0], counts[1], counts[2])
	fmt.Printf("  ERROR lines during the outage: %d (%d bytes of log in all)\n",
		strings.Count(outageLog, "level=ERROR"), len(outageLog))
	fmt.Printf("  ERROR lines before it: %d; recovery lines: %d\n", errorsBefore, strings.Count(logs.String(), "backend available again"))
	return nil
}

func waitUp(target, token string) error {
	for range 100 {
		req, _ := http.NewRequest("GET", target, nil)
		req.Header.Set("X-Auth-Token", token)
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode < 500 {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("server at %s did not come up", target)
}
