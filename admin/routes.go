package admin

import "github.com/customersd/customersd/gateway"

// routes is the whole admin route table.
func (s *Server) routes() []gateway.Route {
	const base = "/admin/v1"
	return []gateway.Route{
		{Pattern: "POST " + base + "/stores", Handler: s.createStore},
		{Pattern: "GET " + base + "/stores", Handler: s.listStores},
		{Pattern: "GET " + base + "/stores/{hash}", Handler: s.getStore},
		{Pattern: "DELETE " + base + "/stores/{hash}", Handler: s.deleteStore},
		{Pattern: "POST " + base + "/stores/{hash}/reset", Handler: s.resetStore},
		{Pattern: "PUT " + base + "/stores/{hash}/rate_limit", Handler: s.setStoreRateLimit},
		{Pattern: "GET " + base + "/stores/{hash}/export", Handler: s.exportStore},
		{Pattern: "PUT " + base + "/stores/{hash}/import", Handler: s.importStore},

		{Pattern: "POST " + base + "/stores/{hash}/tokens", Handler: s.createToken},
		{Pattern: "GET " + base + "/stores/{hash}/tokens", Handler: s.listTokens},
		{Pattern: "DELETE " + base + "/stores/{hash}/tokens/{client_id}", Handler: s.revokeToken},

		{Pattern: "POST " + base + "/stores/{hash}/faults", Handler: s.createFault},
		{Pattern: "GET " + base + "/stores/{hash}/faults", Handler: s.listFaults},
		{Pattern: "DELETE " + base + "/stores/{hash}/faults", Handler: s.deleteFaults},
		{Pattern: "DELETE " + base + "/stores/{hash}/faults/{id}", Handler: s.deleteFault},
		{Pattern: "GET " + base + "/stores/{hash}/requests", Handler: s.listRequests},
		{Pattern: "GET " + base + "/stores/{hash}/requests/count", Handler: s.countRequests},
		{Pattern: "DELETE " + base + "/stores/{hash}/requests", Handler: s.clearRequests},
	}
}
