package linkage

import (
	"slices"
	"strings"

	"github.com/hotich/hotich/registry"
)

// Rule is a blocking rule: two entries are compared only when some rule
// gives them the same key. Keys are built from folded values, so lost
// diacritics and tone placement never keep a pair apart, and dates enter
// them with day and month unordered, so a swap does not either; each rule
// leaves out a value that others use, so one keying error in any one value
// leaves at least one rule whole.
//
// Keys on a full date keep blocks small as the store grows; a key on a
// year alone would not (every "Nguyễn Thị Lan" born in 1990 in one block).
// An entry whose date is known only to the year or month has no day key, so
// a Coarse rule keys on the year but compares a pair only when one of its
// entries has such a date: the work is the coarse entries times their
// block, not the block squared.
type Rule struct {
	Name string
	Uses []string // the comparisons whose values make the key (EM does not estimate them on this rule's pairs)
	key  func(p *Profile) uint64
	// coarse, when set, reports whether an entry's date is coarse; the
	// rule then compares only pairs with a coarse entry.
	coarse func(p *Profile) bool
	// train marks the rules whose pairs EM estimates m on.
	train bool
	// narrow walks every block of the rule in its order with a window of
	// narrowWindow, whatever its size: for a rule that only catches a typo
	// in the one name its key leaves out (entries sorted by that name keep
	// the two spellings close), on a key too coarse for full blocks.
	narrow bool
	// order gives the name parts that order the entries of a block larger
	// than bigBlock: each entry is compared with its window neighbours in
	// that order (sorted neighbourhood), so work stays linear however large
	// a block grows. nil: the rule's blocks are always small (an ID).
	order func(p *Profile) [2]uint32
}

// Sorted neighbourhood: a block of more than bigBlock entries compares each
// entry with the window entries that follow it in the rule's order (a
// coarse entry with window entries on either side).
const (
	bigBlock     = 64
	window       = 24
	narrowWindow = 6
)

// Rules returns the blocking rules of a register, in order.
func Rules(reg registry.Register) []Rule { return rules[reg] }

// Slots of the persons in the profiles of each register (the registry's
// order).
const (
	ksChild, ksMother, ksFather = 0, 1, 2
	ktDeceased                  = 0
	khWife, khHusband           = 0, 1
	ncRecognizer, ncRecognized  = 0, 1
)

func id(x uint32) uint64 { return uint64(x) }

// optional makes a possibly empty interned value (a middle name) a key
// part: empty is a value, not a missing part.
func optional(x uint32) uint64 { return uint64(x) + 1 }

func childCoarse(p *Profile) bool { return p.P[ksChild].Birth.precision() < 3 }

func childGiven(p *Profile) [2]uint32 { return [2]uint32{p.P[ksChild].Given, p.P[ksChild].Mid} }

