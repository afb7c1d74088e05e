// Command listflood measures how one store's flood of list requests slows
// another store's reads (issue 12, defect 5), against a running server.
//
//	go run ./scripts/listflood seed -db FILE [-customers 100000]
//	go run ./scripts/listflood flood -url http://127.0.0.1:8080 [-flooders 39] [-duration 15s] [-query ...]
//
// seed makes two unthrottled stores in a SQLite file: "flood" with
// -customers customers and "quiet" with 100, with the tokens flood-token and
// quiet-token. flood runs -flooders concurrent list requests of "flood"
// (a date filter, by default) while one client reads single customers of
// "quiet" one after the other, and prints the quiet store's latency
// percentiles and the status counts of both. scripts/listflood.sh runs
// both against a binary.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/ratelimit"
	"github.com/customersd/customersd/sqlstore"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: listflood seed|flood [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "seed":
		err = seed(os.Args[2:])
	case "flood":
		err = flood(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "listflood:", err)
		os.Exit(1)
	}
}

func seed(args []string) error {
	fs := flag.NewFlagSet("seed", flag.ExitOnError)
	path := fs.String("db", "", "SQLite file to create")
	n := fs.Int("customers", 100000, "customers of the flooding store")
	asBase := fs.Bool("as-base", false, "leave the schema as it was before migration 0004_filter_indexes, for the base binary")
	fs.Parse(args)
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, *path)
	if err != nil {
		return err
	}
	defer db.Close()
	tenants := sqlstore.NewTenantService(db)
	for _, s := range []struct {
		hash string
		n    int
	}{{"flood", *n}, {"quiet", 100}} {
		st := &customersd.Store{Hash: s.hash, RateLimit: ratelimit.Unthrottled()}
		if err := tenants.CreateStore(ctx, st); err != nil {
			return err
		}
		if _, err := tenants.CreateAPIAccount(ctx, st.ID, s.hash+"-token", []customersd.Scope{customersd.ScopeCustomers}); err != nil {
			return err
		}
		if err := sqlstore.Seed(ctx, db, st.ID, sqlstore.SeedOptions{Customers: s.n}); err != nil {
			return err
		}
	}
	if *asBase {
		db.Close()
		return undoFilterIndexes(ctx, *path)
	}
	return nil
}

// undoFilterIndexes puts the indexes back as migrations 0001 to 0003 left
// them, and forgets 0004, so that a binary built before it measures on its
// own schema (and a later one would apply 0004 again).
func undoFilterIndexes(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, q := range []string{
		`DROP INDEX customers_first_name`, `DROP INDEX customers_last_name`, `DROP INDEX customers_company`,
		`DROP INDEX customers_phone`, `DROP INDEX customers_store_credit`, `DROP INDEX customers_tax_exempt_category`,
		`DROP INDEX customers_group`, `CREATE INDEX customers_group ON customers (store_id, customer_group_id)`,
		`DROP INDEX customers_date_created`, `CREATE INDEX customers_date_created ON customers (store_id, date_created)`,
		`DROP INDEX customers_date_modified`, `CREATE INDEX customers_date_modified ON customers (store_id, date_modified)`,
		`DROP INDEX customer_groups_name`, `DROP INDEX customer_groups_date_created`, `DROP INDEX customer_groups_date_modified`,
		`DELETE FROM schema_migrations WHERE name = '0004_filter_indexes.sql'`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

func flood(args []string) error {
	fs := flag.NewFlagSet("flood", flag.ExitOnError)
	url := fs.String("url", "http://127.0.0.1:8080", "server")
	flooders := fs.Int("flooders", 39, "concurrent list requests of the flooding store")
	duration := fs.Duration("duration", 15*time.Second, "how long to measure")
	// A date range matching every customer: the index finds them all, and
	// the page must come from sorting them by id.
	query := fs.String("query", "customers?min_date_created=2000-01-01&limit=250", "the flooding request, under /stores/flood/v2/")
	fs.Parse(args)

	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: *flooders + 4}}
	get := func(store, path string) (int, error) {
		req, _ := http.NewRequest("GET", *url+"/stores/"+store+"/v2/"+path, nil)
		req.Header.Set("X-Auth-Token", store+"-token")
		req.Header.Set("Accept", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nil
	}

	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	floodCodes := map[int]int{}
	var floodDone atomic.Int64
	for range *flooders {
		wg.Go(func() {
			for ctx.Err() == nil {
				code, err := get("flood", *query)
				mu.Lock()
				if err != nil {
					floodCodes[-1]++
				} else {
					floodCodes[code]++
				}
				mu.Unlock()
				floodDone.Add(1)
			}
		})
	}
	// Let the flood fill the readers before measuring.
	time.Sleep(500 * time.Millisecond)
	var lat []time.Duration
	quietCodes := map[int]int{}
	for i := 0; ctx.Err() == nil; i++ {
		start := time.Now()
		code, err := get("quiet", fmt.Sprintf("customers/%d", i%100+1))
		if err != nil {
			code = -1
		}
		lat = append(lat, time.Since(start))
		quietCodes[code]++
	}
	wg.Wait()
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))].Round(10 * time.Microsecond) }
	fmt.Printf("quiet store GET /customers/{id}: n=%d p50=%s p90=%s p99=%s max=%s codes=%v\n",
		len(lat), pct(0.5), pct(0.9), pct(0.99), lat[len(lat)-1].Round(10*time.Microsecond), quietCodes)
	fmt.Printf("flood store GET %s x%d: n=%d codes=%v\n", *query, *flooders, floodDone.Load(), floodCodes)
	return nil
}
