package linkage

// Kind is a family of comparisons with the same levels.
type Kind uint8

// The comparison kinds.
const (
	KindSurname Kind = iota // họ of the entry's subject
	KindMiddle              // chữ đệm of the subject
	KindGiven               // tên of the subject
	KindName                // the full name of another person (parent, spouse, party)
	KindDate                // a partial date
	KindSex                 // giới tính
	KindID                  // số định danh cá nhân or CMND
	KindPlace               // a place or address
	KindCode                // a coded value (the relation of a recognition)
)

// Level names, per kind, in level order. Level 0 is always "null": a value
// is missing on either side, and the comparison adds nothing (a missing
// value lowers confidence, it never counts as agreement nor as a veto).
var levelNames = map[Kind][]string{
	KindSurname: {"null", "exact", "fold_ascii", "fold", "fuzzy", "else"},
	KindMiddle:  {"null", "exact", "fold_ascii", "fold", "partial", "fuzzy", "else"},
	KindGiven:   {"null", "exact", "fold_ascii", "fold", "i_y", "edit1", "jw", "else"},
	KindName:    {"null", "exact", "fold_ascii", "fold", "sur_given", "fuzzy", "else"},
	KindDate:    {"null", "day", "compatible", "swap", "year", "year1", "else"},
	KindSex:     {"null", "agree", "disagree"},
	KindID:      {"null", "agree", "disagree"},
	KindPlace:   {"null", "exact", "else"},
	KindCode:    {"null", "agree", "disagree"},
}

// The name levels. "exact" is equality of the tone-canonical form.
// "fold_ascii" is equality once folded when one side's name has no
// diacritics at all (they were lost in keying): then the folded key is all
// that can be compared, so the level shares the parameters of "exact"
// (see tied). "fold" is equality once folded of two names that both carry
// diacritics, differently ("Tâm", "Tám"): likely two names.

// Levels of KindSurname.
const (
	surExact = 1 + iota
	surFoldASCII
	surFold
	surFuzzy
	surElse
)

// Levels of KindMiddle.
const (
	midExact = 1 + iota
	midFoldASCII
	midFold
	midPartial
	midFuzzy
	midElse
)

// Levels of KindGiven.
const (
	givenExact = 1 + iota
	givenFoldASCII
	givenFold
	givenIY
	givenEdit1
	givenJW
	givenElse
)

// Levels of KindName.
const (
	nameExact = 1 + iota
	nameFoldASCII
	nameFold
	nameSurGiven
	nameFuzzy
	nameElse
)

// tied maps a level to the level whose parameters it shares.
var tied = map[Kind]map[uint8]uint8{
	KindSurname: {surFoldASCII: surExact},
	KindMiddle:  {midFoldASCII: midExact},
	KindGiven:   {givenFoldASCII: givenExact},
	KindName:    {nameFoldASCII: nameExact},
}

// paramLevels is tied as an array, for the hot loops.
var paramLevels = func() (t [KindCode + 1][8]uint8) {
	for k := range t {
		for l := range t[k] {
			t[k][l] = uint8(l)
		}
	}
	for k, m := range tied {
		for l, to := range m {
			t[k][l] = to
		}
	}
	return t
}()

// paramLevel returns the level whose parameters level l of kind k uses.
func paramLevel(k Kind, l uint8) uint8 { return paramLevels[k][l&7] }

// Levels of KindDate.
const (
	dateDay = 1 + iota
	dateCompatible
	dateSwap
	dateYear
	dateYear1
	dateElse
)

// Levels of KindSex, KindID and KindCode; KindPlace uses the same numbers
// (exact = agree).
const (
	agree = 1 + iota
	disagree
)

// jwBand is the Jaro-Winkler similarity (on folded keys) from which two
// name parts that are not one keying error apart still count as close.
const jwBand = 0.88

// comparer compares interned strings, caching string similarities. One per
// goroutine.
type comparer struct {
	strs  []string
	cache map[uint64]uint8 // (a, b) -> similarity class
}

func newComparer(strs []string) *comparer {
	return &comparer{strs: strs, cache: make(map[uint64]uint8, 1<<12)}
}

// Similarity classes of two different strings.
const (
	simNone  = 0
	simIY    = 1 // equal once y is read as i
	simEdit1 = 2 // one insertion, deletion, substitution or transposition
	simJW    = 3 // Jaro-Winkler at least jwBand
)

