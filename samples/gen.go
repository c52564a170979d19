package samples

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/hotich/hotich/registry"
)

// gen draws entries. Everything it returns is a pure function of the seed,
// the plan and the (file, row) asked for, so that a rescan, a duplicate in
// another book or a worker on another core gets the very same entry.
type gen struct {
	cfg  *Config
	geo  *geo
	plan *plan
}

// baseOpts constrain a freshly drawn birth entry.
type baseOpts struct {
	plain     bool   // a first registration of its event: no re-registration
	onTime    bool   // registered within two months of birth
	forceSex  bool   // sex given by male
	male      bool   //
	name      string // the child's full name
	birthYear int    // the child's birth year
}

func (g *gen) eventID(f *fileSpec, row int) string {
	return "E-" + strings.TrimSuffix(f.name, f.format.Ext()) + "-" + fmt.Sprint(row)
}

// number returns the entry number as the book writes it.
func (f *fileSpec) number(row int) string {
	if f.bs.numPad > 0 {
		return fmt.Sprintf("%0*d", f.bs.numPad, row)
	}
	return fmt.Sprint(row)
}

// serial is the 6-digit serial of the personal IDs of an entry: distinct
// for every entry of a register while the register has fewer than a million
// entries (and IDs of different birth years never collide anyway).
func (g *gen) serial(f *fileSpec, row int) int {
	base := map[registry.Register]int{registry.Birth: 0, registry.Marriage: 250000, registry.Death: 500000, registry.Recognition: 750000}[f.reg]
	x := (f.offset + row - 1 + base) % 1000000
	return (x*387403 + 524287 + int(g.cfg.Seed%1000)) % 1000000
}

// entryAt returns the entry of row `row` of original book fi.
func (g *gen) entryAt(fi, row int) *entry {
	f := g.plan.files[fi]
	an, _ := f.annot(row)
	sf, sr := an.src()
	r := entryRand(g.cfg.Seed, fi, row)
	var e *entry
	switch an.kind {
	case annTwinB:
		e = g.twin(g.entryAt(sf, sr), f, row, r)
	case annSiblingB:
		e = g.sibling(g.entryAt(sf, sr), g.plan.files[sf], f, row, r)
	case annFatherSonB:
		e = g.fatherSon(g.entryAt(sf, sr), f, row, r)
	case annCommonB:
		a := g.entryAt(sf, sr)
		e = g.birth(f, row, r, baseOpts{plain: true, forceSex: true, male: an.male, name: an.commonName(), birthYear: a.subj.birth.y})
		e.design = "common_name"
	case annDup:
		e = g.duplicate(g.entryAt(sf, sr), g.plan.files[sf], sr, f, row, an.viaName(), r)
	default:
		o := baseOpts{plain: an.kind != annNone}
		switch an.kind {
		case annFatherSonA:
			o.onTime, o.forceSex, o.male = true, true, true
		case annCommonA:
			o.onTime, o.forceSex, o.male, o.name = true, true, an.male, an.commonName()
		}
		switch f.reg {
		case registry.Birth:
			e = g.birth(f, row, r, o)
		case registry.Death:
			e = g.death(f, row, r, o)
		case registry.Marriage:
			e = g.marriage(f, row, r, o)
		default:
			e = g.recognition(f, row, r, o)
		}
		switch an.kind {
		case annSource, annFatherSonA, annCommonA:
			e.design = "source"
		case annTwinA:
			e.design = "twin"
		}
	}
	if !e.orderOK() {
		panic(fmt.Sprintf("samples: entry %s#%d (%s) has dates out of order", f.name, row, e.design))
	}
	return e
}

func truncDate(d date, prec int) date {
	switch prec {
	case 1:
		return date{y: d.y}
	case 2:
		return date{y: d.y, m: d.m}
	}
	return d.dayOnly()
}

