package webhook

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/customersd/customersd"
)

// Defaults of Config.
const (
	// DefaultTimeout bounds one attempt, from connecting to the end of the
	// answer. 10 s is BigCommerce's own: it expects the receiver to answer
	// at once and do the work later, and a receiver that cannot is a
	// failure that the retry schedule absorbs. Longer would tie up workers
	// behind one slow receiver; shorter would fail receivers that BigCommerce
	// accepts.
	DefaultTimeout   = 10 * time.Second
	DefaultWorkers   = 8
	DefaultRetention = 7 * 24 * time.Hour
	// DefaultPoll is the longest a node sleeps without looking at the
	// queue: the bound on how late it sees a delivery another node created
	// (that node wakes itself at once). It only ever shortens a sleep, never
	// lengthens one: a worker otherwise sleeps until the next due delivery,
	// so scaled delays of milliseconds are kept.
	DefaultPoll = time.Second
)

// Config configures a Deliverer; zero fields take the defaults.
type Config struct {
	Workers   int
	Timeout   time.Duration
	TimeScale float64 // multiplies the retry schedule and blocklist windows
	Retention time.Duration
	Poll      time.Duration
}

// Observer is told about attempts, for metrics; nil is fine.
type Observer interface {
	// ObserveAttempt counts one attempt by outcome: "delivered", "retry"
	// (failed, another attempt scheduled), "failed" (the last one failed;
	// the hook is deactivated) or "blocked" (not sent: domain blocklisted).
	ObserveAttempt(outcome string, d time.Duration)
}

// Outcomes of an attempt, as Observer sees them.
const (
	OutcomeDelivered = "delivered"
	OutcomeRetry     = "retry"
	OutcomeFailed    = "failed"
	OutcomeBlocked   = "blocked"
)

// Deliverer runs the delivery workers of one node.
type Deliverer struct {
	Queue     customersd.WebhookQueue
	Logger    *slog.Logger
	Observer  Observer
	Blocklist *Blocklist
	// Now is the clock; time.Now when nil.
	Now func() time.Time

	cfg    Config
	client *httpClient
	lease  time.Duration

	wake   chan struct{}
	health queueHealth
	cancel context.CancelFunc
	done   chan struct{}
}

// New returns a Deliverer of q; call Start to run it.
func New(q customersd.WebhookQueue, cfg Config, logger *slog.Logger) *Deliverer {
	cfg.Workers = cmp.Or(cfg.Workers, DefaultWorkers)
	cfg.Timeout = cmp.Or(cfg.Timeout, DefaultTimeout)
	cfg.Retention = cmp.Or(cfg.Retention, DefaultRetention)
	cfg.Poll = cmp.Or(cfg.Poll, DefaultPoll)
	if cfg.TimeScale <= 0 {
		cfg.TimeScale = 1
	}
	return &Deliverer{
		Queue:     q,
		Logger:    cmp.Or(logger, slog.New(slog.DiscardHandler)),
		Blocklist: NewBlocklist(cfg.TimeScale),
		cfg:       cfg,
		client:    newHTTPClient(cfg.Timeout, cfg.Workers),
		// The lease outlasts the longest attempt and the write of its
		// outcome, so another node never takes a delivery that is still in
		// flight here; if this node dies, the delivery waits this long.
		lease: 2*cfg.Timeout + 10*time.Second,
		wake:  make(chan struct{}, 1),
	}
}

// Wake makes the workers look at the queue now: storage calls it after a
// commit that created deliveries (sqlstore.DB.OnDeliveries), and "deliver
// now" after it moved deliveries forward. It never blocks.
func (s *Deliverer) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Deliverer) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Start runs the dispatcher and the pruner until Stop.
func (s *Deliverer) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.done = make(chan struct{})
	go func() {
		defer close(s.done)
		var wg sync.WaitGroup
		wg.Go(func() { s.prune(ctx) })
		results := make(chan result, s.cfg.Workers)
		wg.Go(func() { s.record(results) })
		s.dispatch(ctx, results) // returns once every attempt is in results
		close(results)
		wg.Wait()
	}()
}

// Stop stops claiming and waits for the attempts in flight, each bounded by
// the timeout, so none is left leased (which would delay it by the lease
// on the next start).
func (s *Deliverer) Stop() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	<-s.done
	s.client.CloseIdleConnections()
}

// dispatch claims due deliveries for free workers and sleeps until the next
// is due, a wake-up or the poll, whichever comes first.
func (s *Deliverer) dispatch(ctx context.Context, results chan<- result) {
	slots := make(chan struct{}, s.cfg.Workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	// backlog is set while claims come back full: more is due than the
	// workers take. Then the dispatcher claims for half the workers at a
	// time, not for each one as it frees, so a busy queue costs a claim
	// transaction per few deliveries rather than one each.
	backlog := false
	for ctx.Err() == nil {
		free := cap(slots) - len(slots)
		if free == 0 || (backlog && free < (cap(slots)+1)/2) {
			// Wait for a worker to finish (it wakes the dispatcher after
			// freeing its slot); the claim after it sees new deliveries.
			select {
			case <-s.wake:
			case <-ctx.Done():
			}
			continue
		}
		ds, err := s.Queue.ClaimDeliveries(ctx, s.now(), free, s.lease)
		if err != nil {
			if ctx.Err() == nil {
				s.queueFailed("claim", err)
			}
			s.sleep(ctx, s.cfg.Poll)
			continue
		}
		s.queueOK()
		for _, d := range ds {
			slots <- struct{}{}
			wg.Go(func() {
				// The slot frees once the attempt waits for the recorder,
				// not once it is recorded (the delivery stays leased
				// meanwhile, so no one sends it again); a slow recorder
				// holds the slots, which bounds what waits for it.
				results <- s.attempt(d)
				<-slots
				s.Wake()
			})
		}
		if backlog = len(ds) == free; backlog {
			continue // maybe more are due
		}
		s.sleep(ctx, s.untilNext(ctx))
	}
}

// untilNext is how long to sleep: until the next due delivery, at most the
// poll interval.
func (s *Deliverer) untilNext(ctx context.Context) time.Duration {
	due, ok, err := s.Queue.NextDue(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.queueFailed("next due", err)
		}
		return s.cfg.Poll
	}
	if !ok {
		return s.cfg.Poll
	}
	return min(max(due.Sub(s.now()), 0), s.cfg.Poll)
}

func (s *Deliverer) sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		// A due delivery that the claim did not return is leased by a
		// worker (its lease end is due) or raced by another node: yield
		// briefly rather than spin on the database.
		d = time.Millisecond
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.wake:
	case <-ctx.Done():
	}
}

// prune deletes finished deliveries older than the retention at start and
// then every tenth of it (at most hourly), so the log stays within about
// 110 % of the retention. Every node prunes; the deletes are idempotent.
func (s *Deliverer) prune(ctx context.Context) {
	every := max(min(s.cfg.Retention/10, time.Hour), time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	for first := true; ; first = false {
		if !first {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
		n, err := s.Queue.PruneDeliveries(ctx, s.now().Add(-s.cfg.Retention))
		if err != nil {
			if ctx.Err() == nil {
				s.queueFailed("prune", err)
			}
			continue
		}
		if n > 0 {
			s.Logger.Info("webhook: pruned deliveries", slog.Int64("deleted", n))
		}
	}
}

var errBlocked = errors.New("blocked: too many failures to this domain")
