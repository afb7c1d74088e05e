package loadgen

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
)

// The scenarios, by the name --scenario takes.
const (
	ScenarioGet      = "get"
	ScenarioList     = "list"
	ScenarioEmail    = "email"
	ScenarioCount    = "count"
	ScenarioCreate   = "create"
	ScenarioUpdate   = "update"
	ScenarioValidate = "validate"
	ScenarioMix      = "mix"
	// ScenarioCreateSingle is create against a server committing each
	// write alone, run next to create when the target offers one.
	ScenarioCreateSingle = "create-single-commit"
	// ScenarioGetHot is get over the first hotCustomers seeded customers
	// only: a working set that fits a server's read cache.
	ScenarioGetHot = "get-hot"
	// ScenarioGetUncached is get against a server whose read cache is
	// off, run next to get when the target offers one.
	ScenarioGetUncached = "get-uncached"
	// ScenarioBcrypt is the raw rate of bcrypt comparisons at the
	// fixture's cost, run next to validate: the limit validate can reach.
	ScenarioBcrypt = "bcrypt"
)

// Scenarios lists the scenarios in the order "all" runs them: reads first,
// while the seeded data is untouched, then writes, then the mix.
var Scenarios = []string{ScenarioGet, ScenarioGetHot, ScenarioList, ScenarioEmail, ScenarioCount, ScenarioValidate,
	ScenarioUpdate, ScenarioCreate, ScenarioMix}

// ValidScenario reports whether --scenario may name s ("all" included).
func ValidScenario(s string) bool {
	for _, n := range Scenarios {
		if n == s {
			return true
		}
	}
	return s == "all"
}

// request is one request of a scenario and the statuses that count as
// success for it.
type request struct {
	method, path string
	body         []byte
	ok           func(status int) bool
}

func is2xx(status int) bool { return status >= 200 && status < 300 }

// builder makes a scenario's next request. Each worker owns one, with its
// own random source and sequence, so workers never contend.
type builder struct {
	fx  *Fixture
	rng *rand.Rand
	// run and worker make created emails unique across runs and workers.
	run    string
	worker int
	seq    int
}

// mixWeights is the mix: mostly reads, as in a shop's back office and its
// integrations, with writes and a few logins (password validations, whose
// bcrypt would otherwise dominate the whole machine). Percentages.
var mixWeights = []struct {
	scenario string
	weight   int
}{
	{ScenarioGet, 35}, {ScenarioList, 10}, {ScenarioEmail, 15}, {ScenarioCount, 5},
	{ScenarioUpdate, 15}, {ScenarioCreate, 18}, {ScenarioValidate, 2},
}

func (b *builder) next(scenario string) request {
	b.seq++
	switch scenario {
	case ScenarioGet, ScenarioGetUncached:
		return request{method: http.MethodGet, path: "/customers/" + b.id(), ok: is2xx}
	case ScenarioGetHot:
		id := b.fx.ID(b.rng.IntN(min(hotCustomers, b.fx.Customers)))
		return request{method: http.MethodGet, path: "/customers/" + strconv.FormatInt(id, 10), ok: is2xx}
	case ScenarioList:
		// Pages from the first hundred: a deep OFFSET is a cost of its
		// own that a client paging through everything pays once.
		pages := max(1, min(100, b.fx.Customers/50))
		return request{method: http.MethodGet, path: "/customers?limit=50&page=" + strconv.Itoa(1+b.rng.IntN(pages)), ok: is2xx}
	case ScenarioEmail:
		email := b.fx.Email(b.rng.IntN(b.fx.Customers))
		return request{method: http.MethodGet, path: "/customers?email=" + url.QueryEscape(email), ok: is2xx}
	case ScenarioCount:
		return request{method: http.MethodGet, path: "/customers/count", ok: is2xx}
	case ScenarioValidate:
		body := fmt.Appendf(nil, `{"password":%q}`, b.fx.Password)
		return request{method: http.MethodPost, path: "/customers/" + b.id() + "/validate", body: body, ok: is2xx}
	case ScenarioUpdate:
		body := fmt.Appendf(nil, `{"company":"Bench %d","notes":"updated by worker %d"}`, b.seq, b.worker)
		return request{method: http.MethodPut, path: "/customers/" + b.id(), body: body, ok: is2xx}
	case ScenarioCreate, ScenarioCreateSingle:
		body := fmt.Appendf(nil, `{"first_name":"Bench","last_name":"Create","email":"bench-%s-%d-%d@example.com"}`, b.run, b.worker, b.seq)
		return request{method: http.MethodPost, path: "/customers", body: body, ok: is2xx}
	case ScenarioMix:
		n := b.rng.IntN(100)
		for _, m := range mixWeights {
			if n < m.weight {
				return b.next(m.scenario)
			}
			n -= m.weight
		}
	}
	panic("loadgen: unknown scenario " + scenario)
}

// hotCustomers is get-hot's working set: a shop's busiest thousand
// customers, a few hundred kilobytes in a read cache.
const hotCustomers = 1000

func (b *builder) id() string {
	return strconv.FormatInt(b.fx.ID(b.rng.IntN(b.fx.Customers)), 10)
}

// needsCustomers reports whether a scenario reads seeded customers.
func needsCustomers(scenario string) bool {
	return scenario != ScenarioCount && scenario != ScenarioCreate && scenario != ScenarioCreateSingle
}
