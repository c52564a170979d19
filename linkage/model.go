package linkage

import (
	"fmt"
	"math"
	"strings"

	"github.com/hotich/hotich/registry"
)

// Spec describes one comparison of a register's model: which values it
// reads and how their agreement is graded.
type Spec struct {
	Name    string   // stable key, also the key of its parameters
	Label   string   // what a reviewer reads, in Vietnamese
	Kind    Kind     // how the values are compared
	Slot    int      // the person compared (index in the register's slots)
	Index   int      // KindPlace: which place field
	Event   bool     // KindDate: the event's own date instead of the person's birth
	Cols    []string // the columns it reads, for the side-by-side view
	Subject bool     // says who the entry is about: counts against the family hypothesis
	TF      bool     // agreement is weighed by the frequency of the value
}

// Levels returns the level names of the spec's kind, level 0 ("null") first.
func (s Spec) Levels() []string { return levelNames[s.Kind] }

// specs are the comparisons of each register. Births compare the child and
// both parents; deaths the deceased and the death; marriages both spouses;
// recognitions both parties.
var specs = map[registry.Register][]Spec{
	registry.Birth: {
		{Name: "con_ho", Label: "Họ", Kind: KindSurname, Cols: []string{registry.ColHoTen}, TF: true},
		{Name: "con_chu_dem", Label: "Chữ đệm", Kind: KindMiddle, Cols: []string{registry.ColHoTen}, TF: true},
		{Name: "con_ten", Label: "Tên", Kind: KindGiven, Cols: []string{registry.ColHoTen}, TF: true, Subject: true},
		{Name: "con_ngay_sinh", Label: "Ngày sinh", Kind: KindDate, Cols: []string{registry.ColNgaySinh}, Subject: true},
		{Name: "con_gioi_tinh", Label: "Giới tính", Kind: KindSex, Cols: []string{registry.ColGioiTinh}, Subject: true},
		{Name: "con_dinh_danh", Label: "Số định danh", Kind: KindID, Cols: []string{registry.ColSoDinhDanh}, Subject: true},
		{Name: registry.ColNoiSinh, Label: "Nơi sinh", Kind: KindPlace, Index: 0, Cols: []string{registry.ColNoiSinh}},
		{Name: registry.ColQueQuan, Label: "Quê quán", Kind: KindPlace, Index: 1, Cols: []string{registry.ColQueQuan}},
		{Name: registry.PrefixMother + registry.ColHoTen, Label: "Họ tên mẹ", Kind: KindName, Slot: 1, Cols: []string{registry.PrefixMother + registry.ColHoTen}, TF: true},
		{Name: registry.PrefixMother + registry.ColNgaySinh, Label: "Ngày sinh mẹ", Kind: KindDate, Slot: 1, Cols: []string{registry.PrefixMother + registry.ColNgaySinh}},
		{Name: registry.PrefixFather + registry.ColHoTen, Label: "Họ tên cha", Kind: KindName, Slot: 2, Cols: []string{registry.PrefixFather + registry.ColHoTen}, TF: true},
		{Name: registry.PrefixFather + registry.ColNgaySinh, Label: "Ngày sinh cha", Kind: KindDate, Slot: 2, Cols: []string{registry.PrefixFather + registry.ColNgaySinh}},
	},
	registry.Death: {
		{Name: "ho", Label: "Họ", Kind: KindSurname, Cols: []string{registry.ColHoTen}, TF: true},
		{Name: "chu_dem", Label: "Chữ đệm", Kind: KindMiddle, Cols: []string{registry.ColHoTen}, TF: true},
		{Name: "ten", Label: "Tên", Kind: KindGiven, Cols: []string{registry.ColHoTen}, TF: true},
		{Name: registry.ColNgaySinh, Label: "Ngày sinh", Kind: KindDate, Cols: []string{registry.ColNgaySinh}},
		{Name: registry.ColGioiTinh, Label: "Giới tính", Kind: KindSex, Cols: []string{registry.ColGioiTinh}},
		{Name: "dinh_danh", Label: "Số định danh", Kind: KindID, Cols: []string{registry.ColSoDinhDanh}},
		{Name: registry.ColNgayChet, Label: "Ngày chết", Kind: KindDate, Event: true, Cols: []string{registry.ColNgayChet}},
		{Name: registry.ColNoiChet, Label: "Nơi chết", Kind: KindPlace, Index: 0, Cols: []string{registry.ColNoiChet}},
		{Name: registry.ColNoiCuTru, Label: "Nơi cư trú cuối cùng", Kind: KindPlace, Index: 1, Cols: []string{registry.ColNoiCuTru}},
	},
	registry.Marriage: {
		{Name: registry.PrefixWife + registry.ColHoTen, Label: "Họ tên vợ", Kind: KindName, Slot: 0, Cols: []string{registry.PrefixWife + registry.ColHoTen}, TF: true},
		{Name: registry.PrefixWife + registry.ColNgaySinh, Label: "Ngày sinh vợ", Kind: KindDate, Slot: 0, Cols: []string{registry.PrefixWife + registry.ColNgaySinh}},
		{Name: registry.PrefixWife + registry.ColGiayTo, Label: "Giấy tờ vợ", Kind: KindID, Slot: 0, Cols: []string{registry.PrefixWife + registry.ColGiayTo}},
		{Name: registry.PrefixHusband + registry.ColHoTen, Label: "Họ tên chồng", Kind: KindName, Slot: 1, Cols: []string{registry.PrefixHusband + registry.ColHoTen}, TF: true},
		{Name: registry.PrefixHusband + registry.ColNgaySinh, Label: "Ngày sinh chồng", Kind: KindDate, Slot: 1, Cols: []string{registry.PrefixHusband + registry.ColNgaySinh}},
		{Name: registry.PrefixHusband + registry.ColGiayTo, Label: "Giấy tờ chồng", Kind: KindID, Slot: 1, Cols: []string{registry.PrefixHusband + registry.ColGiayTo}},
		{Name: registry.PrefixWife + registry.ColNoiCuTru, Label: "Nơi cư trú vợ", Kind: KindPlace, Index: 0, Cols: []string{registry.PrefixWife + registry.ColNoiCuTru}},
		{Name: registry.PrefixHusband + registry.ColNoiCuTru, Label: "Nơi cư trú chồng", Kind: KindPlace, Index: 1, Cols: []string{registry.PrefixHusband + registry.ColNoiCuTru}},
	},
	registry.Recognition: {
		{Name: registry.PrefixRecognizer + registry.ColHoTen, Label: "Họ tên người nhận", Kind: KindName, Slot: 0, Cols: []string{registry.PrefixRecognizer + registry.ColHoTen}, TF: true},
		{Name: registry.PrefixRecognizer + registry.ColNgaySinh, Label: "Ngày sinh người nhận", Kind: KindDate, Slot: 0, Cols: []string{registry.PrefixRecognizer + registry.ColNgaySinh}},
		{Name: registry.PrefixRecognizer + registry.ColGiayTo, Label: "Giấy tờ người nhận", Kind: KindID, Slot: 0, Cols: []string{registry.PrefixRecognizer + registry.ColGiayTo}},
		{Name: registry.PrefixRecognized + registry.ColHoTen, Label: "Họ tên người được nhận", Kind: KindName, Slot: 1, Cols: []string{registry.PrefixRecognized + registry.ColHoTen}, TF: true, Subject: true},
		{Name: registry.PrefixRecognized + registry.ColNgaySinh, Label: "Ngày sinh người được nhận", Kind: KindDate, Slot: 1, Cols: []string{registry.PrefixRecognized + registry.ColNgaySinh}, Subject: true},
		{Name: registry.PrefixRecognized + registry.ColGiayTo, Label: "Giấy tờ người được nhận", Kind: KindID, Slot: 1, Cols: []string{registry.PrefixRecognized + registry.ColGiayTo}, Subject: true},
		{Name: registry.ColQuanHe, Label: "Quan hệ", Kind: KindCode, Cols: []string{registry.ColQuanHe}},
		{Name: registry.PrefixRecognizer + registry.ColNoiCuTru, Label: "Nơi cư trú người nhận", Kind: KindPlace, Index: 0, Cols: []string{registry.PrefixRecognizer + registry.ColNoiCuTru}},
	},
}