// parentPrecision draws how a register of the year writes a parent's or
// an older person's birth date: old registers often hold the year alone.
func parentPrecision(r *rand.Rand, year int) int {
	x := r.IntN(100)
	switch {
	case year < 1995:
		if x < 62 {
			return 1
		}
		if x < 70 {
			return 2
		}
	case year < 2010:
		if x < 30 {
			return 1
		}
		if x < 33 {
			return 2
		}
	default:
		if x < 10 {
			return 1
		}
	}
	return 3
}

func randomDay(r *rand.Rand, lo, hi date) date {
	n := int(hi.time().Sub(lo.time()).Hours() / 24)
	if n <= 0 {
		return lo
	}
	return lo.addDays(r.IntN(n + 1))
}

func sexOf(male bool) string {
	if male {
		return registry.SexMale
	}
	return registry.SexFemale
}

// foreignPerson draws a foreign spouse or parent.
func foreignPerson(r *rand.Rand, male bool, birth date) person {
	fp := pickForeigner(r)
	names := fp.female
	if male {
		names = fp.male
	}
	return person{
		name: names[r.IntN(len(names))], sex: sexOf(male), birth: birth, nat: fp.nat,
		res: fp.cities[r.IntN(len(fp.cities))], id: fp.passport(r),
	}
}

// birth draws a birth entry.
func (g *gen) birth(f *fileSpec, row int, r *rand.Rand, o baseOpts) *entry {
	bs := f.bs
	e := &entry{reg: registry.Birth, event: g.eventID(f, row), regDate: g.plan.regDate(f, row), kind: registry.KindNew}
	reg := e.regDate
	district := f.auth.level == 2
	foreign := district && r.IntN(100) < 85
	abroad := district && !foreign
	var delay int
	switch x := r.IntN(1000); {
	case o.onTime || x < 720:
		delay = 1 + r.IntN(60)
	case x < 920:
		delay = 61 + r.IntN(300)
	case x < 980:
		delay = 365 + r.IntN(4*365)
	default:
		delay = 5*365 + r.IntN(25*365)
	}
	if abroad {
		delay = 30 + r.IntN(3*365)
	}
	birth := reg.addDays(-delay)
	if !o.plain && !district && reg.y >= 1990 && r.IntN(100) < 2 {
		e.kind = registry.KindReRegistration
		birth = reg.addDays(-(5*365 + r.IntN(35*365)))
	}
	if o.birthYear != 0 {
		hi := date{y: o.birthYear, m: 12, d: 31}
		if hi.after(reg) {
			hi = reg
		}
		birth = randomDay(r, date{y: o.birthYear, m: 1, d: 1}, hi)
	}
	switch {
	case foreign:
		e.kind = registry.KindForeignElement
	case abroad:
		e.kind = registry.KindRecordedAbroad
	}
	grp := pickGroup(r, f.auth.district)
	male := r.IntN(1000) < 515
	if o.forceSex {
		male = o.male
	}

	motherAge := 18 + r.IntN(12) + r.IntN(12)
	fatherAge := max(20, motherAge-1+r.IntN(10))
	mb := birth.addDays(-(motherAge*365 + r.IntN(365)))
	fb := birth.addDays(-(fatherAge*365 + r.IntN(365)))
	hasFather := r.IntN(100) < 94 || foreign || o.name != ""
	mgrp := grp
	if grp == gHoa && r.IntN(5) == 0 {
		mgrp = gKinh
	}
	e.mother = person{sex: registry.SexFemale, birth: truncDate(mb, parentPrecision(r, reg.y)), grp: mgrp,
		ethnic: mgrp.ethnicName(r, bs.ethnicV), nat: bs.nationality()}
	e.mother.name = personName(r, mgrp, false, mb.y, bs.newTone, "")
	e.mother.res = g.geo.residence(r, f.auth, reg.y)
	surname := ""
	if o.name != "" {
		surname = surnameOf(o.name)
	}
	if hasFather {
		e.father = person{sex: registry.SexMale, birth: truncDate(fb, parentPrecision(r, reg.y)), grp: grp,
			ethnic: grp.ethnicName(r, bs.ethnicV), nat: bs.nationality(), res: e.mother.res}
		e.father.name = personName(r, grp, true, fb.y, bs.newTone, surname)
		if r.IntN(100) < 12 {
			e.father.res = g.geo.residence(r, f.auth, reg.y)
		}
	}
	if foreign {
		if r.IntN(100) < 75 {
			e.father = foreignPerson(r, true, fb)
			e.father.id = ""
		} else {
			e.mother = foreignPerson(r, false, mb)
			e.mother.id = ""
		}
	}
	switch {
	case o.name != "":
	case foreign && e.father.nat != "" && e.father.ethnic == "":
		surname, _, _ = strings.Cut(e.father.name, " ")
	case hasFather:
		surname = surnameOf(e.father.name)
	default:
		surname = surnameOf(e.mother.name)
	}
	c := &e.subj
	c.sex, c.birth, c.grp = sexOf(male), birth, grp
	c.name = o.name
	for try := 0; c.name == "" || (o.name == "" && try < 5 && c.name == e.father.name); try++ {
		c.name = personName(r, grp, male, birth.y, bs.newTone, surname)
	}
	c.ethnic = e.father.ethnic
	if c.ethnic == "" {
		c.ethnic = e.mother.ethnic
	}
	if c.ethnic == "" {
		c.ethnic = gKinh.ethnicName(r, bs.ethnicV)
	}
	c.nat = bs.nationality()
	if birth.y >= 2016 || (reg.y >= 2016 && r.IntN(2) == 0) {
		c.id = personalID("79", c.sex, birth.y, g.serial(f, row))
	}
	e.birthPlace = birthPlace(r, f.auth, birth.y)
	if abroad {
		fp := pickForeigner(r)
		e.birthPlace = fp.cities[r.IntN(len(fp.cities))]
	}
	if r.IntN(100) < 55 {
		e.hometown = g.geo.hometown(r)
	}
	switch x := r.IntN(100); {
	case x < 68 && hasFather:
		e.declarant, e.declRel = e.father.name, declarantRelation(r, "cha")
	case x < 95:
		e.declarant, e.declRel = e.mother.name, declarantRelation(r, "me")
	case x < 98:
		e.declarant, e.declRel = personName(r, grp, true, fb.y-28, bs.newTone, surname), declarantRelation(r, "ong")
	default:
		e.declarant, e.declRel = personName(r, grp, false, mb.y-27, bs.newTone, ""), declarantRelation(r, "ba")
	}
	if r.IntN(100) < 6 {
		e.notes = marginalNote(r, e.reg, reg)
	}
	return e
}

