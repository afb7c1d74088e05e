package cli

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/customersd/customersd/internal/logbuf"
)

// TestWebhooks_ReadmeReceiver runs the Python receiver of the README's
// "Webhooks" section as written, with this test's secret and a free port:
// it accepts a real delivery (200, and prints the event) and refuses a
// request with a wrong signature (401).
func TestWebhooks_ReadmeReceiver(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found: the README's receiver is not run")
	}
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "\n## Webhooks\n")
	_, code, _ := strings.Cut(section, "```python\n")
	code, _, _ = strings.Cut(code, "```")
	const secretLine, listenLine = `SECRET = b"the API account's client secret"`, `("127.0.0.1", 8000)`
	if !strings.Contains(code, secretLine) || !strings.Contains(code, listenLine) {
		t.Fatalf("the README's receiver changed shape; update this test:\n%s", code)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	code = strings.Replace(code, secretLine, `SECRET = b"`+whSecret+`"`, 1)
	code = strings.Replace(code, listenLine, `("127.0.0.1", `+strconv.Itoa(port)+`)`, 1)
	script := filepath.Join(t.TempDir(), "receiver.py")
	if err := os.WriteFile(script, []byte(code), 0o600); err != nil {
		t.Fatal(err)
	}
	var out logbuf.Buffer
	cmd := exec.Command(python, "-u", script)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	dest := "http://127.0.0.1:" + strconv.Itoa(port) + "/hooks"
	waitFor(t, "the Python receiver listening", func() bool {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	})

	req, _ := http.NewRequest("POST", dest, bytes.NewReader([]byte(`{"scope":"x","data":{}}`)))
	req.Header.Set("webhook-id", "msg_1")
	req.Header.Set("webhook-timestamp", strconv.FormatInt(time.Now().Unix(), 10))
	req.Header.Set("webhook-signature", "v1,AAAA")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a wrong signature: status %d, want 401", res.StatusCode)
	}

	p := startHooksServer(t, filepath.Join(t.TempDir(), "c.db"))
	createHook(t, p.url(""), whToken, map[string]any{"scope": "store/customer/created", "destination": dest})
	mustCall(t, http.StatusCreated, "POST", p.url("/stores/"+whHash+"/v2/customers"), whToken,
		map[string]string{"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com"})
	want := `store/customer/created {'type': 'customer', 'id': 1, 'origin_channel_id': 1, 'channel_ids': [1]}`
	waitFor(t, "the receiver printing the event", func() bool { return strings.Contains(out.String(), want) })
	var log struct {
		Deliveries []struct {
			State string `json:"state"`
		} `json:"deliveries"`
	}
	waitFor(t, "the delivery recorded as delivered", func() bool {
		decodeJSON(t, mustCallAdmin(t, http.StatusOK, "GET", p.url("/admin/v1/stores/"+whHash+"/deliveries"), nil), &log)
		return len(log.Deliveries) == 1 && log.Deliveries[0].State == "delivered"
	})
}
