package samples

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/hotich/hotich/registry"
)

// rowKind is what a row is made to be beyond a faithful copy of its entry.
type rowKind uint8

const (
	rkClean rowKind = iota
	// rejected
	rkMalformed
	rkWrongRegister
	rkMissing
	rkInvalidDate
	rkImpossibleDate
	rkInvalidValue
	// flagged
	rkIDMismatch
	rkIDMalformed
	rkIDUnknownProvince
	rkUnknownAuthority
	rkUnknownValue
)

var (
	rejectKinds = []rowKind{rkMalformed, rkWrongRegister, rkMissing, rkInvalidDate, rkImpossibleDate, rkInvalidValue}
	flagKinds   = []rowKind{rkIDMismatch, rkIDMalformed, rkIDUnknownProvince, rkUnknownAuthority, rkUnknownValue}
)

func (k rowKind) reject() registry.RejectCode {
	switch k {
	case rkMalformed:
		return registry.RejectMalformed
	case rkWrongRegister:
		return registry.RejectWrongRegister
	case rkMissing:
		return registry.RejectMissing
	case rkInvalidDate:
		return registry.RejectInvalidDate
	case rkImpossibleDate:
		return registry.RejectImpossibleDate
	case rkInvalidValue:
		return registry.RejectInvalidValue
	}
	return ""
}

func (k rowKind) flag() registry.FlagCode {
	switch k {
	case rkIDMismatch:
		return registry.FlagIDMismatch
	case rkIDMalformed:
		return registry.FlagIDMalformed
	case rkIDUnknownProvince:
		return registry.FlagIDUnknownProvince
	case rkUnknownAuthority:
		return registry.FlagUnknownAuthority
	case rkUnknownValue:
		return registry.FlagUnknownValue
	}
	return ""
}

// column is one column of a file.
type column struct {
	name   string // canonical name; "" for an extra column
	col    registry.Column
	idx    int    // index among the register's columns
	header string // as written
}

// fileStyle is how one file writes its rows.
type fileStyle struct {
	cols         []column
	dateForm     dateForm
	mixDates     bool // a few cells in other forms
	partialZeros bool // 00/03/1950 rather than 03/1950
	timeWords    bool // 14 giờ 30 phút, ngày ...
	capsNames    int  // percent of names in capitals
	sexForm      int
	marker       string // how unknown optional values are written
	regForm      int
	kindLabels   bool // loai_dang_ky as Vietnamese labels
	writeNew     bool // dang_ky_moi written rather than left empty
	relLabels    bool
	crlf         bool
	quoteAll     bool
	tcvn3        bool
	moji         bool
	sheet        string
	operator     string
	scanForm     int
	jsonOmit     bool // JSONL leaves unknown keys out
	noise        bool // stray white space now and then
	blank        int  // per mille of optional values left unknown
}

var markers = []string{"", "-", "x", "không rõ", "Không rõ", "X", "--", "không rõ"}

