package v2

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/customersd/customersd"
)

// addressJSON is an address on the wire: keys in BigCommerce's order
// (BEHAVIOR.md, "Representations"), every key always present.
type addressJSON struct {
	ID          int64                  `json:"id"`
	CustomerID  int64                  `json:"customer_id"`
	FirstName   string                 `json:"first_name"`
	LastName    string                 `json:"last_name"`
	Company     string                 `json:"company"`
	Street1     string                 `json:"street_1"`
	Street2     string                 `json:"street_2"`
	City        string                 `json:"city"`
	State       string                 `json:"state"`
	Zip         string                 `json:"zip"`
	Country     string                 `json:"country"`
	CountryISO2 string                 `json:"country_iso2"`
	Phone       string                 `json:"phone"`
	AddressType string                 `json:"address_type"`
	FormFields  []customersd.FormField `json:"form_fields"`
}

func newAddressJSON(a *customersd.Address) addressJSON {
	return addressJSON{
		ID:          a.ID,
		CustomerID:  a.CustomerID,
		FirstName:   a.FirstName,
		LastName:    a.LastName,
		Company:     a.Company,
		Street1:     a.Street1,
		Street2:     a.Street2,
		City:        a.City,
		State:       a.State,
		Zip:         a.Zip,
		Country:     a.Country,
		CountryISO2: a.CountryISO2,
		Phone:       a.Phone,
		AddressType: a.AddressType,
		FormFields:  a.FormFields,
	}
}

// The body fields of an address: the writable ones, and the read-only ones
// that are ignored because clients send back what they fetched. customer_id
// is among them: the customer in the path wins (BEHAVIOR.md, "Addresses").
var (
	addressWritable = []string{"first_name", "last_name", "company", "street_1", "street_2",
		"city", "state", "zip", "country", "phone", "address_type"}
	addressReadOnly = []string{"id", "customer_id", "country_iso2", "form_fields", "date_created", "date_modified"}
)

// decodeAddress reads an address body into the domain's input.
func decodeAddress(w http.ResponseWriter, r *http.Request) (*customersd.AddressInput, error) {
	f, err := decodeBody(w, r)
	if err != nil {
		return nil, err
	}
	f.check(addressWritable, addressReadOnly)
	f.refuseFormFields()
	in := &customersd.AddressInput{
		FirstName:   f.str("first_name"),
		LastName:    f.str("last_name"),
		Company:     f.str("company"),
		Street1:     f.str("street_1"),
		Street2:     f.str("street_2"),
		City:        f.str("city"),
		State:       f.str("state"),
		Zip:         f.digits("zip"),
		Country:     f.str("country"),
		Phone:       f.digits("phone"),
		AddressType: f.str("address_type"),
	}
	return in, f.err()
}

// parseAddressPage reads the only parameters an address collection has.
func parseAddressPage(r *http.Request) (customersd.Page, error) {
	q := parseQuery(r)
	p := q.page()
	return p, q.err()
}

// listAddresses implements GET /stores/{store_hash}/v2/customers/{customer_id}/addresses.
func (s *Server) listAddresses(w http.ResponseWriter, r *http.Request) error {
	customerID, err := pathID(r, "customer_id")
	if err != nil {
		return err
	}
	page, err := parseAddressPage(r)
	if err != nil {
		return err
	}
	ctx, release, err := s.meterList(r, "addresses", page.Limit, addressRowEstimate)
	if err != nil {
		return err
	}
	defer release()
	as, err := s.Addresses.FindAddresses(ctx, storeOf(r), customersd.AddressFilter{CustomerID: &customerID, Page: page})
	if err != nil {
		return err
	}
	return writeList(w, r, as, newAddressJSON)
}

// countAddresses implements GET /stores/{store_hash}/v2/customers/{customer_id}/addresses/count.
func (s *Server) countAddresses(w http.ResponseWriter, r *http.Request) error {
	customerID, err := pathID(r, "customer_id")
	if err != nil {
		return err
	}
	return s.writeAddressCount(w, r, customersd.AddressFilter{CustomerID: &customerID})
}

// countStoreAddresses implements GET /stores/{store_hash}/v2/customers/addresses/count,
// undocumented but used by official clients: the addresses of every customer.
func (s *Server) countStoreAddresses(w http.ResponseWriter, r *http.Request) error {
	return s.writeAddressCount(w, r, customersd.AddressFilter{})
}