// death draws a death entry.
func (g *gen) death(f *fileSpec, row int, r *rand.Rand, o baseOpts) *entry {
	bs := f.bs
	e := &entry{reg: registry.Death, event: g.eventID(f, row), regDate: g.plan.regDate(f, row), kind: registry.KindNew}
	reg := e.regDate
	var delay int
	switch x := r.IntN(100); {
	case x < 80:
		delay = r.IntN(16)
	case x < 92:
		delay = 16 + r.IntN(45)
	case x < 98:
		delay = 61 + r.IntN(300)
	default:
		delay = 365 + r.IntN(4*365)
	}
	death := reg.addDays(-delay)
	if r.IntN(100) < 35 {
		death.hasTime, death.hh, death.mi = true, r.IntN(24), r.IntN(60)
	}
	e.death = death
	var age int
	switch x := r.IntN(100); {
	case x < 4:
		age = 0
	case x < 14:
		age = 1 + r.IntN(29)
	case x < 40:
		age = 30 + r.IntN(30)
	default:
		age = 60 + r.IntN(40)
	}
	var birth date
	if age == 0 {
		birth = death.dayOnly().addDays(-r.IntN(300))
	} else {
		birth = death.dayOnly().addDays(-(age*365 + r.IntN(365)))
		prec := 3
		x := r.IntN(100)
		switch {
		case death.y < 2000 && x < 60, death.y < 2016 && x < 40, x < 20:
			prec = 1
		case x < 65 && death.y < 2000:
			prec = 2
		}
		birth = truncDate(birth, prec)
	}
	grp := pickGroup(r, f.auth.district)
	male := r.IntN(100) < 53
	if o.forceSex {
		male = o.male
	}
	s := &e.subj
	s.sex, s.birth, s.grp = sexOf(male), birth, grp
	s.name = personName(r, grp, male, birth.y, bs.newTone, "")
	s.ethnic, s.nat = grp.ethnicName(r, bs.ethnicV), bs.nationality()
	s.res = g.geo.residence(r, f.auth, reg.y)
	switch {
	case death.y >= 2016 && birth.y >= 1900 && r.IntN(100) < 65:
		prov := "79"
		if r.IntN(100) < 45 {
			prov = g.geo.provCodes[r.IntN(len(g.geo.provCodes))]
		}
		s.id = personalID(prov, s.sex, birth.y, g.serial(f, row))
	case death.y >= 1990 && death.y < 2016 && r.IntN(100) < 35:
		s.id = cmnd(r)
	}
	e.deathPlace = deathPlace(r, f.auth, reg.y, s.res)
	if r.IntN(100) < 60 {
		e.cause = deathCause(r, death.y)
	}
	if r.IntN(100) < 65 {
		e.notice = deathNotice(r, e.deathPlace, death.dayOnly())
	}
	switch x := r.IntN(100); {
	case x < 60:
		cm := r.IntN(2) == 0
		sur := ""
		if male {
			sur = surnameOf(s.name)
		}
		e.declarant = personName(r, grp, cm, birth.y+25, bs.newTone, sur)
		e.declRel = []string{"Con", "Con", "Con ruột", map[bool]string{true: "Con trai", false: "Con gái"}[cm]}[r.IntN(4)]
	case x < 85 && age >= 20:
		e.declarant = personName(r, grp, !male, birth.y, bs.newTone, "")
		e.declRel = map[bool]string{true: "Vợ", false: "Chồng"}[male]
	default:
		e.declarant = personName(r, grp, r.IntN(2) == 0, birth.y+50, bs.newTone, "")
		e.declRel = []string{"Cháu", "Cháu nội", "Anh", "Em"}[r.IntN(4)]
	}
	if r.IntN(100) < 3 {
		e.notes = marginalNote(r, e.reg, reg)
	}
	return e
}

