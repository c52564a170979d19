package ministry

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

// The element structure as read back. encoding/xml matches the namespace
// in each tag; the tags must be literals, hence the repeated URIs.

type xDate struct {
	Value     string `xml:",chardata"`
	Precision string `xml:"https://github.com/hotich/hotich/ministry/1.0 DoChinhXac,attr"`
}

type xName struct {
	Ho     string `xml:"http://www.mic.gov.vn/dancu/1.0 Ho"`
	ChuDem string `xml:"http://www.mic.gov.vn/dancu/1.0 ChuDem"`
	Ten    string `xml:"http://www.mic.gov.vn/dancu/1.0 Ten"`
}

type xEthnic struct {
	Code string `xml:"http://www.mic.gov.vn/dancu/1.0 MaDanToc"`
	Name string `xml:"http://www.mic.gov.vn/dancu/1.0 TenGoi"`
}

type xCountry struct {
	Code    string `xml:",chardata"`
	Written string `xml:"https://github.com/hotich/hotich/ministry/1.0 GhiTrongSo,attr"`
}

type xPlace struct {
	Code    string `xml:"http://www.mic.gov.vn/dancu/1.0 MaDonViHanhChinh"`
	Detail  string `xml:"http://www.mic.gov.vn/dancu/1.0 ChiTiet"`
	Country string `xml:"http://www.mic.gov.vn/dancu/1.0 QuocGia"`
}

type xBirthDate struct {
	Date xDate `xml:"http://www.mic.gov.vn/dancu/1.0 NgayThangNam"`
}

type xPerson struct {
	SoDinhDanh string      `xml:"http://www.mic.gov.vn/dancu/1.0 SoDinhDanh"`
	SoCMND     string      `xml:"http://www.mic.gov.vn/dancu/1.0 SoCMND"`
	HoVaTen    *xName      `xml:"http://www.mic.gov.vn/dancu/1.0 HoVaTen"`
	GioiTinh   string      `xml:"http://www.mic.gov.vn/dancu/1.0 GioiTinh"`
	DanToc     *xEthnic    `xml:"http://www.mic.gov.vn/dancu/1.0 DanToc"`
	QuocTich   *xCountry   `xml:"http://www.mic.gov.vn/dancu/1.0 QuocTich"`
	BirthDate  *xBirthDate `xml:"http://www.mic.gov.vn/dancu/1.0 NgayThangNamSinh"`
	QueQuan    *xPlace     `xml:"http://www.mic.gov.vn/dancu/1.0 QueQuan"`
	ThuongTru  *xPlace     `xml:"http://www.mic.gov.vn/dancu/1.0 ThuongTru"`
	Cha        *xPerson    `xml:"http://www.mic.gov.vn/dancu/1.0 Cha"`
	Me         *xPerson    `xml:"http://www.mic.gov.vn/dancu/1.0 Me"`
	VoChong    *xPerson    `xml:"http://www.mic.gov.vn/dancu/1.0 VoChong"`
	NoiSinh    *xPlace     `xml:"https://github.com/hotich/hotich/ministry/1.0 NoiSinh"`
	GiayTo     string      `xml:"https://github.com/hotich/hotich/ministry/1.0 GiayToTuyThan"`
	QuanHe     string      `xml:"https://github.com/hotich/hotich/ministry/1.0 QuanHeVoiNguoiDuocKhai"`
}

type xCoded struct {
	Code string `xml:"Ma,attr"`
	Text string `xml:",chardata"`
}

type xUnitNow struct {
	Code string `xml:"Ma,attr"`
	Name string `xml:"Ten,attr"`
}

type xRegistration struct {
	Authority struct {
		Code    string     `xml:"https://github.com/hotich/hotich/ministry/1.0 MaDonViHanhChinh"`
		RefName string     `xml:"https://github.com/hotich/hotich/ministry/1.0 TenTheoDanhMuc"`
		Written string     `xml:"https://github.com/hotich/hotich/ministry/1.0 TenGhiTrongSo"`
		Now     []xUnitNow `xml:"https://github.com/hotich/hotich/ministry/1.0 DonViHienNay"`
	} `xml:"https://github.com/hotich/hotich/ministry/1.0 CoQuanDangKy"`
	Book       string  `xml:"https://github.com/hotich/hotich/ministry/1.0 QuyenSo"`
	Number     string  `xml:"https://github.com/hotich/hotich/ministry/1.0 So"`
	Registered xDate   `xml:"https://github.com/hotich/hotich/ministry/1.0 NgayDangKy"`
	Kind       *xCoded `xml:"https://github.com/hotich/hotich/ministry/1.0 LoaiDangKy"`
}

