package samples

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/hotich/hotich/seeds"
)

// authority is a registering authority of Ho Chi Minh City as of 1 March
// 2025: a ward or commune (5-digit code) or, for district-level
// registrations, a district (3-digit code).
type authority struct {
	code     string
	level    int    // 2 district, 3 commune
	name     string // "Phường Bến Nghé", "Quận 3"
	district *district
	slug     string // file-name prefix: "q1-ben-nghe", "q3"
	rural    bool   // xã or thị trấn: addresses by ấp
	fake     string // a well-formed code of no unit, for unknown_authority rows
}

type district struct {
	code string
	name string // "Quận 1", "Huyện Củ Chi", "Thành phố Thủ Đức"
	slug string
	auth *authority // the district as a registering authority
}

// nameIn returns the district's name as written in a given year: the wards
// of Thành phố Thủ Đức (2021) belonged to Quận 2, Quận 9 and Quận Thủ Đức.
func (d *district) nameIn(year int, wardCode string) string {
	if d.code != "769" || year >= 2021 || wardCode == "" {
		return d.name
	}
	c, _ := strconv.Atoi(wardCode)
	switch {
	case c <= 26830:
		return "Quận Thủ Đức"
	case c <= 26866:
		return "Quận 9"
	}
	return "Quận 2"
}

// geo is the reference data the generator draws places from.
type geo struct {
	wards     []*authority
	districts []*district
	provinces []string // province names of 1 March 2025, "Tỉnh Long An"
	provCodes []string // their 2-digit codes
	badProv   []string // 2-digit codes of no province, before or after 2025-07-01
}

func loadGeo() (*geo, error) {
	before, err := seeds.UnitsBefore()
	if err != nil {
		return nil, err
	}
	after, err := seeds.UnitsAfter()
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	for _, u := range before {
		used[u.Code] = true
	}
	for _, u := range after {
		used[u.Code] = true
	}
	g := &geo{}
	dists := map[string]*district{}
	provSeen := map[string]bool{}
	for _, u := range before {
		switch {
		case u.Level == 1:
			g.provinces = append(g.provinces, u.Name)
			g.provCodes = append(g.provCodes, u.Code)
			provSeen[u.Code] = true
		case u.Level == 2 && u.ProvinceCode == "79":
			d := &district{code: u.Code, name: u.Name, slug: districtSlug(u.Name)}
			d.auth = &authority{code: u.Code, level: 2, name: u.Name, district: d, slug: d.slug}
			dists[u.Code] = d
			g.districts = append(g.districts, d)
		}
	}
	for _, u := range after {
		if u.Level == 1 {
			provSeen[u.Code] = true
		}
	}
	for i := 1; i < 100; i++ {
		c := fmt.Sprintf("%02d", i)
		if !provSeen[c] {
			g.badProv = append(g.badProv, c)
		}
	}
	for _, u := range before {
		if u.Level != 3 || u.ProvinceCode != "79" {
			continue
		}
		d := dists[u.ParentCode]
		if d == nil {
			return nil, fmt.Errorf("ward %s: no district %s", u.Code, u.ParentCode)
		}
		typ := unitType(u.Name, u.Type)
		g.wards = append(g.wards, &authority{
			code: u.Code, level: 3, name: u.Name, district: d,
			slug:  d.slug + "-" + wardSlug(typ, u.Name),
			rural: typ == "Xã" || typ == "Thị trấn",
		})
	}
	sort.Slice(g.wards, func(i, j int) bool { return g.wards[i].code < g.wards[j].code })
	seen := map[string]string{}
	for _, a := range g.wards {
		if prev, dup := seen[a.slug]; dup {
			return nil, fmt.Errorf("ward slug %q of %s and %s", a.slug, prev, a.code)
		}
		seen[a.slug] = a.code
	}
	// A keying error in a ward's code: the nearest code above it that no
	// unit has, distinct for each authority so that two such rows never
	// share an identity.
	claimed := map[string]bool{}
	assign := func(a *authority) {
		n, _ := strconv.Atoi(a.code)
		for d := 1; ; d++ {
			c := fmt.Sprintf("%0*d", len(a.code), n+d)
			if !used[c] && !claimed[c] {
				a.fake, claimed[c] = c, true
				return
			}
		}
	}
	for _, a := range g.wards {
		assign(a)
	}
	for _, d := range g.districts {
		assign(d.auth)
	}
	if len(g.wards) == 0 || len(g.districts) == 0 {
		return nil, fmt.Errorf("no Ho Chi Minh City units in the reference data")
	}
	return g, nil
}