// newStyle draws the style of a file. need names columns some row of the
// file needs.
func (g *gen) newStyle(f *fileSpec, r *rand.Rand, need map[string]bool) *fileStyle {
	plain := g.cfg.Plain
	st := &fileStyle{
		dateForm:     dateForm(r.IntN(int(numDateForms))),
		mixDates:     r.IntN(4) == 0,
		partialZeros: r.IntN(4) == 0,
		timeWords:    r.IntN(2) == 0,
		sexForm:      r.IntN(20),
		marker:       markers[r.IntN(len(markers))],
		regForm:      r.IntN(20),
		kindLabels:   r.IntN(3) == 0,
		writeNew:     r.IntN(3) == 0,
		relLabels:    r.IntN(2) == 0,
		crlf:         f.enc != UTF8 && f.enc != UTF8NFD && r.IntN(3) > 0 || r.IntN(4) == 0,
		quoteAll:     r.IntN(8) == 0,
		tcvn3:        f.enc == TCVN3,
		moji:         f.moji,
		scanForm:     r.IntN(3),
		jsonOmit:     r.IntN(2) == 0,
		noise:        r.IntN(3) == 0,
		blank:        []int{0, 5, 20, 40}[r.IntN(4)],
	}
	switch x := r.IntN(10); {
	case x < 2:
		st.capsNames = 100
	case x < 4:
		st.capsNames = 8
	}
	if f.year < 1990 && r.IntN(3) == 0 {
		st.capsNames = 100
	}
	if st.tcvn3 {
		// TCVN3 stores toned capitals with lower-case codes, and the
		// ingest gives them back their case from the word, its cell, its
		// column and its line. Names in capitals beside cells in title case
		// leave a few words no rule settles (a lone "NỮ" or "HỒ", see
		// BENCHMARKS.md); keeping capitals out of TCVN3 files keeps every
		// value the truth expects exactly decodable.
		st.capsNames = 0
	}
	if r.IntN(2) == 0 {
		st.sheet = "Sheet1"
	} else {
		st.sheet = fmt.Sprintf("%s %d", strings.ToUpper(string(f.reg)), f.year)
	}
	st.operator = personName(r, gKinh, r.IntN(3) == 0, 1990, false, "")
	if plain {
		st.crlf, st.quoteAll, st.moji, st.noise = false, false, false, false
	}

	// Columns: the required ones, and each optional one as a register of
	// the kind usually has it.
	reg := f.reg
	for i, c := range reg.Columns() {
		keep := c.Required || plain || need[c.Name] || r.IntN(100) < optionalShare(reg, c.Name, f.year)
		if f.rescan() && c.Name == registry.ColScan {
			keep = false
		}
		if keep {
			st.cols = append(st.cols, column{name: c.Name, col: c, idx: i})
		}
	}
	if !plain && r.IntN(10) < 3 {
		r.Shuffle(len(st.cols), func(i, j int) { st.cols[i], st.cols[j] = st.cols[j], st.cols[i] })
	}
	if !plain && !f.rescan() && r.IntN(100) < 15 {
		if r.IntN(2) == 0 {
			st.cols = append([]column{{header: "STT"}}, st.cols...)
		}
		switch r.IntN(3) {
		case 0:
			st.cols = append(st.cols, column{header: "nguoi_nhap_lieu"})
		case 1:
			st.cols = append(st.cols, column{header: "ngay_nhap_lieu"})
		}
		if len(st.cols) == len(reg.Columns()) {
			st.cols = append(st.cols, column{header: "nguoi_nhap_lieu"})
		}
	}
	// Headers.
	hs := r.IntN(100)
	if plain || f.format == JSONL {
		hs = 0
	}
	for i := range st.cols {
		c := &st.cols[i]
		if c.name == "" {
			continue
		}
		switch {
		case hs < 45:
			c.header = c.name
		case hs < 70:
			c.header = c.col.Aliases[0]
		case hs < 90:
			c.header = c.col.Aliases[r.IntN(len(c.col.Aliases))]
		default:
			c.header = strings.ToUpper(c.col.Aliases[0])
		}
	}
	return st
}

// optionalShare is the percentage of books of a register that have an
// optional column.
func optionalShare(reg registry.Register, col string, year int) int {
	switch col {
	case registry.ColRegKind:
		return 55
	case registry.ColNotes:
		return 50
	case registry.ColScan:
		return 35
	case registry.ColSoDinhDanh:
		if year >= 2016 {
			return 95
		}
		return 40
	case registry.ColQueQuan:
		return 50
	case registry.ColQuanHeNguoiDiKhai, registry.ColGiayBaoTu:
		return 70
	}
	if strings.HasPrefix(col, "me_") || strings.HasPrefix(col, "cha_") {
		if strings.HasSuffix(col, registry.ColHoTen) {
			return 98
		}
		return 80
	}
	return 88
}

func (st *fileStyle) regText(reg registry.Register) string {
	switch st.regForm {
	case 0:
		return strings.ToLower(string(reg))
	case 1:
		return upperFirst(reg.Name())
	}
	return string(reg)
}

func (st *fileStyle) sexText(sex string) string {
	male := sex == registry.SexMale
	switch st.sexForm {
	case 0:
		return map[bool]string{true: "M", false: "F"}[male]
	case 1:
		return map[bool]string{true: "1", false: "0"}[male]
	case 2, 3:
		return map[bool]string{true: "nam", false: "nữ"}[male]
	case 4, 5:
		return map[bool]string{true: "NAM", false: "NỮ"}[male]
	}
	return sex
}

func (st *fileStyle) kindText(k string) string {
	if st.kindLabels {
		if k == string(registry.KindRecordedAbroad) {
			return "Ghi vào sổ"
		}
		return registry.RegistrationKind(k).Label()
	}
	return k
}

