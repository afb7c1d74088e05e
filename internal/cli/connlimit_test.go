package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestDefaultMaxConns(t *testing.T) {
	tests := []struct {
		limit uint64
		want  int
	}{
		{0, 768},         // unknown: as for the common 1024
		{1024, 768},      // 256 kept for the database and files
		{20000, 10000},   // a fifth kept, then the memory bound
		{1 << 20, 10000}, // the memory bound
		{4096, 3277},     // a fifth kept
		{300, 150},       // too small for the reserve: half
		{2, 1},
	}
	for _, tt := range tests {
		if got := defaultMaxConns(tt.limit); got != tt.want || (tt.limit > 0 && uint64(got) >= tt.limit) {
			t.Errorf("defaultMaxConns(%d)=%d, want %d", tt.limit, got, tt.want)
		}
	}
	if limit := fileLimit(); limit > 0 && uint64(defaultMaxConns(limit)) >= limit {
		t.Errorf("this process: default cap %d is not below its file limit %d", defaultMaxConns(limit), limit)
	}
}

// dialGET sends a V2 GET on a new connection and returns the connection
// and a reader of its answer.
func dialGET(t *testing.T, addr, token string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "GET /stores/s1/v2/customers HTTP/1.1\r\nHost: %s\r\nX-Auth-Token: %s\r\nAccept: application/json\r\n\r\n", addr, token)
	return conn, bufio.NewReader(conn)
}

func wantStatus(t *testing.T, br *bufio.Reader, want int) {
	t.Helper()
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != want {
		t.Fatalf("status %d, want %d", res.StatusCode, want)
	}
}

// TestServe_MaxConnsIdle: with the cap held by sockets that never send a
// request, a normal GET is still served: it takes the place of the socket
// idle the longest, which the server closes; the others stay open.
func TestServe_MaxConnsIdle(t *testing.T) {
	t.Parallel()
	const token = "cap-token-0123"
	p := startMain(t, storeEnv("s1", token), "serve", "--addr", "127.0.0.1:0",
		"--database", filepath.Join(t.TempDir(), "c.db"), "--max-conns", "4")
	idle := make([]net.Conn, 4)
	for i := range idle {
		c, err := net.Dial("tcp", p.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		idle[i] = c
	}
	for range 3 { // each GET closes one more idle socket, the oldest first
		_, br := dialGET(t, p.addr, token) // kept open: its slot is not given back
		wantStatus(t, br, http.StatusNoContent)
	}
	closed := 0
	for i, c := range idle {
		c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		_, err := c.Read(make([]byte, 1))
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
		case i < 3 && err == io.EOF:
			closed++
		default:
			t.Errorf("idle socket %d: read %v", i, err)
		}
	}
	if closed != 3 {
		t.Fatalf("%d idle sockets closed, want the 3 oldest", closed)
	}
}

// TestServe_MaxConnsBusy: when every connection of the cap has a request
// in flight, the next is not served until one of them ends, and then it is.
func TestServe_MaxConnsBusy(t *testing.T) {
	t.Parallel()
	const token = "cap-token-0123"
	p := startMain(t, storeEnv("s1", token), "serve", "--addr", "127.0.0.1:0",
		"--database", filepath.Join(t.TempDir(), "c.db"), "--max-conns", "2")
	body := `{"first_name":"Jane","last_name":"Doe","email":"jane%d@example.com"}`
	busy := make([]net.Conn, 2)
	replies := make([]*bufio.Reader, 2)
	for i := range busy {
		c, err := net.Dial("tcp", p.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		// The headers of a create, the body held back: the server answers
		// 100 Continue when the handler starts reading it, so from then
		// on the request is in flight.
		fmt.Fprintf(c, "POST /stores/s1/v2/customers HTTP/1.1\r\nHost: %s\r\nX-Auth-Token: %s\r\nAccept: application/json\r\n"+
			"Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n", p.addr, token, len(fmt.Sprintf(body, i)))
		busy[i], replies[i] = c, bufio.NewReader(c)
		if line, err := replies[i].ReadString('\n'); err != nil || line != "HTTP/1.1 100 Continue\r\n" {
			t.Fatalf("want 100 Continue, got %q, %v", line, err)
		}
		replies[i].ReadString('\n')
	}
	conn, br := dialGET(t, p.addr, token)
	conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := br.Peek(1); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("a connection beyond the cap was answered while every slot was busy: %v", err)
	}
	conn.SetReadDeadline(time.Time{})

	fmt.Fprintf(busy[0], body, 0) // the first create ends; its connection goes idle
	wantStatus(t, replies[0], http.StatusCreated)
	wantStatus(t, br, http.StatusOK)
}
