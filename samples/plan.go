package samples

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/hotich/hotich/registry"
)

// fileSpec is one batch file of the plan: an original register book or a
// rescan of one.
type fileSpec struct {
	idx    int // index in plan.files
	name   string
	reg    registry.Register
	auth   *authority
	year   int // the book's year
	bookNo int // 1 for q01
	books  int // books of the same authority, register and year
	rows   int // originals: entries of the book
	format Format
	enc    Encoding // "" for XLSX and JSONL files
	moji   bool     // some cells hold mojibake

	orig    int   // index of the original book (itself for an original)
	rescans []int // originals: the rescan files of the book
	// rescans: the original rows covered, from..to (1-based, inclusive),
	// and the year of the rescan
	from, to   int
	rescanYear int

	offset int       // originals: rows of earlier originals of the register
	bs     bookStyle // how the book writes what it writes the same way throughout
	// annots marks designed rows, sorted: for an original by row, for a
	// rescan by the original row it re-scans.
	annots []annotAt
	pos    int // position of the file in lexical (ingest) order
}

func (f *fileSpec) rescan() bool { return f.orig != f.idx }

// book returns the book number as the book writes it: "01/2010".
func (f *fileSpec) book(bs bookStyle) string {
	if bs.bookBare {
		return fmt.Sprintf("%d/%d", f.bookNo, f.year)
	}
	return fmt.Sprintf("%02d/%d", f.bookNo, f.year)
}

type annKind uint8

const (
	annNone       annKind = iota
	annSource             // the first registration of a duplicate, or the elder sibling
	annTwinA              // first twin
	annTwinB              // second twin: derived from the row before
	annSiblingB           // a younger sibling: same parents as the source
	annFatherSonA         // the father's own birth entry
	annFatherSonB         // the son's birth entry, naming the father
	annCommonA            // a common name
	annCommonB            // an unrelated person with the same name and birth year
	annDup                // a second registration of the source's event
	annKeyed              // rescans: the entry keyed under a wrong book or number
)

// annot is a designed row: what it is, and the row it derives from. It is
// kept small: a corpus of 12 million entries has half a million of them.
type annot struct {
	kind    annKind
	via     uint8 // duplicates: index into vias
	name    uint8 // common names: index into the list of the sex
	male    bool
	srcRow  int32
	srcFile int32
}

type annotAt struct {
	row int32
	annot
}

// vias are how a duplicate registration came about.
var vias = []string{"", "dang_ky_lai", "two_wards", "keying_error"}

func viaCode(s string) uint8 {
	for i, v := range vias {
		if v == s {
			return uint8(i)
		}
	}
	panic("samples: unknown via " + s)
}

func (a annot) viaName() string { return vias[a.via] }
func (a annot) src() (int, int) { return int(a.srcFile), int(a.srcRow) }
func (a annot) commonName() string {
	if a.male {
		return commonNamesMale[a.name]
	}
	return commonNamesFemale[a.name]
}

// annot returns the designed row `row` of f, if it is one.
func (f *fileSpec) annot(row int) (annot, bool) {
	i := sort.Search(len(f.annots), func(i int) bool { return int(f.annots[i].row) >= row })
	if i < len(f.annots) && int(f.annots[i].row) == row {
		return f.annots[i].annot, true
	}
	return annot{}, false
}

// plan is the whole corpus before any row exists: files, books and the
// links between rows of different files. It is built sequentially from the
// seed; everything else derives from it and per-file random streams.
type plan struct {
	cfg    *Config
	files  []*fileSpec
	groups [][]int // each original with its rescans, in dispatch order
	byName []int   // file indices in lexical order
	// per register: originals and their cumulative rows, for drawing rows
	originals map[registry.Register][]int
	cum       map[registry.Register][]int
	total     map[registry.Register]int
	// originals by register and year, and by register and authority
	byYear map[registry.Register]map[int][]int
	byAuth map[string][]int // reg|code
	books  map[string]bool  // reg|code|year|bookNo
	links  map[string]int   // planned link counts, for the summary
	rows   int64            // planned rows, rescans included
	marks  map[int64]annot  // while planning: designed rows by file<<32|row
}

func markKey(fi, row int) int64 { return int64(fi)<<32 | int64(row) }

