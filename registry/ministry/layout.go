package ministry

import (
	"strings"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

// personSpec says where the fields of one person of an entry go: the
// element that holds the person, the prefix of its columns, and whether it
// is a QCVN 109 citizen (dc:CongDanType) or a related person
// (dc:NguoiLienQuanType). The encoder and the decoder share these, so what
// is written is what is read back.
type personSpec struct {
	elem              string // qualified element name
	prefix            string // column prefix: "me_", "chong_", "" for the subject
	related           bool   // dc:NguoiLienQuanType: Cha, Me, VoChong, a declarant
	birthRegistration bool   // the entry registers this person's birth: NoiDangKyKhaiSinh is its authority
	nested            []personSpec
	// A declarant is recorded by two columns only: a name and a relation.
	declarant bool
}

// Columns of the declarant of a birth or death.
const (
	colDeclarant         = registry.ColNguoiDiKhai
	colDeclarantRelation = registry.ColQuanHeNguoiDiKhai
)

// key returns the column of a person field (registry.ColHoTen, registry.ColNgaySinh, ...) for
// this person, or "" when the person has no such column.
func (p personSpec) key(base string) string {
	if p.declarant {
		if base == registry.ColHoTen {
			return colDeclarant
		}
		return ""
	}
	return p.prefix + base
}

// personBases are the person fields of the batch format.
var personBases = []string{registry.ColSoDinhDanh, registry.ColHoTen, registry.ColGioiTinh, registry.ColDanToc, registry.ColQuocTich, registry.ColNgaySinh, registry.ColQueQuan, registry.ColNoiCuTru, registry.ColNoiSinh, registry.ColGiayTo}

var (
	declarantSpec = personSpec{elem: "ht:NguoiDiKhai", related: true, declarant: true}

	birthSpec = personSpec{elem: "ht:NguoiDuocKhaiSinh", birthRegistration: true, nested: []personSpec{
		{elem: "dc:Cha", prefix: "cha_", related: true},
		{elem: "dc:Me", prefix: "me_", related: true},
	}}
	marriageSpec = personSpec{elem: "ht:Vo", prefix: "vo_", nested: []personSpec{
		{elem: "dc:VoChong", prefix: "chong_", related: true},
	}}
	deathSpec      = personSpec{elem: "ht:NguoiChet"}
	recognizerSpec = personSpec{elem: "ht:NguoiNhan", prefix: "nguoi_nhan_"}
	recognizedSpec = personSpec{elem: "ht:NguoiDuocNhan", prefix: "nguoi_duoc_nhan_"}
)

// Event columns of a death and a recognition.
const (
	colDeathTime   = registry.ColNgayChet
	colDeathPlace  = registry.ColNoiChet
	colDeathCause  = registry.ColNguyenNhan
	colDeathNotice = registry.ColGiayBaoTu
	colRelation    = registry.ColQuanHe
)

// bodyElem is the element of each register's event data.
var bodyElem = map[registry.Register]string{
	registry.Birth:       "ht:KhaiSinh",
	registry.Marriage:    "ht:KetHon",
	registry.Death:       "ht:KhaiTu",
	registry.Recognition: "ht:NhanChaMeCon",
}

// Sex codes of QCVN 109:2017/BTTTT.
const (
	sexMale   = "1"
	sexFemale = "2"
)

func sexCode(stored string) (string, bool) {
	switch stored {
	case registry.SexMale:
		return sexMale, true
	case registry.SexFemale:
		return sexFemale, true
	}
	return "", false
}

func sexValue(code string) string {
	switch code {
	case sexMale:
		return registry.SexMale
	case sexFemale:
		return registry.SexFemale
	}
	return ""
}

// registrationKinds are the codes of loai_dang_ky.
var registrationKinds = map[string]bool{
	string(registry.KindNew): true, string(registry.KindReRegistration): true,
	string(registry.KindForeignElement): true, string(registry.KindRecordedAbroad): true,
}

// relations are the codes of a recognition's quan_he.
var relations = map[string]bool{"cha_nhan_con": true, "me_nhan_con": true, "con_nhan_cha": true, "con_nhan_me": true}

// Date precisions as written in ht:DoChinhXac.
func precisionName(d vntext.Date) string {
	switch d.Precision() {
	case vntext.PrecYear:
		return "nam"
	case vntext.PrecMonth:
		return "thang"
	case vntext.PrecDay:
		if d.HasTime {
			return "phut"
		}
		return "ngay"
	}
	return ""
}

// exactDate parses a stored ISO date and reports whether it reads back to
// the same text, so that writing it loses nothing. The canonical forms are
// read here directly (a million entries hold several dates each); anything
// else goes through vntext.
func exactDate(s string) (vntext.Date, bool) {
	if d, ok := canonicalDate(s); ok {
		return d, true
	}
	d, err := vntext.ParseISODate(s)
	if err != nil || d.IsZero() || d.ISO() != s {
		return vntext.Date{}, false
	}
	return d, true
}

// canonicalDate reads yyyy, yyyy-mm, yyyy-mm-dd and yyyy-mm-ddThh:mm with
// every part in range and the day existing in its month.
func canonicalDate(s string) (vntext.Date, bool) {
	num := func(i, n int) int {
		v := 0
		for j := i; j < i+n; j++ {
			c := s[j]
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	var d vntext.Date
	switch len(s) {
	case 4, 7, 10, 16:
	default:
		return d, false
	}
	if d.Year = num(0, 4); d.Year < 1 {
		return d, false
	}
	if len(s) >= 7 {
		if s[4] != '-' {
			return d, false
		}
		if d.Month = num(5, 2); d.Month < 1 || d.Month > 12 {
			return d, false
		}
	}
	if len(s) >= 10 {
		if s[7] != '-' {
			return d, false
		}
		if d.Day = num(8, 2); d.Day < 1 || d.Day > daysIn(d.Year, d.Month) {
			return d, false
		}
	}
	if len(s) == 16 {
		if s[10] != 'T' || s[13] != ':' {
			return d, false
		}
		d.Hour, d.Minute, d.HasTime = num(11, 2), num(14, 2), true
		if d.Hour < 0 || d.Hour > 23 || d.Minute < 0 || d.Minute > 59 {
			return d, false
		}
	}
	return d, true
}

// isoDate is d.ISO() without fmt, for the date every entry has.
func isoDate(d vntext.Date) string {
	if d.Precision() != vntext.PrecDay || d.HasTime || d.Year < 1000 || d.Year > 9999 {
		return d.ISO()
	}
	b := [10]byte{'0', '0', '0', '0', '-', '0', '0', '-', '0', '0'}
	y := d.Year
	for i := 3; i >= 0; i-- {
		b[i] = byte('0' + y%10)
		y /= 10
	}
	b[5], b[6] = byte('0'+d.Month/10), byte('0'+d.Month%10)
	b[8], b[9] = byte('0'+d.Day/10), byte('0'+d.Day%10)
	return string(b[:])
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// splitName splits a name into họ, chữ đệm and tên such that joining the
// non-empty parts with single spaces gives it back exactly; a name that does
// not split that way is written whole as tên.
func splitName(s string) (ho, dem, ten string) {
	n := vntext.SplitName(s)
	if n.String() == s {
		return n.Surname, n.Middle, n.Given
	}
	return "", "", s
}

// nameSplitter is splitName with a cache: vntext.SplitName tries every
// multi-syllable surname on each name, half the export's time on a million
// entries. How a clean name splits depends only on its first two words and
// its number of words (up to 5), except for the surnames of more than two
// syllables, which all begin with "Công": those names are split uncached.
// The cache is bounded, so memory stays constant.
type nameSplitter struct {
	surnameWords map[nameKey]int
}

type nameKey struct {
	firstTwo string // a substring of the name: no allocation
	words    int    // up to 5
}

const nameCacheSize = 1 << 16

func (ns *nameSplitter) split(s string) (ho, dem, ten string) {
	first := strings.IndexByte(s, ' ')
	if first <= 0 || strings.Contains(s, "  ") || strings.HasSuffix(s, " ") || strings.EqualFold(s[:first], "Công") {
		return splitName(s)
	}
	words := strings.Count(s, " ") + 1
	second := strings.IndexByte(s[first+1:], ' ')
	prefix := s
	if second >= 0 {
		prefix = s[:first+1+second]
	}
	key := nameKey{prefix, min(words, 5)}
	k, ok := ns.surnameWords[key]
	if !ok {
		ho, dem, ten = splitName(s)
		if ho == "" {
			return ho, dem, ten // not a clean name: nothing to learn
		}
		if ns.surnameWords == nil || len(ns.surnameWords) >= nameCacheSize {
			ns.surnameWords = make(map[nameKey]int, 1024)
		}
		ns.surnameWords[key] = strings.Count(ho, " ") + 1
		return ho, dem, ten
	}
	// Cut s after its k-th word and before its last.
	cut := 0
	for i := 0; i < k; i++ {
		cut += strings.IndexByte(s[cut:], ' ') + 1
	}
	last := strings.LastIndexByte(s, ' ')
	ho, ten = s[:cut-1], s[last+1:]
	if cut <= last {
		dem = s[cut:last]
	}
	return ho, dem, ten
}

func joinName(ho, dem, ten string) string {
	return vntext.Name{Surname: ho, Middle: dem, Given: ten}.String()
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