var rules = map[registry.Register][]Rule{
	registry.Birth: {
		{Name: "ten+ngay_sinh", train: true, order: func(p *Profile) [2]uint32 { return [2]uint32{p.P[ksMother].Given, p.P[ksChild].Mid} }, Uses: []string{"con_ten", "con_ngay_sinh"}, key: func(p *Profile) uint64 {
			c := &p.P[ksChild]
			return key(1, id(c.Given), day(c.Birth))
		}},
		{Name: "ho_ten_me+ngay_sinh", order: childGiven, Uses: []string{registry.PrefixMother + registry.ColHoTen, "con_ngay_sinh"}, key: func(p *Profile) uint64 {
			c, m := &p.P[ksChild], &p.P[ksMother]
			return key(2, id(m.Sur), id(m.Given), day(c.Birth))
		}},
		{Name: "ho_ten_cha+ngay_sinh", order: childGiven, Uses: []string{registry.PrefixFather + registry.ColHoTen, "con_ngay_sinh"}, key: func(p *Profile) uint64 {
			c, f := &p.P[ksChild], &p.P[ksFather]
			return key(3, id(f.Sur), id(f.Given), day(c.Birth))
		}},
		{Name: "ho_dem+ngay_sinh", narrow: true, order: childGiven, Uses: []string{"con_ho", "con_chu_dem", "con_ngay_sinh"}, key: func(p *Profile) uint64 {
			c := &p.P[ksChild]
			return key(4, id(c.Sur), optional(c.Mid), day(c.Birth))
		}},
		{Name: "ho_ten+nam_sinh", train: true, order: func(p *Profile) [2]uint32 { return [2]uint32{p.P[ksMother].Given, p.P[ksChild].Mid} }, Uses: []string{"con_ho", "con_ten", "con_ngay_sinh"}, coarse: childCoarse, key: func(p *Profile) uint64 {
			c := &p.P[ksChild]
			return key(5, id(c.Sur), id(c.Given), year(c.Birth))
		}},
		{Name: "ho_ten_me+nam_sinh", order: childGiven, Uses: []string{registry.PrefixMother + registry.ColHoTen, "con_ngay_sinh"}, coarse: childCoarse, key: func(p *Profile) uint64 {
			c, m := &p.P[ksChild], &p.P[ksMother]
			return key(6, id(m.Sur), id(m.Given), year(c.Birth))
		}},
		{Name: "ho_ten_cha+nam_sinh", order: childGiven, Uses: []string{registry.PrefixFather + registry.ColHoTen, "con_ngay_sinh"}, coarse: childCoarse, key: func(p *Profile) uint64 {
			c, f := &p.P[ksChild], &p.P[ksFather]
			return key(7, id(f.Sur), id(f.Given), year(c.Birth))
		}},
		{Name: "dinh_danh", Uses: []string{"con_dinh_danh"}, key: func(p *Profile) uint64 {
			return key(8, p.P[ksChild].PID)
		}},
	},
	registry.Death: {
		{Name: "ten+ngay_chet", train: true, order: func(p *Profile) [2]uint32 { return [2]uint32{p.P[ktDeceased].Mid, p.P[ktDeceased].Sur} }, Uses: []string{"ten", registry.ColNgayChet}, key: func(p *Profile) uint64 {
			return key(1, id(p.P[ktDeceased].Given), day(p.Event))
		}},
		{Name: "ho_dem+ngay_chet", narrow: true, order: func(p *Profile) [2]uint32 { return [2]uint32{p.P[ktDeceased].Given, 0} }, Uses: []string{"ho", "chu_dem", registry.ColNgayChet}, key: func(p *Profile) uint64 {
			d := &p.P[ktDeceased]
			return key(2, id(d.Sur), optional(d.Mid), day(p.Event))
		}},
		{Name: "ngay_chet+nam_sinh", order: func(p *Profile) [2]uint32 { return [2]uint32{p.P[ktDeceased].Given, p.P[ktDeceased].Sur} }, Uses: []string{registry.ColNgayChet, registry.ColNgaySinh}, key: func(p *Profile) uint64 {
			return key(3, day(p.Event), year(p.P[ktDeceased].Birth))
		}},
		{Name: "ngay_chet+noi_cu_tru", order: func(p *Profile) [2]uint32 { return [2]uint32{p.P[ktDeceased].Given, p.P[ktDeceased].Sur} }, Uses: []string{registry.ColNgayChet, registry.ColNoiCuTru}, key: func(p *Profile) uint64 {
			return key(4, day(p.Event), p.Place[1])
		}},
		{Name: "ho_ten+nam_chet", order: func(p *Profile) [2]uint32 { return [2]uint32{p.P[ktDeceased].Mid, 0} }, Uses: []string{"ho", "ten", registry.ColNgayChet}, coarse: func(p *Profile) bool { return p.Event.precision() < 3 }, key: func(p *Profile) uint64 {
			d := &p.P[ktDeceased]
			return key(5, id(d.Sur), id(d.Given), year(p.Event))
		}},
		{Name: "dinh_danh", Uses: []string{"dinh_danh"}, key: func(p *Profile) uint64 {
			return key(6, p.P[ktDeceased].PID)
		}},
	},
	registry.Marriage:    couple("vo", "chong", khWife, khHusband),
	registry.Recognition: couple("nguoi_nhan", "nguoi_duoc_nhan", ncRecognizer, ncRecognized),
}

