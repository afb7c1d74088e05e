package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/sqlstore"
)

// StoresExportCommand writes a store's whole state as a customersd/1
// document: customersd stores export --store HASH [--out FILE].
type StoresExportCommand struct {
	*Main
}

// Run implements "customersd stores export".
func (c *StoresExportCommand) Run(ctx context.Context, args []string) error {
	sc := &storeCommand{name: "stores export"}
	fs := newFlagSet(c.Main, sc.name)
	sc.flags(c.Main, fs)
	var out string
	var opts customersd.ExportOptions
	fs.StringVar(&out, "out", "", "write the document to this file instead of standard output")
	fs.BoolVar(&opts.APIAccounts, "api-accounts", false,
		"include the store's API accounts, client secrets included (a backup; such a document cannot seed a second store)")
	if err := sc.parse(fs, args); err != nil {
		return err
	}
	db, st, err := sc.open(ctx, fs)
	if err != nil {
		return err
	}
	defer db.Close()
	// Exporting hashes nothing; the hasher is only there for imports.
	doc, err := sqlstore.NewExportService(db, password.Hasher{}).Export(ctx, st.ID, opts)
	if err != nil {
		return fmt.Errorf("stores export %s: %w", st.Hash, err)
	}
	// Indented: an export is read by people, in a failed test's artifacts.
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("stores export %s: %w", st.Hash, err)
	}
	b = append(b, '\n')
	if out == "" {
		_, err = c.Stdout.Write(b)
		return err
	}
	return writeFileAtomic(out, b)
}

// writeFileAtomic writes through a temporary file and a rename, so a
// reader never sees half a document. The file is private to the user: it
// holds password hashes.
func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