// Specs returns the comparisons of a register's model, in order.
func Specs(reg registry.Register) []Spec { return specs[reg] }

// guards are the levels that must hold for a link to be auto: the subject
// of the entry is the same person by name and date. A pair that fails them
// goes to review however high it scores: twins, and siblings keyed with a
// wrong date, share everything else. A missing value fails the rule. A name
// one keying error apart (the fuzzy levels) passes only with a score at
// least MarginBits above the auto threshold.
var guards = map[registry.Register][]struct {
	spec          string
	levels, fuzzy []uint8
}{
	registry.Birth: {
		{"con_ten", []uint8{givenExact, givenFoldASCII}, []uint8{givenIY, givenEdit1}},
		{"con_ngay_sinh", []uint8{dateDay, dateCompatible, dateSwap}, nil},
	},
	registry.Death: {
		{"ten", []uint8{givenExact, givenFoldASCII}, []uint8{givenIY, givenEdit1}},
		{registry.ColNgayChet, []uint8{dateDay, dateCompatible}, nil},
	},
	registry.Marriage: {
		{registry.PrefixWife + registry.ColHoTen, []uint8{nameExact, nameFoldASCII, nameSurGiven}, []uint8{nameFuzzy}},
		{registry.PrefixHusband + registry.ColHoTen, []uint8{nameExact, nameFoldASCII, nameSurGiven}, []uint8{nameFuzzy}},
	},
	registry.Recognition: {
		{registry.PrefixRecognizer + registry.ColHoTen, []uint8{nameExact, nameFoldASCII, nameSurGiven}, []uint8{nameFuzzy}},
		{registry.PrefixRecognized + registry.ColHoTen, []uint8{nameExact, nameFoldASCII, nameSurGiven}, []uint8{nameFuzzy}},
		{registry.PrefixRecognized + registry.ColNgaySinh, []uint8{dateDay, dateCompatible, dateSwap}, nil},
	},
}

