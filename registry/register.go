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
var Registers = func() []Register {
	rs := make([]Register, len(descriptors))
	for i, d := range descriptors {
		rs[i] = d.Register
	}
	return rs
}()

// ParseRegister parses a register code, accepting the codes in any case and
// the Vietnamese names of the registers ("khai sinh", "sổ khai sinh").
func ParseRegister(s string) (Register, error) {
	k := headerKey(s)
	for _, d := range descriptors {
		if k == headerKey(string(d.Register)) || k == headerKey(d.Name) || k == headerKey("sổ "+d.Name) {
			return d.Register, nil
		}
	}
	return "", Errorf(EINVALID, "loại sổ %q không hợp lệ (%s)", s, codeList())
}

func codeList() string {
	codes := make([]string, len(descriptors))
	for i, d := range descriptors {
		codes[i] = string(d.Register)
	}
	return strings.Join(codes, ", ")
}

// Descriptor returns what is known of a register, or nil for an unknown
// code.
func (r Register) Descriptor() *Descriptor {
	for _, d := range descriptors {
		if d.Register == r {
			return d
		}
	}
	return nil
}

// Valid reports whether r is one of the registers.
func (r Register) Valid() bool { return r.Descriptor() != nil }

// Name returns the Vietnamese name of the register's event, as in
// "Sổ đăng ký khai sinh".
func (r Register) Name() string {
	if d := r.Descriptor(); d != nil {
		return d.Name
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

// Canonical column names. A person's column is its slot's prefix and a
// person field: PrefixMother + ColHoTen is "me_ho_ten".
const (
	// Person fields (the subject's columns have no prefix).
	ColHoTen      = "ho_ten"
	ColNgaySinh   = "ngay_sinh"
	ColGioiTinh   = "gioi_tinh"
	ColDanToc     = "dan_toc"
	ColQuocTich   = "quoc_tich"
	ColNoiSinh    = "noi_sinh"
	ColQueQuan    = "que_quan"
	ColSoDinhDanh = "so_dinh_danh"
	ColNoiCuTru   = "noi_cu_tru"
	ColGiayTo     = "giay_to"

	// Event columns.
	ColNgayChet          = "ngay_chet"
	ColNoiChet           = "noi_chet"
	ColNguyenNhan        = "nguyen_nhan"
	ColGiayBaoTu         = "giay_bao_tu"
	ColNguoiDiKhai       = "nguoi_di_khai"
	ColQuanHeNguoiDiKhai = "quan_he_nguoi_di_khai"
	ColQuanHe            = "quan_he"
)

// Prefixes of the persons' columns.
const (
	PrefixMother     = "me_"
	PrefixFather     = "cha_"
	PrefixWife       = "vo_"
	PrefixHusband    = "chong_"
	PrefixRecognizer = "nguoi_nhan_"
	PrefixRecognized = "nguoi_duoc_nhan_"
)

// Col returns the column of a person field in a slot: "me_ho_ten".
func (s PersonSlot) Col(field string) string { return s.Prefix + field }

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
		ColHoTen:      {[]string{"Họ tên", "Họ và tên", "Họ, chữ đệm, tên"}, KindName},
		ColNgaySinh:   {[]string{"Ngày sinh", "Ngày, tháng, năm sinh", "Năm sinh"}, KindDate},
		ColGioiTinh:   {[]string{"Giới tính"}, KindSex},
		ColDanToc:     {[]string{"Dân tộc"}, KindEthnic},
		ColQuocTich:   {[]string{"Quốc tịch"}, KindCountry},
		ColNoiSinh:    {[]string{"Nơi sinh"}, KindPlace},
		ColQueQuan:    {[]string{"Quê quán"}, KindPlace},
		ColSoDinhDanh: {[]string{"Số định danh cá nhân", "Số định danh", "Mã định danh"}, KindPersonalID},
		ColNoiCuTru:   {[]string{"Nơi cư trú"}, KindPlace},
		ColGiayTo:     {[]string{"Giấy tờ tùy thân", "Giấy tờ tuỳ thân", "Giấy tờ"}, KindDocument},
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

var parentFields = []string{ColHoTen, ColNgaySinh, ColDanToc, ColQuocTich, ColNoiCuTru}
var partyFields = []string{ColHoTen, ColNgaySinh, ColDanToc, ColQuocTich, ColNoiCuTru, ColGiayTo}

// A Descriptor is everything hotich knows of one register, in one place:
// validation, search keys, summaries, the issuing desk, linkage and the
// sample generator read it. Adding a register is adding a descriptor here,
// its form layout (extract) and its ministry mapping (registry/ministry).
type Descriptor struct {
	Register Register // its code in the batch format: "KS"
	Name     string   // its event, as in "Sổ đăng ký khai sinh": "khai sinh"
	// Columns are its canonical columns in the batch format's order:
	// the identity and registration columns every register has, then its
	// persons' and its event's.
	Columns []Column
	// Slots say where each person of an entry is found among its fields.
	Slots []PersonSlot
	// Subject is the person an entry is chiefly about (the child, the
	// deceased, the wife of a marriage, the person recognised).
	Subject Role
	// Parties are the persons whose own entry it is: the subject of a
	// birth or a death, both spouses, both parties of a recognition. A
	// copy is asked for by one of their personal IDs.
	Parties []Role
	// EventDate is the column of the event's date; "" when the event is
	// the registration itself (a marriage, a recognition).
	EventDate string
	// Forms are the forms its copies are issued on; the first is the
	// default.
	Forms []ExtractForm
	// DateOrder lists the dates that cannot come after one another: a
	// row whose dates certainly break one is rejected.
	DateOrder []DateOrder
}

// A DateOrder says the date in column Before cannot be after the date in
// column After (a mother born after her child, a death registered before
// it happened).
type DateOrder struct{ Before, After string }

// The registers' descriptors, in their conventional order.
var descriptors = []*Descriptor{
	{
		Register: Birth, Name: "khai sinh",
		Columns: concatColumns(commonColumns,
			personColumns("", "", []string{ColHoTen, ColNgaySinh, ColGioiTinh, ColDanToc, ColQuocTich, ColNoiSinh, ColQueQuan, ColSoDinhDanh}, ColHoTen, ColNgaySinh, ColGioiTinh),
			personColumns(PrefixMother, "mẹ", parentFields),
			personColumns(PrefixFather, "cha", parentFields),
			[]Column{
				{Name: ColNguoiDiKhai, Aliases: []string{"Người đi khai", "Người đi khai sinh"}, Kind: KindName},
				{Name: ColQuanHeNguoiDiKhai, Aliases: []string{"Quan hệ với người được khai sinh", "Quan hệ người đi khai"}, Kind: KindText},
			}),
		Slots:     []PersonSlot{{RoleChild, ""}, {RoleMother, PrefixMother}, {RoleFather, PrefixFather}},
		Subject:   RoleChild,
		Parties:   []Role{RoleChild},
		EventDate: ColNgaySinh,
		Forms:     []ExtractForm{FormBirthExtract, FormBirthCertificate},
		DateOrder: []DateOrder{{ColNgaySinh, ColRegisteredOn}, {PrefixMother + ColNgaySinh, ColNgaySinh}, {PrefixFather + ColNgaySinh, ColNgaySinh}},
	},
	{
		Register: Marriage, Name: "kết hôn",
		Columns: concatColumns(commonColumns,
			personColumns(PrefixHusband, "chồng", partyFields, ColHoTen, ColNgaySinh),
			personColumns(PrefixWife, "vợ", partyFields, ColHoTen, ColNgaySinh)),
		Slots:     []PersonSlot{{RoleWife, PrefixWife}, {RoleHusband, PrefixHusband}},
		Subject:   RoleWife,
		Parties:   []Role{RoleWife, RoleHusband},
		Forms:     []ExtractForm{FormMarriage},
		DateOrder: []DateOrder{{PrefixHusband + ColNgaySinh, ColRegisteredOn}, {PrefixWife + ColNgaySinh, ColRegisteredOn}},
	},
	{
		Register: Death, Name: "khai tử",
		Columns: concatColumns(commonColumns,
			personColumns("", "", []string{ColHoTen, ColNgaySinh, ColGioiTinh, ColDanToc, ColQuocTich, ColSoDinhDanh}, ColHoTen),
			[]Column{
				{Name: ColNoiCuTru, Aliases: []string{"Nơi cư trú cuối cùng", "Nơi cư trú"}, Kind: KindPlace},
				{Name: ColNgayChet, Aliases: []string{"Ngày chết", "Ngày mất", "Thời điểm chết"}, Kind: KindDateTime, Required: true},
				{Name: ColNoiChet, Aliases: []string{"Nơi chết", "Nơi mất"}, Kind: KindPlace},
				{Name: ColNguyenNhan, Aliases: []string{"Nguyên nhân chết", "Nguyên nhân"}, Kind: KindText},
				{Name: ColGiayBaoTu, Aliases: []string{"Giấy báo tử"}, Kind: KindText},
				{Name: ColNguoiDiKhai, Aliases: []string{"Người đi khai", "Người đi khai tử"}, Kind: KindName},
				{Name: ColQuanHeNguoiDiKhai, Aliases: []string{"Quan hệ với người chết", "Quan hệ người đi khai"}, Kind: KindText},
			}),
		Slots:     []PersonSlot{{RoleDeceased, ""}},
		Subject:   RoleDeceased,
		Parties:   []Role{RoleDeceased},
		EventDate: ColNgayChet,
		Forms:     []ExtractForm{FormDeath},
		DateOrder: []DateOrder{{ColNgaySinh, ColNgayChet}, {ColNgayChet, ColRegisteredOn}, {ColNgaySinh, ColRegisteredOn}},
	},
	{
		Register: Recognition, Name: "nhận cha, mẹ, con",
		Columns: concatColumns(commonColumns,
			personColumns(PrefixRecognizer, "người nhận", partyFields, ColHoTen, ColNgaySinh),
			personColumns(PrefixRecognized, "người được nhận", partyFields, ColHoTen, ColNgaySinh),
			[]Column{
				{Name: ColQuanHe, Aliases: []string{"Quan hệ", "Quan hệ nhận"}, Kind: KindRelation},
			}),
		Slots:     []PersonSlot{{RoleRecognizer, PrefixRecognizer}, {RoleRecognized, PrefixRecognized}},
		Subject:   RoleRecognized,
		Parties:   []Role{RoleRecognizer, RoleRecognized},
		Forms:     []ExtractForm{FormRecognition},
		DateOrder: []DateOrder{{PrefixRecognizer + ColNgaySinh, ColRegisteredOn}, {PrefixRecognized + ColNgaySinh, ColRegisteredOn}},
	},
}

// FieldLabel names a field of an entry of r as a clerk reads it ("Họ tên
// mẹ"); an extra column by its header.
func (r Register) FieldLabel(field string) string {
	if c, ok := r.Column(field); ok {
		return c.Aliases[0]
	}
	if h, ok := strings.CutPrefix(field, ExtraPrefix); ok {
		return h + " (cột khác)"
	}
	return field
}

// Columns returns the canonical columns of a register in the batch format's
// order. The slice is shared: do not modify it.
func (r Register) Columns() []Column {
	if d := r.Descriptor(); d != nil {
		return d.Columns
	}
	return nil
}

// Column returns the column of r with the given canonical name.
func (r Register) Column(name string) (Column, bool) {
	for _, c := range r.Columns() {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

// Slots returns where each person of an entry of r is found among its fields.
func (r Register) Slots() []PersonSlot {
	if d := r.Descriptor(); d != nil {
		return d.Slots
	}
	return nil
}

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
	for _, d := range descriptors {
		reg, m := d.Register, map[string]Column{}
		for _, c := range d.Columns {
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