func buildPlan(cfg *Config, g *geo) (*plan, error) {
	r := newRand(cfg.Seed, 0x9e3779b97f4a7c15)
	p := &plan{
		cfg:       cfg,
		originals: map[registry.Register][]int{},
		cum:       map[registry.Register][]int{},
		total:     map[registry.Register]int{},
		byYear:    map[registry.Register]map[int][]int{},
		byAuth:    map[string][]int{},
		books:     map[string]bool{},
		links:     map[string]int{},
		marks:     map[int64]annot{},
	}
	// Entries per register, by largest remainder.
	counts := apportion(cfg.Entries, cfg.Registers, registry.Registers)
	var files []*fileSpec
	for _, reg := range registry.Registers {
		for left := counts[reg]; left > 0; {
			n := cfg.RowsMin + r.IntN(cfg.RowsMax-cfg.RowsMin+1)
			if n > left || left-n < cfg.RowsMin {
				n = left // the last book of a register takes what is left
			}
			left -= n
			year := p.pickYear(r)
			f := &fileSpec{reg: reg, year: year, rows: n}
			f.auth = p.pickAuthority(r, g, reg, year)
			files = append(files, f)
		}
	}
	// Book numbers in each authority's year, then the plan order: by
	// register, year, authority and book.
	seen := map[string]int{}
	for _, f := range files {
		k := fmt.Sprintf("%s|%s|%d", f.reg, f.auth.code, f.year)
		seen[k]++
		f.bookNo = seen[k]
	}
	for _, f := range files {
		f.books = seen[fmt.Sprintf("%s|%s|%d", f.reg, f.auth.code, f.year)]
	}
	regOrder := map[registry.Register]int{}
	for i, reg := range registry.Registers {
		regOrder[reg] = i
	}
	sort.SliceStable(files, func(i, j int) bool {
		a, b := files[i], files[j]
		if a.reg != b.reg {
			return regOrder[a.reg] < regOrder[b.reg]
		}
		if a.year != b.year {
			return a.year < b.year
		}
		if a.auth.code != b.auth.code {
			return a.auth.code < b.auth.code
		}
		return a.bookNo < b.bookNo
	})
	for i, f := range files {
		f.idx, f.orig = i, i
		f.name = fmt.Sprintf("%s-%s-%d-q%02d", f.auth.slug, strings.ToLower(string(f.reg)), f.year, f.bookNo)
		f.offset = p.total[f.reg]
		f.bs = newBookStyle(fileRand(cfg.Seed, i, streamBook), f.year)
		p.total[f.reg] += f.rows
		p.originals[f.reg] = append(p.originals[f.reg], i)
		p.cum[f.reg] = append(p.cum[f.reg], p.total[f.reg])
		if p.byYear[f.reg] == nil {
			p.byYear[f.reg] = map[int][]int{}
		}
		p.byYear[f.reg][f.year] = append(p.byYear[f.reg][f.year], i)
		ak := string(f.reg) + "|" + f.auth.code
		p.byAuth[ak] = append(p.byAuth[ak], i)
		p.books[fmt.Sprintf("%s|%s|%d|%d", f.reg, f.auth.code, f.year, f.bookNo)] = true
	}
	p.files = files
	p.assignFormats(r, files)
	p.addRescans(r)
	p.addLinks(r)
	for k, a := range p.marks {
		f := p.files[k>>32]
		f.annots = append(f.annots, annotAt{row: int32(k), annot: a})
	}
	for _, f := range p.files {
		sort.Slice(f.annots, func(i, j int) bool { return f.annots[i].row < f.annots[j].row })
	}
	p.marks = nil

	// Names get their extensions; lexical order is the ingest order.
	names := map[string]bool{}
	for _, f := range p.files {
		f.name += f.format.Ext()
		if names[f.name] {
			return nil, fmt.Errorf("plan: file name %s twice", f.name)
		}
		names[f.name] = true
		p.byName = append(p.byName, f.idx)
		if f.rescan() {
			p.rows += int64(f.to - f.from + 1)
		} else {
			p.rows += int64(f.rows)
		}
	}
	sort.Slice(p.byName, func(i, j int) bool { return p.files[p.byName[i]].name < p.files[p.byName[j]].name })
	for pos, fi := range p.byName {
		p.files[fi].pos = pos
	}
	// Groups (a book and its rescans) are dispatched in the order the
	// ingest needs their first file.
	for _, f := range p.files {
		if f.rescan() {
			continue
		}
		grp := append([]int{f.idx}, f.rescans...)
		p.groups = append(p.groups, grp)
	}
	minPos := func(grp []int) int {
		m := math.MaxInt
		for _, fi := range grp {
			m = min(m, p.files[fi].pos)
		}
		return m
	}
	sort.Slice(p.groups, func(i, j int) bool { return minPos(p.groups[i]) < minPos(p.groups[j]) })
	return p, nil
}

