package v2

import (
	"net/http"
	"strings"
)

// routes is the whole V2 route table. A GET pattern also answers HEAD;
// ".../customers/count" wins over ".../customers/{customer_id}" because it is
// more specific.
func (s *Server) routes() {
	const base = "/stores/{store_hash}/v2"
	m := s.mux

	m.Handle("GET "+base+"/customers", s.handle(s.listCustomers))
	m.Handle("POST "+base+"/customers", s.handle(s.createCustomer))
	m.Handle("DELETE "+base+"/customers", s.handle(s.deleteCustomers))
	m.Handle("GET "+base+"/customers/count", s.handle(s.countCustomers))
	m.Handle("GET "+base+"/customers/{customer_id}", s.handle(s.getCustomer))
	m.Handle("PUT "+base+"/customers/{customer_id}", s.handle(s.updateCustomer))
	m.Handle("DELETE "+base+"/customers/{customer_id}", s.handle(s.deleteCustomer))
	m.Handle("POST "+base+"/customers/{customer_id}/validate", s.handle(s.validateCustomerPassword))

	m.Handle("GET "+base+"/customers/{customer_id}/addresses", s.handle(s.listAddresses))
	m.Handle("POST "+base+"/customers/{customer_id}/addresses", s.handle(s.createAddress))
	m.Handle("DELETE "+base+"/customers/{customer_id}/addresses", s.handle(s.deleteAddresses))
	m.Handle("GET "+base+"/customers/{customer_id}/addresses/count", s.handle(s.countAddresses))
	m.Handle("GET "+base+"/customers/{customer_id}/addresses/{address_id}", s.handle(s.getAddress))
	m.Handle("PUT "+base+"/customers/{customer_id}/addresses/{address_id}", s.handle(s.updateAddress))
	m.Handle("DELETE "+base+"/customers/{customer_id}/addresses/{address_id}", s.handle(s.deleteAddress))
	m.Handle("GET "+base+"/customers/addresses/count", s.handle(s.countStoreAddresses))
	m.Handle(addressByIDPattern, s.handle(s.getStoreAddress)) // GET /customers/addresses/{address_id}

	m.Handle("GET "+base+"/customer_groups", s.handle(s.listGroups))
	m.Handle("POST "+base+"/customer_groups", s.handle(s.createGroup))
	m.Handle("DELETE "+base+"/customer_groups", s.handle(s.deleteGroups))
	m.Handle("GET "+base+"/customer_groups/count", s.handle(s.countGroups))
	m.Handle("GET "+base+"/customer_groups/{customer_group_id}", s.handle(s.getGroup))
	m.Handle("PUT "+base+"/customer_groups/{customer_group_id}", s.handle(s.updateGroup))
	m.Handle("DELETE "+base+"/customer_groups/{customer_group_id}", s.handle(s.deleteGroup))
}

// route returns the pattern that serves r, or "" when none does. It is the
// mux's answer, except that addressByIDPattern, which is wider than the path
// it serves, answers only /customers/addresses/{address_id}.
func (s *Server) route(r *http.Request) string {
	_, p := s.mux.Handler(r)
	if p == addressByIDPattern && !isStoreAddressPath(r.URL.Path) {
		return ""
	}
	// "count" is never an id: PUT /customers/count is a count path with the
	// wrong method (405, Allow: GET, HEAD), not customer "count" (404).
	if strings.HasSuffix(r.URL.Path, "/count") && !strings.HasSuffix(p, "/count") {
		return ""
	}
	return p
}
