// Command deletedfile counts the writes a server acknowledges after its
// SQLite file is deleted under it (issue 12, defect 6).
//
//	go run ./scripts/deletedfile -url URL -store HASH -token TOKEN -db PATH
//
// It creates customers from -writers concurrent clients for -before, then
// removes PATH and every file beginning with it (rm PATH*), goes on writing
// for -after, and prints how many creates answered 2xx after the removal,
// with the status counts and /readyz's answer at the end.
// scripts/deletedfile.sh starts a binary and runs it.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080", "server")
	store := flag.String("store", "", "store hash")
	token := flag.String("token", "", "access token")
	path := flag.String("db", "", "the server's SQLite file")
	writers := flag.Int("writers", 16, "concurrent writers")
	before := flag.Duration("before", 2*time.Second, "writing before the removal")
	after := flag.Duration("after", 5*time.Second, "writing after the removal")
	flag.Parse()

	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *writers}}
	var removed atomic.Bool
	var n atomic.Int64
	var mu sync.Mutex
	codes := map[string]map[int]int{"before": {}, "after": {}}
	ctx, cancel := context.WithTimeout(context.Background(), *before+*after)
	defer cancel()
	var wg sync.WaitGroup
	for range *writers {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := n.Add(1)
				body := fmt.Sprintf(`{"first_name":"Jane","last_name":"Doe","email":"jane%d-%d@example.com"}`, time.Now().UnixNano(), i)
				req, _ := http.NewRequest("POST", *url+"/stores/"+*store+"/v2/customers", bytes.NewBufferString(body))
				req.Header.Set("X-Auth-Token", *token)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Accept", "application/json")
				// Sampled before sending: a write sent after the removal
				// counts as after, whatever the server makes of it.
				phase := "before"
				if removed.Load() {
					phase = "after"
				}
				code := -1
				if resp, err := client.Do(req); err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					code = resp.StatusCode
				}
				mu.Lock()
				codes[phase][code]++
				mu.Unlock()
			}
		})
	}
	time.Sleep(*before)
	files, _ := filepath.Glob(*path + "*")
	for _, f := range files {
		if err := os.Remove(f); err != nil {
			fmt.Fprintln(os.Stderr, "deletedfile:", err)
			os.Exit(1)
		}
	}
	removed.Store(true)
	wg.Wait()

	acked := 0
	for code, k := range codes["after"] {
		if code >= 200 && code < 300 {
			acked += k
		}
	}
	ready := -1
	if resp, err := client.Get(*url + "/readyz"); err == nil {
		resp.Body.Close()
		ready = resp.StatusCode
	}
	fmt.Printf("removed %v; writes acknowledged after the removal: %d\n", files, acked)
	fmt.Printf("status counts before: %v; after: %v; /readyz at the end: %d\n", codes["before"], codes["after"], ready)
}
