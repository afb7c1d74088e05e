package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"

	"github.com/customersd/customersd"
)

// Creates in one statement. On PostgreSQL a create as a transaction is six
// round trips (BEGIN, the hooks, the ID, the default group, the INSERT,
// COMMIT), each costing both processes CPU on a machine the client often
// shares. When no active hook wants the event, which is the common case,
// the create needs nothing from Go between those steps, so one INSERT ...
// SELECT does them all and commits on its own: the store's KEY SHARE lock
// (ids.go), the ID, the default group and the check for hooks.
//
// The hooks are checked by the statement itself, not remembered: a hook
// created a moment ago on another node is seen exactly as the transaction
// would see it (read committed: as of the statement's start). When one is
// active the statement inserts nothing, and the caller runs the
// transaction, which stores the event with the row.

// insertAlone is a one-statement insert into t: every column's value as
// the row gives it, but for the ID, drawn from the store's sequence
// (ids.go), and the columns of exprs, whose values are those SQL
// expressions (with no arguments; held.id is the store's ID). It inserts
// SELECT ... FROM the store's row held FOR KEY SHARE, unless an active hook
// of the store has one of scopes, and only if guard (" AND ...", or "")
// holds.
type insertAlone[R any] struct {
	t        *table[R]
	resource string
	exprs    map[string]string
	scopes   []string
	// guardArgs gives the arguments of the guard condition (newInsertAlone)
	// the statement inserts under; nil without one.
	guardArgs func(r *R) []any
	sql       string
}

func newInsertAlone[R any](t *table[R], resource string, exprs map[string]string, scopes []string, returning, guard string, guardArgs func(r *R) []any) *insertAlone[R] {
	values := make([]string, len(t.insert))
	for i, c := range t.insert {
		switch e, ok := exprs[c.name]; {
		case c.name == "id":
			values[i] = `nextval(CAST(? AS text)::regclass)`
		case ok:
			values[i] = e
		default:
			values[i] = "?"
		}
	}
	// MATERIALIZED: the lock is taken before the SELECT list is computed
	// (nextval), as nextID explains.
	query := `WITH held AS MATERIALIZED (SELECT id FROM stores WHERE id = ? FOR KEY SHARE) ` +
		`INSERT INTO ` + t.name + ` (` + strings.Join(t.insert.names(), ", ") + `) SELECT ` + strings.Join(values, ", ") +
		` FROM held WHERE NOT EXISTS (SELECT 1 FROM hooks WHERE store_id = held.id AND is_active AND scope IN (?` +
		strings.Repeat(", ?", len(scopes)-1) + `))` + guard + ` RETURNING ` + returning
	return &insertAlone[R]{t: t, resource: resource, exprs: exprs, scopes: scopes, guardArgs: guardArgs, sql: query}
}

func (a *insertAlone[R]) args(store customersd.StoreID, r *R) []any {
	args := make([]any, 0, len(a.t.insert)+len(a.scopes)+1)
	args = append(args, store)
	for _, c := range a.t.insert {
		if c.name == "id" {
			args = append(args, idSequence(store, a.resource))
		} else if _, ok := a.exprs[c.name]; !ok {
			args = append(args, c.arg(r))
		}
	}
	for _, s := range a.scopes {
		args = append(args, s)
	}
	if a.guardArgs != nil {
		args = append(args, a.guardArgs(r)...)
	}
	return args
}

// run inserts r, outside any transaction, and scans what the statement
// returns into dest. done is false when it inserted nothing: the store is
// gone, or a hook wants the event; the caller then runs the transaction,
// which tells the two apart.
func (a *insertAlone[R]) run(ctx context.Context, db *DB, store customersd.StoreID, r *R, dest ...any) (done bool, err error) {
	defer forgetVersion(ctx)
	st := &Tx{q: db.write, dialect: db.dialect, db: db}
	err = st.queryRow(ctx, a.sql, a.args(store, r)...).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, db.noteWrite(err)
}

