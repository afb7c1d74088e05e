package login

import (
	"strconv"
	"time"

	"github.com/customersd/customersd"
)

// CurrentLifetime is how long a current customer JWT is valid: exp - iat
// is 900 (LOGIN.md, "Current Customer").
const CurrentLifetime = 15 * time.Minute

// CurrentCustomer is the payload of a current customer JWT, in the order
// and with the types BigCommerce sends: group_id is a string.
type CurrentCustomer struct {
	Customer struct {
		ID      int64  `json:"id"`
		Email   string `json:"email"`
		GroupID string `json:"group_id"`
	} `json:"customer"`
	Iss           string `json:"iss"`
	Sub           string `json:"sub"`
	Iat           int64  `json:"iat"`
	Exp           int64  `json:"exp"`
	Version       int    `json:"version"`
	Aud           string `json:"aud"`
	ApplicationID string `json:"application_id"`
	StoreHash     string `json:"store_hash"`
	Operation     string `json:"operation"`
}

// SignCurrentCustomer returns the current customer JWT of c on st for the
// app of account a, signed with its client secret, issued at now. The app
// is known to customersd by its client id, so that is its application_id
// too; a customer in no group has group_id "0", as V2 shows it.
func SignCurrentCustomer(a *customersd.APIAccount, st *customersd.Store, c *customersd.Customer, now time.Time) (string, error) {
	p := CurrentCustomer{Iss: "bc/apps", Sub: st.Hash, Iat: now.Unix(), Exp: now.Add(CurrentLifetime).Unix(), Version: 1,
		Aud: a.ClientID, ApplicationID: a.ClientID, StoreHash: st.Hash, Operation: "current_customer"}
	p.Customer.ID, p.Customer.Email, p.Customer.GroupID = c.ID, c.Email, strconv.FormatInt(c.CustomerGroupID, 10)
	return Sign(p, a.ClientSecret)
}