func (st *fileStyle) relText(rel string) string {
	if st.relLabels {
		return upperFirst(registry.RelationLabel(rel))
	}
	return rel
}

func (st *fileStyle) dateText(r *rand.Rand, d date, withTime bool) string {
	form := st.dateForm
	if st.mixDates && r.IntN(20) == 0 {
		form = dateForm(r.IntN(int(numDateForms)))
	}
	if d.prec() < 3 && st.partialZeros {
		return d.formatPartialZeros()
	}
	if withTime {
		return d.formatTime(st.timeWords, form)
	}
	return d.format(form)
}

// rowOut is one rendered row: its cells as text (before the file's
// encoding) and its truth.
type rowOut struct {
	cells     []string // aligned with the style's columns
	omit      []bool   // JSONL: key left out
	malformed int      // 1 stray separator, 2 truncated row, 3 not a JSON object
	tr        *truthRow
}

// ident is how a row writes an entry's identity.
type ident struct {
	code, book, number string
}

// render renders entry e, number `row` of its book, as a row of a file of
// style st, made into kind k.
func (g *gen) render(f *fileSpec, st *fileStyle, e *entry, row int, id ident, k rowKind, r *rand.Rand) *rowOut {
	reg := f.reg
	cols := reg.Columns()
	out := &rowOut{cells: make([]string, len(st.cols)), omit: make([]bool, len(st.cols))}
	tr := &truthRow{register: reg, event: e.event, design: e.design, exp: make([]string, len(cols)), has: make([]bool, len(cols))}
	out.tr = tr
	keep := map[string]bool{} // values a designed row must show
	switch k {
	case rkIDMismatch:
		keep[registry.ColNgaySinh], keep[registry.ColGioiTinh] = true, true
	}
	if designed(e.design) {
		for _, c := range familyColumns {
			keep[c] = true
		}
	}
	authName := f.auth.authorityName(f.year, f.bs.authV)
	for i, c := range st.cols {
		if c.name == "" {
			v := g.extraValue(st, c.header, row, e, r)
			out.cells[i] = v
			tr.extra = append(tr.extra, kv{c.header, collapse(v)})
			continue
		}
		var raw, exp string
		set := func(rw, ex string) { raw, exp = rw, ex }
		switch c.name {
		case registry.ColRegister:
			set(st.regText(reg), string(reg))
		case registry.ColAuthorityCode:
			set(id.code, id.code)
		case registry.ColAuthorityName:
			set(authName, authName)
		case registry.ColBook:
			set(id.book, id.book)
		case registry.ColNumber:
			set(id.number, id.number)
		case registry.ColScan:
			s := scanPath(st.scanForm, f, row)
			set(s, s)
		default:
			v := e.get(c.name)
			if c.name == registry.ColRegKind && v.s == string(registry.KindNew) && !st.writeNew {
				v = value{}
			}
			if v.empty() || (!c.col.Required && !keep[c.name] && r.IntN(1000) < st.blank) {
				out.cells[i] = st.marker
				if r.IntN(3) == 0 {
					out.cells[i] = ""
				}
				out.omit[i] = st.jsonOmit
				continue
			}
			switch c.col.Kind {
			case registry.KindName:
				s := v.s
				if st.capsNames > 0 && r.IntN(100) < st.capsNames {
					s = strings.ToUpper(s)
				}
				set(st.noisy(r, s), v.s)
			case registry.KindDate:
				set(st.dateText(r, v.d, false), v.d.iso())
			case registry.KindDateTime:
				set(st.dateText(r, v.d, true), v.d.iso())
			case registry.KindSex:
				set(st.sexText(v.s), v.s)
			case registry.KindRegKind:
				set(st.kindText(v.s), v.s)
			case registry.KindRelation:
				set(st.relText(v.s), v.s)
			case registry.KindPlace, registry.KindText:
				set(st.noisy(r, v.s), v.s)
			default:
				set(v.s, v.s)
			}
		}
		out.cells[i] = raw
		tr.exp[c.idx], tr.has[c.idx] = exp, true
	}
	tr.identity = registry.Identity{Register: reg, AuthorityCode: id.code, Book: id.book, Number: id.number}
	if k != rkClean {
		if !g.applyKind(f, st, e, out, k, r) {
			panic(fmt.Sprintf("samples: row kind %d not applicable to %s#%d", k, f.name, row))
		}
	}
	if st.moji {
		for i, c := range st.cols {
			if c.name == "" || out.cells[i] == "" || isASCII(out.cells[i]) || r.IntN(100) >= 10 {
				continue
			}
			switch c.col.Kind {
			case registry.KindName, registry.KindPlace, registry.KindText:
				out.cells[i] = mojibake(out.cells[i])
				tr.repaired = append(tr.repaired, c.name)
			}
		}
	}
	return out
}