// createsAlone reports whether creates try the one-statement insert: on
// PostgreSQL. SQLite's group commit already shares one transaction among
// the writes that queue up, and its statements cost no round trip.
func (db *DB) createsAlone() bool { return db.dialect.idSequences }

var (
	// The default group, held as defaultGroupID holds it.
	inDefaultGroup = map[string]string{
		colCustomerGroupID: `(SELECT g.id FROM customer_groups g WHERE g.store_id = held.id AND g.` + colIsDefault + ` FOR KEY SHARE)`,
	}
	defaultGroupNoWait = strings.Replace(inDefaultGroup[colCustomerGroupID], "FOR KEY SHARE", "FOR KEY SHARE NOWAIT", 1)
	customerScopes     = customersd.HookScopesFor(customersd.HookCustomerCreated)
	// A customer sent with a group that does not exist is not inserted,
	// so nextval spends no ID on it: bad input changes nothing, the next
	// ID included (the transaction then refuses it; see CreateCustomer).
	createCustomerAlone = newInsertAlone(customers, resourceCustomer, nil, customerScopes, `id, `+colCustomerGroupID,
		` AND (CAST(? AS bigint) = 0 OR EXISTS (SELECT 1 FROM customer_groups g WHERE g.store_id = held.id AND g.id = ?))`,
		func(r *customerRow) []any { return []any{r.CustomerGroupID, r.CustomerGroupID} })
	createDefaultCustomerAlone = newInsertAlone(customers, resourceCustomer, inDefaultGroup, customerScopes, `id, `+colCustomerGroupID, "", nil)
	// Likewise an address of a customer that does not exist.
	createAddressAlone = newInsertAlone(addresses, resourceAddress, nil, customersd.HookScopesFor(customersd.HookAddressCreated), `id`,
		` AND EXISTS (SELECT 1 FROM customers c WHERE c.store_id = held.id AND c.id = ?)`,
		func(r *addressRow) []any { return []any{r.CustomerID} })
)

// Group commit of customer creates (PostgreSQL). One statement per create
// still costs a commit each, and on a small machine the WAL flush of each
// is what the creates queue on: with the pool's few connections, each
// flush carries a few commits. The batcher instead inserts the creates
// that queue up while its workers are busy as one multi-row statement: one
// round trip, one plan, one commit for the lot. As with SQLite's committer
// (batch.go), nothing is acknowledged before its commit.
//
// Only the creates that join the default group are batched: a customer
// sent with a group can fail the group's foreign key, which would fail the
// whole statement. Any create the statement did not insert, because its
// email is taken (ON CONFLICT DO NOTHING), a hook wants the event or the
// store is gone, goes back to the caller, which runs it alone and so
// reports its own outcome.

// maxCreateBatch bounds the rows of one statement, and so how long the
// creates in it wait for each other.
const maxCreateBatch = 64

// createWorkers is how many batches run at once: one per two CPUs. Fewer
// workers make larger batches: on 2 CPUs, with the database on them too,
// 1 worker made 3,468-4,384 creates/s, 2 made 3,037-3,981 and 4 made
// 2,628-2,884 (batches of about 28, 13 and 6 rows). A batch never waits
// for a lock (NOWAIT, below), so one worker cannot be held up by a store
// under reset while other stores' creates queue behind it.
func createWorkers() int { return max(1, runtime.GOMAXPROCS(0)/2) }

type createJob struct {
	store customersd.StoreID
	row   *customerRow
	done  chan bool
}

type createBatcher struct {
	db   *DB
	jobs chan *createJob

	mu     sync.RWMutex // guards closed against sends on a closed channel
	closed bool
	wg     sync.WaitGroup

	// casts types each column of the VALUES list as its column of
	// customers (from the catalog, once): parameters there have no type
	// of their own, and would be text.
	castsOnce sync.Once
	casts     map[string]string
	castsErr  error
}

