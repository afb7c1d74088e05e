package cli

import (
	"testing"

	"github.com/customersd/customersd/internal/logbuf"
)

func TestServe_BcryptConcurrencyFlag(t *testing.T) {
	parse := func(env map[string]string, args ...string) (*ServeCommand, error) {
		c := &ServeCommand{Main: &Main{Stdout: &logbuf.Buffer{}, Stderr: &logbuf.Buffer{}, Getenv: func(k string) string { return env[k] }}}
		return c, c.parse(args)
	}
	if _, err := parse(nil, "--bcrypt-concurrency", "-1"); err == nil {
		t.Error("--bcrypt-concurrency -1: no error")
	}
	if _, err := parse(map[string]string{"CUSTOMERSD_BCRYPT_CONCURRENCY": "many"}); err == nil {
		t.Error("CUSTOMERSD_BCRYPT_CONCURRENCY=many: no error")
	}
	for _, tt := range []struct {
		env  map[string]string
		args []string
		want int
	}{
		{nil, nil, 0},
		{map[string]string{"CUSTOMERSD_BCRYPT_CONCURRENCY": "3"}, nil, 3},
		{map[string]string{"CUSTOMERSD_BCRYPT_CONCURRENCY": "3"}, []string{"--bcrypt-concurrency", "1"}, 1},
	} {
		c, err := parse(tt.env, tt.args...)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Config.BcryptConcurrency; got != tt.want {
			t.Errorf("env %v, args %v: BcryptConcurrency=%d, want %d", tt.env, tt.args, got, tt.want)
		}
	}
}