// familyColumns are shown in every row of a designed look-alike: the
// parents are what tells twins, siblings, father and son apart.
var familyColumns = []string{registry.ColNgaySinh, registry.PrefixMother + registry.ColHoTen, registry.PrefixMother + registry.ColNgaySinh, registry.PrefixFather + registry.ColHoTen, registry.PrefixFather + registry.ColNgaySinh}

// designed reports whether an entry is one of a designed pair.
func designed(design string) bool {
	switch design {
	case "source", "twin", "sibling", "father_son", "common_name":
		return true
	}
	return false
}

// noisy adds stray white space now and then, as typists leave it.
func (st *fileStyle) noisy(r *rand.Rand, s string) string {
	if !st.noise || r.IntN(40) != 0 {
		return s
	}
	switch r.IntN(3) {
	case 0:
		return " " + s
	case 1:
		return s + "  "
	}
	return strings.Replace(s, " ", "  ", 1)
}

func scanPath(form int, f *fileSpec, row int) string {
	o := f
	switch form {
	case 0:
		return fmt.Sprintf("scan/%s/%s/%d/q%02d/%04d.jpg", o.auth.code, o.reg, o.year, o.bookNo, row)
	case 1:
		return fmt.Sprintf("%s_%d_Q%02d_%04d.tif", o.reg, o.year, o.bookNo, row)
	}
	return fmt.Sprintf("%s-%s-%d-%02d-%d.pdf", strings.ToLower(string(o.reg)), o.auth.code, o.year, o.bookNo, row)
}

// extraValue returns the value of a column the format does not know: the
// row's serial, who typed it in and when (in the digitisation years).
func (g *gen) extraValue(st *fileStyle, header string, row int, e *entry, r *rand.Rand) string {
	switch header {
	case "STT":
		return fmt.Sprint(row)
	case "ngay_nhap_lieu":
		lo := date{y: 2005, m: 1, d: 1}
		if e.regDate.after(lo) {
			lo = e.regDate.addDays(30)
		}
		if lo.after(cutoff) {
			lo = cutoff
		}
		return randomDay(r, lo, cutoff).format(dateDMY)
	}
	return st.operator
}

// colIndex returns the position of a canonical column in the file, -1 if
// the file lacks it.
func (st *fileStyle) colIndex(name string) int {
	for i, c := range st.cols {
		if c.name == name {
			return i
		}
	}
	return -1
}

// shown reports whether the row shows a value for the column.
func (o *rowOut) shown(st *fileStyle, name string) bool {
	i := st.colIndex(name)
	return i >= 0 && o.tr.has[st.cols[i].idx]
}

// applicable reports whether kind k can be made of entry e in a file of
// style st and format f.
func (g *gen) applicable(f *fileSpec, st *fileStyle, e *entry, k rowKind) bool {
	has := func(c string) bool { return st.colIndex(c) >= 0 }
	switch k {
	case rkMalformed:
		return f.format != XLSX
	case rkInvalidDate:
		return true // ngay_dang_ky is always there
	case rkIDMismatch, rkIDMalformed, rkIDUnknownProvince:
		if !has(registry.ColSoDinhDanh) || e.subj.birth.y < 1900 {
			return false
		}
		return k != rkIDMismatch || f.reg == registry.Birth || has(registry.ColNgaySinh) || has(registry.ColGioiTinh)
	case rkUnknownValue:
		return has(registry.ColRegKind) || (f.reg == registry.Recognition && has(registry.ColQuanHe)) ||
			(f.reg == registry.Death && has(registry.ColGioiTinh))
	}
	return true
}

