package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/internal/logbuf"
	"github.com/customersd/customersd/sqlstore/sqlstoretest"
)

// node is a customersd process started from the built binary.
type node struct {
	cmd    *exec.Cmd
	addr   string
	stderr *logbuf.Buffer
	exited chan error
}

// buildBinary compiles the customersd command (cmd/customersd) into a temporary directory.
func buildBinary(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "customersd")
	out, err := exec.Command("go", "build", "-o", bin, "../../cmd/customersd").CombinedOutput()
	if err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startNodes starts n processes at once with env as their whole
// environment, and waits until each one listens. Starting them together
// makes their migrations and bootstrap race on the empty database.
func startNodes(tb testing.TB, bin string, env []string, n int) []*node {
	tb.Helper()
	nodes := make([]*node, n)
	ready := make(chan error, n)
	for i := range nodes {
		nd := &node{stderr: &logbuf.Buffer{}, exited: make(chan error, 1)}
		nd.cmd = exec.Command(bin, "serve")
		nd.cmd.Env = env // all of it: nothing leaks in from the test's environment
		pipe, err := nd.cmd.StderrPipe()
		if err != nil {
			tb.Fatal(err)
		}
		if err := nd.cmd.Start(); err != nil {
			tb.Fatal(err)
		}
		nodes[i] = nd
		tb.Cleanup(func() { nd.terminate(tb) })
		go nd.watch(pipe, ready)
	}
	// Polling for started processes, with a deadline: a process that never
	// listens fails the test instead of hanging it.
	deadline := time.After(60 * time.Second)
	for range nodes {
		select {
		case err := <-ready:
			if err != nil {
				tb.Fatal(err)
			}
		case <-deadline:
			tb.Fatalf("customersd did not start:\n%s\n%s", nodes[0].stderr, nodes[1].stderr)
		}
	}
	return nodes
}

// watch copies the node's JSON log, reports its address once it listens or
// its exit if it never does, then records how it exited.
func (nd *node) watch(pipe io.Reader, ready chan<- error) {
	sc := bufio.NewScanner(pipe)
	reported := false
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(nd.stderr, line)
		var rec struct{ Msg, Addr string }
		if !reported && json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "customersd listening" {
			nd.addr = rec.Addr
			reported = true
			ready <- nil
		}
	}
	err := nd.cmd.Wait()
	if !reported {
		ready <- fmt.Errorf("customersd exited before listening: %v\n%s", err, nd.stderr)
	}
	nd.exited <- err
}

// terminate sends SIGTERM and waits: a clean exit is status 0.
func (nd *node) terminate(tb testing.TB) error {
	nd.cmd.Process.Signal(syscall.SIGTERM) // an error only if it has exited already
	select {
	case err := <-nd.exited:
		nd.exited <- err // for a second call
		return err
	case <-time.After(30 * time.Second):
		nd.cmd.Process.Kill()
		return fmt.Errorf("customersd did not exit after SIGTERM:\n%s", nd.stderr)
	}
}

func (nd *node) url(path string) string { return "http://" + nd.addr + path }

// TestMultiNode runs two customersd processes on one PostgreSQL database
// and hammers both at once with customer creates and default-group flips:
// per-store IDs, email uniqueness, the one default group and the counts
// must hold across processes, since they come from the database alone.
func TestMultiNode(t *testing.T) {
	dsn := sqlstoretest.DSN(t, "postgres") // skips without CUSTOMERSD_TEST_POSTGRES_URL
	bin := buildBinary(t)
	const hash, token = "multinode", "multinode-token-0123456789"
	env := []string{
		"CUSTOMERSD_DATABASE=" + dsn,
		"CUSTOMERSD_ADDR=127.0.0.1:0",
		"CUSTOMERSD_LOG_FORMAT=json",
		"CUSTOMERSD_BCRYPT_COST=4",
		"CUSTOMERSD_STORE_HASH=" + hash,
		"CUSTOMERSD_ACCESS_TOKEN=" + token,
	}
	nodes := startNodes(t, bin, env, 2)
	for _, nd := range nodes {
		mustCall(t, http.StatusOK, "GET", nd.url("/readyz"), "", nil)
	}

	groups := createGroups(t, nodes[0], hash, token)
	created := hammer(t, nodes, hash, token, groups)
	checkCustomers(t, nodes, hash, token, created, groups)
	checkGroups(t, nodes, hash, token, groups)

	for _, nd := range nodes {
		if err := nd.terminate(t); err != nil {
			t.Errorf("customersd on %s: exit after SIGTERM: %v\n%s", nd.addr, err, nd.stderr)
		}
	}
}

