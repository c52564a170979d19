package ministry

import (
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

// Encoder writes one data file: Begin, any number of Record then Link
// entries, End. It buffers; End flushes. Codes come from the reference data
// (ethnic groups, countries, administrative units); a value that maps to no
// code keeps its written text and gets no code.
type Encoder struct {
	w       io.Writer
	ref     *registry.RefData
	x       xmlBuf
	used    []string // fields of the current record already written
	units   map[string]*authorityInfo
	names   nameSplitter
	ethnics map[string]string // written -> QĐ 121 code or ""
	nations map[string]string // written -> ISO alpha-2 or ""
	links   bool              // a link was written: records may no longer follow
	flushAt int
}

// authorityInfo is what the reference data says about an authority code.
type authorityInfo struct {
	name string          // the unit's name then, "" when the code is unknown
	now  []registry.Unit // today's units holding its register, primary first
}

// NewEncoder returns an Encoder writing to w. ref may be nil: nothing is
// then coded but the sex.
func NewEncoder(w io.Writer, ref *registry.RefData) *Encoder {
	return &Encoder{w: w, ref: ref, units: map[string]*authorityInfo{}, flushAt: 256 << 10}
}

// Begin writes the XML declaration and the root's start tag.
func (e *Encoder) Begin(h Header) error {
	x := &e.x
	x.b = append(x.b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"...)
	x.start("ht:GoiDuLieu")
	x.attr("xmlns:ht", Namespace)
	x.attr("xmlns:dc", DancuNamespace)
	x.attr("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")
	x.attr("xsi:schemaLocation", Namespace+" "+SchemaFile)
	x.attr("PhienBan", Version)
	x.attr("CheDo", string(h.Mode))
	x.attrInt("TuMoc", h.Since)
	x.attrInt("DenMoc", h.Until)
	if h.DataTime != "" {
		x.attr("ThoiDiemDuLieu", h.DataTime)
	}
	x.attrInt("Phan", int64(h.Part))
	x.attr("DanhMucDanToc", EthnicList)
	x.gt()
	x.b = append(x.b, '\n')
	return e.flush(false)
}

// End closes the root element and flushes.
func (e *Encoder) End() error {
	e.x.end("ht:GoiDuLieu")
	e.x.b = append(e.x.b, '\n')
	return e.flush(true)
}

func (e *Encoder) flush(force bool) error {
	if len(e.x.b) == 0 || (!force && len(e.x.b) < e.flushAt) {
		return nil
	}
	_, err := e.w.Write(e.x.b)
	e.x.b = e.x.b[:0]
	return err
}

// Record writes a register entry. On error nothing of the entry is written.
func (e *Encoder) Record(en registry.RecordChange) error {
	r := en.Record
	if e.links {
		return fmt.Errorf("record %s written after a link", r.ID)
	}
	body, ok := bodyElem[r.Register]
	if !ok {
		return fmt.Errorf("record %s: unknown register %q", r.ID, r.Register)
	}
	x := &e.x
	mark := len(x.b)
	x.err = nil
	e.used = e.used[:0]

	x.start("ht:BanGhi")
	x.attr("Ma", r.ID)
	x.attr("LoaiSo", string(r.Register))
	x.attr("Loai", changeKind(en.New))
	x.attrInt("PhienBan", r.Version)
	x.gt()
	e.registration(r)

	x.open(body)
	switch r.Register {
	case registry.Birth:
		e.person(r, birthSpec)
		e.person(r, declarantSpec)
	case registry.Marriage:
		e.person(r, marriageSpec)
	case registry.Death:
		e.person(r, deathSpec)
		e.dateField(r, "ht:ThoiDiemChet", colDeathTime)
		e.placeField(r, "ht:NoiChet", colDeathPlace)
		e.textField(r, "ht:NguyenNhanChet", colDeathCause)
		e.textField(r, "ht:GiayBaoTu", colDeathNotice)
		e.person(r, declarantSpec)
	case registry.Recognition:
		e.person(r, recognizerSpec)
		e.person(r, recognizedSpec)
		e.codedField(r, "ht:QuanHe", colRelation, relations, registry.RelationLabel)
	}
	x.end(body)

	e.textField(r, "ht:GhiChu", registry.ColNotes)
	e.textField(r, "ht:TepAnhScan", registry.ColScan)
	for _, k := range e.unused(r.Fields) {
		x.where = k
		x.start("ht:TruongKhac")
		x.attr("Ten", k)
		x.gt()
		x.text(r.Fields[k])
		x.end("ht:TruongKhac")
	}
	for _, k := range sortedKeys(r.Extra) {
		x.where = "extra:" + k
		x.start("ht:CotKhac")
		x.attr("Ten", k)
		x.gt()
		x.text(r.Extra[k])
		x.end("ht:CotKhac")
	}
	e.annotations(r)
	for _, ev := range en.Events {
		x.where = "event " + strconv.FormatInt(ev.Seq, 10)
		x.start("ht:SuKien")
		x.attrInt("Seq", ev.Seq)
		x.attr("Loai", ev.Kind)
		x.attr("ThoiDiem", ev.At)
		if ev.Actor != "" {
			x.attr("NguoiThucHien", ev.Actor)
		}
		if len(ev.Detail) == 0 {
			x.empty()
			continue
		}
		x.gt()
		for _, kv := range ev.Detail {
			x.start("ht:ThongTin")
			x.attr("Khoa", kv.Key)
			x.gt()
			x.text(kv.Value)
			x.end("ht:ThongTin")
		}
		x.end("ht:SuKien")
	}
	x.end("ht:BanGhi")
	x.b = append(x.b, '\n')
	if x.err != nil {
		x.b = x.b[:mark]
		err := x.err
		x.err = nil
		return fmt.Errorf("record %s: %w", r.ID, err)
	}
	return e.flush(false)
}

// Link writes a duplicate link. Links follow every record of the file.
func (e *Encoder) Link(l registry.LinkChange) error {
	e.links = true
	x := &e.x
	x.err = nil
	mark := len(x.b)
	x.where = "link"
	x.start("ht:LienKet")
	x.attr("BanGhiA", l.A)
	x.attr("BanGhiB", l.B)
	if l.Removed {
		x.attr("Loai", "xoa")
	} else {
		x.attr("Diem", formatScore(l.Score))
		x.attr("TrangThai", string(l.Status))
		x.attr("Loai", changeKind(l.New))
	}
	x.attrInt("PhienBan", l.Version)
	x.empty()
	x.b = append(x.b, '\n')
	if x.err != nil {
		x.b = x.b[:mark]
		err := x.err
		x.err = nil
		return fmt.Errorf("link %s–%s: %w", l.A, l.B, err)
	}
	return e.flush(false)
}

func changeKind(isNew bool) string {
	if isNew {
		return "moi"
	}
	return "cap-nhat"
}

// formatScore writes a score exactly: the shortest text that reads back to
// the same float64.
func formatScore(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// registration writes the register identity and registration.
func (e *Encoder) registration(r *registry.Record) {
	x := &e.x
	x.open("ht:DangKy")
	x.open("ht:CoQuanDangKy")
	x.where = registry.ColAuthorityCode
	x.leaf("ht:MaDonViHanhChinh", r.AuthorityCode)
	a := e.authority(r.AuthorityCode)
	if a.name != "" {
		x.leaf("ht:TenTheoDanhMuc", a.name)
	}
	x.where = registry.ColAuthorityName
	x.leaf("ht:TenGhiTrongSo", r.AuthorityName)
	for _, u := range a.now {
		x.start("ht:DonViHienNay")
		x.attr("Ma", u.Code)
		x.attr("Ten", u.Name)
		x.empty()
	}
	x.end("ht:CoQuanDangKy")
	x.where = registry.ColBook
	x.leaf("ht:QuyenSo", r.Book)
	x.where = registry.ColNumber
	x.leaf("ht:So", r.Number)
	x.where = registry.ColRegisteredOn
	e.date("ht:NgayDangKy", r.RegisteredOn, isoDate(r.RegisteredOn))
	e.codedField(r, "ht:LoaiDangKy", registry.ColRegKind, registrationKinds, func(k string) string {
		return registry.RegistrationKind(k).Label()
	})
	x.end("ht:DangKy")
}

func (e *Encoder) authority(code string) *authorityInfo {
	if a, ok := e.units[code]; ok {
		return a
	}
	a := &authorityInfo{}
	if e.ref != nil {
		if u, ok := e.ref.UnitThen(code); ok {
			a.name = u.Name
			a.now = e.ref.Successors(code)
		}
	}
	e.units[code] = a
	return a
}

// annotations writes the record's source references, open flags,
// conflicts and duplicate links.
func (e *Encoder) annotations(r *registry.Record) {
	x := &e.x
	x.where = "source_refs"
	for _, ref := range r.SourceRefs {
		x.leaf("ht:Nguon", ref)
	}
	x.where = "flags"
	for _, f := range r.Flags {
		x.start("ht:Co")
		x.attr("Ma", string(f.Code))
		if f.Field != "" {
			x.attr("Truong", f.Field)
		}
		if f.SourceRef != "" {
			x.attr("Nguon", f.SourceRef)
		}
		x.gt()
		x.text(f.Detail)
		x.end("ht:Co")
	}
	x.where = "conflicts"
	for _, c := range r.Conflicts {
		x.start("ht:XungDot")
		x.attr("Truong", c.Field)
		x.attr("DaGiaiQuyet", strconv.FormatBool(c.Resolved))
		x.gt()
		for i, v := range c.Values {
			x.start("ht:GiaTri")
			if i < len(c.SourceRefs) && c.SourceRefs[i] != "" {
				x.attr("Nguon", c.SourceRefs[i])
			}
			x.gt()
			x.text(v)
			x.end("ht:GiaTri")
		}
		x.end("ht:XungDot")
	}
	dups := r.Duplicates
	if !sort.SliceIsSorted(dups, func(i, j int) bool { return dups[i].ID < dups[j].ID }) {
		dups = append([]registry.DuplicateLink(nil), dups...)
		sort.SliceStable(dups, func(i, j int) bool { return dups[i].ID < dups[j].ID })
	}
	for _, d := range dups {
		x.start("ht:LienKetTrung")
		x.attr("Ma", d.ID)
		x.attr("Diem", formatScore(d.Score))
		x.attr("TrangThai", string(d.Status))
		x.empty()
	}
}

// field returns a stored value to write. Each column has one place in the
// layout, so none is asked for twice.
func (e *Encoder) field(r *registry.Record, key string) (string, bool) {
	if key == "" {
		return "", false
	}
	v, ok := r.Fields[key]
	if !ok || v == "" {
		return "", false // an empty value is written as TruongKhac, which keeps it
	}
	e.x.where = key
	return v, true
}

func (e *Encoder) use(key string) { e.used = append(e.used, key) }

// textField writes a free-text column.
func (e *Encoder) textField(r *registry.Record, elem, key string) {
	if v, ok := e.field(r, key); ok {
		e.x.leaf(elem, v)
		e.use(key)
	}
}

// placeField writes a place as written, in dc:ChiTiet. Free-text places are
// not resolved to unit codes: a code is never guessed.
func (e *Encoder) placeField(r *registry.Record, elem, key string) {
	if v, ok := e.field(r, key); ok {
		e.x.open(elem)
		e.x.leaf("dc:ChiTiet", v)
		e.x.end(elem)
		e.use(key)
	}
}

// dateField writes a date column with its precision.
func (e *Encoder) dateField(r *registry.Record, elem, key string) {
	v, ok := e.field(r, key)
	if !ok {
		return
	}
	d, ok := exactDate(v)
	if !ok {
		return // kept in TruongKhac as stored
	}
	e.date(elem, d, v)
	e.use(key)
}

// date writes a date; iso is d.ISO(), which the caller has at hand.
func (e *Encoder) date(elem string, d vntext.Date, iso string) {
	e.x.start(elem)
	e.x.attr("ht:DoChinhXac", precisionName(d))
	e.x.gt()
	e.x.text(iso)
	e.x.end(elem)
}

// codedField writes a value of one of the registry's code lists: the code
// in Ma with its label as text, or, for a value that is no code, the value
// as written without Ma.
func (e *Encoder) codedField(r *registry.Record, elem, key string, codes map[string]bool, label func(string) string) {
	v, ok := e.field(r, key)
	if !ok {
		return
	}
	x := &e.x
	x.start(elem)
	if codes[v] {
		x.attr("Ma", v)
		x.gt()
		x.text(label(v))
	} else {
		x.gt()
		x.text(v)
	}
	x.end(elem)
	e.use(key)
}

// person writes one person as a QCVN 109 citizen or related person, in the
// standard's element order, then the hotich extensions.
func (e *Encoder) person(r *registry.Record, p personSpec) {
	x := &e.x
	mark := len(x.b)
	x.open(p.elem)
	empty := len(x.b)
	e.personalID(r, p.key(registry.ColSoDinhDanh))
	if p.related {
		e.country(r, p.key(registry.ColQuocTich))
		e.name(r, p.key(registry.ColHoTen))
		e.birthDate(r, p.key(registry.ColNgaySinh))
		e.ethnic(r, p.key(registry.ColDanToc))
		e.placeField(r, "dc:ThuongTru", p.key(registry.ColNoiCuTru))
	} else {
		e.name(r, p.key(registry.ColHoTen))
		e.sex(r, p.key(registry.ColGioiTinh))
		e.ethnic(r, p.key(registry.ColDanToc))
		e.country(r, p.key(registry.ColQuocTich))
		e.birthDate(r, p.key(registry.ColNgaySinh))
		if p.birthRegistration && len(x.b) > empty && r.Fields[registry.ColRegKind] != string(registry.KindRecordedAbroad) {
			// The entry registers this birth: the authority is the place
			// of birth registration. (A birth recorded from abroad was
			// registered elsewhere.)
			x.where = registry.ColAuthorityCode
			x.open("dc:NoiDangKyKhaiSinh")
			x.leaf("dc:MaDonViHanhChinh", r.AuthorityCode)
			x.leaf("dc:ChiTiet", r.AuthorityName)
			x.leaf("dc:QuocGia", "VN")
			x.end("dc:NoiDangKyKhaiSinh")
		}
		e.placeField(r, "dc:QueQuan", p.key(registry.ColQueQuan))
		e.placeField(r, "dc:ThuongTru", p.key(registry.ColNoiCuTru))
		for _, n := range p.nested {
			e.person(r, n)
		}
	}
	e.placeField(r, "ht:NoiSinh", p.key(registry.ColNoiSinh))
	e.textField(r, "ht:GiayToTuyThan", p.key(registry.ColGiayTo))
	if p.declarant {
		e.textField(r, "ht:QuanHeVoiNguoiDuocKhai", colDeclarantRelation)
	}
	if len(x.b) == empty {
		x.b = x.b[:mark] // the register records nothing of this person
		return
	}
	x.end(p.elem)
}

// personalID writes a 12-digit personal ID as SoDinhDanh and a 9-digit
// identity card as SoCMND; anything else stays as written in TruongKhac.
func (e *Encoder) personalID(r *registry.Record, key string) {
	v, ok := e.field(r, key)
	if !ok {
		return
	}
	switch {
	case isDigits(v, 12):
		e.x.leaf("dc:SoDinhDanh", v)
	case isDigits(v, 9):
		e.x.leaf("dc:SoCMND", v)
	default:
		return
	}
	e.use(key)
}

func (e *Encoder) name(r *registry.Record, key string) {
	v, ok := e.field(r, key)
	if !ok {
		return
	}
	ho, dem, ten := e.names.split(v)
	x := &e.x
	x.open("dc:HoVaTen")
	if ho != "" {
		x.leaf("dc:Ho", ho)
	}
	if dem != "" {
		x.leaf("dc:ChuDem", dem)
	}
	if ten != "" {
		x.leaf("dc:Ten", ten)
	}
	x.end("dc:HoVaTen")
	e.use(key)
}

func (e *Encoder) sex(r *registry.Record, key string) {
	v, ok := e.field(r, key)
	if !ok {
		return
	}
	if code, ok := sexCode(v); ok {
		e.x.leaf("dc:GioiTinh", code)
		e.use(key)
	}
}

// ethnic writes an ethnic group: its QĐ 121 code when the written name maps
// to one, and always the name as written.
func (e *Encoder) ethnic(r *registry.Record, key string) {
	v, ok := e.field(r, key)
	if !ok {
		return
	}
	x := &e.x
	x.open("dc:DanToc")
	if code := e.ethnicCode(v); code != "" {
		x.leaf("dc:MaDanToc", code)
	}
	x.leaf("dc:TenGoi", v)
	x.end("dc:DanToc")
	e.use(key)
}

// country writes a nationality as its ISO 3166-1 alpha-2 code, with the
// value as written in ht:GhiTrongSo when that is not the code itself. A
// nationality that maps to no country stays as written in TruongKhac.
func (e *Encoder) country(r *registry.Record, key string) {
	v, ok := e.field(r, key)
	if !ok {
		return
	}
	code := e.countryCode(v)
	if code == "" {
		return
	}
	x := &e.x
	x.start("dc:QuocTich")
	if v != code {
		x.attr("ht:GhiTrongSo", v)
	}
	x.gt()
	x.text(code)
	x.end("dc:QuocTich")
	e.use(key)
}

func (e *Encoder) birthDate(r *registry.Record, key string) {
	v, ok := e.field(r, key)
	if !ok {
		return
	}
	d, ok := exactDate(v)
	if !ok || d.HasTime {
		return
	}
	e.x.open("dc:NgayThangNamSinh")
	e.date("dc:NgayThangNam", d, v)
	e.x.end("dc:NgayThangNamSinh")
	e.use(key)
}

// codeCacheSize bounds the caches of coded values: a few hundred spellings
// occur in practice.
const codeCacheSize = 4096

// ethnicCode returns the QĐ 121 code of an ethnic group as written, or "".
func (e *Encoder) ethnicCode(v string) string {
	code, ok := e.ethnics[v]
	if !ok {
		if e.ref != nil {
			if g, found := e.ref.EthnicGroup(v); found {
				code = g.Code
			}
		}
		if e.ethnics == nil || len(e.ethnics) >= codeCacheSize {
			e.ethnics = map[string]string{}
		}
		e.ethnics[v] = code
	}
	return code
}

// countryCode returns the ISO 3166-1 alpha-2 code of a nationality as
// written, or "".
func (e *Encoder) countryCode(v string) string {
	code, ok := e.nations[v]
	if !ok {
		if e.ref != nil {
			if c, found := e.ref.Country(v); found {
				code = c.Alpha2
			}
		}
		if e.nations == nil || len(e.nations) >= codeCacheSize {
			e.nations = map[string]string{}
		}
		e.nations[v] = code
	}
	return code
}

// unused returns the fields not yet written, sorted: usually none.
func (e *Encoder) unused(m map[string]string) []string {
	if len(e.used) == len(m) {
		return nil
	}
	used := make(map[string]bool, len(e.used))
	for _, k := range e.used {
		used[k] = true
	}
	var keys []string
	for k := range m {
		if !used[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

func sortedKeys(m map[string]string) []string {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
