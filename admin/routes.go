package admin

import "github.com/customersd/customersd/gateway"

// routes is the whole admin route table.
func (s *Server) routes() []gateway.Route {
	const base = "/admin/v1"
	return append([]gateway.Route{
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
	}, s.hookRoutes(base)...)
}

// hookRoutes are the webhook routes (hook.go) of the services set.
func (s *Server) hookRoutes(base string) []gateway.Route {
	var routes []gateway.Route
	if s.Hooks != nil {
		routes = append(routes, gateway.Route{Pattern: "GET " + base + "/stores/{hash}/hooks", Handler: s.listStoreHooks})
	}
	if s.Queue != nil {
		routes = append(routes,
			gateway.Route{Pattern: "GET " + base + "/stores/{hash}/deliveries", Handler: s.listDeliveries},
			gateway.Route{Pattern: "POST " + base + "/stores/{hash}/deliveries/deliver", Handler: s.deliverAll},
			gateway.Route{Pattern: "POST " + base + "/stores/{hash}/deliveries/{id}/deliver", Handler: s.deliverOne})
	}
	return routes
}