// apportion splits n by weights, largest remainder first.
func apportion[K comparable](n int, w map[K]float64, order []K) map[K]int {
	total := sumWeights(w, order)
	out := map[K]int{}
	type rem struct {
		k K
		f float64
	}
	var rems []rem
	given := 0
	for _, k := range order {
		if w[k] <= 0 {
			continue
		}
		x := float64(n) * w[k] / total
		out[k] = int(x)
		given += int(x)
		rems = append(rems, rem{k, x - math.Floor(x)})
	}
	sort.SliceStable(rems, func(i, j int) bool { return rems[i].f > rems[j].f })
	for i := 0; given < n; i++ {
		out[rems[i%len(rems)].k]++
		given++
	}
	return out
}

// pickYear draws a registration year: later years hold more entries (the
// city grew), 2025 only half a year.
func (p *plan) pickYear(r *rand.Rand) int {
	from, to := p.cfg.YearFrom, p.cfg.YearTo
	total := 0.0
	w := func(y int) float64 {
		x := 1 + float64(y-1976)/25
		if y == 2025 {
			x /= 2
		}
		return x
	}
	for y := from; y <= to; y++ {
		total += w(y)
	}
	x := r.Float64() * total
	for y := from; y <= to; y++ {
		x -= w(y)
		if x < 0 {
			return y
		}
	}
	return to
}

// pickAuthority draws the registering authority: a ward, or for
// registrations with a foreign element from 2016 on, a district.
func (p *plan) pickAuthority(r *rand.Rand, g *geo, reg registry.Register, year int) *authority {
	share := map[registry.Register]int{registry.Birth: 4, registry.Marriage: 25, registry.Recognition: 15}[reg]
	if year >= 2016 && r.IntN(100) < share {
		for {
			d := g.districts[r.IntN(len(g.districts))]
			if d.code != "769" || year >= 2021 {
				return d.auth
			}
		}
	}
	return g.wards[r.IntN(len(g.wards))]
}

// assignFormats draws each original's container and encoding: legacy
// encodings weigh more in old books. With Cover, every container and
// encoding with a weight appears at least once.
func (p *plan) assignFormats(r *rand.Rand, files []*fileSpec) {
	cfg := p.cfg
	for _, f := range files {
		f.format = pickWeighted(r, cfg.Formats, Formats, func(x Format) float64 {
			if x == XLSX && f.year < 2000 {
				return 0.6
			}
			return 1
		})
	}
	if cfg.Cover {
		var fs []Format
		for _, x := range Formats {
			if cfg.Formats[x] > 0 {
				fs = append(fs, x)
			}
		}
		perm := r.Perm(len(files))
		for i := 0; i < len(fs) && i < len(perm); i++ {
			files[perm[i]].format = fs[i]
		}
	}
	var text []*fileSpec
	for _, f := range files {
		if f.format.textual() {
			f.enc = p.pickEncoding(r, f.year, false)
			text = append(text, f)
		}
	}
	if cfg.Cover {
		var es []Encoding
		for _, x := range Encodings {
			if cfg.Encodings[x] > 0 {
				es = append(es, x)
			}
		}
		perm := r.Perm(len(text))
		for i := 0; i < len(es) && i < len(perm); i++ {
			text[perm[i]].enc = es[i]
		}
	}
	var mojiCand []*fileSpec
	any := false
	for _, f := range files {
		if f.enc == UTF8 || f.enc == UTF8BOM || f.format == JSONL {
			mojiCand = append(mojiCand, f)
			f.moji = r.Float64() < cfg.MojibakeRate
			any = any || f.moji
		}
	}
	if cfg.Cover && !any && cfg.MojibakeRate > 0 && len(mojiCand) > 0 {
		mojiCand[r.IntN(len(mojiCand))].moji = true
	}
}

