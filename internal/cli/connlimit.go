package cli

import (
	"container/list"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Connection cap defaults (--max-conns 0). Every connection costs a file
// descriptor, and so do the database's connections, the SQLite files and
// the metrics listener: ~20,000 idle sockets from one host once used up
// the process's limit, so accept failed and a normal GET timed out. The cap
// leaves connsReserve descriptors (or a fifth of the limit, if more) for
// the rest; maxDefaultConns bounds the memory idle connections may hold.
const (
	connsReserve    = 256
	minDefaultConns = 64
	maxDefaultConns = 10000
)

// defaultMaxConns is the cap derived from a RLIMIT_NOFILE of limit (the soft
// limit, which the Go runtime raises to the hard one at start-up); 0 means
// unknown.
func defaultMaxConns(limit uint64) int {
	if limit == 0 {
		return 1024 - connsReserve
	}
	reserve := max(connsReserve, limit/5)
	if limit < reserve+minDefaultConns {
		return max(1, int(limit/2))
	}
	return int(min(limit-reserve, maxDefaultConns))
}

// connLimiter is a listener that holds at most max connections open. At the
// cap, a new connection first closes the connection that has been idle the
// longest (connected without a complete request yet, or kept alive between
// requests), so sockets opened and left idle cannot lock other clients
// out; only when every connection has a request in flight does Accept wait
// for one to end (new connections then queue in the kernel's backlog).
// Install connState as the http.Server's ConnState so it knows which
// connections are idle.
type connLimiter struct {
	net.Listener
	logger *slog.Logger

	slots chan struct{} // one per open connection
	done  chan struct{} // closed by Close
	wake  chan struct{} // a connection went idle
	once  sync.Once

	mu       sync.Mutex
	idle     *list.List // of *limitedConn, longest idle first
	evicted  int        // since the last warning
	lastWarn time.Time
}

func newConnLimiter(ln net.Listener, maxConns int, logger *slog.Logger) *connLimiter {
	return &connLimiter{Listener: ln, logger: logger, slots: make(chan struct{}, maxConns),
		done: make(chan struct{}), wake: make(chan struct{}, 1), idle: list.New()}
}

// Accept accepts a connection, then waits for a slot for it, closing the
// longest-idle connection to make one at the cap. The slot is taken after
// the accept, not before, so that nothing is closed until a new connection
// is really waiting; that one holds the one descriptor beyond the cap.
func (l *connLimiter) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if err := l.acquire(); err != nil {
		c.Close()
		return nil, err
	}
	lc := &limitedConn{Conn: c, l: l}
	l.setIdle(lc, true) // until its first request is read
	return lc, nil
}

func (l *connLimiter) acquire() error {
	for {
		select {
		case l.slots <- struct{}{}:
			return nil
		default:
		}
		c, wait := l.oldestIdle()
		if c != nil {
			c.Close() // gives its slot back
			continue
		}
		var aged <-chan time.Time
		if wait > 0 {
			aged = time.After(wait)
		}
		select {
		case l.slots <- struct{}{}:
			return nil
		case <-l.wake: // a connection went idle: close it for this one
		case <-aged: // the longest-idle connection is now old enough to close
		case <-l.done:
			return net.ErrClosed
		}
	}
}

// Close stops accepting; connections already open stay so.
func (l *connLimiter) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// connState is the http.Server's ConnState hook: a connection is idle
// until a request is read (StateNew) and between requests (StateIdle).
func (l *connLimiter) connState(c net.Conn, state http.ConnState) {
	lc, ok := c.(*limitedConn)
	if !ok {
		return
	}
	l.setIdle(lc, state == http.StateNew || state == http.StateIdle)
}

func (l *connLimiter) setIdle(c *limitedConn, idle bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c.elem != nil {
		l.idle.Remove(c.elem)
		c.elem = nil
	}
	if idle && !c.closed {
		c.elem, c.idleSince = l.idle.PushBack(c), time.Now()
		select {
		case l.wake <- struct{}{}:
		default:
		}
	}
}

// minIdleAge is how long a connection is idle before another may take its
// place. Without it, sockets opened as fast as they are closed would close
// every new connection, a real client's too, before its request could be
// read; with it, they can take at most max slots per minIdleAge.
const minIdleAge = time.Second

// oldestIdle takes the longest-idle connection off the idle list, if it has
// been idle minIdleAge; otherwise it returns how long until it will have.
func (l *connLimiter) oldestIdle() (c *limitedConn, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.idle.Front()
	if e == nil {
		return nil, 0
	}
	c = e.Value.(*limitedConn)
	now := time.Now()
	if age := now.Sub(c.idleSince); age < minIdleAge {
		return nil, minIdleAge - age
	}
	l.idle.Remove(e)
	c.elem = nil
	l.evicted++
	if now.Sub(l.lastWarn) >= 10*time.Second {
		l.logger.Warn("connection cap reached: closing the longest-idle connections", slog.Int("max_conns", cap(l.slots)),
			slog.Int("closed", l.evicted))
		l.lastWarn, l.evicted = now, 0
	}
	return c, 0
}

// limitedConn gives its slot back when closed, once.
type limitedConn struct {
	net.Conn
	l *connLimiter

	elem      *list.Element // on l.idle; guarded by l.mu
	idleSince time.Time     // guarded by l.mu
	closed    bool          // guarded by l.mu
	once      sync.Once
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.mu.Lock()
		c.closed = true
		if c.elem != nil {
			c.l.idle.Remove(c.elem)
			c.elem = nil
		}
		c.l.mu.Unlock()
		<-c.l.slots
	})
	return err
}

// NetConn returns the connection underneath, as tls.Conn does, so that a
// fault rule's "reset" can set SO_LINGER on the TCP socket.
func (c *limitedConn) NetConn() net.Conn { return c.Conn }
