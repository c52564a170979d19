package samples

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/hotich/hotich/registry"
)

// person is one person of an entry, with the values the register holds.
type person struct {
	name   string // display form, title case, the book's tone placement
	sex    string // registry.SexMale, registry.SexFemale or ""
	birth  date
	ethnic string // as written
	nat    string // as written
	res    string // residence
	id     string // số định danh (KS, KT) or identity document (KH, NCMC)
	grp    group
}

func (p person) male() bool { return p.sex == registry.SexMale }

// entry is one register entry as the register holds it: the truth that
// every rendering of it (first scan, rescans) must come back to.
type entry struct {
	reg     registry.Register
	event   string // real-world event ID
	regDate date
	kind    registry.RegistrationKind // "" when the register does not say
	notes   string

	subj, mother, father person // KS: child, mother, father; KT: subj
	husband, wife        person // KH
	recog, recognized    person // NCMC: nguoi_nhan, nguoi_duoc_nhan
	relation             string // NCMC quan_he code

	birthPlace, hometown string // KS
	declarant, declRel   string // KS, KT
	death                date   // KT
	deathPlace, cause    string // KT
	notice               string // KT giấy báo tử

	design      string   // why this entry exists: "", "twin", "dup:dang_ky_lai", ...
	corruptions []string // how a second registration differs from the first
}

func (e *entry) clone() *entry {
	c := *e
	c.corruptions = append([]string(nil), e.corruptions...)
	return &c
}

// slot returns the person of a column prefix.
func (e *entry) slot(prefix string) *person {
	switch prefix {
	case "":
		return &e.subj
	case "me_":
		return &e.mother
	case "cha_":
		return &e.father
	case "chong_":
		return &e.husband
	case "vo_":
		return &e.wife
	case "nguoi_nhan_":
		return &e.recog
	case "nguoi_duoc_nhan_":
		return &e.recognized
	}
	return nil
}

// subject returns the person a duplicate is matched on first.
func (e *entry) subject() *person {
	switch e.reg {
	case registry.Marriage:
		return &e.wife
	case registry.Recognition:
		return &e.recognized
	}
	return &e.subj
}

// value is a column's value: text, or a date for date columns.
type value struct {
	s string
	d date
}

func (v value) empty() bool { return v.s == "" && v.d.zero() }

// get returns the value of a canonical column, identity columns aside
// (they come from the book).
func (e *entry) get(col string) value {
	switch col {
	case registry.ColRegisteredOn:
		return value{d: e.regDate}
	case registry.ColRegKind:
		return value{s: string(e.kind)}
	case registry.ColNotes:
		return value{s: e.notes}
	case registry.ColNoiSinh:
		return value{s: e.birthPlace}
	case registry.ColQueQuan:
		return value{s: e.hometown}
	case registry.ColNguoiDiKhai:
		return value{s: e.declarant}
	case registry.ColQuanHeNguoiDiKhai:
		return value{s: e.declRel}
	case registry.ColNgayChet:
		return value{d: e.death}
	case registry.ColNoiChet:
		return value{s: e.deathPlace}
	case registry.ColNguyenNhan:
		return value{s: e.cause}
	case registry.ColGiayBaoTu:
		return value{s: e.notice}
	case registry.ColQuanHe:
		return value{s: e.relation}
	}
	if e.reg == registry.Death && col == registry.ColNoiCuTru {
		return value{s: e.subj.res}
	}
	prefix, field := splitPersonColumn(e.reg, col)
	p := e.slot(prefix)
	if p == nil {
		return value{}
	}
	switch field {
	case registry.ColHoTen:
		return value{s: p.name}
	case registry.ColNgaySinh:
		return value{d: p.birth}
	case registry.ColGioiTinh:
		return value{s: p.sex}
	case registry.ColDanToc:
		return value{s: p.ethnic}
	case registry.ColQuocTich:
		return value{s: p.nat}
	case registry.ColNoiCuTru:
		return value{s: p.res}
	case registry.ColSoDinhDanh, registry.ColGiayTo:
		return value{s: p.id}
	}
	return value{}
}

var personPrefixes = map[registry.Register][]string{
	registry.Birth:       {"me_", "cha_", ""},
	registry.Death:       {""},
	registry.Marriage:    {"chong_", "vo_"},
	registry.Recognition: {"nguoi_duoc_nhan_", "nguoi_nhan_"},
}

func splitPersonColumn(reg registry.Register, col string) (prefix, field string) {
	for _, p := range personPrefixes[reg] {
		if p != "" && strings.HasPrefix(col, p) {
			return p, col[len(p):]
		}
	}
	return "", col
}

