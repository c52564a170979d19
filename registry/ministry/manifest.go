package ministry

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strconv"

	"github.com/hotich/hotich/registry"
)

// Manifest describes an export: its format version, mode and watermark
// range, the code lists its values use, how many entries it holds per
// register, and every file with its size and SHA-256. It is written last:
// an export without its manifest is incomplete.
type Manifest struct {
	Mode     Mode
	Since    int64 // watermark range (Since, Until] of the source store's event log
	Until    int64
	DataTime string // the source store's time of event Until
	PerFile  int    // most entries per data file
	Counts   []Count
	Links    Count
	Files    []ManifestFile

	// Name is the manifest's own file name (set when read).
	Name string
}

// Count counts entries: created in the watermark range, changed in it, or
// (links only) removed in it.
type Count struct {
	Register registry.Register // "" for links
	New      int
	Updated  int
	Removed  int
}

// ManifestFile is one file of an export.
type ManifestFile struct {
	Name    string
	Kind    string // FileData or FileSchema
	Part    int    // data files: 1-based
	Entries int    // data files: entries held
	Size    int64
	SHA256  string // hex
}

// File kinds in a manifest.
const (
	FileData   = "du-lieu"
	FileSchema = "luoc-do"
)

// CodeList names a code list the format uses.
type CodeList struct{ Element, List, Description string }

// CodeLists are the code lists of format 1.0, named in every manifest.
var CodeLists = []CodeList{
	{"GioiTinh", "QCVN 109:2017/BTTTT", "1 Nam, 2 Nữ; không ghi mã khi sổ không ghi hoặc ghi khác"},
	{"MaDanToc", EthnicList, "mã 2 chữ số theo QĐ 121-TCTK/PPCĐ (1979); không phải QĐ 1019/QĐ-TCTK (2008)"},
	{"QuocTich", "ISO 3166-1 alpha-2", "mã quốc gia 2 chữ cái; QuocGia cũng vậy"},
	{"MaDonViHanhChinh", "GSO (QĐ 124/2004/QĐ-TTg; QĐ 19/2025/QĐ-TTg)", "cơ quan đăng ký theo mã khi đăng ký; DonViHienNay theo danh mục từ 01/7/2025"},
}

// DataFileName is the name of a data file of an export.
func DataFileName(since, until int64, part int) string {
	return fmt.Sprintf("hotich-%d-%d-%04d.xml", since, until, part)
}

// ManifestFileName is the name of an export's manifest.
func ManifestFileName(since, until int64) string {
	return fmt.Sprintf("hotich-%d-%d-manifest.xml", since, until)
}