// marriage draws a marriage entry.
func (g *gen) marriage(f *fileSpec, row int, r *rand.Rand, o baseOpts) *entry {
	bs := f.bs
	e := &entry{reg: registry.Marriage, event: g.eventID(f, row), regDate: g.plan.regDate(f, row), kind: registry.KindNew}
	reg := e.regDate
	foreign := f.auth.level == 2
	hAge := 20 + r.IntN(12) + r.IntN(8)
	wAge := 18 + r.IntN(10) + r.IntN(8)
	prec := func() int {
		if reg.y < 1990 && r.IntN(100) < 40 || r.IntN(100) < 6 {
			return 1
		}
		return 3
	}
	grp := pickGroup(r, f.auth.district)
	wgrp := grp
	if r.IntN(10) == 0 {
		wgrp = pickGroup(r, f.auth.district)
	}
	mk := func(male bool, age int, gr group) person {
		b := reg.addDays(-(age*365 + r.IntN(365)))
		p := person{sex: sexOf(male), birth: truncDate(b, prec()), grp: gr, ethnic: gr.ethnicName(r, bs.ethnicV), nat: bs.nationality()}
		p.name = personName(r, gr, male, b.y, bs.newTone, "")
		p.res = g.geo.residence(r, f.auth, reg.y)
		return p
	}
	e.husband = mk(true, hAge, grp)
	e.wife = mk(false, wAge, wgrp)
	if r.IntN(100) < 40 {
		e.wife.res = e.husband.res
	}
	e.husband.id = document(r, &e.husband, reg.y, g.serial(f, row), "79")
	e.wife.id = document(r, &e.wife, reg.y, g.serial(f, row)+1, "79")
	if foreign {
		e.kind = registry.KindForeignElement
		if r.IntN(100) < 80 {
			e.husband = foreignPerson(r, true, reg.addDays(-(hAge+5)*365-r.IntN(365)))
		} else {
			e.wife = foreignPerson(r, false, reg.addDays(-wAge*365-r.IntN(365)))
		}
		for _, p := range []*person{&e.husband, &e.wife} {
			if p.ethnic == "" && r.IntN(2) == 0 {
				p.id = "Hộ chiếu số " + p.id
			}
		}
	} else if !o.plain && r.IntN(100) < 2 {
		e.kind = registry.KindReRegistration
	}
	if r.IntN(100) < 4 {
		e.notes = marginalNote(r, e.reg, reg)
	}
	return e
}