func (s *Server) writeAddressCount(w http.ResponseWriter, r *http.Request, f customersd.AddressFilter) error {
	// page and limit mean nothing to a count, but the document lists them.
	if _, err := parseAddressPage(r); err != nil {
		return err
	}
	n, err := s.Addresses.CountAddresses(r.Context(), storeOf(r), f)
	if err != nil {
		return err
	}
	return write(w, r, http.StatusOK, countJSON{Count: n})
}

// getAddress implements GET /stores/{store_hash}/v2/customers/{customer_id}/addresses/{address_id}.
func (s *Server) getAddress(w http.ResponseWriter, r *http.Request) error {
	customerID, err := pathID(r, "customer_id")
	if err != nil {
		return err
	}
	id, err := pathID(r, "address_id")
	if err != nil {
		return err
	}
	a, err := s.Addresses.FindAddressByID(r.Context(), storeOf(r), customerID, id)
	if err != nil {
		return err
	}
	return write(w, r, http.StatusOK, newAddressJSON(a))
}

// getStoreAddress implements GET /stores/{store_hash}/v2/customers/addresses/{address_id},
// undocumented but used by official clients: an address by its id alone. It
// is registered as the wider GET .../customers/{segment}/{address_id}, which
// routed() admits only when segment is "addresses" (see addressByIDPattern).
func (s *Server) getStoreAddress(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "address_id")
	if err != nil {
		return err
	}
	a, err := s.Addresses.FindAddressByID(r.Context(), storeOf(r), 0, id)
	if err != nil {
		return err
	}
	return write(w, r, http.StatusOK, newAddressJSON(a))
}

// createAddress implements POST /stores/{store_hash}/v2/customers/{customer_id}/addresses.
func (s *Server) createAddress(w http.ResponseWriter, r *http.Request) error {
	customerID, err := pathID(r, "customer_id")
	if err != nil {
		return err
	}
	in, err := decodeAddress(w, r)
	if err != nil {
		return err
	}
	a, err := s.Addresses.CreateAddress(r.Context(), storeOf(r), customerID, in)
	if err != nil {
		return err
	}
	return writeCreated(w, r, "/customers/"+strconv.FormatInt(customerID, 10)+"/addresses/"+strconv.FormatInt(a.ID, 10), newAddressJSON(a))
}

// updateAddress implements PUT /stores/{store_hash}/v2/customers/{customer_id}/addresses/{address_id}.
func (s *Server) updateAddress(w http.ResponseWriter, r *http.Request) error {
	customerID, err := pathID(r, "customer_id")
	if err != nil {
		return err
	}
	id, err := pathID(r, "address_id")
	if err != nil {
		return err
	}
	in, err := decodeAddress(w, r)
	if err != nil {
		return err
	}
	a, err := s.Addresses.UpdateAddress(r.Context(), storeOf(r), customerID, id, in)
	if err != nil {
		return err
	}
	return write(w, r, http.StatusOK, newAddressJSON(a))
}

// deleteAddress implements DELETE /stores/{store_hash}/v2/customers/{customer_id}/addresses/{address_id}.
func (s *Server) deleteAddress(w http.ResponseWriter, r *http.Request) error {
	customerID, err := pathID(r, "customer_id")
	if err != nil {
		return err
	}
	id, err := pathID(r, "address_id")
	if err != nil {
		return err
	}
	if err := s.Addresses.DeleteAddress(r.Context(), storeOf(r), customerID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteAddresses implements DELETE /stores/{store_hash}/v2/customers/{customer_id}/addresses:
// every address of the customer. page and limit are accepted, as the document
// lists them, and ignored, as DELETE /customers ignores them.
func (s *Server) deleteAddresses(w http.ResponseWriter, r *http.Request) error {
	customerID, err := pathID(r, "customer_id")
	if err != nil {
		return err
	}
	if _, err := parseAddressPage(r); err != nil {
		return err
	}
	if err := s.Addresses.DeleteAddresses(r.Context(), storeOf(r), customerID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// addressByIDPattern serves GET /customers/addresses/{address_id}. The
// standard mux cannot register that path beside GET
// /customers/{customer_id}/addresses: both match /customers/addresses/addresses
// and neither is more specific, so registration panics. The wider pattern
// below conflicts with nothing, and isStoreAddressPath keeps it from
// answering any path but /customers/addresses/{address_id}.
const addressByIDPattern = "GET /stores/{store_hash}/v2/customers/{segment}/{address_id}"

// isStoreAddressPath reports whether a (normalised) path is
// /stores/{store_hash}/v2/customers/addresses/{address_id}.
func isStoreAddressPath(path string) bool {
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	return len(parts) == 6 && parts[4] == "addresses"
}
