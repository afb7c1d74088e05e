package v2

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
}
