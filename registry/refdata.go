package registry

import (
	"sort"
	"strings"
)

// Eras of the administrative units.
const (
	EraBefore = "2025-03-01" // the units as listed on 1 March 2025 (with districts)
	EraAfter  = "2025-07-01" // the units in force from 1 July 2025 (no districts)
)

// Unit is an administrative unit of one era. Level is 1 for a province, 2
// for a district (before 1 July 2025 only), 3 for a commune-level unit.
type Unit struct {
	Era          string
	Code         string
	Level        int
	Type         string
	Name         string
	ParentCode   string
	ProvinceCode string
}

// Succession says that (part of) an old unit became (part of) a new unit on
// 1 July 2025. Kind is "full" or "partial".
type Succession struct {
	OldCode string
	NewCode string
	Kind    string
}

// EthnicGroup is one of the 54 ethnic groups with its QĐ 121-TCTK/PPCĐ code.
type EthnicGroup struct {
	Code    string
	Name    string
	Aliases []string
}

// Country is an ISO 3166-1 country with its Vietnamese name.
type Country struct {
	Alpha2  string
	Alpha3  string
	Numeric string
	NameVi  string
	NameEn  string
	Aliases []string
}

// RefData is the reference data in memory, for the hot paths that check
// every row (ingest) and for resolving authorities and code lists (extracts,
// ministry export). Build it with NewRefData.
type RefData struct {
	before      map[string]Unit
	after       map[string]Unit
	successors  map[string][]Succession
	communes    map[string][]string    // district code (1 March 2025) -> its communes, sorted
	ethnic      map[string]EthnicGroup // by HeaderKey of name and aliases
	ethnicCode  map[string]EthnicGroup
	countries   map[string]Country // by HeaderKey of names and aliases
	countryCode map[string]Country // by ISO alpha-2 and alpha-3 code
}

// NewRefData indexes reference data.
func NewRefData(units []Unit, succ []Succession, groups []EthnicGroup, countries []Country) *RefData {
	rd := &RefData{
		before:      map[string]Unit{},
		after:       map[string]Unit{},
		successors:  map[string][]Succession{},
		communes:    map[string][]string{},
		ethnic:      map[string]EthnicGroup{},
		ethnicCode:  map[string]EthnicGroup{},
		countries:   map[string]Country{},
		countryCode: map[string]Country{},
	}
	for _, u := range units {
		switch u.Era {
		case EraBefore:
			rd.before[u.Code] = u
		case EraAfter:
			rd.after[u.Code] = u
		}
	}
	for c, u := range rd.before {
		if u.Level == 3 {
			rd.communes[u.ParentCode] = append(rd.communes[u.ParentCode], c)
		}
	}
	for _, cs := range rd.communes {
		sort.Strings(cs)
	}
	for _, s := range succ {
		rd.successors[s.OldCode] = append(rd.successors[s.OldCode], s)
	}
	for _, g := range groups {
		rd.ethnicCode[g.Code] = g
		for _, n := range append([]string{g.Name}, g.Aliases...) {
			rd.ethnic[headerKey(n)] = g
		}
	}
	for _, c := range countries {
		rd.countryCode[c.Alpha2] = c
		rd.countryCode[c.Alpha3] = c
		for _, n := range append([]string{c.NameVi, c.NameEn}, c.Aliases...) {
			k := headerKey(n)
			if _, taken := rd.countries[k]; !taken {
				rd.countries[k] = c
			}
		}
	}
	return rd
}

// KnownAuthority reports whether code names a district or commune-level unit
// of either era (the authority an entry was registered at, as it was then).
func (rd *RefData) KnownAuthority(code string) bool {
	if u, ok := rd.before[code]; ok && u.Level >= 2 {
		return true
	}
	u, ok := rd.after[code]
	return ok && u.Level >= 2
}

