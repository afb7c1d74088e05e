package login

import (
	"net/http"

	"github.com/customersd/customersd/gateway"
)

// StorefrontURL is the absolute URL of a store's storefront on this server,
// as the request reached it (gateway.BaseURL: --public-url, or the Host):
// /stores/{store_hash}/storefront. GET /v2/store gives it as secure_url, so
// clients build {secure_url}/login/token/{jwt} unchanged.
func StorefrontURL(r *http.Request, storeHash string) string {
	return gateway.BaseURL(r) + "/stores/" + storeHash + "/storefront"
}