type xBirth struct {
	Child     *xPerson `xml:"https://github.com/hotich/hotich/ministry/1.0 NguoiDuocKhaiSinh"`
	Declarant *xPerson `xml:"https://github.com/hotich/hotich/ministry/1.0 NguoiDiKhai"`
}

type xMarriage struct {
	Wife *xPerson `xml:"https://github.com/hotich/hotich/ministry/1.0 Vo"`
}

type xDeath struct {
	Deceased  *xPerson `xml:"https://github.com/hotich/hotich/ministry/1.0 NguoiChet"`
	Time      *xDate   `xml:"https://github.com/hotich/hotich/ministry/1.0 ThoiDiemChet"`
	Place     *xPlace  `xml:"https://github.com/hotich/hotich/ministry/1.0 NoiChet"`
	Cause     string   `xml:"https://github.com/hotich/hotich/ministry/1.0 NguyenNhanChet"`
	Notice    string   `xml:"https://github.com/hotich/hotich/ministry/1.0 GiayBaoTu"`
	Declarant *xPerson `xml:"https://github.com/hotich/hotich/ministry/1.0 NguoiDiKhai"`
}

type xRecognition struct {
	Recognizer *xPerson `xml:"https://github.com/hotich/hotich/ministry/1.0 NguoiNhan"`
	Recognized *xPerson `xml:"https://github.com/hotich/hotich/ministry/1.0 NguoiDuocNhan"`
	Relation   *xCoded  `xml:"https://github.com/hotich/hotich/ministry/1.0 QuanHe"`
}

type xNamed struct {
	Name  string `xml:"Ten,attr"`
	Value string `xml:",chardata"`
}

type xFlag struct {
	Code   string `xml:"Ma,attr"`
	Field  string `xml:"Truong,attr"`
	Source string `xml:"Nguon,attr"`
	Detail string `xml:",chardata"`
}

type xConflict struct {
	Field    string `xml:"Truong,attr"`
	Resolved bool   `xml:"DaGiaiQuyet,attr"`
	Values   []struct {
		Source string `xml:"Nguon,attr"`
		Value  string `xml:",chardata"`
	} `xml:"https://github.com/hotich/hotich/ministry/1.0 GiaTri"`
}

type xDuplicate struct {
	ID     string `xml:"Ma,attr"`
	Score  string `xml:"Diem,attr"`
	Status string `xml:"TrangThai,attr"`
}

type xEvent struct {
	Seq    int64  `xml:"Seq,attr"`
	Kind   string `xml:"Loai,attr"`
	At     string `xml:"ThoiDiem,attr"`
	Actor  string `xml:"NguoiThucHien,attr"`
	Detail []struct {
		Key   string `xml:"Khoa,attr"`
		Value string `xml:",chardata"`
	} `xml:"https://github.com/hotich/hotich/ministry/1.0 ThongTin"`
}

type xRecord struct {
	ID           string        `xml:"Ma,attr"`
	Register     string        `xml:"LoaiSo,attr"`
	Change       string        `xml:"Loai,attr"`
	Version      int64         `xml:"PhienBan,attr"`
	Registration xRegistration `xml:"https://github.com/hotich/hotich/ministry/1.0 DangKy"`
	Birth        *xBirth       `xml:"https://github.com/hotich/hotich/ministry/1.0 KhaiSinh"`
	Marriage     *xMarriage    `xml:"https://github.com/hotich/hotich/ministry/1.0 KetHon"`
	Death        *xDeath       `xml:"https://github.com/hotich/hotich/ministry/1.0 KhaiTu"`
	Recognition  *xRecognition `xml:"https://github.com/hotich/hotich/ministry/1.0 NhanChaMeCon"`
	Notes        *string       `xml:"https://github.com/hotich/hotich/ministry/1.0 GhiChu"`
	Scan         *string       `xml:"https://github.com/hotich/hotich/ministry/1.0 TepAnhScan"`
	Other        []xNamed      `xml:"https://github.com/hotich/hotich/ministry/1.0 TruongKhac"`
	Extra        []xNamed      `xml:"https://github.com/hotich/hotich/ministry/1.0 CotKhac"`
	Sources      []string      `xml:"https://github.com/hotich/hotich/ministry/1.0 Nguon"`
	Flags        []xFlag       `xml:"https://github.com/hotich/hotich/ministry/1.0 Co"`
	Conflicts    []xConflict   `xml:"https://github.com/hotich/hotich/ministry/1.0 XungDot"`
	Duplicates   []xDuplicate  `xml:"https://github.com/hotich/hotich/ministry/1.0 LienKetTrung"`
	Events       []xEvent      `xml:"https://github.com/hotich/hotich/ministry/1.0 SuKien"`
}

