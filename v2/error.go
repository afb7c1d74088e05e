package v2

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/customersd/customersd/gateway"
)

// notFoundMessage is what BigCommerce says for any missing resource,
// whatever the path; clients match it.
const notFoundMessage = "The requested resource was not found."

// gatewayTitles are the titles of the errors BigCommerce's API gateway
// answers with, in the V3 object shape (BEHAVIOR.md, "Error bodies").
var gatewayTitles = map[int]string{
	http.StatusUnauthorized:    "No valid credentials were found in this request",
	http.StatusForbidden:       "You don't have a required scope to access the endpoint",
	http.StatusTooManyRequests: "Too many requests",
}

const statusCodesPage = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"

type errorJSON struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
	Details any    `json:"details,omitempty"` // nil, or an object
}

// errLimitTooHigh is BigCommerce's answer to a limit above 250, recorded
// with its details, max_limit as a number (BEHAVIOR.md, "Status codes";
// bigcommerce-api-python#59).
var errLimitTooHigh = &gateway.Error{Status: http.StatusRequestEntityTooLarge, Message: "The specified limit exceeds the maximum allowed."}

// errorDetails is the details object of err's V2 error, or nil for none.
func errorDetails(err error, p gateway.Problem) any {
	if errors.Is(err, errLimitTooHigh) {
		return map[string]int{"max_limit": maxLimit}
	}
	if len(p.Details) > 0 {
		return p.Details
	}
	return nil
}

type gatewayErrorJSON struct {
	Status int      `json:"status"`
	Title  string   `json:"title"`
	Type   string   `json:"type"`
	Errors struct{} `json:"errors"`
}

// renderError writes err in the V2 shape: the gateway object for 401, 403
// and 429, the error array for everything else. BigCommerce answers every
// client mistake with 400, a duplicate email included (BEHAVIOR.md, "Status
// codes"). An internal error is a bare "Internal Server Error".
//
// The error array is written in the negotiated format, <errors><error>…
// in XML (XML.md §6), also for the gateway's own 404, 405, 406 and 503.
// The gateway object is always JSON, as it is written: XML.md §6.2 [INF],
// BigCommerce's OAuth gateway (a separate system from the V2 application)
// answers JSON whatever the Accept; its recorded 403 also keeps "/"
// unescaped (BEHAVIOR.md, "Error bodies").
func renderError(w http.ResponseWriter, r *http.Request, err error) int {
	p := gateway.ProblemOf(err, http.StatusBadRequest)
	switch p.Status {
	case http.StatusNotFound:
		p.Message = notFoundMessage
	case http.StatusMethodNotAllowed:
		p.Message = "The HTTP method '" + r.Method + "' is not supported by this resource."
	case http.StatusInternalServerError:
		p.Message = "Internal Server Error"
	}
	if title, ok := gatewayTitles[p.Status]; ok {
		b, _ := json.Marshal(gatewayErrorJSON{Status: p.Status, Title: title, Type: statusCodesPage})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(p.Status)
		w.Write(b)
		return p.Status
	}
	body := []errorJSON{{Status: p.Status, Message: p.Message, Details: errorDetails(err, p)}}
	if writeAs(w, r, formatOf(r.Context()), p.Status, body) != nil {
		w.WriteHeader(p.Status) // the error wire types always encode
	}
	return p.Status
}