// authorityName returns the authority as a book writes it: "UBND Phường
// Bến Nghé, Quận 1", "Ủy ban nhân dân Quận 3". v picks the variant.
func (a *authority) authorityName(year, v int) string {
	if a.level == 2 {
		d := a.district.name
		switch v % 10 {
		case 0, 1, 2, 3, 4, 5:
			return "UBND " + d
		case 6, 7:
			return "Ủy ban nhân dân " + d
		case 8:
			return "Uỷ ban nhân dân " + d
		}
		return "UBND " + d + ", TP. Hồ Chí Minh"
	}
	w, d := a.name, a.district.nameIn(year, a.code)
	switch v % 20 {
	case 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10:
		return "UBND " + w + ", " + d
	case 11, 12:
		return "Ủy ban nhân dân " + w + ", " + d
	case 13:
		return "Uỷ ban nhân dân " + w + ", " + d
	case 14, 15:
		return "UBND " + w + " - " + d
	case 16, 17:
		return "UBND " + w + ", " + d + ", TP. Hồ Chí Minh"
	}
	return "UBND " + lowerFirst(w) + ", " + lowerFirst(d)
}

// lowerFirst lower-cases the unit-type word of a unit name: "phường Bến
// Nghé", "quận 1".
func lowerFirst(s string) string {
	for _, t := range []string{"Phường", "Xã", "Thị trấn", "Quận", "Huyện", "Thành phố"} {
		if strings.HasPrefix(s, t+" ") {
			return strings.ToLower(t) + s[len(t):]
		}
	}
	return s
}

// unitType returns the type word a unit's name starts with; the name is
// what registers write, and the reference data has a few units whose type
// column disagrees with it (Phường 5 and Phường 15 of Phú Nhuận as "Xã").
func unitType(name, typ string) string {
	for _, t := range []string{"Phường", "Xã", "Thị trấn"} {
		if strings.HasPrefix(name, t+" ") {
			return t
		}
	}
	return typ
}

func districtSlug(name string) string {
	switch {
	case strings.HasPrefix(name, "Quận "):
		rest := strings.TrimPrefix(name, "Quận ")
		if _, err := strconv.Atoi(rest); err == nil {
			return "q" + rest
		}
		return slugify(rest)
	case strings.HasPrefix(name, "Huyện "):
		return slugify(strings.TrimPrefix(name, "Huyện "))
	case strings.HasPrefix(name, "Thành phố "):
		return slugify(strings.TrimPrefix(name, "Thành phố "))
	}
	return slugify(name)
}

func wardSlug(typ, name string) string {
	rest := strings.TrimSpace(strings.TrimPrefix(name, typ))
	switch typ {
	case "Phường":
		if _, err := strconv.Atoi(rest); err == nil {
			return "p" + rest
		}
		return slugify(rest)
	case "Thị trấn":
		return "tt-" + slugify(rest)
	}
	return slugify(rest)
}

// slugify folds a Vietnamese name to a lower-case ASCII file-name part:
// "Bến Nghé" -> "ben-nghe".
func slugify(s string) string {
	s = foldASCII(s)
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// foldASCII removes Vietnamese diacritics, keeping case: "Đặng Thị Ánh"
// -> "Dang Thi Anh".
func foldASCII(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case r == 'đ' || r == 'ð':
			b.WriteByte('d')
		case r == 'Đ' || r == 'Ð':
			b.WriteByte('D')
		case unicode.Is(unicode.Mn, r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
