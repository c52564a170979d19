package ministry_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/ministry"
	"github.com/hotich/hotich/registry/vntext"
)

var update = flag.Bool("update", false, "rewrite testdata/example golden files")

// testRef is a small slice of the reference data.
func testRef() *registry.RefData {
	units := []registry.Unit{
		{Era: registry.EraBefore, Code: "79", Level: 1, Name: "Thành phố Hồ Chí Minh", ProvinceCode: "79"},
		{Era: registry.EraBefore, Code: "760", Level: 2, Name: "Quận 1", ParentCode: "79", ProvinceCode: "79"},
		{Era: registry.EraBefore, Code: "26740", Level: 3, Name: "Phường Bến Nghé", ParentCode: "760", ProvinceCode: "79"},
		{Era: registry.EraBefore, Code: "26734", Level: 3, Name: "Phường Tân Định", ParentCode: "760", ProvinceCode: "79"},
		{Era: registry.EraAfter, Code: "79", Level: 1, Name: "Thành phố Hồ Chí Minh", ProvinceCode: "79"},
		{Era: registry.EraAfter, Code: "26740", Level: 3, Name: "Phường Sài Gòn", ParentCode: "79", ProvinceCode: "79"},
		{Era: registry.EraAfter, Code: "26737", Level: 3, Name: "Phường Tân Định", ParentCode: "79", ProvinceCode: "79"},
	}
	succ := []registry.Succession{{OldCode: "26740", NewCode: "26740", Kind: "full"}, {OldCode: "26734", NewCode: "26737", Kind: "full"}}
	groups := []registry.EthnicGroup{{Code: "01", Name: "Kinh", Aliases: []string{"Việt"}}, {Code: "04", Name: "Hoa"}, {Code: "05", Name: "Khơ-me", Aliases: []string{"Khmer", "Khơ me"}}}
	countries := []registry.Country{
		{Alpha2: "VN", Alpha3: "VNM", NameVi: "Việt Nam", NameEn: "Viet Nam"},
		{Alpha2: "KR", Alpha3: "KOR", NameVi: "Hàn Quốc", NameEn: "Korea"},
	}
	return registry.NewRefData(units, succ, groups, countries)
}