func (p *plan) pickEncoding(r *rand.Rand, year int, noTCVN3 bool) Encoding {
	return pickWeighted(r, p.cfg.Encodings, Encodings, func(e Encoding) float64 {
		if noTCVN3 && e == TCVN3 {
			return 0
		}
		legacy := e == CP1258 || e == TCVN3 || e == VNI || e == VISCII
		switch {
		case legacy && year < 2000:
			return 3
		case legacy && year < 2010:
			return 1.5
		case legacy:
			return 0.4
		case year < 2000:
			return 0.5
		}
		return 1
	})
}

// pickWeighted draws a key by weight times adjust; it falls back to the
// first key with a weight.
func pickWeighted[K comparable](r *rand.Rand, w map[K]float64, order []K, adjust func(K) float64) K {
	total := 0.0
	for _, k := range order {
		if w[k] > 0 {
			total += w[k] * adjust(k)
		}
	}
	x := r.Float64() * total
	var first K
	found := false
	for _, k := range order {
		if w[k] <= 0 {
			continue
		}
		if !found && adjust(k) > 0 {
			first, found = k, true
		}
		x -= w[k] * adjust(k)
		if x < 0 && adjust(k) > 0 {
			return k
		}
	}
	return first
}

// addRescans gives some books a second (and rarely a third) scan, made in
// the digitisation campaigns of 2019-2025. A TCVN3 book is rescanned by the
// same office's tools in TCVN3, and no other book is rescanned in TCVN3, so
// that a capital whose case the TCVN3 decoder cannot settle never disagrees
// with a first scan.
func (p *plan) addRescans(r *rand.Rand) {
	n := len(p.files)
	for i := 0; i < n; i++ {
		o := p.files[i]
		if r.Float64() >= p.cfg.RescanRate || o.rows < 2 {
			continue
		}
		count := 1
		if r.IntN(10) == 0 {
			count = 2
		}
		years := map[int]bool{}
		for c := 0; c < count; c++ {
			rs := &fileSpec{
				idx: len(p.files), reg: o.reg, auth: o.auth, year: o.year, bookNo: o.bookNo,
				books: o.books, orig: o.idx, bs: o.bs, offset: o.offset,
			}
			if o.rows < 8 || r.IntN(10) < 4 {
				rs.from, rs.to = 1, o.rows
			} else {
				l := max(2, o.rows*(20+r.IntN(41))/100)
				rs.from = 1 + r.IntN(o.rows-l+1)
				rs.to = rs.from + l - 1
			}
			rs.rescanYear = min(2025, max(o.year+1, 2019+r.IntN(7)))
			suffix := ""
			if years[rs.rescanYear] {
				suffix = "-b"
			}
			years[rs.rescanYear] = true
			rs.name = fmt.Sprintf("rescan-%d-%s%s", rs.rescanYear, o.name, suffix)
			if o.enc == TCVN3 {
				rs.format = []Format{CSVComma, CSVSemicolon, CSVTab, TSV}[r.IntN(4)]
				rs.enc = TCVN3
			} else {
				rs.format = pickWeighted(r, p.cfg.Formats, Formats, func(Format) float64 { return 1 })
				if rs.format.textual() {
					rs.enc = p.pickEncoding(r, 2020, true)
					if rs.enc == TCVN3 || rs.enc == "" {
						rs.enc = UTF8
					}
				}
			}
			if rs.enc == UTF8 || rs.enc == UTF8BOM || rs.format == JSONL {
				rs.moji = r.Float64() < p.cfg.MojibakeRate
			}
			o.rescans = append(o.rescans, rs.idx)
			p.files = append(p.files, rs)
		}
	}
}

// rowAt draws a random row of a register's originals.
func (p *plan) rowAt(r *rand.Rand, reg registry.Register) (fi, row int) {
	t := p.total[reg]
	if t == 0 {
		return -1, 0
	}
	x := r.IntN(t)
	cum := p.cum[reg]
	i := sort.SearchInts(cum, x+1)
	f := p.files[p.originals[reg][i]]
	return f.idx, x - f.offset + 1
}

func (p *plan) free(fi, row int) bool {
	f := p.files[fi]
	if row < 1 || row > f.rows {
		return false
	}
	_, taken := p.marks[markKey(fi, row)]
	return !taken
}

func (p *plan) mark(fi, row int, a annot) { p.marks[markKey(fi, row)] = a }

func link(kind annKind, fi, row int) annot {
	return annot{kind: kind, srcFile: int32(fi), srcRow: int32(row)}
}

