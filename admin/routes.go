package admin

// routes is the whole admin route table.
func (s *Server) routes() {
	const base = "/admin/v1"
	m := s.mux

	m.Handle("POST "+base+"/stores", s.handle(s.createStore))
	m.Handle("GET "+base+"/stores", s.handle(s.listStores))
	m.Handle("GET "+base+"/stores/{hash}", s.handle(s.getStore))
	m.Handle("DELETE "+base+"/stores/{hash}", s.handle(s.deleteStore))
	m.Handle("POST "+base+"/stores/{hash}/reset", s.handle(s.resetStore))
	m.Handle("PUT "+base+"/stores/{hash}/rate_limit", s.handle(s.setStoreRateLimit))
	m.Handle("GET "+base+"/stores/{hash}/export", s.handle(s.exportStore))
	m.Handle("PUT "+base+"/stores/{hash}/import", s.handle(s.importStore))

	m.Handle("POST "+base+"/stores/{hash}/tokens", s.handle(s.createToken))
	m.Handle("GET "+base+"/stores/{hash}/tokens", s.handle(s.listTokens))
	m.Handle("DELETE "+base+"/stores/{hash}/tokens/{client_id}", s.handle(s.revokeToken))
}
