package v2

import (
	"net/http"
	"strings"

	"github.com/customersd/customersd/gateway"
)

// routes is the whole V2 route table. A GET pattern also answers HEAD;
// ".../customers/count" wins over ".../customers/{customer_id}" because it is
// more specific. The customer groups routes are capped: BigCommerce allows a
// store 40 concurrent requests on them (customers.v2.yml).
func (s *Server) routes() []gateway.Route {
	const base = "/stores/{store_hash}/v2"
	return append(s.hookRoutes(base),
		route("GET "+base+"/customers", s.listCustomers),
		route("POST "+base+"/customers", s.createCustomer),
		route("DELETE "+base+"/customers", s.deleteCustomers),
		route("GET "+base+"/customers/count", s.countCustomers),
		route("GET "+base+"/customers/{customer_id}", s.getCustomer),
		route("PUT "+base+"/customers/{customer_id}", s.updateCustomer),
		route("DELETE "+base+"/customers/{customer_id}", s.deleteCustomer),
		route("POST "+base+"/customers/{customer_id}/validate", s.validateCustomerPassword),

		route("GET "+base+"/customers/{customer_id}/addresses", s.listAddresses),
		route("POST "+base+"/customers/{customer_id}/addresses", s.createAddress),
		route("DELETE "+base+"/customers/{customer_id}/addresses", s.deleteAddresses),
		route("GET "+base+"/customers/{customer_id}/addresses/count", s.countAddresses),
		route("GET "+base+"/customers/{customer_id}/addresses/{address_id}", s.getAddress),
		route("PUT "+base+"/customers/{customer_id}/addresses/{address_id}", s.updateAddress),
		route("DELETE "+base+"/customers/{customer_id}/addresses/{address_id}", s.deleteAddress),
		route("GET "+base+"/customers/addresses/count", s.countStoreAddresses),
		route(addressByIDPattern, s.getStoreAddress), // GET /customers/addresses/{address_id}

		capped(route("GET "+base+"/customer_groups", s.listGroups)),
		capped(route("POST "+base+"/customer_groups", s.createGroup)),
		capped(route("DELETE "+base+"/customer_groups", s.deleteGroups)),
		capped(route("GET "+base+"/customer_groups/count", s.countGroups)),
		capped(route("GET "+base+"/customer_groups/{customer_group_id}", s.getGroup)),
		capped(route("PUT "+base+"/customer_groups/{customer_group_id}", s.updateGroup)),
		capped(route("DELETE "+base+"/customer_groups/{customer_group_id}", s.deleteGroup)),
	)
}

// route is a V2 route with the scopes of its method.
func route(pattern string, h gateway.HandlerFunc) gateway.Route {
	method, _, _ := strings.Cut(pattern, " ")
	return gateway.Route{Pattern: pattern, Scopes: scopesFor(method), Handler: h}
}

func capped(rt gateway.Route) gateway.Route {
	rt.Capped = true
	return rt
}

// match refuses what the mux matched in two cases: addressByIDPattern,
// which is wider than the path it serves, answers only
// /customers/addresses/{address_id}; and "count" is never an id, so PUT
// /customers/count is a count path with the wrong method (405, Allow: GET,
// HEAD), not customer "count" (404).
func match(r *http.Request, pattern string) bool {
	if pattern == addressByIDPattern && !isStoreAddressPath(r.URL.Path) {
		return false
	}
	return !strings.HasSuffix(r.URL.Path, "/count") || strings.HasSuffix(pattern, "/count")
}