type xLink struct {
	A       string `xml:"BanGhiA,attr"`
	B       string `xml:"BanGhiB,attr"`
	Score   string `xml:"Diem,attr"`
	Status  string `xml:"TrangThai,attr"`
	Change  string `xml:"Loai,attr"`
	Version int64  `xml:"PhienBan,attr"`
}

// Decoder reads one data file back, entry by entry, in constant memory.
type Decoder struct {
	d      *xml.Decoder
	header *Header
	done   bool
}

// NewDecoder returns a Decoder reading from r.
func NewDecoder(r io.Reader) *Decoder {
	return &Decoder{d: xml.NewDecoder(r)}
}

// Header reads the root element and returns what it says. It fails on a
// file of another format or format version.
func (d *Decoder) Header() (Header, error) {
	if d.header != nil {
		return *d.header, nil
	}
	for {
		tok, err := d.d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return Header{}, fmt.Errorf("no GoiDuLieu element")
			}
			return Header{}, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if se.Name.Local != "GoiDuLieu" {
			return Header{}, fmt.Errorf("root element %s is not GoiDuLieu", se.Name.Local)
		}
		if se.Name.Space != Namespace {
			return Header{}, fmt.Errorf("namespace %q is not format %s's (%s)", se.Name.Space, Version, Namespace)
		}
		h := Header{}
		for _, a := range se.Attr {
			if a.Name.Space != "" {
				continue
			}
			switch a.Name.Local {
			case "PhienBan":
				if a.Value != Version {
					return Header{}, fmt.Errorf("format version %q not supported (want %s)", a.Value, Version)
				}
			case "CheDo":
				h.Mode = Mode(a.Value)
			case "TuMoc":
				h.Since, err = strconv.ParseInt(a.Value, 10, 64)
			case "DenMoc":
				h.Until, err = strconv.ParseInt(a.Value, 10, 64)
			case "Phan":
				h.Part, err = strconv.Atoi(a.Value)
			case "ThoiDiemDuLieu":
				h.DataTime = a.Value
			case "DanhMucDanToc":
				if a.Value != EthnicList {
					return Header{}, fmt.Errorf("ethnic-group list %q is not %s", a.Value, EthnicList)
				}
			}
			if err != nil {
				return Header{}, fmt.Errorf("attribute %s: %w", a.Name.Local, err)
			}
		}
		if h.Mode != Full && h.Mode != Changes {
			return Header{}, fmt.Errorf("CheDo %q is neither %s nor %s", h.Mode, Full, Changes)
		}
		d.header = &h
		return h, nil
	}
}

// Next returns the next entry, or io.EOF after the last.
func (d *Decoder) Next() (Entry, error) {
	if _, err := d.Header(); err != nil {
		return Entry{}, err
	}
	if d.done {
		return Entry{}, io.EOF
	}
	for {
		tok, err := d.d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return Entry{}, io.ErrUnexpectedEOF
			}
			return Entry{}, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			d.done = true
			return Entry{}, io.EOF
		case xml.StartElement:
			if t.Name.Space != Namespace {
				return Entry{}, fmt.Errorf("unexpected element %s %s", t.Name.Space, t.Name.Local)
			}
			switch t.Name.Local {
			case "BanGhi":
				var xr xRecord
				if err := d.d.DecodeElement(&xr, &t); err != nil {
					return Entry{}, err
				}
				rec, err := xr.entry()
				if err != nil {
					return Entry{}, fmt.Errorf("BanGhi %s: %w", xr.ID, err)
				}
				return Entry{Record: rec}, nil
			case "LienKet":
				var xl xLink
				if err := d.d.DecodeElement(&xl, &t); err != nil {
					return Entry{}, err
				}
				l, err := xl.entry()
				if err != nil {
					return Entry{}, fmt.Errorf("LienKet %s–%s: %w", xl.A, xl.B, err)
				}
				return Entry{Link: l}, nil
			default:
				return Entry{}, fmt.Errorf("unexpected element %s", t.Name.Local)
			}
		}
	}
}

