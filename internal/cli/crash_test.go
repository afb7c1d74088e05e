package cli

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/customersd/customersd/sqlstore/sqlstoretest"
	_ "modernc.org/sqlite" // to check the file after a kill, outside sqlstore
)

// The crash test: a real customersd process under concurrent creates,
// updates and deletes is killed with SIGKILL at a random moment, restarted
// on the same database, and must hold every write it acknowledged. A write
// whose answer never came (in flight at the kill) may or may not be there,
// but whole or not at all. Every acknowledged write's webhook event must
// reach a receiver at least once, however many kills it went through.
const (
	crashRounds  = 12
	crashWorkers = 6
	crashHash    = "crash"
	crashToken   = "crash-token-0123456789"
)

func TestCrash_SQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test builds the binary and kills it repeatedly; skipped under -short")
	}
	t.Parallel()
	dbPath := filepath.Join(t.TempDir(), "crash.db")
	runCrashRounds(t, dbPath, func(t *testing.T, round int, live bool) {
		checkSQLiteIntegrity(t, dbPath)
	})
}

func TestCrash_Postgres(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test builds the binary and kills it repeatedly; skipped under -short")
	}
	dsn := sqlstoretest.DSN(t, "postgres") // skips without CUSTOMERSD_TEST_POSTGRES_URL
	t.Parallel()
	runCrashRounds(t, dsn, nil)
}

// runCrashRounds starts the binary on database crashRounds times, each time
// checking what the previous process acknowledged, then loading it and
// killing it after a random number of acknowledged writes. check, when set,
// inspects the database: on odd rounds cold, right after the kill (so the
// checker recovers the file), on even ones while the restarted server runs
// (so the server recovered it).
func runCrashRounds(t *testing.T, database string, check func(t *testing.T, round int, live bool)) {
	bin := buildBinary(t)
	env := []string{
		"CUSTOMERSD_DATABASE=" + database,
		"CUSTOMERSD_ADDR=127.0.0.1:0",
		"CUSTOMERSD_LOG_FORMAT=json",
		"CUSTOMERSD_BCRYPT_COST=4",
		"CUSTOMERSD_STORE_HASH=" + crashHash,
		"CUSTOMERSD_ACCESS_TOKEN=" + crashToken,
		// A short timeout makes a short lease (twice it plus 10 s): the
		// deliveries a kill leaves leased are due again sooner.
		"CUSTOMERSD_WEBHOOK_TIMEOUT=1s",
	}
	model := newCrashModel()
	receiver := newHookReceiver(t)
	rng := rand.New(rand.NewPCG(8, 8)) // fixed seed: the same kill points every run
	for round := range crashRounds {
		nd := startNodes(t, bin, env, 1)[0]
		if round == 0 {
			mustCall(t, http.StatusOK, "POST", nd.url("/stores/"+crashHash+"/v3/hooks"), crashToken,
				map[string]any{"scope": "store/customer/*", "destination": receiver.URL})
		}
		model.verify(t, nd, round)
		if check != nil && round%2 == 0 && round > 0 {
			check(t, round, true)
		}
		if t.Failed() {
			t.FailNow()
		}
		killAfter := 20 + rng.IntN(100)
		model.load(t, nd, round, killAfter)
		if err := <-nd.exited; err == nil {
			t.Fatalf("round %d: customersd exited cleanly, want killed", round)
		}
		nd.exited <- nil // for the cleanup's terminate
		if check != nil && round%2 == 1 {
			check(t, round, false)
		}
	}
	nd := startNodes(t, bin, env, 1)[0]
	model.verify(t, nd, crashRounds)
	model.verifyEvents(t, receiver)
	t.Logf("%d rounds: %d writes acknowledged, all found; %d without an answer at a kill, %d of them found done",
		crashRounds, model.acked, model.inFlight, model.applied)
}

func checkSQLiteIntegrity(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil {
		t.Fatalf("integrity_check: %v", err)
	}
	if res != "ok" {
		t.Fatalf("integrity_check = %q, want ok", res)
	}
}

// crashCustomer is what the test knows of one customer: the last state the
// server acknowledged, and the write in flight when it was killed, if any.
type crashCustomer struct {
	id      int64
	deleted bool           // acknowledged delete
	body    map[string]any // the last acknowledged representation
	pending *crashWrite    // unacknowledged write; nil when none
}

// crashWrite is a write whose answer never came.
type crashWrite struct {
	delete bool
	tag    string // the value of every text field it sets
}

// crashModel is the test's account of the store.
type crashModel struct {
	mu        sync.Mutex
	customers map[int64]*crashCustomer
	// creates in flight at a kill, by email: the server may have made
	// them, under an ID the test never learnt.
	pendingCreates map[string]string // email -> tag
	acked          int
	// events counts the acknowledged writes by the event each fires.
	events   map[crashEvent]int
	inFlight int // writes without an answer at a kill
	applied  int // of those, the ones found done after the restart
	seq      int
}