// freeSource draws an unmarked row of a register, optionally filtered.
func (p *plan) freeSource(r *rand.Rand, reg registry.Register, ok func(*fileSpec) bool) (int, int, bool) {
	for try := 0; try < 20; try++ {
		fi, row := p.rowAt(r, reg)
		if fi < 0 {
			return 0, 0, false
		}
		if p.free(fi, row) && (ok == nil || ok(p.files[fi])) {
			return fi, row, true
		}
	}
	return 0, 0, false
}

// target draws a free row of a register book with a year in [y0, y1],
// preferring (or requiring) another authority, and satisfying rowOK.
func (p *plan) target(r *rand.Rand, reg registry.Register, y0, y1 int, notAuth string, sameAuth string, rowOK func(f *fileSpec, row int) bool) (int, int, bool) {
	y0, y1 = max(y0, p.cfg.YearFrom), min(y1, p.cfg.YearTo)
	if y1 < y0 {
		return 0, 0, false
	}
	var cands []int
	if sameAuth != "" {
		for _, fi := range p.byAuth[string(reg)+"|"+sameAuth] {
			if f := p.files[fi]; f.year >= y0 && f.year <= y1 {
				cands = append(cands, fi)
			}
		}
	}
	if len(cands) == 0 {
		for y := y0; y <= y1; y++ {
			cands = append(cands, p.byYear[reg][y]...)
		}
	}
	if len(cands) == 0 {
		return 0, 0, false
	}
	for try := 0; try < 30; try++ {
		f := p.files[cands[r.IntN(len(cands))]]
		if f.auth.code == notAuth && try < 20 {
			continue
		}
		row := 1 + r.IntN(f.rows)
		if p.free(f.idx, row) && (rowOK == nil || rowOK(f, row)) {
			return f.idx, row, true
		}
	}
	return 0, 0, false
}

func countOf(rate float64, n int) int { return int(math.Round(rate * float64(n))) }