// sim classifies two different, non-empty interned strings.
func (c *comparer) sim(a, b uint32) uint8 {
	if a > b {
		a, b = b, a
	}
	k := uint64(a)<<32 | uint64(b)
	if s, ok := c.cache[k]; ok {
		return s
	}
	var s uint8
	x, y := c.str(a), c.str(b)
	switch {
	case iyEqual(x, y):
		s = simIY
	case editOne(x, y):
		s = simEdit1
	case JaroWinkler(x, y) >= jwBand:
		s = simJW
	}
	if len(c.cache) > 1<<20 {
		clear(c.cache)
	}
	c.cache[k] = s
	return s
}

func (c *comparer) str(id uint32) string {
	if int(id) < len(c.strs) {
		return c.strs[id]
	}
	return ""
}

// fuzzy reports whether two interned name parts are close: equal or one
// keying error apart.
func (c *comparer) fuzzy(a, b uint32) bool {
	if a == b {
		return true
	}
	if a == 0 || b == 0 {
		return false
	}
	return c.sim(a, b) != simNone
}

func (c *comparer) surname(a, b *Person) uint8 {
	switch {
	case !a.Has || !b.Has || a.Sur == 0 || b.Sur == 0:
		return 0
	case a.SurC == b.SurC:
		return surExact
	case a.Sur == b.Sur && (a.ASCII || b.ASCII):
		return surFoldASCII
	case a.Sur == b.Sur:
		return surFold
	case c.fuzzy(a.Sur, b.Sur):
		return surFuzzy
	}
	return surElse
}

func (c *comparer) middle(a, b *Person) uint8 {
	switch {
	case !a.Has || !b.Has:
		return 0
	case a.MidC == b.MidC:
		return midExact // both without a middle name agree too
	case a.Mid == b.Mid && (a.ASCII || b.ASCII):
		return midFoldASCII
	case a.Mid == b.Mid:
		return midFold
	case a.Mid == 0 || b.Mid == 0 || c.contains(a.Mid, b.Mid):
		return midPartial
	case c.fuzzy(a.Mid, b.Mid):
		return midFuzzy
	}
	return midElse
}

// contains reports whether one middle name is a whole-word part of the
// other ("Thị Minh" and "Minh").
func (c *comparer) contains(a, b uint32) bool {
	x, y := c.str(a), c.str(b)
	if len(x) < len(y) {
		x, y = y, x
	}
	for i := 0; i+len(y) <= len(x); i++ {
		if x[i:i+len(y)] == y && (i == 0 || x[i-1] == ' ') && (i+len(y) == len(x) || x[i+len(y)] == ' ') {
			return true
		}
	}
	return false
}

func (c *comparer) given(a, b *Person) uint8 {
	switch {
	case !a.Has || !b.Has || a.Given == 0 || b.Given == 0:
		return 0
	case a.GivenC == b.GivenC:
		return givenExact
	case a.Given == b.Given && (a.ASCII || b.ASCII):
		return givenFoldASCII
	case a.Given == b.Given:
		return givenFold
	}
	switch c.sim(a.Given, b.Given) {
	case simIY:
		return givenIY
	case simEdit1:
		return givenEdit1
	case simJW:
		return givenJW
	}
	return givenElse
}

// name compares the full names of two persons in the same role.
func (c *comparer) name(a, b *Person) uint8 {
	switch {
	case !a.Has || !b.Has:
		return 0
	case a.SurC == b.SurC && a.MidC == b.MidC && a.GivenC == b.GivenC:
		return nameExact
	case a.Sur == b.Sur && a.Mid == b.Mid && a.Given == b.Given && (a.ASCII || b.ASCII):
		return nameFoldASCII
	case a.Sur == b.Sur && a.Mid == b.Mid && a.Given == b.Given:
		return nameFold
	case a.Sur == b.Sur && a.Given == b.Given:
		return nameSurGiven
	}
	// One part off by a keying error, the others equal once folded; a
	// middle name missing on one side counts as equal here (sur_given
	// covers it when the rest agrees).
	off := 0
	for k, pr := range [3][2]uint32{{a.Sur, b.Sur}, {a.Mid, b.Mid}, {a.Given, b.Given}} {
		if pr[0] == pr[1] || k == 1 && (pr[0] == 0 || pr[1] == 0) {
			continue
		}
		if pr[0] == 0 || pr[1] == 0 || !c.fuzzy(pr[0], pr[1]) {
			return nameElse
		}
		off++
	}
	if off == 1 {
		return nameFuzzy
	}
	return nameElse
}