var (
	junkDates  = []string{"abc", "#VALUE!", "ngày tháng năm", "sinh năm", "xx/yy/zzzz", "#REF!"}
	junkKinds  = []string{"Khai sinh quá hạn", "Bổ sung", "Đăng ký muộn", "Trích lục"}
	junkRels   = []string{"Nhận con nuôi", "Khác"}
	junkSexes  = []string{"Khác", "2", "K"}
	junkCodes  = []string{"2674", "267401", "P.BN", "Q1", "7600"}
	missingFor = []string{"", "-", "x", "không rõ"}
)

// applyKind turns a faithful row into a designed bad or flagged row.
func (g *gen) applyKind(f *fileSpec, st *fileStyle, e *entry, o *rowOut, k rowKind, r *rand.Rand) bool {
	tr := o.tr
	setCell := func(name, raw string) {
		i := st.colIndex(name)
		o.cells[i], o.omit[i] = raw, false
		c := st.cols[i]
		tr.exp[c.idx], tr.has[c.idx] = collapse(raw), true
	}
	if code := k.reject(); code != "" {
		tr.reject = code
	}
	if code := k.flag(); code != "" {
		tr.designFlags = append(tr.designFlags, string(code))
	}
	tr.design = joinDesign(tr.design, "row:"+kindName[k])
	reg := f.reg
	switch k {
	case rkMalformed:
		switch f.format {
		case JSONL:
			o.malformed = 3
		default:
			o.malformed = 1 + r.IntN(2)
		}
	case rkWrongRegister:
		other := registry.Registers[r.IntN(len(registry.Registers))]
		for other == reg {
			other = registry.Registers[r.IntN(len(registry.Registers))]
		}
		setCell(registry.ColRegister, st.regText(other))
		tr.rejectCol = registry.ColRegister
	case rkMissing:
		var req []string
		for _, c := range st.cols {
			if c.name != "" && c.col.Required && c.name != registry.ColRegister {
				req = append(req, c.name)
			}
		}
		col := req[r.IntN(len(req))]
		i := st.colIndex(col)
		o.cells[i] = missingFor[r.IntN(len(missingFor))]
		o.omit[i] = f.format == JSONL && r.IntN(2) == 0
		tr.rejectCol = col
	case rkInvalidDate:
		var ds []string
		for _, c := range st.cols {
			if c.name != "" && (c.col.Kind == registry.KindDate || c.col.Kind == registry.KindDateTime) {
				ds = append(ds, c.name)
			}
		}
		col := ds[r.IntN(len(ds))]
		setCell(col, junkDates[r.IntN(len(junkDates))])
		tr.rejectCol = col
	case rkImpossibleDate:
		col, raw := g.impossibleDate(reg, st, e, o, r)
		setCell(col, raw)
		tr.rejectCol = col
	case rkInvalidValue:
		if reg == registry.Birth && r.IntN(2) == 0 {
			setCell(registry.ColGioiTinh, junkSexes[r.IntN(len(junkSexes))])
			tr.rejectCol = registry.ColGioiTinh
		} else {
			setCell(registry.ColAuthorityCode, junkCodes[r.IntN(len(junkCodes))])
			tr.rejectCol = registry.ColAuthorityCode
		}
	case rkIDMismatch, rkIDMalformed, rkIDUnknownProvince:
		p := e.subj
		serial := int(r.Int32N(1000000))
		id := personalID("79", p.sex, p.birth.y, serial)
		switch k {
		case rkIDMismatch:
			if o.shown(st, registry.ColNgaySinh) {
				yy := (p.birth.y%100 + 1 + r.IntN(8)) % 100
				id = id[:4] + fmt.Sprintf("%02d", yy) + id[6:]
			} else {
				d := int(id[3]-'0') ^ 1
				id = id[:3] + fmt.Sprint(d) + id[4:]
			}
		case rkIDMalformed:
			switch r.IntN(4) {
			case 0:
				id = id[:11]
			case 1:
				id = id + fmt.Sprint(r.IntN(10))
			case 2:
				id = id[:10]
			default:
				id = id[:3] + "A" + id[4:]
			}
		case rkIDUnknownProvince:
			id = "0" + g.geo.badProv[r.IntN(len(g.geo.badProv))] + id[3:]
		}
		setCell(registry.ColSoDinhDanh, id)
	case rkUnknownAuthority:
		setCell(registry.ColAuthorityCode, f.auth.fake)
		tr.identity.AuthorityCode = f.auth.fake
	case rkUnknownValue:
		var opts []func()
		if st.colIndex(registry.ColRegKind) >= 0 {
			opts = append(opts, func() { setCell(registry.ColRegKind, junkKinds[r.IntN(len(junkKinds))]) })
		}
		if reg == registry.Recognition && st.colIndex(registry.ColQuanHe) >= 0 {
			opts = append(opts, func() { setCell(registry.ColQuanHe, junkRels[r.IntN(len(junkRels))]) })
		}
		if reg == registry.Death && st.colIndex(registry.ColGioiTinh) >= 0 {
			opts = append(opts, func() {
				setCell(registry.ColGioiTinh, junkSexes[r.IntN(len(junkSexes))])
				// an ID would now be checked without a sex: keep the row to
				// one flag by leaving the ID out
				if i := st.colIndex(registry.ColSoDinhDanh); i >= 0 {
					o.cells[i], o.omit[i] = st.marker, st.jsonOmit
					tr.has[st.cols[i].idx] = false
				}
			})
		}
		opts[r.IntN(len(opts))]()
	}
	if tr.reject != "" {
		tr.exp, tr.has = nil, nil
	}
	return true
}