func date(s string) vntext.Date {
	d, err := vntext.ParseISODate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// record builds a record with its ID derived from its identity.
func record(reg registry.Register, authority, book, number, registered string, fields map[string]string) *registry.Record {
	names := map[string]string{"26740": "UBND Phường Bến Nghé, Quận 1", "26734": "UBND Phường Tân Định, Quận 1", "760": "UBND Quận 1"}
	r := &registry.Record{Register: reg, AuthorityCode: authority, AuthorityName: names[authority], Book: book, Number: number,
		RegisteredOn: date(registered), Fields: fields, Version: 7}
	r.ID = r.Identity().RecordID()
	r.SourceRefs = []string{strings.ToLower(string(reg)) + "-" + authority + ".csv#" + number}
	return r
}

// sampleEntries covers every register and the values that need care.
func sampleEntries() ([]registry.RecordChange, []registry.LinkChange) {
	birth := record(registry.Birth, "26740", "01/2010", "125", "2010-03-15", map[string]string{
		"ho_ten": "Nguyễn Văn An", "ngay_sinh": "2010-03-01", "gioi_tinh": "Nam", "dan_toc": "Kinh",
		"quoc_tich": "Việt Nam", "noi_sinh": "Bệnh viện Từ Dũ", "que_quan": "Huế", "so_dinh_danh": "079210000125",
		"me_ho_ten": "Trần Thị Bình", "me_ngay_sinh": "1985", "me_dan_toc": "Hoa", "me_quoc_tich": "VN", "me_noi_cu_tru": "12 Lê Lợi, Quận 1",
		"cha_ho_ten": "Nguyễn Văn Cường", "cha_ngay_sinh": "1983-07", "cha_dan_toc": "Xtiêng Cổ", "cha_quoc_tich": "Liên Xô",
		"nguoi_di_khai": "Nguyễn Văn Cường", "quan_he_nguoi_di_khai": "Cha",
		"loai_dang_ky": "dang_ky_moi", "ghi_chu": "Cải chính họ mẹ ngày 02/5/2015 theo QĐ số 12 & \"bổ sung\" <x>",
		"anh_scan": "q1/ks/2010/125.pdf",
	})
	birth.Extra = map[string]string{"Người ký": "Lê Văn Tám", "Số trang": "14"}
	birth.SourceRefs = append(birth.SourceRefs, "rescan#2023.csv#7")
	birth.Flags = []registry.Flag{
		{Code: registry.FlagConflict, Field: "noi_sinh", Detail: "các bản quét khác nhau ở trường noi_sinh", SourceRef: "rescan#2023.csv#7"},
		{Code: registry.FlagUnknownValue, Field: "cha_dan_toc", Detail: "dân tộc không rõ: Xtiêng Cổ"},
	}
	birth.Conflicts = []registry.Conflict{{Field: "noi_sinh", Values: []string{"Bệnh viện Từ Dũ", "BV Từ Dũ"}, SourceRefs: []string{"ks-26740.csv#125", "rescan#2023.csv#7"}}}
	birth.Duplicates = []registry.DuplicateLink{{ID: "KS-26740-0000000000", Score: 0.9712, Status: registry.LinkSuspected}}
	birthEvents := []registry.Event{{Seq: 9, Kind: "record_corrected", At: "2025-06-09T08:00:00Z", Actor: "clerk01",
		Detail: []registry.KeyValue{{Key: "basis", Value: "QĐ 12/QĐ-UBND"}, {Key: "field", Value: "me_ho_ten"}, {Key: "new", Value: "Trần Thị Bình"}, {Key: "old", Value: "Trần Thị Bính"}}}}

	// Odd values: a malformed ID, a CMND, an unknown sex, empty and
	// multi-line values, a name with doubled spaces, an unknown kind.
	odd := record(registry.Birth, "26734", "2", "7", "1975", map[string]string{
		"ho_ten": "Tôn Thất  Thuyết", "ngay_sinh": "1975", "gioi_tinh": "K", "so_dinh_danh": "07921X",
		"me_ho_ten": "Lan", "me_ngay_sinh": "1950-02-29x", "cha_so_dinh_danh": "023456789",
		"loai_dang_ky": "đăng ký muộn", "ghi_chu": "dòng 1\ndòng 2\r\n\tthụt", "que_quan": "",
	})
	odd.Flags = []registry.Flag{{Code: registry.FlagIDMalformed, Field: "so_dinh_danh", Detail: "07921X", SourceRef: ""}}

	marriage := record(registry.Marriage, "26740", "01/2018", "33", "2018-11-20", map[string]string{
		"chong_ho_ten": "Kim Min Jun", "chong_ngay_sinh": "1990-05-04", "chong_quoc_tich": "Hàn Quốc", "chong_giay_to": "Hộ chiếu M12345678",
		"chong_noi_cu_tru": "Seoul",
		"vo_ho_ten":        "Lê Thị Hoa", "vo_ngay_sinh": "1995-12-01", "vo_dan_toc": "Khmer", "vo_quoc_tich": "Việt Nam", "vo_giay_to": "079195000001",
		"vo_noi_cu_tru": "5 Hai Bà Trưng, Quận 1", "loai_dang_ky": "yeu_to_nuoc_ngoai",
	})
	death := record(registry.Death, "760", "01/2001", "9", "2001-03-06", map[string]string{
		"ho_ten": "Phạm Văn Đức", "ngay_sinh": "1930", "gioi_tinh": "Nam", "dan_toc": "Kinh", "quoc_tich": "Việt Nam",
		"so_dinh_danh": "020123456", "noi_cu_tru": "7 Pasteur, Quận 1", "ngay_chet": "2001-03-05T14:30",
		"noi_chet": "Tại nhà", "nguyen_nhan": "Già yếu", "giay_bao_tu": "Số 12, ngày 05/3/2001, Trạm y tế", "nguoi_di_khai": "Phạm Thị Mai",
		"quan_he_nguoi_di_khai": "Con",
	})
	recognition := record(registry.Recognition, "26740", "01/2020", "4", "2020-08-08", map[string]string{
		"nguoi_nhan_ho_ten": "Võ Văn Hùng", "nguoi_nhan_ngay_sinh": "1980-01-01", "nguoi_nhan_giay_to": "079080000111",
		"nguoi_duoc_nhan_ho_ten": "Võ Minh Khang", "nguoi_duoc_nhan_ngay_sinh": "2012-06", "quan_he": "cha_nhan_con",
	})
	recognition.Conflicts = []registry.Conflict{{Field: "extra:Ghi chú 2", Values: []string{"a", "b"}, SourceRefs: []string{"n.csv#4", ""}, Resolved: true}}

	recs := []registry.RecordChange{
		{Record: birth, New: true, Events: birthEvents},
		{Record: odd, New: false},
		{Record: marriage, New: true},
		{Record: death, New: true},
		{Record: recognition, New: false},
	}
	links := []registry.LinkChange{
		{A: "KS-26740-0000000000", B: birth.ID, Score: 0.9712, Status: registry.LinkConfirmed, Version: 12, New: true},
		{A: "KS-26740-0000000001", B: birth.ID, Version: 11, Removed: true},
	}
	return recs, links
}

// encode writes entries as one data file.
func encode(t *testing.T, recs []registry.RecordChange, links []registry.LinkChange) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := ministry.NewEncoder(&buf, testRef())
	h := ministry.Header{Mode: ministry.Changes, Since: 3, Until: 12, DataTime: "2025-06-09T08:00:00Z", Part: 1}
	if err := enc.Begin(h); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := enc.Record(r); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range links {
		if err := enc.Link(l); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.End(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func decodeAll(t *testing.T, b []byte) (ministry.Header, []ministry.Entry) {
	t.Helper()
	d := ministry.NewDecoder(bytes.NewReader(b))
	h, err := d.Header()
	if err != nil {
		t.Fatal(err)
	}
	var out []ministry.Entry
	for {
		e, err := d.Next()
		if errors.Is(err, io.EOF) {
			return h, out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
}

// xmllint validates files against the schema with libxml2's validator.
func xmllint(t *testing.T, schema string, files ...string) {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("xmllint not installed (apt-get install libxml2-utils)")
		}
		t.Skip("xmllint not installed (apt-get install libxml2-utils)")
	}
	args := append([]string{"--noout", "--schema", schema}, files...)
	out, err := exec.Command("xmllint", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("xmllint: %v\n%s", err, out)
	}
}

func TestRoundTrip(t *testing.T) {
	recs, links := sampleEntries()
	b := encode(t, recs, links)
	h, got := decodeAll(t, b)
	if h.Mode != ministry.Changes || h.Since != 3 || h.Until != 12 || h.Part != 1 || h.DataTime != "2025-06-09T08:00:00Z" {
		t.Errorf("header = %+v", h)
	}
	if len(got) != len(recs)+len(links) {
		t.Fatalf("%d entries read, want %d", len(got), len(recs)+len(links))
	}
	for i, want := range recs {
		t.Run(want.Record.ID, func(t *testing.T) {
			g := got[i].Record
			if g == nil {
				t.Fatalf("entry %d is not a record", i)
			}
			if !reflect.DeepEqual(g.Record, want.Record) {
				t.Errorf("record read back differs:\n got %+v\nwant %+v", g.Record, want.Record)
				for k, v := range want.Record.Fields {
					if g.Record.Fields[k] != v {
						t.Errorf("  field %s = %q, want %q", k, g.Record.Fields[k], v)
					}
				}
				for k := range g.Record.Fields {
					if _, ok := want.Record.Fields[k]; !ok {
						t.Errorf("  field %s = %q not in the original", k, g.Record.Fields[k])
					}
				}
			}
			if g.New != want.New || !reflect.DeepEqual(g.Events, want.Events) {
				t.Errorf("New %v events %+v, want %v %+v", g.New, g.Events, want.New, want.Events)
			}
		})
	}
	for i, want := range links {
		if l := got[len(recs)+i].Link; l == nil || !reflect.DeepEqual(*l, want) {
			t.Errorf("link = %+v, want %+v", l, want)
		}
	}
}

func TestCodes(t *testing.T) {
	recs, links := sampleEntries()
	s := string(encode(t, recs, links))
	for _, want := range []string{
		`<dc:GioiTinh>1</dc:GioiTinh>`,
		`<dc:DanToc><dc:MaDanToc>01</dc:MaDanToc><dc:TenGoi>Kinh</dc:TenGoi></dc:DanToc>`,
		`<dc:DanToc><dc:MaDanToc>05</dc:MaDanToc><dc:TenGoi>Khmer</dc:TenGoi></dc:DanToc>`, // QĐ 121: Khơ-me is 05
		`<dc:DanToc><dc:TenGoi>Xtiêng Cổ</dc:TenGoi></dc:DanToc>`,                          // unknown: no code invented
		`<dc:QuocTich ht:GhiTrongSo="Việt Nam">VN</dc:QuocTich>`,
		`<dc:QuocTich>VN</dc:QuocTich>`,
		`<ht:TruongKhac Ten="cha_quoc_tich">Liên Xô</ht:TruongKhac>`,
		`<ht:TruongKhac Ten="gioi_tinh">K</ht:TruongKhac>`,
		`<ht:TruongKhac Ten="so_dinh_danh">07921X</ht:TruongKhac>`,
		`<dc:SoCMND>023456789</dc:SoCMND>`,
		`<dc:NgayThangNam ht:DoChinhXac="nam">1985</dc:NgayThangNam>`,
		`<dc:NgayThangNam ht:DoChinhXac="thang">1983-07</dc:NgayThangNam>`,
		`<ht:ThoiDiemChet ht:DoChinhXac="phut">2001-03-05T14:30</ht:ThoiDiemChet>`,
		`<ht:NgayDangKy ht:DoChinhXac="nam">1975</ht:NgayDangKy>`,
		`<dc:HoVaTen><dc:Ho>Nguyễn</dc:Ho><dc:ChuDem>Văn</dc:ChuDem><dc:Ten>An</dc:Ten></dc:HoVaTen>`,
		`<dc:HoVaTen><dc:Ten>Tôn Thất  Thuyết</dc:Ten></dc:HoVaTen>`, // does not split exactly: kept whole
		`<ht:MaDonViHanhChinh>26740</ht:MaDonViHanhChinh><ht:TenTheoDanhMuc>Phường Bến Nghé</ht:TenTheoDanhMuc>`,
		`<ht:DonViHienNay Ma="26740" Ten="Phường Sài Gòn"/>`,
		`<ht:DonViHienNay Ma="26737" Ten="Phường Tân Định"/>`, // Tân Định 26734 is held by the unit that reuses 26737
		`<dc:NoiDangKyKhaiSinh><dc:MaDonViHanhChinh>26740</dc:MaDonViHanhChinh><dc:ChiTiet>UBND Phường Bến Nghé, Quận 1</dc:ChiTiet><dc:QuocGia>VN</dc:QuocGia></dc:NoiDangKyKhaiSinh>`,
		`<ht:LoaiDangKy Ma="yeu_to_nuoc_ngoai">Đăng ký có yếu tố nước ngoài</ht:LoaiDangKy>`,
		`<ht:LoaiDangKy>đăng ký muộn</ht:LoaiDangKy>`,
		`<ht:QuanHe Ma="cha_nhan_con">cha nhận con</ht:QuanHe>`,
		`<ht:GhiChu>dòng 1
dòng 2&#13;
	thụt</ht:GhiChu>`,
		`&amp; "bổ sung" &lt;x&gt;`,
		`<ht:TruongKhac Ten="que_quan"></ht:TruongKhac>`,
		`DanhMucDanToc="QĐ 121-TCTK/PPCĐ"`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %s", want)
		}
	}
	// The husband is the wife's VoChong, as QCVN 109 nests spouses.
	if !strings.Contains(s, `<dc:VoChong><dc:QuocTich ht:GhiTrongSo="Hàn Quốc">KR</dc:QuocTich><dc:HoVaTen>`) {
		t.Error("husband not written as the wife's VoChong")
	}
}

func TestSchema(t *testing.T) {
	recs, links := sampleEntries()
	dir := t.TempDir()
	path := filepath.Join(dir, "part.xml")
	if err := os.WriteFile(path, encode(t, recs, links), 0o644); err != nil {
		t.Fatal(err)
	}
	xmllint(t, filepath.Join("schema", ministry.SchemaFile), path)

	t.Run("ErrWrongEthnicList", func(t *testing.T) {
		b, _ := os.ReadFile(path)
		bad := filepath.Join(dir, "bad.xml")
		os.WriteFile(bad, bytes.Replace(b, []byte("QĐ 121-TCTK/PPCĐ"), []byte("QĐ 1019/QĐ-TCTK"), 1), 0o644)
		out, err := exec.Command("xmllint", "--noout", "--schema", filepath.Join("schema", ministry.SchemaFile), bad).CombinedOutput()
		if err == nil {
			t.Fatalf("a file naming another ethnic list validates:\n%s", out)
		}
	})
}

func TestDeterministic(t *testing.T) {
	recs, links := sampleEntries()
	a := encode(t, recs, links)
	b := encode(t, recs, links)
	if !bytes.Equal(a, b) {
		t.Fatal("the same entries gave different bytes")
	}
}

// TestUnwritableValue: a value holding characters XML 1.0 cannot carry (a
// store written before the ingest took them out) is written with their
// documented stand-ins, and the export goes on.
func TestUnwritableValue(t *testing.T) {
	recs, _ := sampleEntries()
	r := *recs[0].Record
	r.Fields = map[string]string{"ho_ten": "An\x01 \x1b[0m", "ngay_sinh": "2010", "ghi_chu": "a\uFFFEb\uFFFFc\xffd\te"}
	var buf bytes.Buffer
	enc := ministry.NewEncoder(&buf, nil)
	enc.Begin(ministry.Header{Mode: ministry.Full, Until: 1, Part: 1})
	if err := enc.Record(registry.RecordChange{Record: &r}); err != nil {
		t.Fatal(err)
	}
	if err := enc.Record(recs[1]); err != nil {
		t.Fatal(err)
	}
	enc.End()
	_, got := decodeAll(t, buf.Bytes())
	if len(got) != 2 {
		t.Fatalf("%d entries, want 2", len(got))
	}
	if v := got[0].Record.Record.Fields["ho_ten"]; v != "An␁ ␛[0m" {
		t.Errorf("ho_ten read back %q", v)
	}
	if v := got[0].Record.Record.Fields["ghi_chu"]; v != "a\uFFFDb\uFFFDc\uFFFDd\te" {
		t.Errorf("ghi_chu read back %q", v)
	}
}

// writeExport writes entries as an export folder.
func writeExport(t *testing.T, dir ministry.Dir, perFile int) (*ministry.Manifest, error) {
	t.Helper()
	recs, links := sampleEntries()
	// An incremental export: new and changed records, a new and a removed
	// link.
	w := ministry.NewWriter(dir, testRef(), ministry.Header{Mode: ministry.Changes, Since: 3, Until: 12, DataTime: "2025-06-09T08:00:00Z"}, perFile)
	for _, r := range recs {
		if err := w.Record(r); err != nil {
			w.Abort()
			return nil, err
		}
	}
	for _, l := range links {
		if err := w.Link(l); err != nil {
			w.Abort()
			return nil, err
		}
	}
	return w.Close()
}

func TestWriter(t *testing.T) {
	path := t.TempDir()
	dir, err := ministry.NewOSDir(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := writeExport(t, dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(m.DataFiles()); n != 4 {
		t.Fatalf("%d data files for 7 entries at 2 per file, want 4", n)
	}
	if m.Entries() != 7 || m.Links.New != 1 || m.Links.Removed != 1 {
		t.Errorf("entries %d, links %+v", m.Entries(), m.Links)
	}
	ms, err := ministry.ReadManifests(os.DirFS(path))
	if err != nil || len(ms) != 1 {
		t.Fatalf("ReadManifests = %v, %v", ms, err)
	}
	if err := ms[0].Verify(os.DirFS(path)); err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, f := range m.DataFiles() {
		files = append(files, filepath.Join(path, f.Name))
	}
	files = append(files, filepath.Join(path, ms[0].Name))
	xmllint(t, filepath.Join(path, ministry.SchemaFile), files...)

	t.Run("ErrTampered", func(t *testing.T) {
		f := filepath.Join(path, m.DataFiles()[0].Name)
		b, _ := os.ReadFile(f)
		os.WriteFile(f, bytes.Replace(b, []byte("Bệnh viện Từ Dũ"), []byte("Bệnh viện Hùng Vương"), 1), 0o644)
		if err := ms[0].Verify(os.DirFS(path)); err == nil {
			t.Fatal("a changed file passes Verify")
		}
	})
}

// failingDir fails the n-th write into its files, as a disk that fills up or
// a process killed mid-write.
type failingDir struct {
	*ministry.OSDir
	writes, failAt int
}

func (d *failingDir) Create(name string) (ministry.PendingFile, error) {
	f, err := d.OSDir.Create(name)
	if err != nil {
		return nil, err
	}
	return &failingFile{PendingFile: f, d: d}, nil
}

type failingFile struct {
	ministry.PendingFile
	d *failingDir
}

func (f *failingFile) Write(p []byte) (int, error) {
	f.d.writes++
	if f.d.writes == f.d.failAt {
		f.PendingFile.Write(p[:len(p)/2]) // half of it reached the disk
		return len(p) / 2, errors.New("injected failure")
	}
	return f.PendingFile.Write(p)
}

func TestKilledRun(t *testing.T) {
	for failAt := 1; failAt <= 6; failAt++ {
		t.Run(fmt.Sprintf("FailWrite%d", failAt), func(t *testing.T) {
			path := t.TempDir()
			osdir, _ := ministry.NewOSDir(path)
			_, err := writeExport(t, &failingDir{OSDir: osdir, failAt: failAt}, 2)
			if err == nil {
				t.Fatal("no error from an injected failure")
			}
			// Every file under a final name is complete; no manifest.
			ents, _ := os.ReadDir(path)
			for _, e := range ents {
				name := e.Name()
				if strings.HasPrefix(name, ".") {
					t.Errorf("temporary file %s left behind", name)
					continue
				}
				if strings.HasSuffix(name, "-manifest.xml") {
					t.Errorf("manifest %s written by a failed run", name)
				}
				b, _ := os.ReadFile(filepath.Join(path, name))
				end := "</ht:GoiDuLieu>\n"
				if strings.HasSuffix(name, ".xsd") {
					end = "</xs:schema>\n"
				}
				if !bytes.HasSuffix(b, []byte(end)) {
					t.Errorf("%s is incomplete under its final name", name)
				}
			}
			// A re-run completes with the bytes of a clean run.
			if _, err := writeExport(t, osdir, 2); err != nil {
				t.Fatal(err)
			}
			clean := t.TempDir()
			cleanDir, _ := ministry.NewOSDir(clean)
			if _, err := writeExport(t, cleanDir, 2); err != nil {
				t.Fatal(err)
			}
			assertSameDir(t, clean, path)
		})
	}
}

func assertSameDir(t *testing.T, want, got string) {
	t.Helper()
	a, _ := os.ReadDir(want)
	b, _ := os.ReadDir(got)
	if len(a) != len(b) {
		t.Fatalf("%d files, want %d", len(b), len(a))
	}
	for i := range a {
		x, _ := os.ReadFile(filepath.Join(want, a[i].Name()))
		y, _ := os.ReadFile(filepath.Join(got, b[i].Name()))
		if a[i].Name() != b[i].Name() || !bytes.Equal(x, y) {
			t.Errorf("%s differs from %s", b[i].Name(), a[i].Name())
		}
	}
}

// TestExample keeps testdata/example: an export of the sample entries, the
// example the format's documentation points to.
func TestExample(t *testing.T) {
	path := t.TempDir()
	dir, _ := ministry.NewOSDir(path)
	if _, err := writeExport(t, dir, ministry.DefaultPerFile); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "example")
	if *update {
		os.RemoveAll(golden)
		os.MkdirAll(golden, 0o755)
		ents, _ := os.ReadDir(path)
		for _, e := range ents {
			if strings.HasSuffix(e.Name(), ".xsd") {
				continue // the schema lives in schema/
			}
			b, _ := os.ReadFile(filepath.Join(path, e.Name()))
			os.WriteFile(filepath.Join(golden, e.Name()), b, 0o644)
		}
	}
	ents, err := os.ReadDir(golden)
	if err != nil || len(ents) == 0 {
		t.Fatalf("no golden files (run go test -update): %v", err)
	}
	var files []string
	for _, e := range ents {
		want, _ := os.ReadFile(filepath.Join(golden, e.Name()))
		got, err := os.ReadFile(filepath.Join(path, e.Name()))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s differs from the golden file (go test -update to accept): %v", e.Name(), err)
		}
		files = append(files, filepath.Join(golden, e.Name()))
	}
	xmllint(t, filepath.Join("schema", ministry.SchemaFile), files...)
}

// The cached name split gives what vntext.SplitName gives.
func TestNameSplitCache(t *testing.T) {
	names := []string{"Nguyễn Văn An", "Nguyễn Văn Bình", "Nguyễn Văn An Khang", "Nguyễn Phước Lộc", "Nguyễn Phước Bửu Chánh",
		"Nguyễn Phước Lộc", "Tôn Thất Thuyết", "Tôn Thất Thuyết Anh", "TÔN THẤT Thuyết", "Công Tằng Tôn Nữ Thị Hoa", "Công Tôn Nữ Lan",
		"Công Minh", "An", "Lê Phước Hải", "Lê Phước Hải Đăng", "Âu Dương Phong", "Âu Dương", "Nguyễn  Văn An", "Nguyễn Văn An ",
		"Trần Thị Bé", "Trần Thị Bé Hai", "Hoàng Phủ Ngọc Tường", "Hoàng Phủ Tường"}
	for _, pass := range []string{"cold", "warm"} {
		for _, n := range names {
			ho, dem, ten := ministry.SplitNameCached(n)
			want := vntext.SplitName(n)
			if want.String() != n {
				want = vntext.Name{Given: n}
			}
			if ho != want.Surname || dem != want.Middle || ten != want.Given {
				t.Errorf("%s %q: %q|%q|%q, want %q|%q|%q", pass, n, ho, dem, ten, want.Surname, want.Middle, want.Given)
			}
		}
	}
}

var dateCases = []string{"2010", "2010-03", "2010-03-01", "2001-03-05T14:30", "2000-02-29", "1900-02-29", "2010-02-30",
	"2010-13", "2010-00", "0000", "0999", "2010-3-1", "2010-03-01T24:00", "2010-03-01T23:60", "2010-03-01 14:30", "abcd", "",
	"2010-04-31", "2024-02-29T00:00", "+010", "2010-03-01T14:3x"}

func TestCanonicalDate(t *testing.T) {
	for _, s := range dateCases {
		checkCanonicalDate(t, s)
	}
}

func FuzzCanonicalDate(f *testing.F) {
	for _, s := range dateCases {
		f.Add(s)
	}
	f.Fuzz(checkCanonicalDate)
}

// checkCanonicalDate: what the fast reader accepts, vntext reads the same
// and writes back unchanged.
func checkCanonicalDate(t *testing.T, s string) {
	d, ok := ministry.CanonicalDate(s)
	if !ok {
		return
	}
	want, err := vntext.ParseISODate(s)
	if err != nil || want != d || d.ISO() != s {
		t.Errorf("%q: fast %+v, vntext %+v, %v", s, d, want, err)
	}
}

func TestISODate(t *testing.T) {
	for _, s := range []string{"2010-03-01", "0999-12-31", "1950", "1950-03", "2001-03-05T14:30", "9999-01-09"} {
		d := date(s)
		if got := ministry.ISODate(d); got != d.ISO() {
			t.Errorf("isoDate(%s) = %q, want %q", s, got, d.ISO())
		}
	}
}

// BenchmarkEncoder measures the encoder alone on the sample entries.
func BenchmarkEncoder(b *testing.B) {
	recs, _ := sampleEntries()
	enc := ministry.NewEncoder(io.Discard, testRef())
	enc.Begin(ministry.Header{Mode: ministry.Full, Until: 1, Part: 1})
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if err := enc.Record(recs[n%len(recs)]); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}
