package registry

import (
	"fmt"
	"strings"

	"github.com/hotich/hotich/registry/vntext"
)

// Register is one of the four civil-status registers.
type Register string

// The registers, by the codes of the batch format.
const (
	Birth       Register = "KS"   // khai sinh
	Marriage    Register = "KH"   // kết hôn
	Death       Register = "KT"   // khai tử
	Recognition Register = "NCMC" // nhận cha, mẹ, con
)

// Registers lists the registers in their conventional order.
var Registers = []Register{Birth, Marriage, Death, Recognition}

// ParseRegister parses a register code, accepting the codes in any case and
// the Vietnamese names of the registers.
func ParseRegister(s string) (Register, error) {
	k := headerKey(s)
	for _, r := range Registers {
		if k == headerKey(string(r)) || k == headerKey(r.Name()) {
			return r, nil
		}
	}
	switch k {
	case "khaisinh", "sokhaisinh":
		return Birth, nil
	case "kethon", "sokethon":
		return Marriage, nil
	case "khaitu", "sokhaitu":
		return Death, nil
	case "nhanchamecon", "sonhanchamecon":
		return Recognition, nil
	}
	return "", Errorf(EINVALID, "loại sổ %q không hợp lệ (KS, KH, KT hoặc NCMC)", s)
}

// Valid reports whether r is one of the four registers.
func (r Register) Valid() bool {
	switch r {
	case Birth, Marriage, Death, Recognition:
		return true
	}
	return false
}

// Name returns the Vietnamese name of the register's event, as in
// "Sổ đăng ký khai sinh".
func (r Register) Name() string {
	switch r {
	case Birth:
		return "khai sinh"
	case Marriage:
		return "kết hôn"
	case Death:
		return "khai tử"
	case Recognition:
		return "nhận cha, mẹ, con"
	}
	return string(r)
}

// ValueKind says how a column's values are read, normalised and validated.
type ValueKind uint8

// The value kinds.
const (
	KindText          ValueKind = iota // free text: cleaned (NFC, white space)
	KindName                           // a person's name: cleaned and title-cased
	KindDate                           // a partial date, stored as ISO 8601 with its precision
	KindDateTime                       // a date that may carry a time of day (death)
	KindSex                            // Nam / Nữ
	KindEthnic                         // an ethnic group, as written
	KindCountry                        // a nationality, as written
	KindPlace                          // a place or address: cleaned
	KindPersonalID                     // số định danh cá nhân (12 digits) or a 9-digit CMND
	KindDocument                       // an identity document as written (number, passport)
	KindRegisterCode                   // loai_so
	KindAuthorityCode                  // ma_noi_dang_ky
	KindRegKind                        // loai_dang_ky
	KindRelation                       // quan_he of a recognition
	KindCode                           // an identifier (book, number, scan path): trimmed, kept verbatim
)

// Column describes one canonical column of the batch format.
type Column struct {
	Name     string    // canonical ASCII snake_case name
	Aliases  []string  // Vietnamese headers accepted for it
	Kind     ValueKind // how values are read
	Required bool      // a row without a value is rejected
}

// Role is the part a person plays in a register entry.
type Role string

// The roles.
const (
	RoleChild      Role = "con"             // the child of a birth entry
	RoleMother     Role = "me"              // the mother of a birth entry
	RoleFather     Role = "cha"             // the father of a birth entry
	RoleDeclarant  Role = "nguoi_di_khai"   // who declared the birth or death
	RoleHusband    Role = "chong"           // marriage
	RoleWife       Role = "vo"              // marriage
	RoleDeceased   Role = "nguoi_chet"      // death
	RoleRecognizer Role = "nguoi_nhan"      // recognition: who recognises
	RoleRecognized Role = "nguoi_duoc_nhan" // recognition: who is recognised
)

// Sex returns the sex a role implies (a father, a husband), or "" when it
// implies none.
func (r Role) Sex() string {
	switch r {
	case RoleFather, RoleHusband:
		return SexMale
	case RoleMother, RoleWife:
		return SexFemale
	}
	return ""
}

// PersonSlot maps a role to the column prefix that carries its fields.
type PersonSlot struct {
	Role   Role
	Prefix string // "me_", "chong_", or "" for the entry's subject
}

// Identity columns and other columns every register has.
const (
	ColRegister      = "loai_so"
	ColAuthorityCode = "ma_noi_dang_ky"
	ColAuthorityName = "noi_dang_ky"
	ColBook          = "quyen_so"
	ColNumber        = "so"
	ColRegisteredOn  = "ngay_dang_ky"
	ColRegKind       = "loai_dang_ky"
	ColNotes         = "ghi_chu"
	ColScan          = "anh_scan"
)