// recognition draws a parent-child recognition entry.
func (g *gen) recognition(f *fileSpec, row int, r *rand.Rand, o baseOpts) *entry {
	bs := f.bs
	e := &entry{reg: registry.Recognition, event: g.eventID(f, row), regDate: g.plan.regDate(f, row), kind: registry.KindNew}
	reg := e.regDate
	grp := pickGroup(r, f.auth.district)
	x := r.IntN(100)
	switch {
	case x < 65:
		e.relation = "cha_nhan_con"
	case x < 75:
		e.relation = "me_nhan_con"
	case x < 93:
		e.relation = "con_nhan_cha"
	default:
		e.relation = "con_nhan_me"
	}
	parentMale := e.relation == "cha_nhan_con" || e.relation == "con_nhan_cha"
	childAge := r.IntN(18)
	if strings.HasPrefix(e.relation, "con_") {
		childAge = 18 + r.IntN(33)
	}
	parentAge := childAge + 20 + r.IntN(21)
	cb := reg.addDays(-(childAge*365 + r.IntN(365)))
	pb := reg.addDays(-(parentAge*365 + r.IntN(365)))
	parent := person{sex: sexOf(parentMale), birth: truncDate(pb, parentPrecision(r, 2010)), grp: grp,
		ethnic: grp.ethnicName(r, bs.ethnicV), nat: bs.nationality()}
	parent.name = personName(r, grp, parentMale, pb.y, bs.newTone, "")
	parent.res = g.geo.residence(r, f.auth, reg.y)
	parent.id = document(r, &parent, reg.y, g.serial(f, row), "79")
	childMale := r.IntN(2) == 0
	child := person{sex: sexOf(childMale), birth: cb, grp: grp, ethnic: grp.ethnicName(r, bs.ethnicV), nat: bs.nationality()}
	sur := ""
	if parentMale && r.IntN(10) < 6 {
		sur = surnameOf(parent.name)
	}
	child.name = personName(r, grp, childMale, cb.y, bs.newTone, sur)
	child.res = parent.res
	if childAge >= 14 {
		child.id = document(r, &child, reg.y, g.serial(f, row)+1, "79")
	} else if r.IntN(2) == 0 {
		child.id = fmt.Sprintf("Giấy khai sinh số %d, quyển %02d/%d", 1+r.IntN(500), 1+r.IntN(3), cb.y)
	}
	if f.auth.level == 2 {
		e.kind = registry.KindForeignElement
		fp := foreignPerson(r, parentMale, pb)
		parent = fp
	}
	if strings.HasPrefix(e.relation, "con_") {
		e.recog, e.recognized = child, parent
	} else {
		e.recog, e.recognized = parent, child
	}
	if r.IntN(100) < 4 {
		e.notes = marginalNote(r, e.reg, reg)
	}
	return e
}