// dateOrder lists the order rules of the ingest: the first date of each
// pair must not lie certainly after the second.
var dateOrder = map[registry.Register][][2]string{
	registry.Birth:       {{registry.ColNgaySinh, registry.ColRegisteredOn}, {registry.PrefixMother + registry.ColNgaySinh, registry.ColNgaySinh}, {registry.PrefixFather + registry.ColNgaySinh, registry.ColNgaySinh}},
	registry.Marriage:    {{registry.PrefixHusband + registry.ColNgaySinh, registry.ColRegisteredOn}, {registry.PrefixWife + registry.ColNgaySinh, registry.ColRegisteredOn}},
	registry.Death:       {{registry.ColNgaySinh, registry.ColNgayChet}, {registry.ColNgayChet, registry.ColRegisteredOn}, {registry.ColNgaySinh, registry.ColRegisteredOn}},
	registry.Recognition: {{registry.PrefixRecognizer + registry.ColNgaySinh, registry.ColRegisteredOn}, {registry.PrefixRecognized + registry.ColNgaySinh, registry.ColRegisteredOn}},
}

// orderOK reports whether the entry's dates are possible and in order, as
// the ingest checks them.
func (e *entry) orderOK() bool {
	for _, c := range e.reg.Columns() {
		if c.Kind != registry.KindDate && c.Kind != registry.KindDateTime {
			continue
		}
		d := e.get(c.Name).d
		if d.zero() {
			continue
		}
		if d.prec() == 3 && (d.m < 1 || d.m > 12 || d.d < 1 || d.d > daysIn(d.y, d.m)) {
			return false
		}
		if lo, _ := d.bounds(); lo.After(cutoff.time()) && c.Name == registry.ColRegisteredOn {
			return false
		}
	}
	for _, o := range dateOrder[e.reg] {
		if certainlyAfter(e.get(o[0]).d, e.get(o[1]).d) {
			return false
		}
	}
	return true
}

// bookStyle is what a book's clerks wrote the same way throughout: tone
// placement, spellings of ethnic groups and nationality, the authority's
// name, the form of book and entry numbers.
type bookStyle struct {
	newTone  bool // Hoà, Thuý rather than Hòa, Thúy
	ethnicV  int
	natV     int
	authV    int
	numPad   int  // entry numbers zero-padded to this width (0: none)
	bookBare bool // "1/2010" rather than "01/2010"
}

func newBookStyle(r *rand.Rand, year int) bookStyle {
	bs := bookStyle{
		newTone: r.IntN(100) < 20 || (year >= 2018 && r.IntN(100) < 40),
		ethnicV: r.IntN(1000),
		natV:    r.IntN(1000),
		authV:   r.IntN(1000),
	}
	switch r.IntN(10) {
	case 0:
		bs.numPad = 3
	case 1:
		bs.numPad = 4
	}
	bs.bookBare = r.IntN(10) == 0
	return bs
}

// nationality writes Việt Nam as the book does.
func (bs bookStyle) nationality() string {
	switch bs.natV % 30 {
	case 0:
		return "Việt nam"
	case 1:
		return "VN"
	}
	return "Việt Nam"
}

// personalID returns a 12-digit personal ID consistent with the person:
// 0 + province code + century/sex digit + two year digits + serial.
func personalID(prov string, sex string, year int, serial int) string {
	cd, _ := registry.CenturyDigit(year, sex)
	return fmt.Sprintf("0%s%d%02d%06d", prov, cd, year%100, serial%1000000)
}

// cmnd returns a 9-digit legacy identity card number of Ho Chi Minh City
// (they start with 02).
func cmnd(r *rand.Rand) string { return "02" + digits(r, 7) }

// document writes an identity document as a register of the year does.
func document(r *rand.Rand, p *person, year int, serial int, prov string) string {
	switch {
	case year >= 2016 && r.IntN(100) < 70:
		id := personalID(prov, p.sex, p.birth.y, serial)
		switch r.IntN(3) {
		case 0:
			return "CCCD số " + id
		case 1:
			return "Căn cước công dân " + id
		}
		return id
	case year >= 1980:
		id := cmnd(r)
		switch r.IntN(3) {
		case 0:
			return "CMND số " + id
		case 1:
			return "CMND " + id
		}
		return id
	}
	return ""
}

// set sets the value of a canonical column (see get).
func (e *entry) set(col string, v value) {
	switch col {
	case registry.ColRegisteredOn:
		e.regDate = v.d
		return
	case registry.ColNotes:
		e.notes = v.s
		return
	case registry.ColNoiSinh:
		e.birthPlace = v.s
		return
	case registry.ColQueQuan:
		e.hometown = v.s
		return
	case registry.ColNguoiDiKhai:
		e.declarant = v.s
		return
	case registry.ColQuanHeNguoiDiKhai:
		e.declRel = v.s
		return
	case registry.ColNgayChet:
		e.death = v.d
		return
	case registry.ColNoiChet:
		e.deathPlace = v.s
		return
	case registry.ColNguyenNhan:
		e.cause = v.s
		return
	case registry.ColGiayBaoTu:
		e.notice = v.s
		return
	}
	if e.reg == registry.Death && col == registry.ColNoiCuTru {
		e.subj.res = v.s
		return
	}
	prefix, field := splitPersonColumn(e.reg, col)
	p := e.slot(prefix)
	switch field {
	case registry.ColHoTen:
		p.name = v.s
	case registry.ColNgaySinh:
		p.birth = v.d
	case registry.ColDanToc:
		p.ethnic = v.s
	case registry.ColNoiCuTru:
		p.res = v.s
	}
}