// IsEntryColumn reports whether a canonical column is stored on the record
// itself (identity and registration) rather than among its fields.
func IsEntryColumn(name string) bool {
	switch name {
	case ColRegister, ColAuthorityCode, ColAuthorityName, ColBook, ColNumber, ColRegisteredOn:
		return true
	}
	return false
}

var commonColumns = []Column{
	{Name: ColRegister, Aliases: []string{"Loại sổ"}, Kind: KindRegisterCode, Required: true},
	{Name: ColAuthorityCode, Aliases: []string{"Mã nơi đăng ký", "Mã cơ quan đăng ký"}, Kind: KindAuthorityCode, Required: true},
	{Name: ColAuthorityName, Aliases: []string{"Nơi đăng ký", "Cơ quan đăng ký"}, Kind: KindPlace, Required: true},
	{Name: ColBook, Aliases: []string{"Quyển số", "Quyển"}, Kind: KindCode, Required: true},
	{Name: ColNumber, Aliases: []string{"Số", "Số đăng ký"}, Kind: KindCode, Required: true},
	{Name: ColRegisteredOn, Aliases: []string{"Ngày đăng ký"}, Kind: KindDate, Required: true},
	{Name: ColRegKind, Aliases: []string{"Loại đăng ký"}, Kind: KindRegKind},
	{Name: ColNotes, Aliases: []string{"Ghi chú"}, Kind: KindText},
	{Name: ColScan, Aliases: []string{"Ảnh scan", "Tệp scan", "File scan"}, Kind: KindCode},
}

// personColumns returns the columns of one person, with the given canonical
// prefix and Vietnamese alias suffix ("mẹ", "chồng", "người nhận"). fields
// selects which person columns exist; required names the required ones.
func personColumns(prefix, suffix string, fields []string, required ...string) []Column {
	base := map[string]struct {
		aliases []string
		kind    ValueKind
	}{
		"ho_ten":       {[]string{"Họ tên", "Họ và tên", "Họ, chữ đệm, tên"}, KindName},
		"ngay_sinh":    {[]string{"Ngày sinh", "Ngày, tháng, năm sinh", "Năm sinh"}, KindDate},
		"gioi_tinh":    {[]string{"Giới tính"}, KindSex},
		"dan_toc":      {[]string{"Dân tộc"}, KindEthnic},
		"quoc_tich":    {[]string{"Quốc tịch"}, KindCountry},
		"noi_sinh":     {[]string{"Nơi sinh"}, KindPlace},
		"que_quan":     {[]string{"Quê quán"}, KindPlace},
		"so_dinh_danh": {[]string{"Số định danh cá nhân", "Số định danh", "Mã định danh"}, KindPersonalID},
		"noi_cu_tru":   {[]string{"Nơi cư trú"}, KindPlace},
		"giay_to":      {[]string{"Giấy tờ tùy thân", "Giấy tờ tuỳ thân", "Giấy tờ"}, KindDocument},
	}
	req := map[string]bool{}
	for _, r := range required {
		req[r] = true
	}
	var cols []Column
	for _, f := range fields {
		b, ok := base[f]
		if !ok {
			panic(fmt.Sprintf("registry: unknown person field %q", f))
		}
		c := Column{Name: prefix + f, Kind: b.kind, Required: req[f]}
		for _, a := range b.aliases {
			if suffix == "" {
				c.Aliases = append(c.Aliases, a)
			} else {
				c.Aliases = append(c.Aliases, a+" "+suffix)
			}
		}
		cols = append(cols, c)
	}
	return cols
}

func concatColumns(parts ...[]Column) []Column {
	var all []Column
	for _, p := range parts {
		all = append(all, p...)
	}
	return all
}

var parentFields = []string{"ho_ten", "ngay_sinh", "dan_toc", "quoc_tich", "noi_cu_tru"}
var partyFields = []string{"ho_ten", "ngay_sinh", "dan_toc", "quoc_tich", "noi_cu_tru", "giay_to"}

