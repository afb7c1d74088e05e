package cli

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"

	"github.com/customersd/customersd/fault"
	"github.com/customersd/customersd/journal"
)

// JournalConfig is the request journal's part of Config (docs/testing.md).
// Fault injection has no switch: it is on wherever the admin API is, and a
// server without rules pays nothing for it.
type JournalConfig struct {
	// On keeps the journal on a server with the admin API (the default);
	// without the admin API there is no journal to read, so none is kept.
	On         bool
	MaxEntries int
	MaxBytes   int64
	MaxBody    int
}

// journalFlags registers --journal and its bounds, with CUSTOMERSD_* twins.
func (c *ServeCommand) journalFlags(fs *flag.FlagSet, cfg *JournalConfig) error {
	on, err := strconv.ParseBool(envOr(c.Getenv, "CUSTOMERSD_JOURNAL", "true"))
	if err != nil {
		return fmt.Errorf("CUSTOMERSD_JOURNAL: %w", err)
	}
	entries, err := strconv.Atoi(envOr(c.Getenv, "CUSTOMERSD_JOURNAL_MAX_ENTRIES", strconv.Itoa(journal.DefaultMaxEntries)))
	if err != nil {
		return fmt.Errorf("CUSTOMERSD_JOURNAL_MAX_ENTRIES: %w", err)
	}
	bytes, err := strconv.ParseInt(envOr(c.Getenv, "CUSTOMERSD_JOURNAL_MAX_BYTES", strconv.Itoa(journal.DefaultMaxBytes)), 10, 64)
	if err != nil {
		return fmt.Errorf("CUSTOMERSD_JOURNAL_MAX_BYTES: %w", err)
	}
	body, err := strconv.Atoi(envOr(c.Getenv, "CUSTOMERSD_JOURNAL_MAX_BODY", strconv.Itoa(journal.DefaultMaxBody)))
	if err != nil {
		return fmt.Errorf("CUSTOMERSD_JOURNAL_MAX_BODY: %w", err)
	}
	fs.BoolVar(&cfg.On, "journal", on, "keep each store's recent requests for GET /admin/v1/stores/{hash}/requests, wherever the admin API is on (env CUSTOMERSD_JOURNAL)")
	fs.IntVar(&cfg.MaxEntries, "journal-max-entries", entries, "most requests the journal keeps per store; the oldest go first (env CUSTOMERSD_JOURNAL_MAX_ENTRIES)")
	fs.Int64Var(&cfg.MaxBytes, "journal-max-bytes", bytes, "most bytes the journal keeps per store (env CUSTOMERSD_JOURNAL_MAX_BYTES)")
	fs.IntVar(&cfg.MaxBody, "journal-max-body", body, "most bytes of each request and response body the journal keeps; the rest is cut (env CUSTOMERSD_JOURNAL_MAX_BODY)")
	return nil
}

func (cfg *JournalConfig) validate() error {
	if cfg.MaxEntries < 1 || cfg.MaxBytes < 1 || cfg.MaxBody < 1 {
		return fmt.Errorf("--journal-max-entries, --journal-max-bytes and --journal-max-body must be 1 or more")
	}
	return nil
}

// testControls are the fault engine and the journal of a server with the
// admin API, nil for one without: nobody could add a rule or read an entry.
func (c *ServeCommand) testControls(logger *slog.Logger) (*fault.Engine, *journal.Journal) {
	if c.Config.Admin.Token == "" {
		return nil, nil
	}
	if !c.Config.Journal.On {
		return &fault.Engine{}, nil
	}
	j := journal.New(journal.Config{MaxEntries: c.Config.Journal.MaxEntries, MaxBytes: c.Config.Journal.MaxBytes, MaxBody: c.Config.Journal.MaxBody})
	logger.Info("request journal on", slog.Int("max_entries", j.Config().MaxEntries), slog.Int64("max_bytes", j.Config().MaxBytes), slog.Int("max_body", j.MaxBody()))
	return &fault.Engine{}, j
}

// nodeName names this node in the admin API's answers about faults and
// the journal, which live in each node's memory: its host name and port.
func nodeName(ln net.Listener) string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	if _, port, err := net.SplitHostPort(ln.Addr().String()); err == nil {
		return host + ":" + port
	}
	return host
}