// otherGiven draws a given name of the sex unlike any of avoid (compared
// without diacritics).
func otherGiven(r *rand.Rand, male bool, born int, newTone bool, avoid ...string) string {
	list := givenFemale
	if male {
		list = givenMale
	}
	for {
		gn := list.pick(r, born, newTone)
		if strings.Contains(gn, " ") {
			continue
		}
		ok := true
		for _, a := range avoid {
			if strings.EqualFold(foldASCII(gn), foldASCII(a)) {
				ok = false
			}
		}
		if ok {
			return gn
		}
	}
}

// twin derives the second twin: same parents, birth date and place, the
// next entry of the book, another given name.
func (g *gen) twin(a *entry, f *fileSpec, row int, r *rand.Rand) *entry {
	b := a.clone()
	b.event, b.regDate, b.design, b.notes = g.eventID(f, row), g.plan.regDate(f, row), "twin", ""
	if r.IntN(10) >= 6 {
		b.subj.sex = sexOf(!a.subj.male())
	}
	ws := strings.Fields(a.subj.name)
	ws[len(ws)-1] = otherGiven(r, b.subj.male(), b.subj.birth.y, f.bs.newTone, ws[len(ws)-1])
	b.subj.name = strings.Join(ws, " ")
	if a.subj.id != "" {
		b.subj.id = personalID("79", b.subj.sex, b.subj.birth.y, g.serial(f, row))
	}
	return b
}

// sibling derives a younger sibling: the same parents, born years later.
func (g *gen) sibling(a *entry, af, f *fileSpec, row int, r *rand.Rand) *entry {
	b := g.birth(f, row, r, baseOpts{plain: true, onTime: true})
	b.design = "sibling"
	b.mother, b.father = a.mother, a.father
	if f.auth.code != af.auth.code {
		b.mother.res = g.geo.residence(r, f.auth, b.regDate.y)
		if b.father.name != "" {
			b.father.res = b.mother.res
		}
	}
	if b.mother.nat != "" && a.mother.nat != "" {
		b.subj.ethnic = a.subj.ethnic
	}
	sur := surnameOf(a.subj.name)
	for try := 0; try < 10; try++ {
		b.subj.name = personName(r, a.subj.grp, b.subj.male(), b.subj.birth.y, f.bs.newTone, sur)
		if !strings.EqualFold(foldASCII(givenOf(b.subj.name)), foldASCII(givenOf(a.subj.name))) {
			break
		}
	}
	switch {
	case a.declarant == a.father.name && a.father.name != "":
		b.declarant, b.declRel = b.father.name, a.declRel
	default:
		b.declarant, b.declRel = b.mother.name, declarantRelation(r, "me")
	}
	return b
}

// fatherSon derives the birth entry of a son who bears his father's full
// name; the father is the child of entry a.
func (g *gen) fatherSon(a *entry, f *fileSpec, row int, r *rand.Rand) *entry {
	b := g.birth(f, row, r, baseOpts{plain: true, onTime: true, forceSex: true, male: true, name: a.subj.name})
	b.design = "father_son"
	fa := a.subj
	fa.id = ""
	if r.IntN(100) < 30 {
		fa.birth = truncDate(fa.birth, 1)
	}
	fa.res = b.mother.res
	if b.declarant == b.father.name {
		b.declarant = fa.name
	}
	b.father = fa
	b.subj.ethnic = fa.ethnic
	return b
}