func parseChange(s string) (bool, error) {
	switch s {
	case "moi":
		return true, nil
	case "cap-nhat":
		return false, nil
	}
	return false, fmt.Errorf("Loai %q is neither moi nor cap-nhat", s)
}

func parseStatus(s string) (registry.LinkStatus, error) {
	switch st := registry.LinkStatus(s); st {
	case registry.LinkSuspected, registry.LinkAuto, registry.LinkConfirmed, registry.LinkRejected:
		return st, nil
	}
	return "", fmt.Errorf("link state %q unknown", s)
}

func (xl *xLink) entry() (*registry.LinkChange, error) {
	if xl.A == "" || xl.B == "" || xl.A >= xl.B {
		return nil, fmt.Errorf("BanGhiA must come before BanGhiB")
	}
	if xl.Change == "xoa" {
		return &registry.LinkChange{A: xl.A, B: xl.B, Version: xl.Version, Removed: true}, nil
	}
	isNew, err := parseChange(xl.Change)
	if err != nil {
		return nil, err
	}
	score, err := strconv.ParseFloat(xl.Score, 64)
	if err != nil {
		return nil, fmt.Errorf("Diem: %w", err)
	}
	st, err := parseStatus(xl.Status)
	if err != nil {
		return nil, err
	}
	return &registry.LinkChange{A: xl.A, B: xl.B, Score: score, Status: st, Version: xl.Version, New: isNew}, nil
}

// readDate parses a date and checks its precision attribute.
func readDate(x xDate) (vntext.Date, error) {
	d, err := vntext.ParseISODate(strings.TrimSpace(x.Value))
	if err != nil {
		return d, err
	}
	if x.Precision != "" && x.Precision != precisionName(d) {
		return d, fmt.Errorf("date %s has precision %s, not %s", d.ISO(), precisionName(d), x.Precision)
	}
	return d, nil
}

// entry rebuilds the record and its annotations.
func (xr *xRecord) entry() (*registry.RecordChange, error) {
	isNew, err := parseChange(xr.Change)
	if err != nil {
		return nil, err
	}
	reg := registry.Register(xr.Register)
	if !reg.Valid() {
		return nil, fmt.Errorf("LoaiSo %q unknown", xr.Register)
	}
	g := xr.Registration
	r := &registry.Record{
		ID:            xr.ID,
		Register:      reg,
		AuthorityCode: g.Authority.Code,
		AuthorityName: g.Authority.Written,
		Book:          g.Book,
		Number:        g.Number,
		Fields:        map[string]string{},
		Version:       xr.Version,
	}
	if r.RegisteredOn, err = readDate(g.Registered); err != nil {
		return nil, fmt.Errorf("NgayDangKy: %w", err)
	}
	f := fieldSetter{fields: r.Fields}
	if g.Kind != nil {
		f.coded(registry.ColRegKind, g.Kind)
	}
	var bodies int
	if b := xr.Birth; b != nil {
		bodies++
		f.person(birthSpec, b.Child)
		f.person(declarantSpec, b.Declarant)
	}
	if m := xr.Marriage; m != nil {
		bodies++
		f.person(marriageSpec, m.Wife)
	}
	if d := xr.Death; d != nil {
		bodies++
		f.person(deathSpec, d.Deceased)
		f.date(colDeathTime, d.Time)
		f.place(colDeathPlace, d.Place)
		f.set(colDeathCause, d.Cause)
		f.set(colDeathNotice, d.Notice)
		f.person(declarantSpec, d.Declarant)
	}
	if n := xr.Recognition; n != nil {
		bodies++
		f.person(recognizerSpec, n.Recognizer)
		f.person(recognizedSpec, n.Recognized)
		if n.Relation != nil {
			f.coded(colRelation, n.Relation)
		}
	}
	want := map[registry.Register]bool{
		registry.Birth: xr.Birth != nil, registry.Marriage: xr.Marriage != nil,
		registry.Death: xr.Death != nil, registry.Recognition: xr.Recognition != nil,
	}
	if bodies != 1 || !want[reg] {
		return nil, fmt.Errorf("event data does not match register %s", reg)
	}
	if xr.Notes != nil {
		r.Fields[registry.ColNotes] = *xr.Notes
	}
	if xr.Scan != nil {
		r.Fields[registry.ColScan] = *xr.Scan
	}
	for _, o := range xr.Other {
		r.Fields[o.Name] = o.Value
	}
	if f.err != nil {
		return nil, f.err
	}
	for _, x := range xr.Extra {
		if r.Extra == nil {
			r.Extra = map[string]string{}
		}
		r.Extra[x.Name] = x.Value
	}
	r.SourceRefs = append(r.SourceRefs, xr.Sources...)
	for _, x := range xr.Flags {
		r.Flags = append(r.Flags, registry.Flag{Code: registry.FlagCode(x.Code), Field: x.Field, Detail: x.Detail, SourceRef: x.Source})
	}
	for _, x := range xr.Conflicts {
		c := registry.Conflict{Field: x.Field, Resolved: x.Resolved}
		for _, v := range x.Values {
			c.Values = append(c.Values, v.Value)
			c.SourceRefs = append(c.SourceRefs, v.Source)
		}
		r.Conflicts = append(r.Conflicts, c)
	}
	for _, x := range xr.Duplicates {
		score, err := strconv.ParseFloat(x.Score, 64)
		if err != nil {
			return nil, fmt.Errorf("LienKetTrung %s: Diem: %w", x.ID, err)
		}
		st, err := parseStatus(x.Status)
		if err != nil {
			return nil, fmt.Errorf("LienKetTrung %s: %w", x.ID, err)
		}
		r.Duplicates = append(r.Duplicates, registry.DuplicateLink{ID: x.ID, Score: score, Status: st})
	}
	en := &registry.RecordChange{Record: r, New: isNew}
	for _, x := range xr.Events {
		ev := registry.Event{Seq: x.Seq, Kind: x.Kind, At: x.At, Actor: x.Actor}
		for _, kv := range x.Detail {
			ev.Detail = append(ev.Detail, registry.KeyValue{Key: kv.Key, Value: kv.Value})
		}
		en.Events = append(en.Events, ev)
	}
	return en, nil
}

