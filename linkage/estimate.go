package linkage

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/hotich/hotich/registry"
)

// Estimation sizes.
const (
	uSamples    = 2_000_000 // random pairs drawn to estimate u
	emMaxPairs  = 2_000_000 // candidate pairs per blocking rule fed to EM
	emMaxRounds = 100
	emTolerance = 1e-6
	minEstimate = 1000 // fewer entries than this: keep the defaults
)

// estimate returns a copy of rm with u, the term-frequency tables and the
// prior estimated from the profiles, and with opt.EM also m (and the share
// of duplicates behind the prior) by expectation-maximisation. The draw of
// random pairs is seeded by the number of entries, so the same store gives
// the same model.
func estimate(ctx context.Context, reg registry.Register, base *RegisterModel, profiles []Profile, dict *Dict, bl *blocking, opt Options) *RegisterModel {
	n := len(profiles)
	if n < minEstimate {
		return base
	}
	rm := &RegisterModel{
		Method:       "estimated",
		Records:      n,
		PriorBits:    priorBits(defaultDuplicateShare, n),
		Alternatives: base.Alternatives,
		AutoBits:     base.AutoBits,
		SuspectBits:  base.SuspectBits,
		MarginBits:   base.MarginBits,
		Params:       map[string]*Params{},
	}
	for name, p := range base.Params {
		cp := *p
		cp.M = append([]float64(nil), p.M...)
		cp.U = append([]float64(nil), p.U...)
		rm.Params[name] = &cp
	}
	estimateU(reg, rm, profiles, dict)
	if opt.EM && ctx.Err() == nil {
		estimateM(reg, rm, profiles, dict, bl, opt)
		rm.Method = "em"
	}
	return rm
}

// roundSig keeps four significant digits, so a stored model reads the same
// whatever the last bits of the arithmetic.
func roundSig(f float64) float64 {
	if f == 0 {
		return 0
	}
	e := math.Floor(math.Log10(math.Abs(f)))
	p := math.Pow(10, 3-e)
	return math.Round(f*p) / p
}

// estimateU draws random pairs and counts the level of each comparison:
// among random pairs nearly all are unrelated, so the shares are u.
func estimateU(reg registry.Register, rm *RegisterModel, profiles []Profile, dict *Dict) {
	n := len(profiles)
	sp := specs[reg]
	counts := make([][]float64, len(sp))
	for i, s := range sp {
		counts[i] = make([]float64, len(s.Levels()))
	}
	r := rand.New(rand.NewPCG(uint64(n), 0x68_6f_74_69_63_68))
	sc := &scorer{specs: sp}
	c := newComparer(dict.snapshot())
	lv := make([]uint8, len(sp))
	draws := min(uSamples, n*(n-1)/2)
	for k := 0; k < draws; k++ {
		i := r.IntN(n)
		j := r.IntN(n - 1)
		if j >= i {
			j++
		}
		sc.levels(c, &profiles[i], &profiles[j], lv)
		for s, l := range lv {
			counts[s][paramLevel(sp[s].Kind, l)]++
		}
	}
	for i, s := range sp {
		total := 0.0
		for l := 1; l < len(counts[i]); l++ {
			total += counts[i][l]
		}
		if total < 100 {
			continue // too few values to estimate: keep the defaults
		}
		u := make([]float64, len(counts[i]))
		nl := float64(len(counts[i]) - 1)
		for l := 1; l < len(u); l++ {
			if paramLevel(s.Kind, uint8(l)) != uint8(l) {
				continue // tied: never counted, its own entry unused
			}
			// Half a pair of pseudo-count keeps an unseen level possible.
			u[l] = roundSig((counts[i][l] + 0.5) / (total + 0.5*nl))
		}
		rm.Params[s.Name].U = u
	}
}

