package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Group commit. On SQLite every commit waits for an fsync of the WAL, and
// one writer connection means commits happen one after the other, so the
// write rate is bounded by the disk's fsync rate. The committer instead runs
// the write transactions that queue up while one batch commits as one
// database transaction, each in its own SAVEPOINT: a failing write rolls
// back alone, the batch commits once, and only then is every write of the
// batch acknowledged. Durability is unchanged (nothing is acknowledged
// before its fsync); throughput grows with concurrency.

// maxBatch bounds a batch, so one commit never holds a long queue's worth
// of writers behind it.
const maxBatch = 128

var errCommitterClosed = errors.New("sqlstore: database is closing")

type writeJob struct {
	ctx  context.Context
	fn   func(tx *Tx) error
	done chan error
}

type committer struct {
	db   *DB
	jobs chan *writeJob

	mu     sync.RWMutex // guards closed against sends on a closed channel
	closed bool
	wg     sync.WaitGroup
}

func newCommitter(db *DB) *committer {
	c := &committer{db: db, jobs: make(chan *writeJob, maxBatch)}
	c.wg.Add(1)
	go c.loop()
	return c
}

// submit runs fn in the next batch and waits for the batch's commit.
func (c *committer) submit(ctx context.Context, fn func(tx *Tx) error) error {
	j := &writeJob{ctx: ctx, fn: fn, done: make(chan error, 1)}
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return errCommitterClosed
	}
	select {
	case c.jobs <- j:
	case <-ctx.Done():
		c.mu.RUnlock()
		return ctx.Err()
	}
	c.mu.RUnlock()
	// Once queued, wait for the outcome even if ctx ends: the caller must
	// not report a failure for a write that may yet commit.
	return <-j.done
}

// close stops the committer after the queued writes are done.
func (c *committer) close() {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.jobs)
	}
	c.mu.Unlock()
	c.wg.Wait()
}

func (c *committer) loop() {
	defer c.wg.Done()
	for j := range c.jobs {
		c.run(drain(c.jobs, j, maxBatch))
		// Between batches the writer is free to prepare what the batch
		// ran unprepared (stmtcache.go).
		c.db.writeStmts.preparePending()
	}
}

// run executes one batch in one transaction and reports to every job.
// Before acknowledging, it checks that the database file is still the one
// it opened (health.go): writes committed into a deleted file are lost, and
// are reported as failed, not as done.
func (c *committer) run(batch []*writeJob) {
	results := make([]error, len(batch))
	wake := false
	fail := func(err error) {
		err = c.db.noteWrite(err)
		for _, j := range batch {
			j.done <- err
		}
	}
	if err := c.db.fileGone(); err != nil {
		fail(err)
		return
	}
	// The batch outlives any one request, so it does not take a request's context.
	sqlTx, err := c.db.write.BeginTx(context.Background(), nil)
	if err != nil {
		fail(fmt.Errorf("sqlstore: begin batch: %w", err))
		return
	}
	// A write alone in its batch needs no savepoint: the transaction is its
	// own, and rolls back whole if it fails. A savepoint is not free: SQLite
	// copies every page the write changes to a subjournal, which was 60% of
	// the time of a bulk load (Seed's large chunks, each alone).
	alone := len(batch) == 1
	for i, j := range batch {
		if err := j.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		tx := &Tx{q: sqlTx, bound: sqlTx, dialect: c.db.dialect, now: c.db.now(), stmts: c.db.writeStmts, db: c.db}
		if !alone {
			if _, err := sqlTx.Exec("SAVEPOINT write"); err != nil {
				sqlTx.Rollback()
				fail(fmt.Errorf("sqlstore: savepoint: %w", err))
				return
			}
		}
		results[i] = runJob(j.fn, tx)
		wake = wake || (results[i] == nil && tx.deliveries)
		if alone {
			break
		}
		release := "RELEASE write"
		if results[i] != nil {
			release = "ROLLBACK TO write; RELEASE write"
		}
		if _, err := sqlTx.Exec(release); err != nil {
			sqlTx.Rollback()
			fail(fmt.Errorf("sqlstore: release savepoint: %w", err))
			return
		}
	}
	if alone && results[0] != nil {
		sqlTx.Rollback()
	} else {
		if err := sqlTx.Commit(); err != nil {
			fail(fmt.Errorf("sqlstore: commit batch: %w", err))
			return
		}
		if err := c.db.checkFile(); err != nil {
			fail(err)
			return
		}
	}
	// The batch committed: writes work, unless one of them failed for
	// want of the database (a full disk can fail one statement and not
	// the commit).
	var failure error
	for i, err := range results {
		results[i] = markUnavailable(err)
		if isDatabaseFailure(err) {
			failure = err
		}
	}
	c.db.noteWrite(failure)
	if wake {
		c.db.wakeDeliveries()
	}
	for i, j := range batch {
		j.done <- results[i]
	}
}

// runJob turns a panic in one write into that write's error, so it cannot
// take the batch (or the process) down with it.
func runJob(fn func(tx *Tx) error, tx *Tx) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("sqlstore: panic in write: %v", v)
		}
	}()
	return fn(tx)
}

// drain returns first and the jobs queued behind it on jobs, up to max in
// all, without waiting for more: a batch is what queued while the last one
// ran.
func drain[J any](jobs <-chan J, first J, max int) []J {
	batch := []J{first}
	for len(batch) < max {
		select {
		case j, ok := <-jobs:
			if !ok {
				return batch
			}
			batch = append(batch, j)
		default:
			return batch
		}
	}
	return batch
}