const (
	multiNodeEmails  = 150 // distinct addresses
	multiNodeCreates = 300 // creates; every address is sent twice, in two spellings
	multiNodeFlips   = 100 // PUT is_default true, spread over the groups
	multiNodeGroups  = 4
	multiNodeWorkers = 16
	groupsPath       = "/customer_groups"
)

// createGroups makes the groups whose default flag the hammer moves around.
func createGroups(t *testing.T, nd *node, hash, token string) []int64 {
	var ids []int64
	for i := range multiNodeGroups {
		var g struct{ ID int64 }
		decodeJSON(t, mustCall(t, http.StatusCreated, "POST", nd.url("/stores/"+hash+"/v2"+groupsPath), token,
			map[string]string{"name": fmt.Sprintf("Group %d", i)}), &g)
		ids = append(ids, g.ID)
	}
	return ids
}

// hammer sends, through both nodes at once, customer creates (each address
// twice, in different case) mixed with PUTs making one group or another the
// default, and returns the customers created (201). Any answer but 201 and
// "email taken" to a create, or but 200 to a flip, fails the test.
func hammer(t *testing.T, nodes []*node, hash, token string, groups []int64) []customerBody {
	var (
		mu      sync.Mutex
		created []customerBody
		wg      sync.WaitGroup
		jobs    = make(chan int)
	)
	for w := range multiNodeWorkers {
		wg.Go(func() {
			for i := range jobs {
				nd := nodes[(i+w)%len(nodes)]
				if i >= multiNodeCreates {
					flipDefault(t, nd, hash, token, groups[i%len(groups)])
					continue
				}
				if c, ok := createCustomer(t, nd, hash, token, i); ok {
					mu.Lock()
					created = append(created, c)
					mu.Unlock()
				}
			}
		})
	}
	// Creates and flips interleaved: a flip after every third create.
	for i := range multiNodeCreates {
		jobs <- i
		if i%3 == 2 && i/3 < multiNodeFlips {
			jobs <- multiNodeCreates + i/3
		}
	}
	close(jobs)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return created
}

// createCustomer sends create number i; ok is false for a taken email.
func createCustomer(t *testing.T, nd *node, hash, token string, i int) (c customerBody, ok bool) {
	email := fmt.Sprintf("user%03d@example.com", i%multiNodeEmails)
	if i >= multiNodeEmails {
		email = strings.ToUpper(email[:1]) + email[1:strings.IndexByte(email, '@')] + "@EXAMPLE.com"
	}
	status, b := call(t, "POST", nd.url("/stores/"+hash+"/v2/customers"), token,
		map[string]string{"first_name": "User", "last_name": strconv.Itoa(i), "email": email})
	switch status {
	case http.StatusCreated:
		decodeJSON(t, b, &c)
		return c, true
	case http.StatusBadRequest:
		// BigCommerce answers a taken email with 400 and this reason.
		if !strings.Contains(string(b), "already in use") {
			t.Errorf("POST customer %s on %s: 400 %s, want the email taken", email, nd.addr, b)
		}
	default:
		t.Errorf("POST customer %s on %s: status=%d, want 201, or 400 for a taken email; body: %s", email, nd.addr, status, b)
	}
	return c, false
}

func flipDefault(t *testing.T, nd *node, hash, token string, group int64) {
	url := nd.url(fmt.Sprintf("/stores/%s/v2%s/%d", hash, groupsPath, group))
	if status, b := call(t, "PUT", url, token, map[string]bool{"is_default": true}); status != http.StatusOK {
		t.Errorf("PUT is_default on group %d via %s: status=%d, want 200; body: %s", group, nd.addr, status, b)
	}
}