// duplicate derives a second registration of the event of a in book f:
// a re-registration years later or the same event registered at a second
// ward, with the keying differences such a second entry has.
func (g *gen) duplicate(a *entry, af *fileSpec, arow int, f *fileSpec, row int, via string, r *rand.Rand) *entry {
	b := a.clone()
	b.regDate, b.design = g.plan.regDate(f, row), "dup:"+via
	b.notes = ""
	switch via {
	case "dang_ky_lai":
		b.kind = registry.KindReRegistration
		switch b.reg {
		case registry.Birth:
			b.mother.res = g.geo.residence(r, f.auth, b.regDate.y)
			if b.father.name != "" {
				b.father.res = b.mother.res
			}
			if b.regDate.y-b.subj.birth.y >= 16 && r.IntN(2) == 0 {
				b.declarant, b.declRel = b.subj.name, "Bản thân"
			}
			if b.subj.id == "" && b.regDate.y >= 2016 && r.IntN(10) < 7 {
				b.subj.id = personalID("79", b.subj.sex, b.subj.birth.y, g.serial(af, arow))
			}
		case registry.Marriage:
			for _, p := range []*person{&b.husband, &b.wife} {
				if p.ethnic != "" { // not a foreigner
					p.res = g.geo.residence(r, f.auth, b.regDate.y)
				}
			}
			if b.regDate.y >= 2016 && b.husband.ethnic != "" {
				b.husband.id = personalID("79", b.husband.sex, b.husband.birth.y, g.serial(f, row))
			}
		}
		if r.IntN(10) < 4 {
			b.notes = "Đăng ký lại"
			if b.regDate.y >= 2016 {
				b.notes = "Đăng ký lại theo Nghị định 123/2015/NĐ-CP"
			}
		}
	case "two_wards":
		b.kind = registry.KindNew
		switch b.reg {
		case registry.Birth:
			b.mother.res = address(r, f.auth, b.regDate.y)
			if b.father.name != "" {
				b.father.res = b.mother.res
			}
			if a.subj.id != "" {
				b.subj.id = personalID("79", b.subj.sex, b.subj.birth.y, g.serial(f, row))
			}
		case registry.Death:
			if r.IntN(2) == 0 {
				b.notice = ""
			}
			if r.IntN(3) == 0 {
				b.declarant = personName(r, b.subj.grp, r.IntN(2) == 0, b.subj.birth.y+25, f.bs.newTone, "")
				b.declRel = "Con"
			}
		}
	}
	g.corrupt(b, r, 1+min(2, r.IntN(4)))
	return b
}

// corrupt applies n of the differences a second keying of an entry shows:
// a name without diacritics, the other tone placement, a one-letter typo,
// day and month swapped, no middle name, the birth year alone, optional
// fields left out. Each is kept only if the entry stays valid.
func (g *gen) corrupt(e *entry, r *rand.Rand, n int) {
	type target struct {
		col string
		p   *person
		w   int
	}
	var ts []target
	switch e.reg {
	case registry.Birth:
		ts = []target{{"", &e.subj, 6}, {"me_", &e.mother, 3}, {"cha_", &e.father, 1}}
	case registry.Death:
		ts = []target{{"", &e.subj, 1}}
	case registry.Marriage:
		ts = []target{{"chong_", &e.husband, 1}, {"vo_", &e.wife, 1}}
	default:
		ts = []target{{"nguoi_nhan_", &e.recog, 1}, {"nguoi_duoc_nhan_", &e.recognized, 2}}
	}
	pick := func() target {
		tot := 0
		for _, t := range ts {
			tot += t.w
		}
		x := r.IntN(tot)
		for _, t := range ts {
			if x -= t.w; x < 0 {
				return t
			}
		}
		return ts[0]
	}
	kinds := []string{"drop_diacritics", "tone_variant", "typo", "day_month_swap", "missing_middle_name", "year_only_birth", "missing_optional"}
	done := map[string]bool{}
	for try := 0; try < 40 && len(e.corruptions) < n; try++ {
		k := kinds[r.IntN(len(kinds))]
		t := pick()
		p := t.p
		if p.name == "" || done[k] {
			continue
		}
		before := *e
		col := t.col + registry.ColHoTen
		ok := false
		switch k {
		case "drop_diacritics":
			s := foldASCII(p.name)
			p.name, ok = s, s != p.name
		case "tone_variant":
			p.name, ok = swapNameTone(p.name)
		case "typo":
			p.name, ok = typo(r, p.name)
		case "day_month_swap":
			col = t.col + registry.ColNgaySinh
			if d := p.birth; d.prec() == 3 && d.d <= 12 && d.d != d.m {
				p.birth.d, p.birth.m = d.m, d.d
				ok = true
			}
		case "missing_middle_name":
			sur := surnameOf(p.name)
			rest := strings.Fields(strings.TrimPrefix(p.name, sur))
			if len(rest) >= 2 && p.ethnic != "" {
				p.name = sur + " " + rest[len(rest)-1]
				ok = true
			}
		case "year_only_birth":
			col = t.col + registry.ColNgaySinh
			if p.birth.prec() >= 2 {
				p.birth = date{y: p.birth.y}
				ok = true
			}
		case "missing_optional":
			col = g.dropOptional(e, r)
			ok = col != ""
		}
		if !ok || !e.orderOK() {
			corr := e.corruptions
			*e = before
			e.corruptions = corr
			continue
		}
		done[k] = true
		e.corruptions = append(e.corruptions, k+":"+col)
	}
}