var kindName = map[rowKind]string{
	rkMalformed: "malformed_row", rkWrongRegister: "wrong_register", rkMissing: "missing_required",
	rkInvalidDate: "invalid_date", rkImpossibleDate: "impossible_date", rkInvalidValue: "invalid_value",
	rkIDMismatch: "id_mismatch", rkIDMalformed: "id_malformed", rkIDUnknownProvince: "id_unknown_province",
	rkUnknownAuthority: "unknown_authority", rkUnknownValue: "unknown_value",
}

func joinDesign(a, b string) string {
	if a == "" {
		return b
	}
	return a + ";" + b
}

// impossibleDate picks a date cell to make impossible: a calendar date that
// does not exist, a date in the future, or dates out of order.
func (g *gen) impossibleDate(reg registry.Register, st *fileStyle, e *entry, o *rowOut, r *rand.Rand) (string, string) {
	type opt struct {
		col string
		raw func() string
	}
	rd := e.regDate
	opts := []opt{
		{registry.ColRegisteredOn, func() string {
			switch r.IntN(3) {
			case 0:
				return fmt.Sprintf("%02d/02/%04d", 30+r.IntN(2), rd.y)
			case 1:
				return fmt.Sprintf("31/%02d/%04d", []int{4, 6, 9, 11}[r.IntN(4)], rd.y)
			}
			y := rd.y
			for y%4 == 0 {
				y++
			}
			return fmt.Sprintf("29/02/%04d", y)
		}},
		{registry.ColRegisteredOn, func() string {
			return date{y: 2090 + r.IntN(9), m: 1 + r.IntN(12), d: 1 + r.IntN(28)}.format(st.dateForm)
		}},
	}
	has := func(c string) bool { return st.colIndex(c) >= 0 }
	switch reg {
	case registry.Birth:
		opts = append(opts, opt{registry.ColNgaySinh, func() string { return rd.addDays(20 + r.IntN(280)).format(st.dateForm) }})
		for _, c := range []string{registry.PrefixMother + registry.ColNgaySinh, registry.PrefixFather + registry.ColNgaySinh} {
			if has(c) {
				c := c
				opts = append(opts, opt{c, func() string { return fmt.Sprint(e.subj.birth.y + 2 + r.IntN(9)) }})
			}
		}
	case registry.Death:
		opts = append(opts, opt{registry.ColNgayChet, func() string { return rd.addDays(3 + r.IntN(200)).format(st.dateForm) }})
		if has(registry.ColNgaySinh) {
			opts = append(opts, opt{registry.ColNgaySinh, func() string { return fmt.Sprint(e.death.y + 1 + r.IntN(5)) }})
		}
	case registry.Marriage:
		for _, c := range []string{registry.PrefixHusband + registry.ColNgaySinh, registry.PrefixWife + registry.ColNgaySinh} {
			c := c
			opts = append(opts, opt{c, func() string { return fmt.Sprint(rd.y + 1 + r.IntN(3)) }})
		}
	case registry.Recognition:
		opts = append(opts, opt{registry.PrefixRecognized + registry.ColNgaySinh, func() string { return rd.addDays(10 + r.IntN(290)).format(st.dateForm) }})
	}
	op := opts[r.IntN(len(opts))]
	return op.col, op.raw()
}