// The model's and explanations' types are the registry's: the store keeps
// them and the review desk shows them.
type (
	RegisterModel = registry.LinkModel
	Params        = registry.LinkParams
	Alternative   = registry.LinkAlternative
	Explanation   = registry.LinkExplanation
	Contribution  = registry.LinkContribution
	AltScore      = registry.LinkAltScore
)

// Model holds the models of the registers.
type Model struct {
	Registers map[registry.Register]*RegisterModel `json:"registers"`
}

// Register returns the model of a register, filling in defaults for any
// comparison the stored model lacks.
func (m *Model) Register(reg registry.Register) *RegisterModel {
	if m.Registers == nil {
		m.Registers = map[registry.Register]*RegisterModel{}
	}
	rm := m.Registers[reg]
	if rm == nil {
		rm = defaultRegisterModel(reg)
		m.Registers[reg] = rm
	}
	def := defaultRegisterModel(reg)
	if rm.MarginBits == 0 {
		rm.MarginBits = def.MarginBits
	}
	if rm.Params == nil {
		rm.Params = map[string]*Params{}
	}
	for _, s := range specs[reg] {
		if p := rm.Params[s.Name]; p == nil || len(p.M) != len(s.Levels()) || len(p.U) != len(s.Levels()) {
			rm.Params[s.Name] = def.Params[s.Name]
		}
	}
	return rm
}

// DefaultModel returns the documented default model of every register
// (see defaultParams), as used before the store has data to estimate from.
func DefaultModel() *Model {
	m := &Model{Registers: map[registry.Register]*RegisterModel{}}
	for _, reg := range registry.Registers {
		m.Registers[reg] = defaultRegisterModel(reg)
	}
	return m
}