// dropOptional leaves out an optional field a second registration lacks;
// it returns the column.
func (g *gen) dropOptional(e *entry, r *rand.Rand) string {
	type opt struct {
		col string
		has bool
		do  func()
	}
	var opts []opt
	switch e.reg {
	case registry.Birth:
		opts = []opt{
			{registry.PrefixMother + registry.ColNgaySinh, !e.mother.birth.zero(), func() { e.mother.birth = date{} }},
			{registry.PrefixFather + registry.ColNgaySinh, !e.father.birth.zero(), func() { e.father.birth = date{} }},
			{registry.ColNoiSinh, e.birthPlace != "", func() { e.birthPlace = "" }},
			{registry.ColQueQuan, e.hometown != "", func() { e.hometown = "" }},
			{registry.ColDanToc, e.subj.ethnic != "", func() { e.subj.ethnic = "" }},
			{registry.ColSoDinhDanh, e.subj.id != "", func() { e.subj.id = "" }},
		}
	case registry.Death:
		opts = []opt{
			{registry.ColNgaySinh, !e.subj.birth.zero(), func() { e.subj.birth = date{} }},
			{registry.ColNguyenNhan, e.cause != "", func() { e.cause = "" }},
			{registry.ColGiayBaoTu, e.notice != "", func() { e.notice = "" }},
			{registry.ColNoiChet, e.deathPlace != "", func() { e.deathPlace = "" }},
			{registry.ColNgayChet, e.death.hasTime, func() { e.death = e.death.dayOnly() }},
			{registry.ColSoDinhDanh, e.subj.id != "", func() { e.subj.id = "" }},
		}
	case registry.Marriage:
		opts = []opt{
			{registry.PrefixHusband + registry.ColGiayTo, e.husband.id != "", func() { e.husband.id = "" }},
			{registry.PrefixWife + registry.ColGiayTo, e.wife.id != "", func() { e.wife.id = "" }},
			{registry.PrefixHusband + registry.ColDanToc, e.husband.ethnic != "", func() { e.husband.ethnic = "" }},
			{registry.PrefixWife + registry.ColNoiCuTru, e.wife.res != "", func() { e.wife.res = "" }},
		}
	default:
		opts = []opt{
			{registry.PrefixRecognizer + registry.ColGiayTo, e.recog.id != "", func() { e.recog.id = "" }},
			{registry.PrefixRecognized + registry.ColGiayTo, e.recognized.id != "", func() { e.recognized.id = "" }},
			{registry.PrefixRecognizer + registry.ColNoiCuTru, e.recog.res != "", func() { e.recog.res = "" }},
		}
	}
	var have []opt
	for _, o := range opts {
		if o.has {
			have = append(have, o)
		}
	}
	if len(have) == 0 {
		return ""
	}
	o := have[r.IntN(len(have))]
	o.do()
	return o.col
}
