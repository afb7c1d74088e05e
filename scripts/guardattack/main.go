// Command guardattack measures the two bcrypt attacks of issue 12 against a
// running customersd with the admin API enabled:
//
//	guesses: 60 concurrent wrong passwords for one customer; prints how many
//	         were evaluated (200) and how many refused (429), for a store of
//	         the test plan and a Standard store.
//	starve:  store A floods POST .../validate from many clients while store B
//	         reads one customer in a loop; prints B's GET p50/p90 and A's
//	         answers by status.
//
// scripts/guard-attack.sh starts a server and runs it; see there.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080", "server base URL")
	admin := flag.String("admin-token", os.Getenv("CUSTOMERSD_ADMIN_TOKEN"), "admin token")
	mode := flag.String("mode", "guesses", "guesses or starve")
	guesses := flag.Int("guesses", 60, "concurrent wrong passwords (guesses)")
	flood := flag.Int("flood", 32, "concurrent validate clients of store A (starve)")
	duration := flag.Duration("duration", 8*time.Second, "length of the flood (starve)")
	flag.Parse()
	c := &client{base: *url, admin: *admin, http: &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 256}}}
	switch *mode {
	case "guesses":
		for _, plan := range []string{"", "standard"} {
			c.guesses(plan, *guesses)
		}
	case "starve":
		c.starve(*flood, *duration)
	default:
		log.Fatalf("unknown -mode %q", *mode)
	}
}

type client struct {
	base, admin string
	http        *http.Client
}

// store makes a store (of plan, or the test plan when empty) with one
// customer whose password is known, and returns its hash, token and the
// customer's ID.
func (c *client) store(plan string) (hash, token string, id int64) {
	hash = fmt.Sprintf("ga%d", time.Now().UnixNano())
	token = "tok-" + hash
	body := map[string]any{"store_hash": hash, "access_token": token}
	if plan != "" {
		body["plan"] = plan
	}
	c.must("POST", "/admin/v1/stores", "Bearer "+c.admin, body, http.StatusCreated, nil)
	var cust struct {
		ID int64 `json:"id"`
	}
	c.must("POST", "/stores/"+hash+"/v2/customers", token, map[string]any{
		"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com",
		"_authentication": map[string]any{"password": "secret123"},
	}, http.StatusCreated, &cust)
	return hash, token, cust.ID
}

func (c *client) guesses(plan string, n int) {
	hash, token, id := c.store(plan)
	path := fmt.Sprintf("/stores/%s/v2/customers/%d/validate", hash, id)
	var mu sync.Mutex
	byStatus := map[int]int{}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			status, _ := c.do("POST", path, token, map[string]any{"password": fmt.Sprintf("wrong%d", i)})
			mu.Lock()
			byStatus[status]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	name := plan
	if name == "" {
		name = "test plan"
	}
	fmt.Printf("guesses, %s store: %d concurrent wrong passwords: %d evaluated (200), %d refused (429), other %v\n",
		name, n, byStatus[200], byStatus[429], others(byStatus, 200, 429))
}

func (c *client) starve(flood int, d time.Duration) {
	hashA, tokenA, idA := c.store("")
	hashB, tokenB, idB := c.store("")
	getB := fmt.Sprintf("/stores/%s/v2/customers/%d", hashB, idB)
	validateA := fmt.Sprintf("/stores/%s/v2/customers/%d/validate", hashA, idA)

	measure := func(until time.Time) []time.Duration {
		var lat []time.Duration
		for time.Now().Before(until) {
			t0 := time.Now()
			if status, _ := c.do("GET", getB, tokenB, nil); status != http.StatusOK {
				log.Fatalf("store B GET: %d", status)
			}
			lat = append(lat, time.Since(t0))
		}
		return lat
	}
	quiet := measure(time.Now().Add(2 * time.Second))

	var stop atomic.Bool
	var mu sync.Mutex
	byStatus := map[int]int{}
	var wg sync.WaitGroup
	for range flood {
		wg.Go(func() {
			for !stop.Load() {
				// The right password: a lock would end the flood early.
				status, _ := c.do("POST", validateA, tokenA, map[string]any{"password": "secret123"})
				mu.Lock()
				byStatus[status]++
				mu.Unlock()
			}
		})
	}
	time.Sleep(500 * time.Millisecond) // let the flood fill the node
	loaded := measure(time.Now().Add(d))
	stop.Store(true)
	wg.Wait()
	fmt.Printf("starve, store B GET alone: %d requests, p50 %s p90 %s\n", len(quiet), pct(quiet, 50), pct(quiet, 90))
	fmt.Printf("starve, store B GET during %d validate clients of store A: %d requests, p50 %s p90 %s\n",
		flood, len(loaded), pct(loaded, 50), pct(loaded, 90))
	fmt.Printf("starve, store A validate answers: %v\n", byStatus)
}

func pct(lat []time.Duration, p int) string {
	if len(lat) == 0 {
		return "n/a"
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	return (s[(len(s)-1)*p/100]).Round(10 * time.Microsecond).String()
}

func others(m map[int]int, skip ...int) map[int]int {
	out := map[int]int{}
	for k, v := range m {
		if !slices.Contains(skip, k) {
			out[k] = v
		}
	}
	return out
}

func (c *client) must(method, path, auth string, body any, want int, out any) {
	status, b := c.do(method, path, auth, body)
	if status != want {
		log.Fatalf("%s %s: %d %s, want %d", method, path, status, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			log.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// do sends a request; auth starting with "Bearer " goes in Authorization,
// anything else in X-Auth-Token.
func (c *client) do(method, path, auth string, body any) (int, []byte) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if len(auth) > 7 && auth[:7] == "Bearer " {
		req.Header.Set("Authorization", auth)
	} else {
		req.Header.Set("X-Auth-Token", auth)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, nil
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}
