// Command attack reproduces the concurrency defects of issue 12 against
// real customersd processes started from a given binary, and prints the
// figures the issue asks for, so a build can be compared with another:
//
//	go run ./scripts/attack -bin BIN -db postgres://.../locks_attack lostupdate
//	go run ./scripts/attack -bin BIN -db postgres://.../locks_attack deadlock
//	go run ./scripts/attack -bin BIN stall
//
// lostupdate (defect 1) sends pairs of concurrent partial PUTs on one row
// through two nodes sharing a PostgreSQL database and counts the pairs that
// lost a field. deadlock (defect 3) runs V2 creates through two nodes while
// admin resets and imports run, and counts the 500s of each. stall
// (defect 11) seeds a SQLite store with -rows customers, deletes them all
// with DELETE /customers, and reports the longest wait of another store's
// creates meanwhile. scripts/attack-locks.sh runs them all on two binaries.
//
// The database must be one the attack may wipe: lostupdate and deadlock
// drop and recreate the public schema of the -db database.
package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/sqlstore"
)

const (
	storeHash  = "attack"
	storeToken = "attack-token-0123456789abcdef"
	adminToken = "attack-admin-0123456789abcdef"
)

func main() {
	bin := flag.String("bin", "", "customersd binary to attack")
	dsn := flag.String("db", "postgres://postgres@127.0.0.1:5432/locks_attack?sslmode=disable", "PostgreSQL database to wipe and use (lostupdate, deadlock)")
	trials := flag.Int("n", 100, "lostupdate: trials per resource")
	seconds := flag.Int("seconds", 10, "deadlock: how long to run")
	rows := flag.Int("rows", 200000, "stall: customers to delete")
	flag.Parse()
	if *bin == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: attack -bin BIN [-db DSN] lostupdate|deadlock|stall")
		os.Exit(2)
	}
	var err error
	switch flag.Arg(0) {
	case "lostupdate":
		err = lostUpdate(*bin, *dsn, *trials)
	case "deadlock":
		err = deadlock(*bin, *dsn, time.Duration(*seconds)*time.Second)
	case "stall":
		err = stall(*bin, *rows)
	default:
		err = fmt.Errorf("unknown scenario %q", flag.Arg(0))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "attack:", err)
		os.Exit(1)
	}
}

// resetSchema empties the PostgreSQL database, so every run starts equal.
func resetSchema(dsn string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec(`DROP SCHEMA public CASCADE; CREATE SCHEMA public`)
	return err
}

// node is a started customersd process.
type node struct {
	cmd  *exec.Cmd
	addr string
}

// startNodes starts n processes of bin on the database dsn, one after the
// other (the first migrates), each with the attack store and admin token.
func startNodes(bin, dsn string, n int) ([]*node, error) {
	var nodes []*node
	for range n {
		cmd := exec.Command(bin, "serve")
		cmd.Env = []string{
			"CUSTOMERSD_DATABASE=" + dsn,
			"CUSTOMERSD_ADDR=127.0.0.1:0",
			"CUSTOMERSD_LOG_FORMAT=json",
			"CUSTOMERSD_BCRYPT_COST=4",
			"CUSTOMERSD_RATE_LIMIT=off",
			"CUSTOMERSD_STORE_HASH=" + storeHash,
			"CUSTOMERSD_ACCESS_TOKEN=" + storeToken,
			"CUSTOMERSD_ADMIN_TOKEN=" + adminToken,
			"PATH=" + os.Getenv("PATH"),
		}
		pipe, err := cmd.StderrPipe()
		if err != nil {
			return nil, err
		}
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		nd := &node{cmd: cmd}
		nodes = append(nodes, nd)
		addr := make(chan string, 1)
		go func() {
			sc := bufio.NewScanner(pipe)
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			for sc.Scan() {
				var rec struct{ Msg, Addr string }
				if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "customersd listening" {
					addr <- rec.Addr
				}
			}
		}()
		select {
		case nd.addr = <-addr:
		case <-time.After(60 * time.Second):
			stopNodes(nodes)
			return nil, errors.New("customersd did not start")
		}
	}
	return nodes, nil
}

func stopNodes(nodes []*node) {
	for _, nd := range nodes {
		nd.cmd.Process.Signal(syscall.SIGTERM)
		nd.cmd.Wait()
	}
}

