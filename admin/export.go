package admin

import (
	"net/http"

	"github.com/customersd/customersd"
)

// exportStore implements GET /admin/v1/stores/{hash}/export: the store's
// whole state as one customersd/1 document; with ?api_accounts=true its API
// accounts too, client secrets included.
func (s *Server) exportStore(w http.ResponseWriter, r *http.Request) error {
	st, err := s.store(r)
	if err != nil {
		return err
	}
	var opts customersd.ExportOptions
	switch v := r.URL.Query().Get("api_accounts"); v {
	case "", "false":
	case "true":
		opts.APIAccounts = true
	default:
		return customersd.Errorf(customersd.EINVALID, "api_accounts must be true or false, not %q.", v)
	}
	doc, err := s.Exporter.Export(r.Context(), st.ID, opts)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, doc) // no-store: password hashes, and client secrets when asked
}

// importStore implements PUT /admin/v1/stores/{hash}/import: replace the
// store's state with a document, all or nothing, and answer with the store
// and its new counts. The store in the path is the target whatever the
// document's store.hash says, so one fixture can seed many stores.
func (s *Server) importStore(w http.ResponseWriter, r *http.Request) error {
	st, err := s.store(r)
	if err != nil {
		return err
	}
	body, err := readBody(w, r, MaxImportBytes)
	if err != nil {
		return err
	}
	doc, err := customersd.DecodeDocument(body)
	if err != nil {
		return err
	}
	if err := s.Exporter.Import(r.Context(), st.ID, doc); err != nil {
		return err
	}
	if st, err = s.store(r); err != nil { // the document may have changed the plan
		return err
	}
	out, err := s.withCounts(r, st)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}
