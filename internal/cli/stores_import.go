package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/customersd/customersd"
	"github.com/customersd/customersd/password"
	"github.com/customersd/customersd/sqlstore"
)

// StoresImportCommand replaces a store's state with a customersd/1
// document, all or nothing, creating the store when it is missing:
// customersd stores import [--store HASH] [--in FILE]. Without --store, the
// document's store.hash names the store.
type StoresImportCommand struct {
	*Main
}

// Run implements "customersd stores import".
func (c *StoresImportCommand) Run(ctx context.Context, args []string) error {
	sc := &storeCommand{name: "stores import"}
	fs := newFlagSet(c.Main, sc.name)
	sc.flags(c.Main, fs)
	var in string
	fs.StringVar(&in, "in", "", "read the document from this file instead of standard input")
	cost, err := strconv.Atoi(envOr(c.Getenv, "CUSTOMERSD_BCRYPT_COST", strconv.Itoa(password.DefaultCost)))
	if err != nil {
		return fmt.Errorf("CUSTOMERSD_BCRYPT_COST: %w", err)
	}
	fs.IntVar(&cost, "bcrypt-cost", cost, "bcrypt cost for plain passwords in the document (env CUSTOMERSD_BCRYPT_COST)")
	if err := sc.parse(fs, args); err != nil {
		return err
	}
	if cost < password.MinCost || cost > password.MaxCost {
		return fmt.Errorf("stores import: --bcrypt-cost must be between %d and %d, not %d", password.MinCost, password.MaxCost, cost)
	}
	doc, err := readDocument(in, c.Stdin)
	if err != nil {
		return fmt.Errorf("stores import: %w", err)
	}
	hash := doc.Store.Hash
	if sc.hash != "" || sc.positional != "" || fs.NArg() > 0 {
		if hash, err = sc.storeHash(fs); err != nil {
			return err
		}
	}
	if hash == "" {
		return fmt.Errorf("stores import: name the store with --store, or in the document's store.hash")
	}
	db, err := openDB(ctx, sc.dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	exporter := sqlstore.NewExportService(db, password.Hasher{Cost: cost})
	st, created, err := importDocument(ctx, sqlstore.NewTenantService(db), exporter, hash, doc)
	if err != nil {
		return fmt.Errorf("stores import %s: %w", hash, err)
	}
	verb := "replaced the state of"
	if created {
		verb = "created"
	}
	fmt.Fprintf(c.Stdout, "%s store %s: %d customers, %d addresses, %d groups\n",
		verb, st.Hash, len(doc.Customers), len(doc.Addresses), len(doc.Groups))
	return nil
}

// readDocument reads and decodes a document from path, or from stdin when
// path is "" or "-".
func readDocument(path string, stdin io.Reader) (*customersd.Document, error) {
	var b []byte
	var err error
	if path == "" || path == "-" {
		if stdin == nil {
			stdin = os.Stdin
		}
		b, err = io.ReadAll(stdin)
		path = "standard input"
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	doc, err := customersd.DecodeDocument(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return doc, nil
}