// Default thresholds, in bits of posterior log-odds: auto from 99.9 %
// (and the guard rules), review from 20 %.
const (
	defaultAutoBits    = 10
	defaultSuspectBits = -2
	defaultMarginBits  = 10
)

// defaultDuplicateShare is the share of entries that have a second entry
// of the same event, used for the prior until EM estimates it.
const defaultDuplicateShare = 0.03

// defaultAlternatives returns the documented default alternatives of a
// register. Per birth entry there are about defaultDuplicateShare/2
// duplicate pairs, 0.005 twin pairs (twins are about 1 % of births) and half
// a sibling pair. Twins share the birth date and are almost never given the
// same name; siblings are born on different days.
func defaultAlternatives(reg registry.Register) []Alternative {
	dup := defaultDuplicateShare / 2
	twin := Alternative{Name: "twin", PriorBits: math.Log2(dup / 0.005), U: map[string][]float64{}}
	sibling := Alternative{Name: "sibling", PriorBits: math.Log2(dup / 0.5), U: map[string][]float64{}}
	given := func(exact float64) []float64 {
		return []float64{0, exact, 0, .003, .002, .03, .05, 1 - exact - .085}
	}
	name := func(exact float64) []float64 {
		return []float64{0, exact, 0, exact / 10, exact, .03, 1 - 2.1*exact - .03}
	}
	sex := []float64{0, .6, .4}
	id := []float64{0, 1e-6, 1 - 1e-6}
	switch reg {
	case registry.Birth:
		twin.U["con_ten"] = given(1e-4)
		// Twins share the birth date: their entries' dates differ only by
		// the keying errors two entries of one birth show, so the date
		// tells a twin from the same child not at all.
		twin.U["con_ngay_sinh"] = []float64{0, .84, .08, .04, .02, .01, .01}
		twin.U["con_gioi_tinh"] = sex
		twin.U["con_dinh_danh"] = id
		sibling.U["con_ten"] = given(.003)
		// Siblings other than twins are born at least months apart: the
		// same year is rare, and a coarse date agreeing with a full one
		// needs both a coarse date and the same year.
		sibling.U["con_ngay_sinh"] = []float64{0, 1e-4, 3e-4, 1e-4, .005, .05, .9445}
		sibling.U["con_gioi_tinh"] = []float64{0, .5, .5}
		sibling.U["con_dinh_danh"] = id
		return []Alternative{twin, sibling}
	case registry.Recognition:
		sibling.PriorBits = math.Log2(dup / 0.2)
		sibling.U[registry.PrefixRecognized+registry.ColHoTen] = name(.003)
		sibling.U[registry.PrefixRecognized+registry.ColNgaySinh] = []float64{0, .01, .003, 1e-4, .005, .05, .9319}
		sibling.U[registry.PrefixRecognized+registry.ColGiayTo] = id
		return []Alternative{sibling}
	}
	return nil
}

func defaultRegisterModel(reg registry.Register) *RegisterModel {
	rm := &RegisterModel{
		Method:      "defaults",
		Records:     1_000_000,
		PriorBits:   priorBits(defaultDuplicateShare, 1_000_000),
		AutoBits:    defaultAutoBits,
		SuspectBits: defaultSuspectBits,
		MarginBits:  defaultMarginBits,
		Params:      map[string]*Params{},
	}
	rm.Alternatives = defaultAlternatives(reg)
	for _, s := range specs[reg] {
		rm.Params[s.Name] = defaultParams(reg, s)
	}
	return rm
}

// priorBits returns the log2 prior odds that two random entries of a
// register of n entries record the same event, when a share of the entries
// have one duplicate each.
func priorBits(share float64, n int) float64 {
	if n < 2 {
		n = 2
	}
	pairs := float64(n) * float64(n-1) / 2
	lambda := share * float64(n) / 2 / pairs
	return math.Log2(lambda / (1 - lambda))
}

