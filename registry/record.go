package registry

import (
	"crypto/sha256"
	"encoding/base32"
	"strings"

	"github.com/hotich/hotich/registry/vntext"
)

// Date is a calendar date of known precision (year, month or day), with an
// optional time of day. Old registers legitimately hold partial dates; a
// date's precision is kept, a missing day is never invented.
type Date = vntext.Date

// RegistrationKind says how an entry came to be registered.
type RegistrationKind string

// The registration kinds of the batch format.
const (
	KindNew            RegistrationKind = "dang_ky_moi"        // first registration
	KindReRegistration RegistrationKind = "dang_ky_lai"        // đăng ký lại
	KindForeignElement RegistrationKind = "yeu_to_nuoc_ngoai"  // có yếu tố nước ngoài
	KindRecordedAbroad RegistrationKind = "ghi_chu_nuoc_ngoai" // ghi vào sổ việc đã đăng ký ở nước ngoài
)

// ParseRegistrationKind parses a registration kind, accepting the canonical
// codes and the Vietnamese labels. An empty value is KindNew.
func ParseRegistrationKind(s string) (RegistrationKind, error) {
	k := headerKey(s)
	switch k {
	case "", "moi", "dangky":
		return KindNew, nil
	case "lai":
		return KindReRegistration, nil
	case "ghivaoso":
		return KindRecordedAbroad, nil
	}
	for _, kind := range []RegistrationKind{KindNew, KindReRegistration, KindForeignElement, KindRecordedAbroad} {
		if k == headerKey(string(kind)) || k == headerKey(kind.Label()) {
			return kind, nil
		}
	}
	return "", Errorf(EINVALID, "loại đăng ký %q không hợp lệ", s)
}

// Label returns the Vietnamese label of k.
func (k RegistrationKind) Label() string {
	switch k {
	case KindNew, "":
		return "Đăng ký mới"
	case KindReRegistration:
		return "Đăng ký lại"
	case KindForeignElement:
		return "Đăng ký có yếu tố nước ngoài"
	case KindRecordedAbroad:
		return "Ghi vào sổ việc hộ tịch đã đăng ký ở nước ngoài"
	}
	return string(k)
}

// Record is one entry of a civil-status register, as digitised. It is a legal
// record: its values reproduce the register, every value is traceable to the
// batch rows it came from, and it is never deleted or merged into another.
type Record struct {
	ID            string   // stable ID, derived from the register identity
	Register      Register // KS, KH, KT or NCMC
	AuthorityCode string   // GSO code of the registering authority as it was then
	AuthorityName string   // the authority's name as written in the register
	Book          string   // quyển số, as written
	Number        string   // số, as written
	RegisteredOn  Date     // ngày đăng ký

	// Fields holds every other canonical column with a value, as stored for
	// display (NFC, collapsed white space, names title-cased, dates ISO 8601
	// with their precision). Keys are the batch format's canonical names.
	Fields map[string]string
	// Extra holds columns a batch carried that the format does not know,
	// keyed by the header as written. They are kept, never dropped.
	Extra map[string]string

	SourceRefs []string        // every batch row folded into the record, "file#n"
	Flags      []Flag          // open reasons for review
	Conflicts  []Conflict      // fields on which two scans disagree
	Duplicates []DuplicateLink // links to entries that may record the same event

	Version int64 // event-log sequence of the record's last change
}

// RegistrationKind returns how the entry was registered (loai_dang_ky),
// KindNew when the register does not say.
func (r *Record) RegistrationKind() RegistrationKind {
	if k := r.Fields[ColRegKind]; k != "" {
		return RegistrationKind(k)
	}
	return KindNew
}

// Identity is what identifies a register entry: two rows with the same
// identity are two scans of one entry.
type Identity struct {
	Register      Register
	AuthorityCode string
	Book          string
	Number        string
}

// Identity returns the register identity of r.
func (r *Record) Identity() Identity {
	return Identity{Register: r.Register, AuthorityCode: r.AuthorityCode, Book: r.Book, Number: r.Number}
}

// Field returns the stored value of a canonical column, including the
// entry-level ones, or "" when unknown.
func (r *Record) Field(name string) string {
	switch name {
	case ColRegister:
		return string(r.Register)
	case ColAuthorityCode:
		return r.AuthorityCode
	case ColAuthorityName:
		return r.AuthorityName
	case ColBook:
		return r.Book
	case ColNumber:
		return r.Number
	case ColRegisteredOn:
		return r.RegisteredOn.ISO()
	}
	return r.Fields[name]
}