func newCreateBatcher(db *DB) *createBatcher {
	b := &createBatcher{db: db, jobs: make(chan *createJob, maxCreateBatch)}
	for range createWorkers() {
		b.wg.Go(b.loop)
	}
	return b
}

// submit creates r in the next batch, if it can. inserted is false when
// the batch did not insert it: the caller creates it alone.
func (b *createBatcher) submit(ctx context.Context, store customersd.StoreID, r *customerRow) (inserted bool, err error) {
	j := &createJob{store: store, row: r, done: make(chan bool, 1)}
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return false, nil
	}
	select {
	case b.jobs <- j:
	case <-ctx.Done():
		b.mu.RUnlock()
		return false, ctx.Err()
	}
	b.mu.RUnlock()
	// Once queued, wait for the outcome even if ctx ends: the caller must
	// not report a failure for a create that may yet commit.
	return <-j.done, nil
}

func (b *createBatcher) close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.jobs)
	}
	b.mu.Unlock()
	b.wg.Wait()
}

func (b *createBatcher) loop() {
	for j := range b.jobs {
		batch := drain(b.jobs, j, maxCreateBatch)
		for len(batch) > 0 {
			// One statement per store, in the order the jobs came.
			store := batch[0].store
			var same, rest []*createJob
			for _, j := range batch {
				if j.store == store {
					same = append(same, j)
				} else {
					rest = append(rest, j)
				}
			}
			b.run(store, same)
			batch = rest
		}
	}
}

// run inserts the jobs of one store in one statement and tells each job
// whether its row was inserted.
func (b *createBatcher) run(store customersd.StoreID, jobs []*createJob) {
	inserted := make(map[*createJob]bool, len(jobs))
	defer func() {
		for _, j := range jobs {
			j.done <- inserted[j]
		}
	}()
	// Two jobs with one email: only the first goes in the statement (which
	// would insert one of them, but not say which), the other then runs
	// alone and finds the email taken, or free if the first failed.
	byKey := make(map[string]*createJob, len(jobs))
	var rows []*createJob
	for _, j := range jobs {
		key := customersd.EmailKey(j.row.Email)
		if byKey[key] == nil {
			byKey[key] = j
			rows = append(rows, j)
		}
	}
	casts, err := b.columnCasts()
	if err != nil {
		b.db.logger().Warn("customer creates not batched", slog.Any("error", err))
		return
	}
	query, args, err := batchInsertSQL(store, casts, rows)
	if err != nil {
		b.db.logger().Warn("customer creates not batched", slog.Any("error", err))
		return
	}
	ctx := context.Background() // the batch outlives any one request
	err = eachRow(ctx, &Tx{q: b.db.write, dialect: b.db.dialect, db: b.db}, func(r *sql.Rows) error {
		var key string
		var id int64
		var group groupRefScan
		if err := r.Scan(&key, &id, &group); err != nil {
			return err
		}
		if j := byKey[key]; j != nil {
			j.row.ID, j.row.CustomerGroupID = id, int64(group)
			inserted[j] = true
		}
		return nil
	}, query, args...)
	if err != nil {
		// Nothing was inserted: the statement is its own transaction.
		// Each job runs alone and meets the error itself, if it lasts.
		clear(inserted)
		b.db.noteWrite(err)
		return
	}
	b.db.noteWrite(nil)
}