// defaultParams are the documented default probabilities. m: how a second
// keying of the same entry differs (diacritics lost on a name, the other
// tone placement, a one-letter typo, day and month swapped, a missing
// middle name, a year alone, an optional field left out, a second personal
// ID issued at another ward, a new residence at a re-registration). u:
// agreement by chance between unrelated entries of a city register
// (replaced by estimates from the store).
func defaultParams(reg registry.Register, s Spec) *Params {
	p := &Params{}
	switch s.Kind {
	// fold_ascii shares the parameters of exact (see tied): its entries
	// here are placeholders.
	case KindSurname:
		p.M = []float64{0, .96, 0, .005, .02, .015}
		p.U = []float64{0, .10, 0, .001, .02, .879}
	case KindMiddle:
		p.M = []float64{0, .85, 0, .005, .08, .03, .035}
		p.U = []float64{0, .12, 0, .002, .05, .05, .778}
	case KindGiven:
		p.M = []float64{0, .90, 0, .004, .006, .06, .02, .01}
		p.U = []float64{0, .01, 0, .003, .001, .01, .03, .946}
	case KindName:
		p.M = []float64{0, .88, 0, .005, .06, .04, .015}
		p.U = []float64{0, 1e-5, 0, 1e-6, 1e-4, 1e-4, .9998}
	case KindDate:
		p.M = []float64{0, .84, .08, .04, .02, .01, .01}
		p.U = []float64{0, 5.5e-5, 2e-4, 5e-6, .018, .036, .946}
		if s.Event {
			p.M = []float64{0, .97, .01, .005, .005, .005, .005}
		}
	case KindSex:
		p.M = []float64{0, .98, .02}
		p.U = []float64{0, .5, .5}
	case KindID:
		p.M = []float64{0, .85, .15}
		p.U = []float64{0, 1e-7, 1 - 1e-7}
	case KindPlace:
		// A birth or death place stays; a residence changes with a
		// re-registration years later.
		p.M = []float64{0, .85, .15}
		if strings.Contains(s.Name, "cu_tru") {
			p.M = []float64{0, .35, .65}
		}
		p.U = []float64{0, .05, .95}
	case KindCode:
		p.M = []float64{0, .95, .05}
		p.U = []float64{0, .4, .6}
	}
	return p
}

// NameFrequencyField names the contribution that corrects the weights of
// the subject's name parts to the frequency of the whole name.
const NameFrequencyField = "tan_suat_ho_ten"

// Probability converts a score in bits to a probability.
func Probability(bits float64) float64 { return 1 / (1 + math.Exp2(-bits)) }

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// scorer scores pairs of profiles of one register with a model.
type scorer struct {
	reg   registry.Register
	rm    *RegisterModel
	specs []Spec
	w     [][]float64   // per spec and level: log2(m/u)
	alt   [][][]float64 // per alternative, spec and level: log2(m/u_alt); nil for a spec it leaves out
	logM  [][]float64
	freq  *Frequencies // nil: no term frequencies, the levels' own weights
	// name holds the specs of the subject's surname, middle and given
	// name (-1 when the register compares the subject's name whole);
	// father the spec of a birth's father's name (-1: none).
	name   [3]int
	father int
	guard  []guardRule
}

type guardRule struct {
	spec      int
	ok, fuzzy [8]bool
}