// ExtraPrefix starts the field name of an extra column: a column of a
// batch that is none of its register's, kept under its header.
const ExtraPrefix = "extra:"

// ExtraField returns the field name of the extra column with a header.
func ExtraField(header string) string { return ExtraPrefix + header }

// SetField sets a column of r to a stored value ("" clears it; an extra
// column is named "extra:" and its header). The identity columns cannot be
// set: they are what makes the entry this one.
func (r *Record) SetField(name, stored string) error {
	switch name {
	case ColRegister, ColAuthorityCode, ColBook, ColNumber:
		return Errorf(EINVALID, "không thể thay đổi %s: trường này xác định trích lục trong sổ", name)
	case ColAuthorityName:
		if stored == "" {
			return Errorf(EINVALID, "không thể xóa nơi đăng ký")
		}
		r.AuthorityName = stored
	case ColRegisteredOn:
		d, err := vntext.ParseISODate(stored)
		if err != nil || d.IsZero() {
			return Errorf(EINVALID, "ngày đăng ký %q không hợp lệ", stored)
		}
		r.RegisteredOn = d
	default:
		if h, ok := strings.CutPrefix(name, ExtraPrefix); ok {
			if r.Extra == nil {
				r.Extra = map[string]string{}
			}
			r.Extra[h] = stored
			return nil
		}
		if r.Fields == nil {
			r.Fields = map[string]string{}
		}
		if stored == "" {
			delete(r.Fields, name)
		} else {
			r.Fields[name] = stored
		}
	}
	return nil
}

// Date returns a date column of r parsed from its stored ISO form.
func (r *Record) Date(name string) Date {
	if name == ColRegisteredOn {
		return r.RegisteredOn
	}
	d, _ := vntext.ParseISODate(r.Fields[name])
	return d
}

// Persons returns the persons of the entry in their roles, in the register's
// order, skipping roles with no name recorded.
func (r *Record) Persons() []Person {
	var ps []Person
	for _, s := range r.Register.Slots() {
		p := Person{
			Role:        s.Role,
			FullName:    r.Fields[s.Col(ColHoTen)],
			Sex:         r.Fields[s.Col(ColGioiTinh)],
			Ethnic:      r.Fields[s.Col(ColDanToc)],
			Nationality: r.Fields[s.Col(ColQuocTich)],
			Residence:   r.Fields[s.Col(ColNoiCuTru)],
			PersonalID:  r.Fields[s.Col(ColSoDinhDanh)],
			Document:    r.Fields[s.Col(ColGiayTo)],
		}
		p.BirthDate, _ = vntext.ParseISODate(r.Fields[s.Col(ColNgaySinh)])
		if p.FullName == "" {
			continue
		}
		ps = append(ps, p)
	}
	return ps
}

// Subject returns the person the entry is chiefly about (the child, the
// deceased, the recognised person; the wife of a marriage).
func (r *Record) Subject() (Person, bool) {
	d := r.Register.Descriptor()
	if d == nil {
		return Person{}, false
	}
	for _, p := range r.Persons() {
		if p.Role == d.Subject {
			return p, true
		}
	}
	return Person{}, false
}

// HasFlag reports whether r carries an open flag with the given code.
func (r *Record) HasFlag(code FlagCode) bool {
	for _, f := range r.Flags {
		if f.Code == code {
			return true
		}
	}
	return false
}

// OpenConflicts returns the conflicts no one has resolved yet.
func (r *Record) OpenConflicts() []Conflict {
	var open []Conflict
	for _, c := range r.Conflicts {
		if !c.Resolved {
			open = append(open, c)
		}
	}
	return open
}

// Person is one person of a register entry in a role. It is a view of the
// entry's fields, not a separate identity: the same human in two entries is
// two Persons.
type Person struct {
	Role        Role
	FullName    string
	BirthDate   Date
	Sex         string // "Nam", "Nữ" or ""
	Ethnic      string
	Nationality string
	Residence   string
	PersonalID  string
	Document    string
}

// Name splits the person's name into surname, middle name and given name.
func (p Person) Name() vntext.Name { return vntext.SplitName(p.FullName) }

// FlagCode names a reason a record is listed for review.
type FlagCode string