// KnownIDProvince reports whether a 3-digit birth-registration code of a
// personal ID ("079") names a province of 1 March 2025. IDs keep the old
// province codes: the 2025 merger reassigned none.
func (rd *RefData) KnownIDProvince(code string) bool {
	if len(code) != 3 || code[0] != '0' {
		return false
	}
	u, ok := rd.before[code[1:]]
	return ok && u.Level == 1
}

// UnitThen returns the unit of 1 March 2025 (or, failing that, of 1 July
// 2025) with the given code.
func (rd *RefData) UnitThen(code string) (Unit, bool) {
	if u, ok := rd.before[code]; ok {
		return u, true
	}
	u, ok := rd.after[code]
	return u, ok
}

// UnitNow returns the unit in force from 1 July 2025 with the given code.
func (rd *RefData) UnitNow(code string) (Unit, bool) {
	u, ok := rd.after[code]
	return u, ok
}

// Province returns the province of a unit of either era.
func (rd *RefData) Province(u Unit) (Unit, bool) {
	if u.Era == EraAfter {
		p, ok := rd.after[u.ProvinceCode]
		return p, ok
	}
	p, ok := rd.before[u.ProvinceCode]
	return p, ok
}

// Successors returns the units in force today that took over (part of) the
// unit with the given code, the primary one first. A commune's register is
// kept by its primary successor: the new unit that reuses its code if there is
// one, else the one that took it over whole, else the first listed. A
// district's registers passed to the communes that took over its communes.
func (rd *RefData) Successors(code string) []Unit {
	var codes []string
	seen := map[string]bool{}
	add := func(ss []Succession) {
		for _, s := range ss {
			if !seen[s.NewCode] {
				seen[s.NewCode] = true
				codes = append(codes, s.NewCode)
			}
		}
	}
	if u, ok := rd.before[code]; ok && u.Level == 2 {
		for _, c := range rd.communes[code] {
			add(rd.successors[c])
		}
	} else {
		ss := append([]Succession(nil), rd.successors[code]...)
		sort.SliceStable(ss, func(i, j int) bool { return succRank(code, ss[i]) < succRank(code, ss[j]) })
		add(ss)
	}
	if len(codes) == 0 {
		if u, ok := rd.after[code]; ok {
			return []Unit{u}
		}
	}
	units := make([]Unit, 0, len(codes))
	for _, c := range codes {
		if u, ok := rd.after[c]; ok {
			units = append(units, u)
		}
	}
	return units
}

func succRank(old string, s Succession) int {
	switch {
	case s.NewCode == old:
		return 0
	case s.Kind == "full":
		return 1
	}
	return 2
}

// EthnicGroup resolves an ethnic group as written ("Khmer", "Khơ me") to its
// coded entry.
func (rd *RefData) EthnicGroup(written string) (EthnicGroup, bool) {
	g, ok := rd.ethnic[headerKey(written)]
	return g, ok
}

// EthnicGroupByCode returns the group with the given QĐ 121 code.
func (rd *RefData) EthnicGroupByCode(code string) (EthnicGroup, bool) {
	g, ok := rd.ethnicCode[code]
	return g, ok
}

// Country resolves a nationality as written ("Việt Nam", "Hàn Quốc", or an
// ISO code in capitals: "VN", "KOR"). Codes are matched only as written in
// capitals, so the name "Mỹ" is never read as the code MY.
func (rd *RefData) Country(written string) (Country, bool) {
	w := strings.TrimSpace(written)
	if c, ok := rd.countryCode[w]; ok {
		return c, true
	}
	c, ok := rd.countries[headerKey(w)]
	return c, ok
}

// CountryByAlpha2 returns the country with the given ISO 3166-1 alpha-2 code.
func (rd *RefData) CountryByAlpha2(code string) (Country, bool) {
	c, ok := rd.countryCode[strings.ToUpper(code)]
	return c, ok && c.Alpha2 == strings.ToUpper(code)
}