// checkGroups checks that exactly one group is the default, as both nodes see it.
func checkGroups(t *testing.T, nodes []*node, hash, token string, groups []int64) {
	for _, nd := range nodes {
		var gs []struct {
			ID        int64 `json:"id"`
			IsDefault bool  `json:"is_default"`
		}
		decodeJSON(t, mustCall(t, http.StatusOK, "GET", nd.url("/stores/"+hash+"/v2"+groupsPath+"?limit=250"), token, nil), &gs)
		if len(gs) != len(groups) {
			t.Errorf("node %s: %d groups, want %d", nd.addr, len(gs), len(groups))
		}
		var defaults []int64
		for _, g := range gs {
			if g.IsDefault {
				defaults = append(defaults, g.ID)
			}
		}
		if len(defaults) != 1 {
			t.Errorf("node %s: default groups %v, want exactly one", nd.addr, defaults)
		}
	}
}

// checkCustomers compares what the store holds with what was created. A
// customer created without a group joins the default group of the moment:
// none before the first flip, else one of the groups.
func checkCustomers(t *testing.T, nodes []*node, hash, token string, created []customerBody, groups []int64) {
	if got, want := len(created), multiNodeEmails; got != want {
		t.Errorf("%d creates answered 201, want %d (one per address)", got, want)
	}
	ids := map[int64]bool{}
	for _, c := range created {
		if c.ID < 1 || ids[c.ID] {
			t.Errorf("created id %d twice or below 1", c.ID)
		}
		ids[c.ID] = true
	}

	// Every node sees the same store.
	for _, nd := range nodes {
		var count struct{ Count int }
		decodeJSON(t, mustCall(t, http.StatusOK, "GET", nd.url("/stores/"+hash+"/v2/customers/count"), token, nil), &count)
		if count.Count != len(created) {
			t.Errorf("node %s: count=%d, want %d (the 201s)", nd.addr, count.Count, len(created))
		}
	}
	listed := listAllCustomers(t, nodes[0], hash, token)
	emails := map[string]int64{}
	for _, c := range listed {
		key := customersd.EmailKey(c.Email)
		if other, dup := emails[key]; dup {
			t.Errorf("email %s belongs to customers %d and %d", key, other, c.ID)
		}
		emails[key] = c.ID
		if c.CustomerGroupID != 0 && !slices.Contains(groups, c.CustomerGroupID) {
			t.Errorf("customer %d is in group %d, which does not exist", c.ID, c.CustomerGroupID)
		}
		if !ids[c.ID] {
			t.Errorf("listed customer %d was never answered with 201", c.ID)
		}
	}
	if got, want := len(listed), len(created); got != want {
		t.Errorf("listed %d customers, want %d", got, want)
	}

	// The metrics of both nodes add up to the same number of creates.
	var sum int
	for _, nd := range nodes {
		b := mustCall(t, http.StatusOK, "GET", nd.url("/metrics"), "", nil)
		sum += metricValue(string(b), `customersd_http_requests_total{code="201",route="POST /stores/{store_hash}/v2/customers"}`)
	}
	if sum != len(created) {
		t.Errorf("metrics count %d creates with 201, want %d", sum, len(created))
	}
}

// listAllCustomers pages through the store's customers.
func listAllCustomers(t *testing.T, nd *node, hash, token string) []customerBody {
	var all []customerBody
	for page := 1; ; page++ {
		status, b := call(t, "GET", nd.url(fmt.Sprintf("/stores/%s/v2/customers?limit=250&page=%d", hash, page)), token, nil)
		if status == http.StatusNoContent {
			return all
		}
		if status != http.StatusOK {
			t.Fatalf("list page %d: status=%d; body: %s", page, status, b)
		}
		var cs []customerBody
		decodeJSON(t, b, &cs)
		all = append(all, cs...)
		if len(cs) < 250 {
			return all
		}
	}
}

// metricValue returns the value of the series named exactly by series, or 0.
func metricValue(text, series string) int {
	for line := range strings.SplitSeq(text, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			n, _ := strconv.ParseFloat(v, 64)
			return int(n)
		}
	}
	return 0
}
