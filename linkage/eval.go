package linkage

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/hotich/hotich/registry"
)

// TruthPair is one line of a ground-truth file (the sample generator's
// truth/pairs.jsonl): two entries of the same event ("duplicate"), or a
// designed look-alike pair that must stay apart ("hard_negative" of type
// twins, siblings, father_son or common_name).
type TruthPair struct {
	Kind        string   `json:"kind"`
	Type        string   `json:"type,omitempty"`
	A           string   `json:"a"`
	B           string   `json:"b"`
	Register    string   `json:"register,omitempty"`
	Via         string   `json:"via,omitempty"`
	Corruptions []string `json:"corruptions,omitempty"`
}

// ReadTruth reads a ground-truth file.
func ReadTruth(r io.Reader) ([]TruthPair, error) {
	var out []TruthPair
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		if len(sc.Bytes()) == 0 {
			continue
		}
		var p TruthPair
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			return nil, fmt.Errorf("truth line %d: %w", n, err)
		}
		if p.A > p.B {
			p.A, p.B = p.B, p.A
		}
		out = append(out, p)
	}
	return out, sc.Err()
}

// LinkedPair is a stored link, as the evaluation sees it.
type LinkedPair struct {
	A, B   string
	Status registry.LinkStatus
}

// Scores are pairwise precision, recall and F1 of a set of predicted links.
type Scores struct {
	Predicted int     `json:"predicted"`
	Correct   int     `json:"correct"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

func scores(pred, correct, truth int) Scores {
	s := Scores{Predicted: pred, Correct: correct, Precision: 1, Recall: 1}
	if pred > 0 {
		s.Precision = float64(correct) / float64(pred)
	}
	if truth > 0 {
		s.Recall = float64(correct) / float64(truth)
	}
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	return s
}

// NegativeCounts counts the links made between designed look-alike pairs.
type NegativeCounts struct {
	Pairs     int `json:"pairs"`
	Auto      int `json:"auto"`
	Suspected int `json:"suspected"`
}

// Quality is the measure of a store's links against the ground truth.
// Links a person decided count by the status the score gave before.
type Quality struct {
	Duplicates    int                        `json:"duplicates"` // true pairs in the truth
	Auto          Scores                     `json:"auto"`
	AutoSuspected Scores                     `json:"auto_suspected"`
	ByRegister    map[string][2]Scores       `json:"by_register"` // auto, auto+suspected
	HardNegatives map[string]*NegativeCounts `json:"hard_negatives"`
	// BlockingRecall is the share of true pairs that some blocking rule
	// puts together (set by the caller, -1 unknown).
	BlockingRecall float64      `json:"blocking_recall"`
	FalseAuto      []LinkedPair `json:"false_auto,omitempty"` // the first few
	Missed         []TruthPair  `json:"missed,omitempty"`     // the first few true pairs without a link
}

// Evaluate measures links against the ground truth.
func Evaluate(truth []TruthPair, links []LinkedPair) *Quality {
	q := &Quality{ByRegister: map[string][2]Scores{}, HardNegatives: map[string]*NegativeCounts{}, BlockingRecall: -1}
	type key struct{ a, b string }
	dup := map[key]string{} // -> register
	neg := map[key]string{} // -> type
	regTruth := map[string]int{}
	for _, p := range truth {
		k := key{p.A, p.B}
		switch p.Kind {
		case "duplicate":
			dup[k] = p.Register
			regTruth[p.Register]++
		case "hard_negative":
			neg[k] = p.Type
			if q.HardNegatives[p.Type] == nil {
				q.HardNegatives[p.Type] = &NegativeCounts{}
			}
			q.HardNegatives[p.Type].Pairs++
		}
	}
	q.Duplicates = len(dup)
	type counts struct{ auto, autoOK, any, anyOK int }
	byReg := map[string]*counts{}
	total := &counts{}
	found := map[key]bool{}
	for _, l := range links {
		a, b := l.A, l.B
		if a > b {
			a, b = b, a
		}
		k := key{a, b}
		reg := registerOf(a)
		if byReg[reg] == nil {
			byReg[reg] = &counts{}
		}
		_, ok := dup[k]
		for _, c := range []*counts{total, byReg[reg]} {
			switch l.Status {
			case registry.LinkAuto:
				c.auto++
				c.any++
				if ok {
					c.autoOK++
					c.anyOK++
				}
			case registry.LinkSuspected:
				c.any++
				if ok {
					c.anyOK++
				}
			}
		}
		if ok && (l.Status == registry.LinkAuto || l.Status == registry.LinkSuspected) {
			found[k] = true
		}
		if l.Status == registry.LinkAuto && !ok && len(q.FalseAuto) < 20 {
			q.FalseAuto = append(q.FalseAuto, LinkedPair{a, b, l.Status})
		}
		if t, isNeg := neg[k]; isNeg {
			switch l.Status {
			case registry.LinkAuto:
				q.HardNegatives[t].Auto++
			case registry.LinkSuspected:
				q.HardNegatives[t].Suspected++
			}
		}
	}
	q.Auto = scores(total.auto, total.autoOK, len(dup))
	q.AutoSuspected = scores(total.any, total.anyOK, len(dup))
	for reg, n := range regTruth {
		c := byReg[reg]
		if c == nil {
			c = &counts{}
		}
		q.ByRegister[reg] = [2]Scores{scores(c.auto, c.autoOK, n), scores(c.any, c.anyOK, n)}
	}
	var missed []TruthPair
	for _, p := range truth {
		if p.Kind == "duplicate" && !found[key{p.A, p.B}] {
			missed = append(missed, p)
		}
	}
	sort.Slice(missed, func(i, j int) bool { return missed[i].A < missed[j].A })
	if len(missed) > 20 {
		missed = missed[:20]
	}
	q.Missed = missed
	return q
}

// registerOf returns the register of a record ID ("KS-26740-…").
func registerOf(id string) string {
	for i := 0; i < len(id); i++ {
		if id[i] == '-' {
			return id[:i]
		}
	}
	return id
}

// BlockingRecall returns the share of the truth's duplicate pairs that the
// blocking compares (some rule puts them in one block, and within a large
// block the window reaches), by register and in all, reading the records
// from src. Pairs whose records are not in the store count as not
// compared.
func (l *Linker) BlockingRecall(ctx context.Context, src Source, truth []TruthPair) (map[string]float64, error) {
	want := map[registry.Register]bool{}
	for _, p := range truth {
		if p.Kind == "duplicate" {
			want[registry.Register(p.Register)] = true
		}
	}
	dict := NewDict()
	loaded, err := loadProfiles(ctx, src, want, dict, l.opt.Workers)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	var all, allOK int
	for reg, profiles := range loaded {
		index := make(map[string]int, len(profiles))
		for i := range profiles {
			index[profiles[i].ID] = i
		}
		type pair struct{ i, j int }
		found := map[pair]bool{}
		n := 0
		for _, p := range truth {
			if p.Kind != "duplicate" || registry.Register(p.Register) != reg {
				continue
			}
			n++
			i, ok1 := index[p.A]
			j, ok2 := index[p.B]
			if ok1 && ok2 {
				found[pair{min(i, j), max(i, j)}] = false
			}
		}
		bl := newBlocking(reg, profiles, dict.snapshot())
		for r := range bl.rules {
			for _, b := range bl.blocks(r, nil) {
				bl.eachPair(b, nil, func(i, j int) {
					if _, ok := found[pair{i, j}]; ok {
						found[pair{i, j}] = true
					}
				})
			}
		}
		ok := 0
		for _, v := range found {
			if v {
				ok++
			}
		}
		if n > 0 {
			out[string(reg)] = float64(ok) / float64(n)
		}
		all += n
		allOK += ok
	}
	if all > 0 {
		out["all"] = float64(allOK) / float64(all)
	}
	return out, nil
}