func newCrashModel() *crashModel {
	return &crashModel{customers: map[int64]*crashCustomer{}, pendingCreates: map[string]string{}, events: map[crashEvent]int{}}
}

// crashFields is a customer body whose text fields all carry tag, so a
// customer mixing two writes shows.
func crashFields(tag string) map[string]any {
	return map[string]any{"first_name": tag, "last_name": tag, "company": tag, "phone": tag, "notes": tag}
}

// verify lists the store and compares it with the model, then resolves every
// in-flight write by what it finds.
func (m *crashModel) verify(t *testing.T, nd *node, round int) {
	t.Helper()
	listed := map[int64]map[string]any{}
	for page := 1; ; page++ {
		status, b := call(t, "GET", nd.url(fmt.Sprintf("/stores/%s/v2/customers?limit=250&page=%d", crashHash, page)), crashToken, nil)
		if status == http.StatusNoContent {
			break
		}
		if status != http.StatusOK {
			t.Fatalf("round %d: list page %d: status=%d: %s", round, page, status, b)
		}
		var cs []map[string]any
		decodeJSON(t, b, &cs)
		for _, c := range cs {
			listed[int64(c["id"].(float64))] = c
		}
		if len(cs) < 250 {
			break
		}
	}
	// The count is kept apart from the rows (by triggers on SQLite): it
	// must agree with them after any crash.
	var count struct{ Count int }
	decodeJSON(t, mustCall(t, http.StatusOK, "GET", nd.url("/stores/"+crashHash+"/v2/customers/count"), crashToken, nil), &count)
	if count.Count != len(listed) {
		t.Errorf("round %d: count=%d, but %d customers are listed", round, count.Count, len(listed))
	}
	for id, got := range listed {
		tag, _ := got["first_name"].(string)
		for _, k := range []string{"last_name", "company", "phone", "notes"} {
			if got[k] != tag {
				t.Errorf("round %d: customer %d is half-written: first_name %q, %s %q", round, id, tag, k, got[k])
			}
		}
	}
	for id, c := range m.customers {
		got, there := listed[id]
		switch {
		case c.deleted && there:
			t.Errorf("round %d: customer %d was deleted (204) but is back: %v", round, id, got)
		case c.deleted:
		case !there && c.pending != nil && c.pending.delete:
			c.deleted = true // the delete in flight happened
			m.applied++
		case !there:
			t.Errorf("round %d: customer %d was acknowledged (%v) but is gone", round, id, c.body)
		case sameCustomer(got, c.body):
		case c.pending != nil && !c.pending.delete && got["first_name"] == c.pending.tag:
			c.body = got // the update in flight happened
			m.applied++
		default:
			t.Errorf("round %d: customer %d is\n%v\nwant the acknowledged\n%v\nor the write in flight %+v", round, id, got, c.body, c.pending)
		}
		c.pending = nil
		delete(listed, id)
	}
	// What is left was created by a write whose 201 never came.
	for id, got := range listed {
		email, _ := got["email"].(string)
		tag, ok := m.pendingCreates[email]
		if !ok || got["first_name"] != tag {
			t.Errorf("round %d: customer %d (%s) was never created: %v", round, id, email, got)
			continue
		}
		m.customers[id] = &crashCustomer{id: id, body: got}
		m.applied++
	}
	clear(m.pendingCreates)
}

// sameCustomer compares two representations but for the addresses link,
// whose URL carries the server's address, which changes at each restart.
func sameCustomer(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if k == "addresses" {
			continue
		}
		if fmt.Sprint(v) != fmt.Sprint(b[k]) {
			return false
		}
	}
	return true
}

// load runs crashWorkers writers against nd and kills it with SIGKILL once
// killAfter writes have been acknowledged. Each worker owns the customers
// it creates, so at most one write per customer is in flight.
func (m *crashModel) load(t *testing.T, nd *node, round, killAfter int) {
	t.Helper()
	acks := make(chan struct{}, 1024)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: crashWorkers}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	for w := range crashWorkers {
		rng := rand.New(rand.NewPCG(uint64(round), uint64(w)))
		wg.Go(func() {
			var own []*crashCustomer
			m.mu.Lock()
			for _, c := range m.customers {
				if !c.deleted && c.id%crashWorkers == int64(w) {
					own = append(own, c)
				}
			}
			m.mu.Unlock()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if !m.step(t, client, nd, rng, &own, w) {
					return // the server is gone
				}
				acks <- struct{}{}
			}
		})
	}
	deadline := time.After(60 * time.Second)
	for n := 0; n < killAfter; n++ {
		select {
		case <-acks:
		case <-deadline:
			t.Fatalf("round %d: only %d writes acknowledged", round, n)
		}
	}
	if err := nd.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	close(stop)
	go func() {
		for range acks { // workers must not block on a full channel
		}
	}()
	wg.Wait()
	close(acks)
}