// batchInsertSQL is the statement that inserts the rows of jobs, which join
// the default group, as createDefaultCustomerAlone inserts one. Each
// column's values travel as one array, unnested into rows, so that the
// statement is the same whatever the batch's size: prepared once per
// connection and planned once, where a VALUES list of n rows was a new
// statement for every n, with n times the parameters to bind and plan.
func batchInsertSQL(store customersd.StoreID, casts map[string]string, jobs []*createJob) (string, []any, error) {
	var cols, values, arrays []string
	args := []any{store, idSequence(store, resourceCustomer)}
	for _, s := range customerScopes {
		args = append(args, s)
	}
	for _, c := range customers.insert {
		switch c.name {
		case "store_id":
			values = append(values, "target.store")
		case "id":
			values = append(values, "nextval(target.seq)")
		case colCustomerGroupID:
			values = append(values, "target.grp")
		default:
			values = append(values, "v."+c.name)
			cols = append(cols, c.name)
			arrays = append(arrays, "CAST(? AS "+casts[c.name]+"[])")
			column, err := columnArray(c, casts[c.name], jobs)
			if err != nil {
				return "", nil, err
			}
			args = append(args, column)
		}
	}
	// NOWAIT: a store or default group locked by a whole-store operation
	// fails the batch at once, and its creates then wait alone, each in
	// its request, instead of holding up every store's batches.
	return `WITH held AS MATERIALIZED (SELECT id FROM stores WHERE id = ? FOR KEY SHARE NOWAIT), ` +
		`target AS MATERIALIZED (SELECT held.id AS store, CAST(? AS text)::regclass AS seq, ` + defaultGroupNoWait + ` AS grp ` +
		`FROM held WHERE NOT EXISTS (SELECT 1 FROM hooks WHERE store_id = held.id AND is_active AND scope IN (?` + strings.Repeat(", ?", len(customerScopes)-1) + `))) ` +
		`INSERT INTO customers (` + strings.Join(customers.insert.names(), ", ") + `) SELECT ` + strings.Join(values, ", ") +
		` FROM target, unnest(` + strings.Join(arrays, ", ") + `) AS v (` + strings.Join(cols, ", ") + `)` +
		` ON CONFLICT DO NOTHING RETURNING ` + colEmailKey + `, id, ` + colCustomerGroupID, args, nil
}

// columnArray is the array of column c's values in the rows of jobs, typed
// as the column (casts): text, bigint or boolean, NULL where the row has
// none.
func columnArray(c column[customerRow], typ string, jobs []*createJob) (any, error) {
	values := make([]any, len(jobs))
	for i, j := range jobs {
		v := c.arg(j.row)
		if dv, ok := v.(driver.Valuer); ok {
			var err error
			if v, err = dv.Value(); err != nil {
				return nil, fmt.Errorf("sqlstore: value of %s: %w", c.name, err)
			}
		}
		values[i] = v
	}
	switch typ {
	case "text":
		return typedArray[string](c.name, values)
	case "bigint":
		return typedArray[int64](c.name, values)
	case "boolean":
		return typedArray[bool](c.name, values)
	}
	return nil, fmt.Errorf("sqlstore: batch insert: column %s has type %s", c.name, typ)
}

// typedArray turns values, each a T or nil, into a []*T (nil for NULL).
func typedArray[T any](name string, values []any) ([]*T, error) {
	out := make([]*T, len(values))
	for i, v := range values {
		switch v := v.(type) {
		case nil:
		case T:
			out[i] = &v
		default:
			return nil, fmt.Errorf("sqlstore: batch insert: %s value of type %T", name, v)
		}
	}
	return out, nil
}

// columnCasts reads the type of each column of customers.
func (b *createBatcher) columnCasts() (map[string]string, error) {
	b.castsOnce.Do(func() {
		casts := make(map[string]string)
		b.castsErr = eachRow(context.Background(), &Tx{q: b.db.write, dialect: b.db.dialect, db: b.db}, func(r *sql.Rows) error {
			var name, typ string
			if err := r.Scan(&name, &typ); err != nil {
				return err
			}
			casts[name] = typ
			return nil
		}, `SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
			WHERE attrelid = CAST('customers' AS regclass) AND attnum > 0 AND NOT attisdropped`)
		if b.castsErr != nil {
			b.castsErr = fmt.Errorf("sqlstore: read the column types of customers: %w", b.castsErr)
		}
		b.casts = casts
	})
	return b.casts, b.castsErr
}