var schemas = map[Register][]Column{
	Birth: concatColumns(commonColumns,
		personColumns("", "", []string{"ho_ten", "ngay_sinh", "gioi_tinh", "dan_toc", "quoc_tich", "noi_sinh", "que_quan", "so_dinh_danh"}, "ho_ten", "ngay_sinh", "gioi_tinh"),
		personColumns("me_", "mẹ", parentFields),
		personColumns("cha_", "cha", parentFields),
		[]Column{
			{Name: "nguoi_di_khai", Aliases: []string{"Người đi khai", "Người đi khai sinh"}, Kind: KindName},
			{Name: "quan_he_nguoi_di_khai", Aliases: []string{"Quan hệ với người được khai sinh", "Quan hệ người đi khai"}, Kind: KindText},
		}),
	Marriage: concatColumns(commonColumns,
		personColumns("chong_", "chồng", partyFields, "ho_ten", "ngay_sinh"),
		personColumns("vo_", "vợ", partyFields, "ho_ten", "ngay_sinh")),
	Death: concatColumns(commonColumns,
		personColumns("", "", []string{"ho_ten", "ngay_sinh", "gioi_tinh", "dan_toc", "quoc_tich", "so_dinh_danh"}, "ho_ten"),
		[]Column{
			{Name: "noi_cu_tru", Aliases: []string{"Nơi cư trú cuối cùng", "Nơi cư trú"}, Kind: KindPlace},
			{Name: "ngay_chet", Aliases: []string{"Ngày chết", "Ngày mất", "Thời điểm chết"}, Kind: KindDateTime, Required: true},
			{Name: "noi_chet", Aliases: []string{"Nơi chết", "Nơi mất"}, Kind: KindPlace},
			{Name: "nguyen_nhan", Aliases: []string{"Nguyên nhân chết", "Nguyên nhân"}, Kind: KindText},
			{Name: "giay_bao_tu", Aliases: []string{"Giấy báo tử"}, Kind: KindText},
			{Name: "nguoi_di_khai", Aliases: []string{"Người đi khai", "Người đi khai tử"}, Kind: KindName},
			{Name: "quan_he_nguoi_di_khai", Aliases: []string{"Quan hệ với người chết", "Quan hệ người đi khai"}, Kind: KindText},
		}),
	Recognition: concatColumns(commonColumns,
		personColumns("nguoi_nhan_", "người nhận", partyFields, "ho_ten", "ngay_sinh"),
		personColumns("nguoi_duoc_nhan_", "người được nhận", partyFields, "ho_ten", "ngay_sinh"),
		[]Column{
			{Name: "quan_he", Aliases: []string{"Quan hệ", "Quan hệ nhận"}, Kind: KindRelation},
		}),
}

var slots = map[Register][]PersonSlot{
	Birth:       {{RoleChild, ""}, {RoleMother, "me_"}, {RoleFather, "cha_"}},
	Marriage:    {{RoleWife, "vo_"}, {RoleHusband, "chong_"}},
	Death:       {{RoleDeceased, ""}},
	Recognition: {{RoleRecognizer, "nguoi_nhan_"}, {RoleRecognized, "nguoi_duoc_nhan_"}},
}

// Columns returns the canonical columns of a register in the batch format's
// order. The slice is shared: do not modify it.
func (r Register) Columns() []Column { return schemas[r] }

// Column returns the column of r with the given canonical name.
func (r Register) Column(name string) (Column, bool) {
	for _, c := range schemas[r] {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

// Slots returns where each person of an entry of r is found among its fields.
func (r Register) Slots() []PersonSlot { return slots[r] }

// headerKey folds a header for comparison: lower case, no diacritics, only
// letters and digits.
func headerKey(s string) string {
	var b strings.Builder
	for _, r := range vntext.FoldKey(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// HeaderKey folds a column header or a code-list label for comparison: case-,
// diacritic-, punctuation- and white-space-insensitive. Input should be NFC.
func HeaderKey(s string) string { return headerKey(s) }

// ColumnLabels returns a distinct label for each header cell of a batch:
// the header as given, "cột N" (N counting from 1) for a blank one, and
// "… (2)", "… (3)" for repeats, so that no cell is shadowed by another
// under the same label.
func ColumnLabels(header []string) []string {
	labels := make([]string, len(header))
	used := make(map[string]bool, len(header))
	for i, h := range header {
		if h == "" {
			h = fmt.Sprintf("cột %d", i+1)
		}
		l := h
		for n := 2; used[l]; n++ {
			l = fmt.Sprintf("%s (%d)", h, n)
		}
		used[l] = true
		labels[i] = l
	}
	return labels
}

// ColumnByHeader resolves a header as written in a batch file to a canonical
// column of r.
func (r Register) ColumnByHeader(header string) (Column, bool) {
	idx := headerIndex[r]
	c, ok := idx[headerKey(header)]
	return c, ok
}

var headerIndex = func() map[Register]map[string]Column {
	all := map[Register]map[string]Column{}
	for reg, cols := range schemas {
		m := map[string]Column{}
		for _, c := range cols {
			for _, h := range append([]string{c.Name}, c.Aliases...) {
				k := headerKey(h)
				if prev, dup := m[k]; dup && prev.Name != c.Name {
					panic(fmt.Sprintf("registry: header %q of %s is ambiguous: %s and %s", h, reg, prev.Name, c.Name))
				}
				m[k] = c
			}
		}
		all[reg] = m
	}
	return all
}()