// addLinks designs the duplicate registrations and the hard negatives.
func (p *plan) addLinks(r *rand.Rand) {
	cfg := p.cfg
	ks := p.total[registry.Birth]
	nHN := countOf(cfg.HardNegativeRate, ks)

	// Twins: consecutive entries of one book.
	for i := 0; i < nHN; i++ {
		fi, row, ok := p.freeSource(r, registry.Birth, nil)
		if !ok || !p.free(fi, row+1) {
			continue
		}
		p.mark(fi, row, annot{kind: annTwinA})
		p.mark(fi, row+1, link(annTwinB, fi, row))
		p.links["twins"]++
	}
	// Siblings: the same mother, 2 to 8 years later, at the same ward if
	// it has a book then.
	for i := 0; i < nHN; i++ {
		fi, row, ok := p.freeSource(r, registry.Birth, nil)
		if !ok {
			continue
		}
		a := p.files[fi]
		ti, trow, ok := p.target(r, registry.Birth, a.year+2, a.year+8, "", a.auth.code, nil)
		if !ok {
			continue
		}
		p.mark(fi, row, annot{kind: annSource})
		p.mark(ti, trow, link(annSiblingB, fi, row))
		p.links["siblings"]++
	}
	// Father and son of one name: the son born 25 to 35 years after.
	for i := 0; i < nHN; i++ {
		fi, row, ok := p.freeSource(r, registry.Birth, func(f *fileSpec) bool { return f.year+25 <= cfg.YearTo && f.auth.level == 3 })
		if !ok {
			continue
		}
		a := p.files[fi]
		ti, trow, ok := p.target(r, registry.Birth, a.year+25, a.year+35, "", "", func(f *fileSpec, _ int) bool { return f.auth.level == 3 })
		if !ok {
			continue
		}
		p.mark(fi, row, annot{kind: annFatherSonA})
		p.mark(ti, trow, link(annFatherSonB, fi, row))
		p.links["father_son"]++
	}
	// Unrelated people of a common name born the same year.
	for i := 0; i < nHN; i++ {
		fi, row, ok := p.freeSource(r, registry.Birth, func(f *fileSpec) bool { return f.auth.level == 3 })
		if !ok {
			continue
		}
		a := p.files[fi]
		ti, trow, ok := p.target(r, registry.Birth, a.year, a.year+1, a.auth.code, "", func(f *fileSpec, _ int) bool {
			return f.auth.code != a.auth.code && f.auth.level == 3
		})
		if !ok {
			continue
		}
		male := r.IntN(2) == 0
		list := commonNamesFemale
		if male {
			list = commonNamesMale
		}
		name := uint8(r.IntN(len(list)))
		p.mark(fi, row, annot{kind: annCommonA, name: name, male: male})
		b := link(annCommonB, fi, row)
		b.name, b.male = name, male
		p.mark(ti, trow, b)
		p.links["common_name"]++
	}

	// Duplicate registrations.
	rescansOf := map[registry.Register][]int{}
	for _, f := range p.files {
		if f.rescan() {
			rescansOf[f.reg] = append(rescansOf[f.reg], f.idx)
		}
	}
	for _, reg := range registry.Registers {
		rate := cfg.DuplicateOtherRate
		if reg == registry.Birth {
			rate = cfg.DuplicateBirthRate
		}
		n := countOf(rate, p.total[reg])
		for i := 0; i < n; i++ {
			x := r.IntN(100)
			var via string
			switch reg {
			case registry.Birth:
				via = map[bool]string{true: "dang_ky_lai", false: "two_wards"}[x < 40]
				if x >= 70 {
					via = "keying_error"
				}
			case registry.Death:
				via = map[bool]string{true: "two_wards", false: "keying_error"}[x < 60]
			case registry.Marriage:
				via = map[bool]string{true: "dang_ky_lai", false: "keying_error"}[x < 60]
			default:
				via = "keying_error"
			}
			if via == "keying_error" && p.addKeyed(r, reg, rescansOf[reg]) {
				p.links["dup:keying_error"]++
				continue
			}
			if via == "keying_error" {
				switch reg {
				case registry.Death:
					via = "two_wards"
				case registry.Recognition:
					continue
				default:
					via = "dang_ky_lai"
				}
			}
			fi, row, ok := p.freeSource(r, reg, func(f *fileSpec) bool { return via != "dang_ky_lai" || f.year < cfg.YearTo })
			if !ok {
				continue
			}
			a := p.files[fi]
			var ti, trow int
			if via == "dang_ky_lai" {
				ti, trow, ok = p.target(r, reg, a.year+1, a.year+25, a.auth.code, "", nil)
			} else {
				aDate := p.regDate(a, row)
				ti, trow, ok = p.target(r, reg, a.year, a.year+1, a.auth.code, "", func(f *fileSpec, row int) bool {
					return f.auth.code != a.auth.code && !aDate.after(p.regDate(f, row)) && f.auth.level == 3
				})
			}
			if !ok {
				continue
			}
			p.mark(fi, row, annot{kind: annSource})
			d := link(annDup, fi, row)
			d.via = viaCode(via)
			p.mark(ti, trow, d)
			p.links["dup:"+via]++
		}
	}
}

// addKeyed makes one row of a rescan the entry keyed under a wrong book or
// number; the first scan of the entry stays as it is.
func (p *plan) addKeyed(r *rand.Rand, reg registry.Register, rescans []int) bool {
	if len(rescans) == 0 {
		return false
	}
	for try := 0; try < 20; try++ {
		rs := p.files[rescans[r.IntN(len(rescans))]]
		row := rs.from + r.IntN(rs.to-rs.from+1)
		if row == rs.from || !p.free(rs.orig, row) {
			continue
		}
		if _, taken := p.marks[markKey(rs.idx, row)]; taken {
			continue
		}
		p.mark(rs.orig, row, annot{kind: annSource})
		k := link(annKeyed, rs.orig, row)
		k.via = viaCode("keying_error")
		p.mark(rs.idx, row, k)
		return true
	}
	return false
}

// regDate returns the registration date of a book's row: the book's share
// of its year, rows in order, several a day in busy books.
func (p *plan) regDate(f *fileSpec, row int) date {
	o := p.files[f.orig]
	start := date{y: o.year, m: 1, d: 1}.time()
	end := date{y: o.year, m: 12, d: 31}.time()
	if o.year == cutoff.y {
		end = cutoff.time()
	}
	days := int(end.Sub(start).Hours()/24) + 1
	lo := days * (o.bookNo - 1) / o.books
	hi := days * o.bookNo / o.books
	span := float64(hi - lo)
	u := unit(p.cfg.Seed, uint64(o.idx), uint64(row), 0xd1)
	off := lo + int((float64(row-1)+u)*span/float64(o.rows))
	if off >= hi {
		off = hi - 1
	}
	return dayOf(start.AddDate(0, 0, off))
}
