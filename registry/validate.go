package registry

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hotich/hotich/registry/vntext"
)

// RejectCode names why a batch row cannot be a register entry.
type RejectCode string

// The reject codes of the reject report.
const (
	RejectMissing        RejectCode = "missing_required" // a required field is empty or unknown
	RejectUnreadable     RejectCode = "unreadable"       // a value could not be decoded
	RejectInvalidDate    RejectCode = "invalid_date"     // a date that is not a calendar date
	RejectImpossibleDate RejectCode = "impossible_date"  // a date in the future or out of order
	RejectInvalidValue   RejectCode = "invalid_value"    // a required coded value not recognised
	RejectWrongRegister  RejectCode = "wrong_register"   // the row's register is not the file's
	RejectMalformed      RejectCode = "malformed_row"    // the row cannot be read as a row of the file
	RejectOverLimit      RejectCode = "over_limit"       // a line, cell or row of cells over the ingest's limits
)

// RowError says why a row is rejected. Message is for the operator, in
// Vietnamese.
type RowError struct {
	Code    RejectCode
	Field   string
	Message string
}

// Error implements error.
func (e *RowError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s (%s): %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// RowErrorf returns a *RowError.
func RowErrorf(code RejectCode, field, format string, args ...any) *RowError {
	return &RowError{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// IsUnknown reports whether a cell means "unknown" rather than a value:
// empty, "-", "x", "không rõ" and their variants.
func IsUnknown(s string) bool {
	t := strings.TrimSpace(s)
	if t == "" {
		return true
	}
	if len(t) > 24 {
		return false // every marker is short; most values are not
	}
	if !mayBeMarker(t) {
		return false // spare the folding
	}
	return isUnknownMarker(t)
}

// mayBeMarker reports whether the first two bytes of t (trimmed, not
// empty) can begin an unknown marker. Most values, names above all, are
// ruled out here: "Nguyễn", "Kinh", "Cao", "Xuân" begin no marker.
func mayBeMarker(t string) bool {
	c := t[0] | 0x20
	if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' && c != 'x' && c != 'k' && c != 'c' && c != 'n' {
		return false
	}
	if len(t) == 1 || c < 'a' || c > 'z' {
		return true
	}
	d := t[1]
	if d >= 0x80 {
		// "x", "k", "c" and "n" markers go on in ASCII ("không", "chưa"),
		// or with a combining mark (U+0300-U+036F) that folding drops.
		return d == 0xCC || d == 0xCD
	}
	d |= 0x20
	if d < 'a' || d > 'z' {
		return true // "k/rõ", "n/a", "x."
	}
	switch c {
	case 'x':
		return d == 'x' // "xx"
	case 'k':
		return d == 'h' || d == 'r' || d == 'x' // "không…", "kro", "kxd"
	case 'c':
		return d == 'h' // "chưa rõ"
	default: // 'n'
		return d == 'u' || d == 'o' || d == 'i' // "null", "none", "nil"
	}
}

// isUnknownMarker is IsUnknown's full test of a trimmed, short value.
func isUnknownMarker(t string) bool {
	if strings.Trim(t, "-–—?./_ ") == "" {
		return true
	}
	switch strings.ToLower(t) {
	case "n/a", "null", "none", "nil":
		return true
	}
	switch headerKey(t) {
	case "x", "xx", "khongro", "kro", "chuaro", "khongxacdinh", "kxd", "khongco", "khongbiet":
		return true
	}
	return false
}

// Sex values as stored.
const (
	SexMale   = "Nam"
	SexFemale = "Nữ"
)

// ParseSex reads a sex as written: Nam/Nữ, M/F, 1/0 (male/female), and the
// English words. It returns "" and false when the value is not recognised.
func ParseSex(s string) (string, bool) {
	switch headerKey(s) {
	case "nam", "m", "1", "male", "trai", "contrai":
		return SexMale, true
	case "nu", "f", "0", "female", "gai", "congai":
		return SexFemale, true
	}
	return "", false
}

// ParseRelation reads the relation of a recognition entry.
func ParseRelation(s string) (string, bool) {
	switch headerKey(s) {
	case "chanhancon", "chanhan":
		return "cha_nhan_con", true
	case "menhancon", "menhan":
		return "me_nhan_con", true
	case "connhancha":
		return "con_nhan_cha", true
	case "connhanme":
		return "con_nhan_me", true
	}
	return "", false
}

// RelationLabel returns the Vietnamese wording of a recognition relation,
// as in "Xác nhận đăng ký việc nhận <label> giữa:".
func RelationLabel(rel string) string {
	switch rel {
	case "cha_nhan_con":
		return "cha nhận con"
	case "me_nhan_con":
		return "mẹ nhận con"
	case "con_nhan_cha":
		return "con nhận cha"
	case "con_nhan_me":
		return "con nhận mẹ"
	}
	return "cha, mẹ, con"
}

// Validate checks the rules a register entry must satisfy to be stored at
// all: identity present, required fields present, dates possible and in
// order. today is the date the check runs. It returns a *RowError.
func (r *Record) Validate(today time.Time) error {
	if !r.Register.Valid() {
		return RowErrorf(RejectWrongRegister, ColRegister, "loại sổ %q không hợp lệ", r.Register)
	}
	for _, c := range r.Register.Columns() {
		if !c.Required {
			continue
		}
		if r.Field(c.Name) == "" {
			return RowErrorf(RejectMissing, c.Name, "thiếu thông tin bắt buộc: %s", c.Aliases[0])
		}
	}
	if !isAuthorityCode(r.AuthorityCode) {
		return RowErrorf(RejectInvalidValue, ColAuthorityCode, "mã nơi đăng ký %q phải gồm 5 chữ số (xã) hoặc 3 chữ số (huyện)", r.AuthorityCode)
	}

	// Every date exists and none lies in the future.
	_, end := vntext.Date{Year: today.Year(), Month: int(today.Month()), Day: today.Day()}.Bounds()
	for _, c := range r.Register.Columns() {
		if c.Kind != KindDate && c.Kind != KindDateTime {
			continue
		}
		d := r.Date(c.Name)
		if d.IsZero() {
			continue
		}
		if lo, _ := d.Bounds(); lo.After(end) {
			return RowErrorf(RejectImpossibleDate, c.Name, "%s %s ở tương lai", c.Aliases[0], r.Field(c.Name))
		}
	}

	// Dates in the order events happen.
	for _, o := range r.Register.Descriptor().DateOrder {
		b, a := r.Date(o.Before), r.Date(o.After)
		if b.IsZero() || a.IsZero() {
			continue
		}
		if certainlyAfter(b, a) {
			cb, _ := r.Register.Column(o.Before)
			ca, _ := r.Register.Column(o.After)
			return RowErrorf(RejectImpossibleDate, o.Before, "%s (%s) sau %s (%s)",
				cb.Aliases[0], r.Field(o.Before), strings.ToLower(ca.Aliases[0]), r.Field(o.After))
		}
	}
	return nil
}

// certainlyAfter reports whether every instant a may denote is after every
// instant b may denote, at the coarser of the two precisions. A death at
// 14:30 on the day of registration is not after the registration.
func certainlyAfter(a, b vntext.Date) bool {
	a.HasTime, b.HasTime = false, false
	alo, _ := a.Bounds()
	_, bhi := b.Bounds()
	return alo.After(bhi)
}

func isAuthorityCode(s string) bool {
	if len(s) != 5 && len(s) != 3 {
		return false
	}
	_, err := strconv.Atoi(s)
	return err == nil
}

// DocumentID returns the ID number an identity document as written
// carries: a 12-digit personal ID or a 9-digit legacy identity card, bare
// or after its label ("CCCD số 079…", "Căn cước công dân 079…", "CMND:
// 02…"), digits possibly grouped with spaces or dots. It returns "" for
// anything else, a passport above all.
func DocumentID(doc string) string {
	i := strings.IndexFunc(doc, func(r rune) bool { return r >= '0' && r <= '9' })
	if i < 0 || !documentLabels[headerKey(doc[:i])] {
		return ""
	}
	id := personalID(doc[i:])
	if len(id) != 12 && len(id) != 9 {
		return ""
	}
	for j := 0; j < len(id); j++ {
		if id[j] < '0' || id[j] > '9' {
			return ""
		}
	}
	return id
}

// documentLabels are the labels, folded, that may precede an ID number in
// a document field.
var documentLabels = map[string]bool{
	"": true, "so": true, "cccd": true, "cccdso": true, "socccd": true, "cancuoccongdan": true, "cancuoccongdanso": true,
	"cancuoc": true, "cancuocso": true, "cmnd": true, "cmndso": true, "socmnd": true, "chungminhnhandan": true,
	"chungminhnhandanso": true, "sodinhdanh": true, "sodinhdanhcanhan": true, "dinhdanhcanhan": true,
}

// CenturyDigit returns the century/sex digit a personal ID carries for a
// person of the given sex born in the given year: 0/1 for 1900–1999 (male/
// female), 2/3 for 2000–2099, and so on.
func CenturyDigit(year int, sex string) (int, bool) {
	if year < 1900 || year > 2399 {
		return 0, false
	}
	d := (year/100 - 19) * 2
	switch sex {
	case SexMale:
		return d, true
	case SexFemale:
		return d + 1, true
	}
	return 0, false
}

// CheckPersonalID checks a personal ID (số định danh cá nhân) against the
// person's sex and birth date. It returns the flags to raise; none means the
// ID is consistent as far as can be told. knownProvince reports whether a
// 3-digit birth-registration code ("079") exists. A 9-digit number is a
// legacy identity card (CMND) and is only checked for its form.
func CheckPersonalID(id, sex string, birth Date, knownProvince func(code string) bool) []Flag {
	if id == "" {
		return nil
	}
	for _, r := range id {
		if r < '0' || r > '9' {
			return []Flag{{Code: FlagIDMalformed, Detail: "số định danh chứa ký tự không phải chữ số"}}
		}
	}
	switch len(id) {
	case 9:
		return nil
	case 12:
	default:
		return []Flag{{Code: FlagIDMalformed, Detail: fmt.Sprintf("số định danh có %d chữ số (phải là 12, hoặc 9 với CMND)", len(id))}}
	}
	var flags []Flag
	if id[0] == '0' && knownProvince != nil && !knownProvince(id[:3]) {
		flags = append(flags, Flag{Code: FlagIDUnknownProvince, Detail: fmt.Sprintf("mã tỉnh %s không tồn tại", id[:3])})
	}
	digit := int(id[3] - '0')
	yy, _ := strconv.Atoi(id[4:6])
	if birth.Year != 0 {
		if want, ok := CenturyDigit(birth.Year, sex); ok && want != digit {
			flags = append(flags, Flag{Code: FlagIDMismatch, Detail: fmt.Sprintf("mã thế kỷ/giới tính %d không khớp %s sinh năm %d", digit, strings.ToLower(sex), birth.Year)})
		} else if !ok && sex == "" && digit/2 != (birth.Year/100-19) {
			flags = append(flags, Flag{Code: FlagIDMismatch, Detail: fmt.Sprintf("mã thế kỷ %d không khớp năm sinh %d", digit, birth.Year)})
		}
		if yy != birth.Year%100 {
			flags = append(flags, Flag{Code: FlagIDMismatch, Detail: fmt.Sprintf("năm sinh trong số định danh (%02d) không khớp năm sinh %d", yy, birth.Year)})
		}
	} else if sex != "" {
		if (sex == SexMale) != (digit%2 == 0) {
			flags = append(flags, Flag{Code: FlagIDMismatch, Detail: fmt.Sprintf("mã giới tính %d không khớp giới tính %s", digit, strings.ToLower(sex))})
		}
	}
	return flags
}

// ParsePersonalID reads a personal ID as a person types it to look an
// entry up: a 12-digit số định danh cá nhân or a 9-digit CMND, separators
// allowed ("079 210 123456").
func ParsePersonalID(s string) (string, error) {
	id := personalID(strings.TrimSpace(s))
	if len(id) != 12 && len(id) != 9 || strings.Trim(id, "0123456789") != "" {
		return "", Errorf(EINVALID, "số định danh phải gồm 12 chữ số (hoặc CMND 9 chữ số)")
	}
	return id, nil
}