// step sends one write and records its outcome; it returns false when the
// request failed at the transport, that is, the server died under it.
func (m *crashModel) step(t *testing.T, client *http.Client, nd *node, rng *rand.Rand, own *[]*crashCustomer, w int) bool {
	m.mu.Lock()
	m.seq++
	tag := fmt.Sprintf("w%d-%d", w, m.seq)
	m.mu.Unlock()
	base := nd.url("/stores/" + crashHash + "/v2/customers")
	live := *own
	op := rng.IntN(10)
	switch {
	case len(live) == 0 || op < 4: // create
		email := tag + "@example.com"
		body := crashFields(tag)
		body["email"] = email
		got, ok := crashCall(t, client, "POST", base, body, http.StatusCreated)
		m.mu.Lock()
		defer m.mu.Unlock()
		if !ok {
			m.pendingCreates[email] = tag
			m.inFlight++
			return false
		}
		id := int64(got["id"].(float64))
		c := &crashCustomer{id: id, body: got}
		m.customers[id] = c
		if id%crashWorkers == int64(w) {
			*own = append(*own, c)
		}
		m.acked++
		m.events[crashEvent{"store/customer/created", id}]++
	case op < 8: // update every field at once
		c := live[rng.IntN(len(live))]
		got, ok := crashCall(t, client, "PUT", fmt.Sprintf("%s/%d", base, c.id), crashFields(tag), http.StatusOK)
		m.mu.Lock()
		defer m.mu.Unlock()
		if !ok {
			c.pending = &crashWrite{tag: tag}
			m.inFlight++
			return false
		}
		c.body = got
		m.acked++
		m.events[crashEvent{"store/customer/updated", c.id}]++
	default: // delete
		i := rng.IntN(len(live))
		c := live[i]
		_, ok := crashCall(t, client, "DELETE", fmt.Sprintf("%s/%d", base, c.id), nil, http.StatusNoContent)
		m.mu.Lock()
		defer m.mu.Unlock()
		if !ok {
			c.pending = &crashWrite{delete: true}
			m.inFlight++
			return false
		}
		c.deleted = true
		*own = append(live[:i], live[i+1:]...)
		m.acked++
		m.events[crashEvent{"store/customer/deleted", c.id}]++
	}
	return true
}

// crashCall sends a write. ok is false when no answer came (the process was
// killed); any answer but want fails the test.
func crashCall(t *testing.T, client *http.Client, method, url string, body any, want int) (map[string]any, bool) {
	var rdr io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rdr = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, url, rdr)
	if err != nil {
		t.Error(err)
		return nil, false
	}
	req.Header.Set("X-Auth-Token", crashToken)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return nil, false
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, false // killed while the answer was on its way: not acknowledged
	}
	if res.StatusCode != want {
		t.Errorf("%s %s: status=%d, want %d: %s", method, url, res.StatusCode, want, b)
		return nil, false
	}
	var got map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &got); err != nil {
			t.Errorf("%s %s: %v: %s", method, url, err, b)
			return nil, false
		}
	}
	return got, true
}

// crashEvent is an event by its scope and customer.
type crashEvent struct {
	scope string
	id    int64
}

// verifyEvents waits until the receiver has got, for every event kind and
// customer, at least as many distinct events (webhook-ids) as writes were
// acknowledged: at least once, across every kill. Writes in flight at a
// kill may add more.
func (m *crashModel) verifyEvents(t *testing.T, rc *hookReceiver) {
	t.Helper()
	var missing []string
	defer func() {
		if t.Failed() {
			t.Logf("events missing (kind, customer: got of acknowledged): %v", missing)
		}
	}()
	waitFor(t, "every acknowledged write's event delivered", func() bool {
		got := map[crashEvent]map[string]bool{}
		for _, r := range rc.requests() {
			var pl struct {
				Scope string `json:"scope"`
				Data  struct {
					ID int64 `json:"id"`
				} `json:"data"`
			}
			if err := json.Unmarshal(r.body, &pl); err != nil {
				t.Fatalf("webhook body %s: %v", r.body, err)
			}
			k := crashEvent{pl.Scope, pl.Data.ID}
			if got[k] == nil {
				got[k] = map[string]bool{}
			}
			got[k][r.header.Get("webhook-id")] = true
		}
		missing = missing[:0]
		for k, n := range m.events {
			if len(got[k]) < n {
				missing = append(missing, fmt.Sprintf("%s %d: %d of %d", k.scope, k.id, len(got[k]), n))
			}
		}
		return len(missing) == 0
	})
	t.Logf("%d acknowledged writes' events delivered in %d requests", m.acked, len(rc.requests()))
}
