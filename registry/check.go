package registry

// Problem is one way a store breaks an invariant, found by a check.
type Problem struct {
	Check  string `json:"check"`  // which invariant: "batch_rows", "search_keys", …
	Detail string `json:"detail"` // what is wrong, in Vietnamese, for the operator
}

// CheckReport is what a check of a store found.
type CheckReport struct {
	Problems []Problem      `json:"problems"`
	Omitted  map[string]int `json:"omitted,omitempty"` // problems found but not listed, per check
	Counts   CheckCounts    `json:"counts"`
}

// CheckCounts says how much a check looked at.
type CheckCounts struct {
	Batches int   `json:"batches"`
	Rows    int   `json:"rows"`
	Records int   `json:"records"`
	Persons int   `json:"persons"`
	Events  int64 `json:"events"`
	Issues  int   `json:"issues"`
	Checks  int   `json:"checks"`
}

// OK reports whether the check found nothing wrong.
func (r *CheckReport) OK() bool { return len(r.Problems) == 0 && len(r.Omitted) == 0 }

// MaxProblemsPerCheck is how many problems of one check a report lists; the
// rest are counted in Omitted.
const MaxProblemsPerCheck = 20

// Add records a problem.
func (r *CheckReport) Add(check, detail string) {
	n := 0
	for _, p := range r.Problems {
		if p.Check == check {
			n++
		}
	}
	if n >= MaxProblemsPerCheck {
		if r.Omitted == nil {
			r.Omitted = map[string]int{}
		}
		r.Omitted[check]++
		return
	}
	r.Problems = append(r.Problems, Problem{Check: check, Detail: detail})
}