// fieldSetter puts values read back into a record's fields.
type fieldSetter struct {
	fields map[string]string
	err    error
}

func (f *fieldSetter) set(key, v string) {
	if key != "" && v != "" {
		f.fields[key] = v
	}
}

func (f *fieldSetter) coded(key string, c *xCoded) {
	if c.Code != "" {
		f.set(key, c.Code)
	} else {
		f.set(key, c.Text)
	}
}

func (f *fieldSetter) place(key string, p *xPlace) {
	if p != nil {
		f.set(key, p.Detail)
	}
}

func (f *fieldSetter) date(key string, x *xDate) {
	if x == nil {
		return
	}
	d, err := readDate(*x)
	if err != nil {
		if f.err == nil {
			f.err = fmt.Errorf("%s: %w", key, err)
		}
		return
	}
	f.set(key, d.ISO())
}

// person reads one person back into the columns of spec. Derived elements
// (NoiDangKyKhaiSinh, codes beside written values) are not stored values and
// are not read.
func (f *fieldSetter) person(spec personSpec, p *xPerson) {
	if p == nil {
		return
	}
	key := spec.key
	if p.SoDinhDanh != "" {
		f.set(key(registry.ColSoDinhDanh), p.SoDinhDanh)
	} else {
		f.set(key(registry.ColSoDinhDanh), p.SoCMND)
	}
	if n := p.HoVaTen; n != nil {
		f.set(key(registry.ColHoTen), joinName(n.Ho, n.ChuDem, n.Ten))
	}
	f.set(key(registry.ColGioiTinh), sexValue(p.GioiTinh))
	if p.DanToc != nil {
		f.set(key(registry.ColDanToc), p.DanToc.Name)
	}
	if c := p.QuocTich; c != nil {
		if c.Written != "" {
			f.set(key(registry.ColQuocTich), c.Written)
		} else {
			f.set(key(registry.ColQuocTich), c.Code)
		}
	}
	if p.BirthDate != nil {
		f.date(key(registry.ColNgaySinh), &p.BirthDate.Date)
	}
	f.place(key(registry.ColQueQuan), p.QueQuan)
	f.place(key(registry.ColNoiCuTru), p.ThuongTru)
	f.place(key(registry.ColNoiSinh), p.NoiSinh)
	f.set(key(registry.ColGiayTo), p.GiayTo)
	if spec.declarant {
		f.set(colDeclarantRelation, p.QuanHe)
	}
	for _, n := range spec.nested {
		switch n.elem {
		case "dc:Cha":
			f.person(n, p.Cha)
		case "dc:Me":
			f.person(n, p.Me)
		case "dc:VoChong":
			f.person(n, p.VoChong)
		}
	}
}