var client = &http.Client{Timeout: 60 * time.Second}

// call sends a JSON request and returns the status and body.
func call(method, url, token string, body any) (int, []byte, error) {
	var rdr io.Reader
	if raw, ok := body.([]byte); ok {
		rdr = bytes.NewReader(raw)
	} else if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rdr = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rdr)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	if token == adminToken {
		req.Header.Set("Authorization", "Bearer "+token)
	} else if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// mustCall is call that wants the status want.
func mustCall(want int, method, url, token string, body any, out any) error {
	status, b, err := call(method, url, token, body)
	if err != nil {
		return err
	}
	if status != want {
		return fmt.Errorf("%s %s: status %d, want %d: %s", method, url, status, want, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

func (nd *node) v2(path string) string {
	return "http://" + nd.addr + "/stores/" + storeHash + "/v2" + path
}

// lostUpdate: defect 1.
func lostUpdate(bin, dsn string, trials int) error {
	if err := resetSchema(dsn); err != nil {
		return err
	}
	nodes, err := startNodes(bin, dsn, 2)
	if err != nil {
		return err
	}
	defer stopNodes(nodes)
	var c, a struct{ ID int64 }
	if err := mustCall(201, "POST", nodes[0].v2("/customers"), storeToken,
		map[string]string{"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com"}, &c); err != nil {
		return err
	}
	addrPath := fmt.Sprintf("/customers/%d/addresses", c.ID)
	if err := mustCall(201, "POST", nodes[0].v2(addrPath), storeToken,
		map[string]string{"first_name": "Jane", "last_name": "Doe", "street_1": "1 Main St", "city": "Sydney",
			"state": "NSW", "zip": "2000", "country": "Australia", "phone": "555-0100"}, &a); err != nil {
		return err
	}
	custPath := fmt.Sprintf("/customers/%d", c.ID)
	addrPath = fmt.Sprintf("%s/%d", addrPath, a.ID)

	var custLost, creditLost, addrLost int
	for i := 1; i <= trials; i++ {
		company, credit := fmt.Sprintf("Company %d", i), fmt.Sprintf("%d.0000", i)
		got, err := putPair(nodes, custPath, map[string]string{"company": company}, map[string]string{"store_credit": credit})
		if err != nil {
			return err
		}
		if got["company"] != company || got["store_credit"] != credit {
			custLost++
		}
		if got["store_credit"] != credit {
			creditLost++
		}
		phone := fmt.Sprintf("555-%04d", i)
		got, err = putPair(nodes, addrPath, map[string]string{"company": company}, map[string]string{"phone": phone})
		if err != nil {
			return err
		}
		if got["company"] != company || got["phone"] != phone {
			addrLost++
		}
	}
	fmt.Printf("customers:    lost %d of %d\n", custLost, trials)
	fmt.Printf("addresses:    lost %d of %d\n", addrLost, trials)
	fmt.Printf("store_credit: lost %d of %d\n", creditLost, trials)
	return nil
}

// putPair sends first through nodes[0] and second through nodes[1] at
// once, and returns the row as read afterwards.
func putPair(nodes []*node, path string, first, second any) (map[string]any, error) {
	var wg sync.WaitGroup
	errs := make([]error, 2)
	start := make(chan struct{})
	for n, body := range []any{first, second} {
		wg.Go(func() {
			<-start
			errs[n] = mustCall(200, "PUT", nodes[n].v2(path), storeToken, body, nil)
		})
	}
	close(start)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var got map[string]any
	return got, mustCall(200, "GET", nodes[0].v2(path), storeToken, nil, &got)
}

// deadlock: defect 3.
func deadlock(bin, dsn string, d time.Duration) error {
	if err := resetSchema(dsn); err != nil {
		return err
	}
	nodes, err := startNodes(bin, dsn, 2)
	if err != nil {
		return err
	}
	defer stopNodes(nodes)
	// The document every import loads: a default group and 200 customers.
	if err := mustCall(201, "POST", nodes[0].v2("/customer_groups"), storeToken,
		map[string]any{"name": "Retail", "is_default": true}, nil); err != nil {
		return err
	}
	for i := range 200 {
		if err := mustCall(201, "POST", nodes[0].v2("/customers"), storeToken,
			map[string]string{"first_name": "Seed", "last_name": "Doe", "email": fmt.Sprintf("seed%d@example.com", i)}, nil); err != nil {
			return err
		}
	}
	admin := func(nd *node, path string) string {
		return "http://" + nd.addr + "/admin/v1/stores/" + storeHash + path
	}
	status, doc, err := call("GET", admin(nodes[0], "/export"), adminToken, nil)
	if err != nil || status != 200 {
		return fmt.Errorf("export: %d %v", status, err)
	}

	type tally struct{ sent, failed atomic.Int64 }
	var creates, resets, imports tally
	count := func(t *tally, status int, err error) {
		t.sent.Add(1)
		if err != nil || status >= 500 {
			t.failed.Add(1)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var wg sync.WaitGroup
	var seq atomic.Int64
	for w := range 8 {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := seq.Add(1)
				status, _, err := call("POST", nodes[w%2].v2("/customers"), storeToken,
					map[string]string{"first_name": "New", "last_name": "Doe", "email": fmt.Sprintf("new%d@example.com", i)})
				count(&creates, status, err)
			}
		})
	}
	wg.Go(func() {
		for i := 0; ctx.Err() == nil; i++ {
			status, _, err := call("POST", admin(nodes[i%2], "/reset"), adminToken, nil)
			count(&resets, status, err)
			time.Sleep(200 * time.Millisecond)
		}
	})
	wg.Go(func() {
		for i := 0; ctx.Err() == nil; i++ {
			status, _, err := call("PUT", admin(nodes[(i+1)%2], "/import"), adminToken, doc)
			count(&imports, status, err)
			time.Sleep(300 * time.Millisecond)
		}
	})
	wg.Wait()
	for _, r := range []struct {
		name string
		t    *tally
	}{{"resets", &resets}, {"imports", &imports}, {"creates", &creates}} {
		fmt.Printf("%-8s 5xx %d of %d\n", r.name+":", r.t.failed.Load(), r.t.sent.Load())
	}
	return nil
}

// stall: defect 11.
func stall(bin string, rows int) error {
	dir, err := os.MkdirTemp("", "attack-stall")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "customersd.db")
	if err := seedBigStore(path, rows); err != nil {
		return err
	}
	nodes, err := startNodes(bin, path, 1)
	if err != nil {
		return err
	}
	defer stopNodes(nodes)
	nd := nodes[0]
	// A second store, whose creates measure the writer's availability.
	var other struct {
		Hash  string `json:"store_hash"`
		Token struct {
			AccessToken string `json:"access_token"`
		} `json:"token"`
	}
	if err := mustCall(201, "POST", "http://"+nd.addr+"/admin/v1/stores", adminToken, map[string]string{}, &other); err != nil {
		return err
	}
	otherURL := "http://" + nd.addr + "/stores/" + other.Hash + "/v2/customers"

	done := make(chan time.Duration)
	go func() {
		start := time.Now()
		status, b, err := call("DELETE", "http://"+nd.addr+"/stores/"+storeHash+"/v2/customers", storeToken, nil)
		if err != nil || status != 204 {
			fmt.Fprintf(os.Stderr, "DELETE /customers: %d %v %s\n", status, err, b)
		}
		done <- time.Since(start)
	}()
	var waits []time.Duration
	for i := 0; ; i++ {
		select {
		case took := <-done:
			slices.Sort(waits)
			fmt.Printf("delete of %d customers: %v; other store: %d creates, median %v, longest %v\n", rows, took.Round(time.Millisecond),
				len(waits), waits[len(waits)/2].Round(time.Millisecond), waits[len(waits)-1].Round(time.Millisecond))
			return nil
		default:
		}
		start := time.Now()
		if err := mustCall(201, "POST", otherURL, other.Token.AccessToken,
			map[string]string{"first_name": "Other", "last_name": "Doe", "email": fmt.Sprintf("o%d@example.com", i)}, nil); err != nil {
			return err
		}
		waits = append(waits, time.Since(start))
	}
}

// seedBigStore creates the attack store in a new SQLite database and
// bulk-loads rows customers into it.
func seedBigStore(path string, rows int) error {
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	tenants := sqlstore.NewTenantService(db)
	st := &customersd.Store{Hash: storeHash}
	if err := tenants.CreateStore(ctx, st); err != nil {
		return err
	}
	return sqlstore.Seed(ctx, db, st.ID, sqlstore.SeedOptions{Customers: rows})
}