// couple returns the rules of a register about two persons (a marriage's
// spouses, a recognition's parties): both names, each name with both birth
// years, both birth dates, either ID. Two names or a name and two years
// are selective enough to stay small blocks.
func couple(na, nb string, a, b int) []Rule {
	return []Rule{
		{Name: "ho_ten+ho_ten", train: true, order: func(p *Profile) [2]uint32 { return [2]uint32{p.P[a].Mid, p.P[b].Mid} }, Uses: []string{na + "_ho_ten", nb + "_ho_ten"}, key: func(p *Profile) uint64 {
			x, y := &p.P[a], &p.P[b]
			return key(1, id(x.Sur), id(x.Given), id(y.Sur), id(y.Given))
		}},
		{Name: na + "+nam_sinh", order: func(p *Profile) [2]uint32 { return [2]uint32{p.P[b].Given, p.P[a].Mid} }, Uses: []string{na + "_ho_ten", na + "_ngay_sinh", nb + "_ngay_sinh"}, key: func(p *Profile) uint64 {
			x, y := &p.P[a], &p.P[b]
			return key(2, id(x.Sur), id(x.Given), year(x.Birth), year(y.Birth))
		}},
		{Name: nb + "+nam_sinh", order: func(p *Profile) [2]uint32 { return [2]uint32{p.P[a].Given, p.P[b].Mid} }, Uses: []string{nb + "_ho_ten", na + "_ngay_sinh", nb + "_ngay_sinh"}, key: func(p *Profile) uint64 {
			x, y := &p.P[a], &p.P[b]
			return key(3, id(y.Sur), id(y.Given), year(x.Birth), year(y.Birth))
		}},
		{Name: "ngay_sinh+ngay_sinh", train: true, order: func(p *Profile) [2]uint32 { return [2]uint32{p.P[a].Given, p.P[b].Given} }, Uses: []string{na + "_ngay_sinh", nb + "_ngay_sinh"}, key: func(p *Profile) uint64 {
			return key(4, day(p.P[a].Birth), day(p.P[b].Birth))
		}},
		{Name: na + "_giay_to", Uses: []string{na + "_giay_to"}, key: func(p *Profile) uint64 {
			return key(5, p.P[a].PID)
		}},
		{Name: nb + "_giay_to", Uses: []string{nb + "_giay_to"}, key: func(p *Profile) uint64 {
			return key(6, p.P[b].PID)
		}},
	}
}

// day returns the key part of a date known to the day, with day and month
// unordered (a swap keeps the key), or 0 (no key).
func day(d Date) uint64 {
	if d.precision() != 3 {
		return 0
	}
	lo, hi := d.Day(), d.Month()
	if lo > hi {
		lo, hi = hi, lo
	}
	return uint64(d.Year())<<10 | uint64(lo)<<5 | uint64(hi)
}

// year returns the key part of a date's year, or 0.
func year(d Date) uint64 { return uint64(d.Year()) }

// key hashes the parts of a blocking key; any zero part means the entry
// has no key for the rule (a missing value never puts entries together).
func key(rule uint64, parts ...uint64) uint64 {
	h := rule * 0x9E3779B97F4A7C15
	for _, x := range parts {
		if x == 0 {
			return 0
		}
		h ^= x + 0x9E3779B97F4A7C15 + h<<6 + h>>2
		h *= 0xBF58476D1CE4E5B9
		h ^= h >> 31
	}
	if h == 0 {
		h = 1
	}
	return h
}

// keyed is an entry's key for one rule.
type keyed struct {
	key uint64
	idx uint32
}

// block is a run of entries with one key under one rule.
type block struct {
	rule       int
	start, end int // in the rule's sorted keys
}

// blocking puts the entries of a register into blocks, one rule at a time:
// only the current rule's sorted keys are held (16 bytes an entry); the
// keys of other rules are computed again when needed, which costs less
// than holding them for 12 million entries.
type blocking struct {
	strs     []string // the dict's strings, to order large blocks
	rules    []Rule
	profiles []Profile
	rule     int     // the rule of sorted
	sorted   []keyed // the entries with a key under rule, by key then index
}

func newBlocking(reg registry.Register, profiles []Profile, strs []string) *blocking {
	return &blocking{strs: strs, rules: rules[reg], profiles: profiles, rule: -1}
}

