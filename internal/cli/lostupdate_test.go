package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/customersd/customersd/sqlstore/sqlstoretest"
)

// lostUpdateTrials is how many pairs of concurrent PUTs each resource gets.
// Before rows were locked for a PUT, about three pairs in five lost a field
// on this machine, so 40 pairs cannot pass by luck.
const lostUpdateTrials = 40

// TestMultiNode_NoLostUpdates sends, in each trial, two partial PUTs on the
// same row at once, one through each of two processes sharing a PostgreSQL
// database: each changes a different field, both answer 200, so both
// changes must be there afterwards. A PUT that reads the row unlocked and
// rewrites every column would put back the other PUT's field as it was. A
// lock held inside one process could not pass this test.
func TestMultiNode_NoLostUpdates(t *testing.T) {
	dsn := sqlstoretest.DSN(t, "postgres") // skips without CUSTOMERSD_TEST_POSTGRES_URL
	bin := buildBinary(t)
	const hash, token = "lostupdate", "lostupdate-token-0123456789"
	nodes := startNodes(t, bin, []string{
		"CUSTOMERSD_DATABASE=" + dsn,
		"CUSTOMERSD_ADDR=127.0.0.1:0",
		"CUSTOMERSD_LOG_FORMAT=json",
		"CUSTOMERSD_BCRYPT_COST=4",
		"CUSTOMERSD_RATE_LIMIT=off",
		"CUSTOMERSD_STORE_HASH=" + hash,
		"CUSTOMERSD_ACCESS_TOKEN=" + token,
	}, 2)
	base := "/stores/" + hash + "/v2"

	var c struct{ ID int64 }
	decodeJSON(t, mustCall(t, http.StatusCreated, "POST", nodes[0].url(base+"/customers"), token,
		map[string]string{"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com"}), &c)
	var a struct{ ID int64 }
	decodeJSON(t, mustCall(t, http.StatusCreated, "POST", nodes[0].url(fmt.Sprintf("%s/customers/%d/addresses", base, c.ID)), token,
		map[string]string{"first_name": "Jane", "last_name": "Doe", "street_1": "1 Main St", "city": "Sydney",
			"state": "NSW", "zip": "2000", "country": "Australia", "phone": "555-0100"}), &a)
	var g struct{ ID int64 }
	decodeJSON(t, mustCall(t, http.StatusCreated, "POST", nodes[0].url(base+"/customer_groups"), token,
		map[string]string{"name": "Group"}), &g)

	t.Run("Customer", func(t *testing.T) {
		lost := concurrentPUTs(t, nodes, token, fmt.Sprintf("%s/customers/%d", base, c.ID),
			func(i int) (any, any) {
				return map[string]string{"company": fmt.Sprintf("Company %d", i)},
					map[string]string{"store_credit": fmt.Sprintf("%d.0000", i)}
			},
			func(i int, got map[string]any) bool {
				return got["company"] == fmt.Sprintf("Company %d", i) && got["store_credit"] == fmt.Sprintf("%d.0000", i)
			})
		if lost > 0 {
			t.Errorf("lost a field in %d of %d trials", lost, lostUpdateTrials)
		}
	})
	t.Run("Address", func(t *testing.T) {
		lost := concurrentPUTs(t, nodes, token, fmt.Sprintf("%s/customers/%d/addresses/%d", base, c.ID, a.ID),
			func(i int) (any, any) {
				return map[string]string{"company": fmt.Sprintf("Company %d", i)},
					map[string]string{"phone": fmt.Sprintf("555-%04d", i)}
			},
			func(i int, got map[string]any) bool {
				return got["company"] == fmt.Sprintf("Company %d", i) && got["phone"] == fmt.Sprintf("555-%04d", i)
			})
		if lost > 0 {
			t.Errorf("lost a field in %d of %d trials", lost, lostUpdateTrials)
		}
	})
	t.Run("Group", func(t *testing.T) {
		// Group writes already queue on the store's group counter (lockGroups).
		lost := concurrentPUTs(t, nodes, token, fmt.Sprintf("%s/customer_groups/%d", base, g.ID),
			func(i int) (any, any) {
				return map[string]string{"name": fmt.Sprintf("Group %d", i)},
					map[string]any{"category_access": map[string]string{"type": accessType(i)}}
			},
			func(i int, got map[string]any) bool {
				access, _ := got["category_access"].(map[string]any)
				return got["name"] == fmt.Sprintf("Group %d", i) && access["type"] == accessType(i)
			})
		if lost > 0 {
			t.Errorf("lost a field in %d of %d trials", lost, lostUpdateTrials)
		}
	})
}

// accessType alternates a group's category access, so that a value put
// back by a lost update differs from the one just sent.
func accessType(i int) string {
	if i%2 == 0 {
		return "all"
	}
	return "none"
}

// concurrentPUTs runs lostUpdateTrials trials on the resource at path: the
// two bodies of trial i are sent at once, the first through nodes[0] and the
// second through nodes[1]; then the resource is read and ok says whether
// both changes are there. It returns the number of trials that lost one.
func concurrentPUTs(t *testing.T, nodes []*node, token, path string, bodies func(i int) (any, any), ok func(i int, got map[string]any) bool) int {
	t.Helper()
	lost := 0
	for i := 1; i <= lostUpdateTrials; i++ {
		first, second := bodies(i)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for n, body := range []any{first, second} {
			wg.Go(func() {
				<-start
				if status, b := call(t, "PUT", nodes[n].url(path), token, body); status != http.StatusOK {
					t.Errorf("PUT %s via node %d: status=%d, want 200; body: %s", path, n, status, b)
				}
			})
		}
		close(start)
		wg.Wait()
		var got map[string]any
		if err := json.Unmarshal(mustCall(t, http.StatusOK, "GET", nodes[0].url(path), token, nil), &got); err != nil {
			t.Fatalf("decode %s: %v", path, err)
		}
		if !ok(i, got) {
			lost++
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return lost
}