// The flag codes.
const (
	FlagIDMismatch        FlagCode = "id_mismatch"         // personal ID disagrees with sex or birth year
	FlagIDMalformed       FlagCode = "id_malformed"        // personal ID is neither 12 nor 9 digits
	FlagIDUnknownProvince FlagCode = "id_unknown_province" // personal ID's province code is unknown
	FlagUnknownAuthority  FlagCode = "unknown_authority"   // authority code not in the reference data
	FlagConflict          FlagCode = "conflict"            // two scans of the entry disagree
	FlagSuspectDuplicate  FlagCode = "suspected_duplicate" // may record the same event as another entry
	FlagUnknownValue      FlagCode = "unknown_value"       // a coded value (ethnic group, country, kind…) not recognised
	FlagTextRepaired      FlagCode = "text_repaired"       // mojibake was repaired in a cell
	FlagInvalidChars      FlagCode = "invalid_chars"       // characters XML cannot carry (control characters) taken out of a cell
)

// Label returns the Vietnamese description of a flag code.
func (c FlagCode) Label() string {
	switch c {
	case FlagIDMismatch:
		return "Số định danh không khớp giới tính hoặc năm sinh"
	case FlagIDMalformed:
		return "Số định danh không đúng định dạng"
	case FlagIDUnknownProvince:
		return "Mã tỉnh trong số định danh không tồn tại"
	case FlagUnknownAuthority:
		return "Mã nơi đăng ký không có trong danh mục"
	case FlagConflict:
		return "Các bản quét của cùng một trích lục có thông tin khác nhau"
	case FlagSuspectDuplicate:
		return "Nghi trùng với một trích lục khác"
	case FlagUnknownValue:
		return "Giá trị không có trong danh mục"
	case FlagInvalidChars:
		return "Ô có ký tự điều khiển (không in được) đã được bỏ đi"
	}
	return string(c)
}

// Flag is an open reason to review a record.
type Flag struct {
	Code      FlagCode
	Field     string // the column concerned, if any
	Detail    string // what was found, for the reviewer
	SourceRef string // the batch row that raised it, if any
}

// Conflict records that two or more scans of one entry disagree on a field.
// Values[i] was read from SourceRefs[i]; the first value is the one stored
// first and shown until a person resolves the conflict.
type Conflict struct {
	ID         int64
	Field      string
	Values     []string
	SourceRefs []string
	Resolved   bool
}

// LinkStatus is the state of a duplicate link.
type LinkStatus string

// The link states of records-jsonl.md.
const (
	LinkSuspected LinkStatus = "suspected" // in the review queue
	LinkAuto      LinkStatus = "auto"      // above the automatic threshold
	LinkConfirmed LinkStatus = "confirmed" // a person confirmed it
	LinkRejected  LinkStatus = "rejected"  // a person rejected it
)

// Label returns the Vietnamese name of a link status.
func (s LinkStatus) Label() string {
	switch s {
	case LinkSuspected:
		return "nghi trùng, chờ duyệt"
	case LinkAuto:
		return "trùng tự động"
	case LinkConfirmed:
		return "đã xác nhận trùng"
	case LinkRejected:
		return "đã bác bỏ"
	}
	return string(s)
}

// DuplicateLink says the record may record the same event as another.
type DuplicateLink struct {
	LinkID int64
	ID     string // the other record
	Score  float64
	Status LinkStatus
}

// RecordID returns the stable record ID of the entry with this identity:
// register, authority code and a 10-character hash of the identity key, e.g.
// "KS-26740-7F3K9Q2MXA". The same identity always gets the same ID, on any
// site, so stores rebuilt from the same batches agree.
func (id Identity) RecordID() string {
	sum := sha256.Sum256([]byte(id.Key()))
	return string(id.Register) + "-" + id.AuthorityCode + "-" + idEncoding.EncodeToString(sum[:])[:10]
}

// idEncoding is Crockford's base32 alphabet: no I, L, O or U to misread.
var idEncoding = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// Key returns the normalised form of an identity used to recognise
// two scans of one entry: book and number compared case-insensitively with
// white space removed and leading zeros of digit runs dropped, so "01/2010"
// and "1/2010" name the same book.
func (id Identity) Key() string {
	return string(id.Register) + "|" + id.AuthorityCode + "|" + identPart(id.Book) + "|" + identPart(id.Number)
}

func identPart(s string) string {
	var b strings.Builder
	s = strings.ToUpper(vntext.FoldKey(s))
	inDigits := false
	pendingZero := false
	for _, r := range s {
		switch {
		case r == ' ':
			continue
		case r >= '0' && r <= '9':
			if !inDigits && r == '0' {
				pendingZero = true
				continue
			}
			inDigits = true
			pendingZero = false
			b.WriteRune(r)
		default:
			if pendingZero {
				b.WriteByte('0')
			}
			inDigits, pendingZero = false, false
			b.WriteRune(r)
		}
	}
	if pendingZero {
		b.WriteByte('0')
	}
	return b.String()
}