// sort sorts the entries by their key under rule r.
func (b *blocking) sort(r int) []keyed {
	if b.rule == r {
		return b.sorted
	}
	list := b.sorted[:0]
	key := b.rules[r].key
	for i := range b.profiles {
		if k := key(&b.profiles[i]); k != 0 {
			list = append(list, keyed{k, uint32(i)})
		}
	}
	slices.SortFunc(list, func(x, y keyed) int {
		switch {
		case x.key < y.key:
			return -1
		case x.key > y.key:
			return 1
		}
		return int(x.idx) - int(y.idx)
	})
	b.rule, b.sorted = r, list
	return list
}

func (b *blocking) key(i, r int) uint64 { return b.rules[r].key(&b.profiles[i]) }

func (b *blocking) coarse(i, r int) bool {
	c := b.rules[r].coarse
	return c != nil && c(&b.profiles[i])
}

// blocks sorts the entries under rule r and returns its blocks of two or
// more entries with at least one pending entry (pending nil: all pending)
// and, under a coarse rule, a coarse entry.
func (b *blocking) blocks(r int, pending []bool) []block {
	list := b.sort(r)
	coarse := b.rules[r].coarse != nil
	var out []block
	for s := 0; s < len(list); {
		e := s + 1
		for e < len(list) && list[e].key == list[s].key {
			e++
		}
		if e-s >= 2 {
			ok := pending == nil
			for k := s; k < e && !ok; k++ {
				ok = pending[list[k].idx]
			}
			if coarse && ok {
				ok = false
				for k := s; k < e && !ok; k++ {
					ok = b.coarse(int(list[k].idx), r)
				}
			}
			if ok {
				out = append(out, block{r, s, e})
			}
		}
		s = e
	}
	return out
}

// firstRule reports whether r is the first rule that puts i and j
// together, so that each pair is compared once.
func (b *blocking) firstRule(i, j, r int) bool {
	for q := 0; q < r; q++ {
		if k := b.key(i, q); k != 0 && k == b.key(j, q) && (b.rules[q].coarse == nil || b.coarse(i, q) || b.coarse(j, q)) {
			return false
		}
	}
	return true
}

// eachPair calls fn for every pair of a block compared under its rule, i < j
// by entry index; pairs with no pending entry are skipped, and under a
// coarse rule pairs with no coarse entry. A block larger than bigBlock is
// walked in the rule's order, each entry against a window of neighbours.
func (b *blocking) eachPair(bl block, pending []bool, fn func(i, j int)) {
	members := make([]int, 0, bl.end-bl.start)
	for _, k := range b.sort(bl.rule)[bl.start:bl.end] {
		members = append(members, int(k.idx))
	}
	rule := &b.rules[bl.rule]
	span := len(members)
	switch {
	case rule.narrow && span > narrowWindow+1:
		b.orderMembers(members, rule)
		span = narrowWindow
	case span > bigBlock && rule.order != nil:
		b.orderMembers(members, rule)
		span = window
	}
	var coarse []bool // by position in members
	if rule.coarse != nil {
		coarse = make([]bool, len(members))
		for x, i := range members {
			coarse[x] = rule.coarse(&b.profiles[i])
		}
	}
	try := func(i, j int) {
		if i > j {
			i, j = j, i
		}
		if pending != nil && !pending[i] && !pending[j] {
			return
		}
		if b.firstRule(i, j, bl.rule) {
			fn(i, j)
		}
	}
	for x, i := range members {
		if coarse == nil {
			for y := x + 1; y < len(members) && y <= x+span; y++ {
				try(i, members[y])
			}
			continue
		}
		if !coarse[x] {
			continue
		}
		for y := max(0, x-span); y < len(members) && y <= x+span; y++ {
			if y == x || (coarse[y] && y < x) { // two coarse entries: once, from the first
				continue
			}
			try(i, members[y])
		}
	}
}

// orderMembers sorts a block's entries by the rule's order (the strings of
// its name parts), then entry index.
func (b *blocking) orderMembers(members []int, rule *Rule) {
	profiles := b.profiles
	str := func(id uint32) string {
		if int(id) < len(b.strs) {
			return b.strs[id]
		}
		return ""
	}
	slices.SortFunc(members, func(x, y int) int {
		ox, oy := rule.order(&profiles[x]), rule.order(&profiles[y])
		for k := range ox {
			if c := strings.Compare(str(ox[k]), str(oy[k])); c != 0 {
				return c
			}
		}
		return x - y
	})
}