func newScorer(reg registry.Register, rm *RegisterModel, freq *Frequencies) *scorer {
	sc := &scorer{reg: reg, rm: rm, specs: specs[reg], freq: freq, name: [3]int{-1, -1, -1}, father: -1}
	for i, s := range sc.specs {
		p := rm.Params[s.Name]
		n := len(s.Levels())
		w := make([]float64, n)
		lm := make([]float64, n)
		for l := 1; l < n; l++ {
			pl := paramLevel(s.Kind, uint8(l))
			m, u := clampP(p.M[pl]), clampP(p.U[pl])
			lm[l] = math.Log2(m)
			w[l] = lm[l] - math.Log2(u)
		}
		sc.w, sc.logM = append(sc.w, w), append(sc.logM, lm)
		if reg == registry.Birth && s.Kind == KindName && s.Slot == ksFather {
			sc.father = i
		}
		if s.TF && s.Slot == 0 {
			switch s.Kind {
			case KindSurname:
				sc.name[0] = i
			case KindMiddle:
				sc.name[1] = i
			case KindGiven:
				sc.name[2] = i
			}
		}
	}
	for _, a := range rm.Alternatives {
		ws := make([][]float64, len(sc.specs))
		for i, s := range sc.specs {
			u := a.U[s.Name]
			if len(u) != len(s.Levels()) {
				continue
			}
			ws[i] = make([]float64, len(u))
			for l := 1; l < len(u); l++ {
				ws[i][l] = sc.logM[i][l] - math.Log2(clampP(u[paramLevel(s.Kind, uint8(l))]))
			}
		}
		sc.alt = append(sc.alt, ws)
	}
	for _, g := range guards[reg] {
		for i, s := range sc.specs {
			if s.Name == g.spec {
				r := guardRule{spec: i}
				for _, l := range g.levels {
					r.ok[l] = true
				}
				for _, l := range g.fuzzy {
					r.fuzzy[l] = true
				}
				sc.guard = append(sc.guard, r)
			}
		}
	}
	return sc
}

func clampP(p float64) float64 { return min(max(p, 1e-9), 1) }

// levels fills lv with the level of every comparison of the pair.
func (sc *scorer) levels(c *comparer, a, b *Profile, lv []uint8) {
	for i := range sc.specs {
		s := &sc.specs[i]
		pa, pb := &a.P[s.Slot], &b.P[s.Slot]
		var l uint8
		switch s.Kind {
		case KindSurname:
			l = c.surname(pa, pb)
		case KindMiddle:
			l = c.middle(pa, pb)
		case KindGiven:
			l = c.given(pa, pb)
		case KindName:
			l = c.name(pa, pb)
		case KindDate:
			if s.Event {
				l = date(a.Event, b.Event)
			} else if pa.Has && pb.Has {
				l = date(pa.Birth, pb.Birth)
			}
		case KindSex:
			l = sex(pa, pb)
		case KindID:
			l = personalID(pa, pb)
		case KindPlace:
			l = exactHash(a.Place[s.Index], b.Place[s.Index])
		case KindCode:
			l = exactHash(a.Extra, b.Extra)
		}
		lv[i] = l
	}
}

// tfLevel reports whether a level of a kind is weighed by term frequency.
func tfLevel(k Kind, l uint8) bool {
	switch k {
	case KindSurname:
		return l == surExact || l == surFoldASCII
	case KindMiddle:
		return l == midExact || l == midFoldASCII
	case KindGiven:
		return l == givenExact || l == givenFoldASCII
	case KindName:
		return l == nameExact || l == nameFoldASCII || l == nameSurGiven
	}
	return false
}

// weight returns the weight of spec i at level l for the pair (a's values
// give the term frequency: at a TF level the two agree once folded).
func (sc *scorer) weight(i int, l uint8, a *Profile) float64 {
	s := &sc.specs[i]
	if l == 0 {
		return 0
	}
	if !s.TF || sc.freq == nil || !tfLevel(s.Kind, l) {
		return sc.w[i][l]
	}
	return sc.logM[i][l] - sc.logFreq(s, l, &a.P[s.Slot])
}

// logFreq returns log2 of the frequency of the value a TF level agrees on.
func (sc *scorer) logFreq(s *Spec, l uint8, p *Person) float64 {
	sf := sc.freq.slots[s.Slot]
	if sf == nil {
		return 0
	}
	switch s.Kind {
	case KindSurname:
		return sf.log2(countOf(sf.sur, p.Sur))
	case KindMiddle:
		return sf.log2(countOf(sf.mid, p.Mid))
	case KindGiven:
		return sf.log2(countOf(sf.given, p.Given))
	case KindName:
		if l == nameSurGiven {
			return sf.log2(sf.surGiven.count(surGivenKey(p)))
		}
		return sf.log2(sf.full.count(fullKey(p)))
	}
	return 0
}