// estimateM estimates m by expectation-maximisation, as Splink does: for
// each training blocking rule, over the candidate pairs it makes, with u
// fixed at the random-pair estimates; the comparisons a rule blocks on are
// not estimated from its pairs (they agree by construction). Each
// comparison's m is the mean over the rules that estimated it; a
// comparison no rule estimates keeps its default. Only rules on the
// subject's own name train: on a parent's name the pairs are mostly
// siblings, and EM takes the family for the match class.
func estimateM(reg registry.Register, rm *RegisterModel, profiles []Profile, dict *Dict, bl *blocking, opt Options) {
	sp := specs[reg]
	sums := make([][]float64, len(sp))
	runs := make([]int, len(sp))
	for i, s := range sp {
		sums[i] = make([]float64, len(s.Levels()))
	}
	c := newComparer(dict.snapshot())
	sc := &scorer{specs: sp}
	lv := make([]uint8, len(sp))
	var candidates, matches float64
	for r, rule := range bl.rules {
		if !rule.train {
			continue
		}
		fixed := make([]bool, len(sp))
		for i, s := range sp {
			for _, u := range rule.Uses {
				fixed[i] = fixed[i] || u == s.Name
			}
		}
		// Count the patterns of levels of the rule's pairs.
		patterns := map[string]float64{}
		taken := 0
		for _, b := range bl.blocks(r, nil) {
			if taken >= emMaxPairs {
				break
			}
			bl.eachPair(b, nil, func(i, j int) {
				if taken >= emMaxPairs {
					return
				}
				sc.levels(c, &profiles[i], &profiles[j], lv)
				for k, l := range lv {
					lv[k] = paramLevel(sp[k].Kind, l)
				}
				patterns[string(lv)]++
				taken++
			})
		}
		if taken < 100 {
			continue
		}
		m, lambda := em(sp, rm, patterns, fixed)
		if switched(sp, rm, m) {
			opt.Log.Debug("dedup em: session discarded, its match class is not the duplicates", "register", reg, "rule", rule.Name)
			continue
		}
		for i := range sp {
			if fixed[i] || m[i] == nil {
				continue
			}
			for l := range m[i] {
				sums[i][l] += m[i][l]
			}
			runs[i]++
		}
		candidates += float64(taken)
		matches += lambda * float64(taken)
		opt.Log.Debug("dedup em", "register", reg, "rule", rule.Name, "pairs", taken, "patterns", len(patterns), "lambda", lambda)
	}
	for i, s := range sp {
		if runs[i] == 0 {
			continue
		}
		m := make([]float64, len(sums[i]))
		for l := 1; l < len(m); l++ {
			m[l] = roundSig(max(sums[i][l]/float64(runs[i]), 1e-6))
		}
		rm.Params[s.Name].M = m
	}
	_ = candidates
	_ = matches
}

// switched reports whether an EM session's match class agrees less than
// unrelated pairs do on most comparisons: it found some other structure
// (a family, a period) and its estimates are not m.
func switched(sp []Spec, rm *RegisterModel, m [][]float64) bool {
	worse, n := 0, 0
	for i := range sp {
		if m[i] == nil || len(m[i]) < 2 {
			continue
		}
		n++
		if m[i][1] < rm.Params[sp[i].Name].U[1] {
			worse++
		}
	}
	return n == 0 || 2*worse > n
}

// em runs expectation-maximisation over patterns of levels (the level of
// each comparison, as a string of bytes) with their counts. It returns m
// per comparison (nil for fixed ones) and the estimated share of matches.
func em(sp []Spec, rm *RegisterModel, patterns map[string]float64, fixed []bool) ([][]float64, float64) {
	m := make([][]float64, len(sp))
	u := make([][]float64, len(sp))
	for i, s := range sp {
		p := rm.Params[s.Name]
		m[i] = append([]float64(nil), p.M...)
		u[i] = p.U
	}
	type pat struct {
		lv []uint8
		n  float64
	}
	keys := make([]string, 0, len(patterns))
	for k := range patterns {
		keys = append(keys, k)
	}
	sort.Strings(keys) // a fixed order: the same sums, the same model
	var ps []pat
	total := 0.0
	for _, k := range keys {
		ps = append(ps, pat{[]uint8(k), patterns[k]})
		total += patterns[k]
	}
	lambda := 0.1
	for round := 0; round < emMaxRounds; round++ {
		acc := make([][]float64, len(sp))
		for i := range sp {
			acc[i] = make([]float64, len(m[i]))
		}
		matched := 0.0
		for _, p := range ps {
			lm, lu := math.Log(lambda), math.Log(1-lambda)
			for i, l := range p.lv {
				if l == 0 {
					continue
				}
				lm += math.Log(clampP(m[i][l]))
				lu += math.Log(clampP(u[i][l]))
			}
			w := 1 / (1 + math.Exp(lu-lm))
			matched += w * p.n
			for i, l := range p.lv {
				acc[i][l] += w * p.n
			}
		}
		delta := 0.0
		for i := range sp {
			if fixed[i] {
				continue
			}
			tot := 0.0
			for l := 1; l < len(acc[i]); l++ {
				tot += acc[i][l]
			}
			if tot <= 0 {
				continue
			}
			for l := 1; l < len(acc[i]); l++ {
				v := acc[i][l] / tot
				delta = max(delta, math.Abs(v-m[i][l]))
				m[i][l] = v
			}
		}
		nl := min(max(matched/total, 1e-6), 1-1e-6)
		delta = max(delta, math.Abs(nl-lambda))
		lambda = nl
		if delta < emTolerance {
			break
		}
	}
	for i := range sp {
		if fixed[i] {
			m[i] = nil
		}
	}
	return m, lambda
}
