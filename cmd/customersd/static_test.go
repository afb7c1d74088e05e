//go:build linux

package main

import (
	"bufio"
	"debug/elf"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStaticBinary_Chroot runs the binary built as the image builds it
// (CGO_ENABLED=0) from a root directory that holds nothing else, with an
// empty environment: it serves, /readyz answers 200, and the health check
// works, so the image needs nothing from a base. chroot needs root;
// scripts/image.sh passes the binary it built in CUSTOMERSD_TEST_STATIC_BINARY.
func TestStaticBinary_Chroot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the chroot run needs root (CAP_SYS_CHROOT); scripts/image.sh runs it with unshare otherwise")
	}
	if testing.Short() {
		t.Skip("builds the static binary: not with -short")
	}
	bin := os.Getenv("CUSTOMERSD_TEST_STATIC_BINARY")
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "customersd")
		// CGO_ENABLED=0 and -trimpath as scripts/image.sh, so the packages it
		// compiled come from the build cache (only -ldflags differ: link only).
		build := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	libs, _ := f.ImportedLibraries()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Fatalf("%s asks for a program interpreter: not static", bin)
		}
	}
	f.Close()
	if len(libs) > 0 {
		t.Fatalf("%s needs shared libraries %v: not static", bin, libs)
	}

	root := t.TempDir()
	copyFile(t, bin, filepath.Join(root, "customersd"))
	chrooted := func(args ...string) *exec.Cmd {
		cmd := exec.Command("/customersd", args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: root}
		cmd.Dir = "/"
		cmd.Env = []string{} // nothing from the host
		return cmd
	}
	srv := chrooted("serve", "--addr", "127.0.0.1:0", "--database", "/customersd.db", "--log-format", "json")
	stderr, err := srv.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Kill(); srv.Wait() })
	addr := listeningAddr(t, stderr)

	res, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != `{"status":"ok"}` {
		t.Fatalf("/readyz: %d %s, want 200 {\"status\":\"ok\"}", res.StatusCode, body)
	}
	if out, err := chrooted("healthcheck", "--url", "http://"+addr+"/readyz").CombinedOutput(); err != nil {
		t.Fatalf("healthcheck in the chroot: %v\n%s", err, out)
	}

	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := srv.Wait(); err != nil {
		t.Fatalf("after SIGTERM: %v", err)
	}
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if name := e.Name(); name != "customersd" && !strings.HasPrefix(name, "customersd.db") {
			t.Errorf("the server made %s in its root; want only its database", name)
		}
	}
}

// listeningAddr reads JSON log lines until the server says where it
// listens, and goes on draining the pipe after.
func listeningAddr(t *testing.T, r io.Reader) string {
	t.Helper()
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "customersd listening" {
				found <- line.Addr
			}
		}
		close(found)
	}()
	select {
	case addr, ok := <-found:
		if !ok {
			t.Fatal("the server exited before listening")
		}
		return addr
	case <-time.After(time.Minute):
		t.Fatal("the server did not say where it listens within a minute")
	}
	return ""
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o755); err != nil {
		t.Fatal(err)
	}
}
