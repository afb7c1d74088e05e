// Command idleconns measures whether idle sockets can lock clients out of a
// customersd server: it holds -n TCP connections that never send a request,
// opening a new one whenever the server closes one (a sustained attack, not
// one the server's header timeout ends), and meanwhile times -gets normal
// GETs, each on a new connection.
//
//	go run ./scripts/idleconns -url http://127.0.0.1:18091/stores/s1/v2/customers -token T -n 19000
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	target := flag.String("url", "", "a V2 URL to GET")
	token := flag.String("token", "", "its X-Auth-Token")
	n := flag.Int("n", 19000, "idle connections to hold")
	gets := flag.Int("gets", 5, "normal GETs to time")
	ramp := flag.Duration("ramp", 15*time.Second, "longest wait for the idle connections before the GETs")
	timeout := flag.Duration("timeout", 20*time.Second, "how long one GET may take")
	flag.Parse()
	u, err := url.Parse(*target)
	if err != nil || *target == "" {
		fmt.Fprintln(os.Stderr, "idleconns: -url:", err)
		os.Exit(2)
	}
	var open, closedByServer atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range *n {
		wg.Go(func() { hold(u.Host, stop, &open, &closedByServer) })
	}
	start := time.Now()
	for time.Since(start) < *ramp && open.Load() < int64(*n) {
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Printf("idle connections held: %d of %d after %v\n", open.Load(), *n, time.Since(start).Round(time.Millisecond))

	client := &http.Client{Timeout: *timeout, Transport: &http.Transport{DisableKeepAlives: true}}
	for i := range *gets {
		req, _ := http.NewRequest("GET", *target, nil)
		req.Header.Set("X-Auth-Token", *token)
		t0 := time.Now()
		res, err := client.Do(req)
		d := time.Since(t0).Round(time.Millisecond)
		if err != nil {
			fmt.Printf("GET %d: failed after %v (%v); idle held %d\n", i+1, d, err, open.Load())
			continue
		}
		res.Body.Close()
		fmt.Printf("GET %d: %d in %v; idle held %d\n", i+1, res.StatusCode, d, open.Load())
	}
	fmt.Printf("idle connections the server closed during the run: %d\n", closedByServer.Load())
	close(stop)
	wg.Wait()
}

// hold keeps one idle connection open, dialling again whenever the server
// closes it, until stop.
func hold(addr string, stop chan struct{}, open, closedByServer *atomic.Int64) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
			continue
		}
		open.Add(1)
		gone := make(chan struct{})
		go func() {
			c.Read(make([]byte, 1)) // returns when the server closes it
			close(gone)
		}()
		select {
		case <-gone:
			closedByServer.Add(1)
		case <-stop:
		}
		open.Add(-1)
		c.Close()
	}
}
