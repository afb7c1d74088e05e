package v2

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/customersd/customersd/gateway"
	"github.com/customersd/customersd/login"
)

// The two calls of the Store Information API (store_information.v2.yml) the
// official clients' login helpers make: the store's clock, against the
// 30-second iat window, and secure_url, where they send the shopper.
// BigCommerce asks for an Information scope (store_v2_information) that
// customersd does not model, so any valid token of the store may call them
// (docs/login.md).

// timeJSON is GET /time.
type timeJSON struct {
	Time int64 `json:"time"`
}

// getTime implements GET /stores/{store_hash}/v2/time.
func (s *Server) getTime(w http.ResponseWriter, r *http.Request) error {
	return write(w, r, http.StatusOK, timeJSON{Time: s.now().Unix()})
}

func (s *Server) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// storeJSON is GET /store: the keys of store_information.v2.yml, in its
// order. customersd models the hash, the numeric id, the plan and the
// storefront's URL; the rest are a plausible US store's defaults.
type storeJSON struct {
	ID                      string            `json:"id"`
	AccountUUID             string            `json:"account_uuid"`
	Domain                  string            `json:"domain"`
	SecureURL               string            `json:"secure_url"`
	ControlPanelBaseURL     string            `json:"control_panel_base_url"`
	Status                  string            `json:"status"`
	Name                    string            `json:"name"`
	FirstName               string            `json:"first_name"`
	LastName                string            `json:"last_name"`
	Address                 string            `json:"address"`
	Country                 string            `json:"country"`
	CountryCode             string            `json:"country_code"`
	Phone                   string            `json:"phone"`
	AdminEmail              string            `json:"admin_email"`
	OrderEmail              string            `json:"order_email"`
	FaviconURL              string            `json:"favicon_url"`
	Timezone                storeTimezoneJSON `json:"timezone"`
	Language                string            `json:"language"`
	Currency                string            `json:"currency"`
	CurrencySymbol          string            `json:"currency_symbol"`
	DecimalSeparator        string            `json:"decimal_separator"`
	ThousandsSeparator      string            `json:"thousands_separator"`
	DecimalPlaces           int               `json:"decimal_places"`
	CurrencySymbolLocation  string            `json:"currency_symbol_location"`
	WeightUnits             string            `json:"weight_units"`
	DimensionUnits          string            `json:"dimension_units"`
	DimensionDecimalPlaces  int               `json:"dimension_decimal_places"`
	DimensionDecimalToken   string            `json:"dimension_decimal_token"`
	DimensionThousandsToken string            `json:"dimension_thousands_token"`
	PlanName                string            `json:"plan_name"`
	PlanLevel               string            `json:"plan_level"`
	PlanIsTrial             bool              `json:"plan_is_trial"`
	Industry                string            `json:"industry"`
	Logo                    []string          `json:"logo"`
	IsPriceEnteredWithTax   bool              `json:"is_price_entered_with_tax"`
	StoreID                 int64             `json:"store_id"`
	DefaultChannelID        int               `json:"default_channel_id"`
	DefaultSiteID           int               `json:"default_site_id"`
	ActiveComparisonModules []string          `json:"active_comparison_modules"`
	Features                storeFeaturesJSON `json:"features"`
}

type storeTimezoneJSON struct {
	Name          string              `json:"name"`
	RawOffset     int                 `json:"raw_offset"`
	DSTOffset     int                 `json:"dst_offset"`
	DSTCorrection bool                `json:"dst_correction"`
	DateFormat    storeDateFormatJSON `json:"date_format"`
}

type storeDateFormatJSON struct {
	Display         string `json:"display"`
	Export          string `json:"export"`
	ExtendedDisplay string `json:"extended_display"`
}

type storeFeaturesJSON struct {
	StencilEnabled                bool   `json:"stencil_enabled"`
	SitewideHTTPSEnabled          bool   `json:"sitewidehttps_enabled"`
	FacebookCatalogID             string `json:"facebook_catalog_id"`
	CheckoutType                  string `json:"checkout_type"`
	WishlistsEnabled              bool   `json:"wishlists_enabled"`
	GraphQLStorefrontAPIEnabled   bool   `json:"graphql_storefront_api_enabled"`
	ShopperConsentTrackingEnabled bool   `json:"shopper_consent_tracking_enabled"`
	MultiStorefrontEnabled        bool   `json:"multi_storefront_enabled"`
}

// getStore implements GET /stores/{store_hash}/v2/store.
func (s *Server) getStore(w http.ResponseWriter, r *http.Request) error {
	st := gateway.StoreOf(r.Context())
	secure := login.StorefrontURL(r, st.Hash)
	domain := "localhost"
	if u, err := url.Parse(secure); err == nil {
		domain = u.Hostname()
	}
	plan := "Standard"
	if st.Plan != "" {
		plan = strings.ToUpper(st.Plan[:1]) + st.Plan[1:]
	}
	return write(w, r, http.StatusOK, storeJSON{
		ID: st.Hash, Domain: domain, SecureURL: secure, ControlPanelBaseURL: gateway.BaseURL(r),
		Status: "live", Name: "Store " + st.Hash, FirstName: "Jane", LastName: "Doe", Address: "",
		Country: "United States", CountryCode: "US", AdminEmail: "admin@" + domain, OrderEmail: "orders@" + domain,
		Timezone: storeTimezoneJSON{Name: "Etc/UTC", DateFormat: storeDateFormatJSON{
			Display: "M jS Y", Export: "M jS Y", ExtendedDisplay: "M jS Y @ g:i A"}},
		Language: "en", Currency: "USD", CurrencySymbol: "$", DecimalSeparator: ".", ThousandsSeparator: ",",
		DecimalPlaces: 2, CurrencySymbolLocation: "left", WeightUnits: "Ounces", DimensionUnits: "Inches",
		DimensionDecimalPlaces: 2, DimensionDecimalToken: ".", DimensionThousandsToken: ",",
		PlanName: plan, PlanLevel: plan, Industry: "Technology", StoreID: int64(st.ID),
		DefaultChannelID: login.DefaultChannel, DefaultSiteID: 1000,
		// No logo: the document's empty array for none.
		Logo: []string{}, ActiveComparisonModules: []string{},
		Features: storeFeaturesJSON{StencilEnabled: true, SitewideHTTPSEnabled: strings.HasPrefix(secure, "https://"),
			CheckoutType: "optimized", GraphQLStorefrontAPIEnabled: true},
	})
}
