package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
)

// Progress shows how far seeding is: a bar redrawn in place on a terminal,
// otherwise a plain line at each tenth, so logs stay short.
type Progress struct {
	W     io.Writer
	TTY   bool
	Label string
	Total int

	mu   sync.Mutex
	last int // the last tenth (plain) or percent (bar) shown
}

// Update shows that done of Total are done.
func (p *Progress) Update(done int) {
	if p == nil || p.W == nil || p.Total <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	pct := done * 100 / p.Total
	if p.TTY {
		if pct == p.last && done != p.Total {
			return
		}
		const width = 40
		fill := width * done / p.Total
		fmt.Fprintf(p.W, "\r%s [%s%s] %3d%% %d/%d", p.Label, strings.Repeat("#", fill), strings.Repeat(" ", width-fill), pct, done, p.Total)
		if done >= p.Total {
			fmt.Fprintln(p.W)
		}
		p.last = pct
		return
	}
	if tenth := pct / 10; tenth > p.last || done == p.Total && p.last < 10 {
		p.last = tenth
		fmt.Fprintf(p.W, "%s: %d%% (%d/%d)\n", p.Label, pct, done, p.Total)
	}
}

// SeedAPI creates n customers through the V2 API of a running server, each
// with one address and the given password, on concurrency clients. It is
// the way to seed a server the tool cannot reach the database of: each
// customer costs two requests and a bcrypt hash on the server, so a
// million take as long as the server's create rate says (group commit
// helps). It returns the fixture: the created IDs and their emails.
func SeedAPI(ctx context.Context, client *http.Client, t *Target, n, concurrency int, password string, p *Progress) (*Fixture, error) {
	run := newRunID()
	ids := make([]int64, n)
	emails := make([]string, n)
	var next, done atomic.Int64
	var (
		mu       sync.Mutex
		firstErr error
	)
	var wg sync.WaitGroup
	for range max(1, concurrency) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				email := fmt.Sprintf("seed-%s-%d@example.com", run, i)
				id, err := seedOne(ctx, client, t, i, email, password)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					next.Store(int64(n)) // stop the others
					return
				}
				ids[i], emails[i] = id, email
				p.Update(int(done.Add(1)))
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, fmt.Errorf("loadgen: seed through the API: %w", firstErr)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &Fixture{
		Customers: n,
		ID:        func(i int) int64 { return ids[i] },
		Email:     func(i int) string { return emails[i] },
		Password:  password,
	}, nil
}

func seedOne(ctx context.Context, client *http.Client, t *Target, i int, email, password string) (int64, error) {
	in := map[string]any{
		"first_name": fmt.Sprintf("First%d", i%1000), "last_name": fmt.Sprintf("Last%d", i%997),
		"email": email, "company": fmt.Sprintf("Company %d", i%5000),
		"_authentication": map[string]any{"password": password},
	}
	var out struct {
		ID int64 `json:"id"`
	}
	if err := postJSON(ctx, client, t, "/customers", in, &out); err != nil {
		return 0, err
	}
	addr := map[string]any{
		"first_name": "First", "last_name": "Last", "street_1": fmt.Sprintf("%d Main Street", i%9999+1),
		"city": "Springfield", "state": "Illinois", "zip": "62701", "country": "United States", "phone": "+1 555 0100",
	}
	return out.ID, postJSON(ctx, client, t, fmt.Sprintf("/customers/%d/addresses", out.ID), addr, nil)
}

func postJSON(ctx context.Context, client *http.Client, t *Target, path string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, t.StoreURL+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	setHeaders(r, t.Token)
	resp, err := client.Do(r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: status %d: %.200s", path, resp.StatusCode, body)
	}
	if out != nil {
		return json.Unmarshal(body, out)
	}
	return nil
}