// nameFrequency returns the correction that makes the subject's surname,
// middle and given name, when all agree at TF levels, weigh by the
// frequency of the whole name rather than the product of the parts'
// (surname and given name alone when the middle names differ). In a birth
// entry it also takes back the father's surname when the child bears it:
// agreeing on it was counted with the child's surname already. And it
// takes back what the names of one community tell twice: names drawn from
// a small community's pool go together, so beyond the first agreeing name
// of a community each further one counts the rarity of the community again
// (log2 of its share) and that is taken back.
func (sc *scorer) nameFrequency(a, b *Profile, lv []uint8) float64 {
	if sc.freq == nil {
		return 0
	}
	return sc.wholeName(a, lv) + sc.community(a, b, lv)
}

// community returns the correction for agreeing names of one community.
func (sc *scorer) community(a, b *Profile, lv []uint8) float64 {
	var seen [maxSlots]uint32
	n := 0
	corr := 0.0
	for i := range sc.specs {
		s := &sc.specs[i]
		if !s.TF || !tfLevel(s.Kind, lv[i]) || s.Kind == KindSurname || s.Kind == KindMiddle {
			continue // a subject's name counts once, by its given name
		}
		g := a.P[s.Slot].Group
		if g == 0 || g != b.P[s.Slot].Group {
			continue
		}
		for _, h := range seen[:n] {
			if h == g {
				corr += sc.freq.groups[g]
				break
			}
		}
		seen[n] = g
		n++
	}
	return corr
}

// wholeName returns the corrections of the subject's name parts.
func (sc *scorer) wholeName(a *Profile, lv []uint8) float64 {
	if sc.name[0] < 0 || sc.name[2] < 0 {
		return 0
	}
	sf := sc.freq.slots[0]
	if sf == nil {
		return 0
	}
	p := &a.P[0]
	si, mi, gi := sc.name[0], sc.name[1], sc.name[2]
	if !tfLevel(KindSurname, lv[si]) {
		return 0
	}
	corr := 0.0
	if fi := sc.father; fi >= 0 && tfLevel(KindName, lv[fi]) && a.P[ksFather].Sur == p.Sur {
		if ff := sc.freq.slots[ksFather]; ff != nil {
			corr += ff.log2(countOf(ff.sur, p.Sur))
		}
	}
	if !tfLevel(KindGiven, lv[gi]) {
		return corr
	}
	parts := sf.log2(countOf(sf.sur, p.Sur)) + sf.log2(countOf(sf.given, p.Given))
	if mi >= 0 && tfLevel(KindMiddle, lv[mi]) {
		parts += sf.log2(countOf(sf.mid, p.Mid))
		return corr + parts - sf.log2(sf.full.count(fullKey(p)))
	}
	return corr + parts - sf.log2(sf.surGiven.count(surGivenKey(p)))
}

// score returns the pair's score in bits and whether the guard rules hold,
// given the levels.
func (sc *scorer) score(a, b *Profile, lv []uint8) (bits float64, guard bool) {
	su := sc.rm.PriorBits + sc.nameFrequency(a, b, lv)
	contradicted := false
	for i := range sc.specs {
		if l := lv[i]; l != 0 {
			w := sc.weight(i, l, a)
			su += w
			contradicted = contradicted || w <= -contradictionBits
		}
	}
	bits = su
	for k, ws := range sc.alt {
		sa := sc.rm.Alternatives[k].PriorBits
		for i, w := range ws {
			if w != nil {
				sa += w[lv[i]]
			}
		}
		bits = combine(bits, sa)
	}
	guard = true
	fuzzy := false
	for _, g := range sc.guard {
		switch l := lv[g.spec]; {
		case g.ok[l]:
		case g.fuzzy[l]:
			fuzzy = true
		default:
			guard = false
		}
	}
	if fuzzy && bits < sc.rm.AutoBits+sc.rm.MarginBits {
		guard = false
	}
	return bits, guard && !contradicted
}