// date compares two partial dates.
func date(a, b Date) uint8 {
	if a == 0 || b == 0 {
		return 0
	}
	pa, pb := a.precision(), b.precision()
	dy := a.Year() - b.Year()
	if pa == 3 && pb == 3 {
		switch {
		case a == b:
			return dateDay
		case dy == 0 && a.Month() == b.Day() && a.Day() == b.Month():
			return dateSwap
		}
	} else {
		p := min(pa, pb)
		if truncate(a, p) == truncate(b, p) {
			return dateCompatible
		}
	}
	switch {
	case dy == 0:
		return dateYear
	case dy == 1 || dy == -1:
		return dateYear1
	}
	return dateElse
}

func truncate(d Date, prec int) Date {
	switch prec {
	case 1:
		return d &^ (1<<9 - 1)
	case 2:
		return d &^ 31
	}
	return d
}

func sex(a, b *Person) uint8 {
	if !a.Has || !b.Has || a.Sex == 0 || b.Sex == 0 {
		return 0
	}
	if a.Sex == b.Sex {
		return agree
	}
	return disagree
}

// personalID compares identity numbers. A 9-digit card and a 12-digit ID
// are not comparable: a person has both in their life.
func personalID(a, b *Person) uint8 {
	if !a.Has || !b.Has || a.PID == 0 || b.PID == 0 || a.PID>>56 != b.PID>>56 {
		return 0
	}
	if a.PID == b.PID {
		return agree
	}
	return disagree
}

func exactHash(a, b uint64) uint8 {
	if a == 0 || b == 0 {
		return 0
	}
	if a == b {
		return agree
	}
	return disagree
}

// JaroWinkler returns the Jaro-Winkler similarity of two strings, compared
// byte by byte (folded keys are ASCII), with the usual prefix scale 0.1 over
// at most four bytes.
func JaroWinkler(a, b string) float64 {
	if a == b {
		return 1
	}
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	window := max(la, lb)/2 - 1
	if window < 0 {
		window = 0
	}
	var ma, mb [64]bool
	if la > 64 || lb > 64 {
		return 0
	}
	m := 0
	for i := 0; i < la; i++ {
		lo, hi := max(0, i-window), min(lb-1, i+window)
		for j := lo; j <= hi; j++ {
			if !mb[j] && a[i] == b[j] {
				ma[i], mb[j] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t := 0
	j := 0
	for i := 0; i < la; i++ {
		if !ma[i] {
			continue
		}
		for !mb[j] {
			j++
		}
		if a[i] != b[j] {
			t++
		}
		j++
	}
	mf := float64(m)
	jaro := (mf/float64(la) + mf/float64(lb) + (mf-float64(t)/2)/mf) / 3
	prefix := 0
	for prefix < 4 && prefix < la && prefix < lb && a[prefix] == b[prefix] {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}

// editOne reports whether a and b differ by exactly one insertion,
// deletion, substitution or transposition of adjacent bytes.
func editOne(a, b string) bool {
	la, lb := len(a), len(b)
	if la > lb {
		a, b, la, lb = b, a, lb, la
	}
	switch lb - la {
	case 0:
		i := 0
		for i < la && a[i] == b[i] {
			i++
		}
		if i == la {
			return false // equal
		}
		if a[i+1:] == b[i+1:] {
			return true // substitution
		}
		return i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	case 1:
		i := 0
		for i < la && a[i] == b[i] {
			i++
		}
		return a[i:] == b[i+1:]
	}
	return false
}

// iyEqual reports whether a and b differ only in i written for y or y for
// i ("ly", "li"): the same name in another spelling, or two names ("vy",
// "vi"), so a fuzzy level rather than a fold.
func iyEqual(a, b string) bool {
	if len(a) != len(b) || a == b {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if (x == 'i' && y == 'y') || (x == 'y' && y == 'i') {
			continue
		}
		return false
	}
	return true
}

// levelLabels are the Vietnamese descriptions of the levels, for reviewers.
var levelLabels = map[string]string{
	"null":       "thiếu (không tính)",
	"exact":      "trùng khớp",
	"fold_ascii": "giống, một bên mất dấu",
	"fold":       "cùng chữ, khác dấu",
	"i_y":        "khác i/y",
	"edit1":      "sai một ký tự",
	"jw":         "gần giống",
	"fuzzy":      "gần giống",
	"partial":    "thiếu hoặc thừa một phần",
	"sur_given":  "họ và tên giống, chữ đệm khác",
	"day":        "trùng ngày",
	"compatible": "khớp đến năm/tháng đã biết",
	"swap":       "đảo ngày và tháng",
	"year":       "cùng năm, khác ngày",
	"year1":      "lệch một năm",
	"else":       "khác",
	"agree":      "trùng",
	"disagree":   "khác",
}

// LevelLabel returns the Vietnamese description of a level name.
func LevelLabel(level string) string {
	if l, ok := levelLabels[level]; ok {
		return l
	}
	return level
}