// Encode writes the manifest.
func (m *Manifest) Encode(w io.Writer) error {
	var x xmlBuf
	x.b = append(x.b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"...)
	x.start("ht:BangKe")
	x.attr("xmlns:ht", Namespace)
	x.attr("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")
	x.attr("xsi:schemaLocation", Namespace+" "+SchemaFile)
	x.attr("PhienBan", Version)
	x.attr("CheDo", string(m.Mode))
	x.attrInt("TuMoc", m.Since)
	x.attrInt("DenMoc", m.Until)
	if m.DataTime != "" {
		x.attr("ThoiDiemDuLieu", m.DataTime)
	}
	x.attrInt("SoMucToiDaMoiTep", int64(m.PerFile))
	x.gt()
	x.b = append(x.b, '\n')
	for _, c := range CodeLists {
		x.start("ht:DanhMuc")
		x.attr("Ten", c.Element)
		x.attr("Ma", c.List)
		x.gt()
		x.text(c.Description)
		x.end("ht:DanhMuc")
		x.b = append(x.b, '\n')
	}
	for _, c := range m.Counts {
		x.start("ht:SoLuong")
		x.attr("LoaiSo", string(c.Register))
		x.attrInt("Moi", int64(c.New))
		x.attrInt("CapNhat", int64(c.Updated))
		x.empty()
		x.b = append(x.b, '\n')
	}
	x.start("ht:SoLuongLienKet")
	x.attrInt("Moi", int64(m.Links.New))
	x.attrInt("CapNhat", int64(m.Links.Updated))
	x.attrInt("Xoa", int64(m.Links.Removed))
	x.empty()
	x.b = append(x.b, '\n')
	for _, f := range m.Files {
		x.start("ht:Tep")
		x.attr("Ten", f.Name)
		x.attr("Loai", f.Kind)
		if f.Kind == FileData {
			x.attrInt("Phan", int64(f.Part))
			x.attrInt("SoMuc", int64(f.Entries))
		}
		x.attrInt("KichThuoc", f.Size)
		x.attr("SHA256", f.SHA256)
		x.empty()
		x.b = append(x.b, '\n')
	}
	x.end("ht:BangKe")
	x.b = append(x.b, '\n')
	if x.err != nil {
		return x.err
	}
	_, err := w.Write(x.b)
	return err
}

type xManifest struct {
	XMLName  xml.Name `xml:"https://github.com/hotich/hotich/ministry/1.0 BangKe"`
	Version  string   `xml:"PhienBan,attr"`
	Mode     string   `xml:"CheDo,attr"`
	Since    int64    `xml:"TuMoc,attr"`
	Until    int64    `xml:"DenMoc,attr"`
	DataTime string   `xml:"ThoiDiemDuLieu,attr"`
	PerFile  int      `xml:"SoMucToiDaMoiTep,attr"`
	Lists    []struct {
		Element string `xml:"Ten,attr"`
		List    string `xml:"Ma,attr"`
	} `xml:"https://github.com/hotich/hotich/ministry/1.0 DanhMuc"`
	Counts []struct {
		Register string `xml:"LoaiSo,attr"`
		New      int    `xml:"Moi,attr"`
		Updated  int    `xml:"CapNhat,attr"`
	} `xml:"https://github.com/hotich/hotich/ministry/1.0 SoLuong"`
	Links struct {
		New     int `xml:"Moi,attr"`
		Updated int `xml:"CapNhat,attr"`
		Removed int `xml:"Xoa,attr"`
	} `xml:"https://github.com/hotich/hotich/ministry/1.0 SoLuongLienKet"`
	Files []struct {
		Name    string `xml:"Ten,attr"`
		Kind    string `xml:"Loai,attr"`
		Part    int    `xml:"Phan,attr"`
		Entries int    `xml:"SoMuc,attr"`
		Size    int64  `xml:"KichThuoc,attr"`
		SHA256  string `xml:"SHA256,attr"`
	} `xml:"https://github.com/hotich/hotich/ministry/1.0 Tep"`
}

// DecodeManifest reads a manifest. It fails on another format version or
// on code lists other than format 1.0's.
func DecodeManifest(r io.Reader) (*Manifest, error) {
	var xm xManifest
	if err := xml.NewDecoder(r).Decode(&xm); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if xm.Version != Version {
		return nil, fmt.Errorf("manifest: format version %q not supported (want %s)", xm.Version, Version)
	}
	m := &Manifest{Mode: Mode(xm.Mode), Since: xm.Since, Until: xm.Until, DataTime: xm.DataTime, PerFile: xm.PerFile,
		Links: Count{New: xm.Links.New, Updated: xm.Links.Updated, Removed: xm.Links.Removed}}
	if m.Mode != Full && m.Mode != Changes {
		return nil, fmt.Errorf("manifest: CheDo %q unknown", xm.Mode)
	}
	if m.Since > m.Until {
		return nil, fmt.Errorf("manifest: watermark range %d..%d is empty", m.Since, m.Until)
	}
	for _, l := range xm.Lists {
		for _, c := range CodeLists {
			if l.Element == c.Element && l.List != c.List {
				return nil, fmt.Errorf("manifest: %s uses code list %q, not %q", l.Element, l.List, c.List)
			}
		}
	}
	for _, c := range xm.Counts {
		m.Counts = append(m.Counts, Count{Register: registry.Register(c.Register), New: c.New, Updated: c.Updated})
	}
	for _, f := range xm.Files {
		if f.Name == "" || path.Base(f.Name) != f.Name || f.Name[0] == '.' {
			return nil, fmt.Errorf("manifest: file name %q not allowed", f.Name)
		}
		if f.Kind != FileData && f.Kind != FileSchema {
			return nil, fmt.Errorf("manifest: file %s: kind %q unknown", f.Name, f.Kind)
		}
		m.Files = append(m.Files, ManifestFile{Name: f.Name, Kind: f.Kind, Part: f.Part, Entries: f.Entries, Size: f.Size, SHA256: f.SHA256})
	}
	return m, nil
}

// DataFiles returns the manifest's data files in part order.
func (m *Manifest) DataFiles() []ManifestFile {
	var fs []ManifestFile
	for _, f := range m.Files {
		if f.Kind == FileData {
			fs = append(fs, f)
		}
	}
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Part < fs[j].Part })
	return fs
}

// Entries returns the number of entries of the export.
func (m *Manifest) Entries() int {
	n := 0
	for _, f := range m.DataFiles() {
		n += f.Entries
	}
	return n
}

// Verify checks that every file of the manifest is in fsys with its size
// and SHA-256.
func (m *Manifest) Verify(fsys fs.FS) error {
	var errs []error
	for _, f := range m.Files {
		if err := verifyFile(fsys, f); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func verifyFile(fsys fs.FS, f ManifestFile) error {
	r, err := fsys.Open(f.Name)
	if err != nil {
		return err
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Name, err)
	}
	if n != f.Size {
		return fmt.Errorf("%s: %d bytes, the manifest says %d", f.Name, n, f.Size)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.SHA256 {
		return fmt.Errorf("%s: SHA-256 %s, the manifest says %s", f.Name, got, f.SHA256)
	}
	return nil
}

// ReadManifests reads every manifest in an export folder, sorted by
// watermark range (oldest first). A folder may hold a chain of exports.
func ReadManifests(fsys fs.FS) ([]*Manifest, error) {
	names, err := fs.Glob(fsys, "hotich-*-manifest.xml")
	if err != nil {
		return nil, err
	}
	var ms []*Manifest
	for _, name := range names {
		f, err := fsys.Open(name)
		if err != nil {
			return nil, err
		}
		m, err := DecodeManifest(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if want := ManifestFileName(m.Since, m.Until); name != want {
			return nil, fmt.Errorf("%s: holds the range %d..%d, so should be named %s", name, m.Since, m.Until, want)
		}
		m.Name = name
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool {
		if ms[i].Since != ms[j].Since {
			return ms[i].Since < ms[j].Since
		}
		return ms[i].Until < ms[j].Until
	})
	return ms, nil
}

// ParseWatermark reads a watermark as written on the command line.
func ParseWatermark(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("watermark %q is not a non-negative integer", s)
	}
	return n, nil
}