// contradictionBits is how much one comparison may weigh against a pair
// that is still auto. A value known on both sides that disagrees outright
// (a parent's full birth date, a personal ID) sends the pair to review
// however well the rest agrees: in a city-sized store, two families can
// share every name and the child's birth date, and that one field is then
// all that tells them apart. Measured on the 12M-entry corpus, it kept 10
// of 24 false auto links out of auto and moved 0.04 % of the true ones to
// review.
const contradictionBits = 3

// combine returns the log-odds of "same event" against the union of two
// alternatives, given its log-odds against each.
func combine(x, y float64) float64 {
	// -log2(2^-x + 2^-y), computed stably.
	lo, hi := x, y
	if lo > hi {
		lo, hi = hi, lo
	}
	return lo - math.Log2(1+math.Exp2(lo-hi))
}

// status returns the status a score gives.
func (sc *scorer) status(bits float64, guard bool) registry.LinkStatus {
	switch {
	case bits >= sc.rm.AutoBits && guard:
		return registry.LinkAuto
	case bits >= sc.rm.SuspectBits:
		return registry.LinkSuspected
	}
	return ""
}

// explain returns the explanation of a pair's score.
func (sc *scorer) explain(modelID string, a, b *Profile, lv []uint8) Explanation {
	bits, guard := sc.score(a, b, lv)
	e := Explanation{Model: modelID, Prior: round3(sc.rm.PriorBits), Bits: round3(bits), Guard: guard}
	su := sc.rm.PriorBits
	sa := make([]float64, len(sc.alt))
	for k := range sc.alt {
		sa[k] = sc.rm.Alternatives[k].PriorBits
	}
	for i, s := range sc.specs {
		l := lv[i]
		c := Contribution{Name: s.Name, Level: s.Levels()[l]}
		if l != 0 {
			w := sc.weight(i, l, a)
			su += w
			c.Weight = round3(w)
		}
		for k, ws := range sc.alt {
			if ws[i] == nil {
				continue
			}
			if c.Alt == nil {
				c.Alt = map[string]float64{}
			}
			c.Alt[sc.rm.Alternatives[k].Name] = round3(ws[i][l])
			sa[k] += ws[i][l]
		}
		e.Fields = append(e.Fields, c)
	}
	if nf := sc.nameFrequency(a, b, lv); nf != 0 {
		su += nf
		e.Fields = append(e.Fields, Contribution{Name: NameFrequencyField, Level: "joint", Weight: round3(nf)})
	}
	e.Unrelated = round3(su)
	for k, a := range sc.rm.Alternatives {
		e.Alternatives = append(e.Alternatives, AltScore{Name: a.Name, Prior: round3(a.PriorBits), Bits: round3(sa[k])})
	}
	return e
}

// Describe returns a readable summary of a register's model: every
// comparison's levels with m, u and the weight log2(m/u).
func Describe(rm *RegisterModel, reg registry.Register) string {
	out := fmt.Sprintf("%s: method %s, %d entries, prior %.2f bits, auto ≥ %.1f bits (name one error off: ≥ %.1f), suspected ≥ %.1f bits\n",
		reg, rm.Method, rm.Records, rm.PriorBits, rm.AutoBits, rm.AutoBits+rm.MarginBits, rm.SuspectBits)
	for _, a := range rm.Alternatives {
		out += fmt.Sprintf("  alternative %s: prior %.2f bits, %d subject comparisons\n", a.Name, a.PriorBits, len(a.U))
	}
	for _, s := range specs[reg] {
		p := rm.Params[s.Name]
		out += fmt.Sprintf("  %-26s", s.Name)
		for l := 1; l < len(s.Levels()); l++ {
			if pl := paramLevel(s.Kind, uint8(l)); pl != uint8(l) {
				out += fmt.Sprintf(" %s = %s;", s.Levels()[l], s.Levels()[pl])
				continue
			}
			out += fmt.Sprintf(" %s m=%.3g u=%.3g w=%+.1f;", s.Levels()[l], p.M[l], p.U[l], math.Log2(clampP(p.M[l])/clampP(p.U[l])))
		}
		out += "\n"
	}
	return out
}
