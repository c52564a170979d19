package ingest_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"github.com/hotich/hotich/ingest"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/jsonl"
	"github.com/hotich/hotich/registry/sqlite"
	"github.com/hotich/hotich/registry/vntext"
)

var fixedNow = time.Date(2025, 6, 9, 8, 0, 0, 0, time.UTC)

func openDB(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "hotich.db"))
	if err != nil {
		tb.Fatal(err)
	}
	db.Now = func() time.Time { return fixedNow }
	tb.Cleanup(func() { db.Close() })
	return db
}

func run(tb testing.TB, db *sqlite.DB, opt ingest.Options, paths ...string) []ingest.FileResult {
	tb.Helper()
	opt.Now = func() time.Time { return fixedNow }
	res, err := ingest.New(db, opt).Run(context.Background(), paths)
	if err != nil {
		tb.Fatalf("ingest %v: %v", paths, err)
	}
	return res
}

// dump returns the store's JSONL export.
func dump(tb testing.TB, db *sqlite.DB) string {
	tb.Helper()
	var buf bytes.Buffer
	w := jsonl.NewWriter(&buf)
	if err := db.EachRecord(context.Background(), func(r *registry.Record) error { return w.Write(r) }); err != nil {
		tb.Fatal(err)
	}
	w.Flush()
	return buf.String()
}

func lines(tb testing.TB, db *sqlite.DB) []jsonl.Line {
	tb.Helper()
	var out []jsonl.Line
	for _, l := range strings.Split(strings.TrimSpace(dump(tb, db)), "\n") {
		if l == "" {
			continue
		}
		var x jsonl.Line
		if err := json.Unmarshal([]byte(l), &x); err != nil {
			tb.Fatal(err)
		}
		out = append(out, x)
	}
	return out
}

func writeFile(tb testing.TB, dir, name string, data []byte) string {
	tb.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

func csvBytes(tb testing.TB, delim rune, rows [][]string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma = delim
	if err := w.WriteAll(rows); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

var birthHeader = []string{"loai_so", "ma_noi_dang_ky", "noi_dang_ky", "quyen_so", "so", "ngay_dang_ky", "ho_ten", "ngay_sinh", "gioi_tinh",
	"dan_toc", "quoc_tich", "noi_sinh", "so_dinh_danh", "me_ho_ten", "me_ngay_sinh", "cha_ho_ten", "ghi_chu"}

// births are rows whose text exercises every kind of Vietnamese letter the
// legacy encodings must carry, in upper and lower case.
var births = [][]string{
	{"KS", "26740", "UBND Phường Bến Nghé, Quận 1", "01/2010", "1", "15/03/2010", "NGUYỄN VĂN ĐỨC", "01/03/2010", "Nam", "Kinh", "Việt Nam", "Bệnh viện Từ Dũ", "079210000001", "Trần Thị Hoà", "1985", "Nguyễn Văn Bình", ""},
	{"KS", "26740", "UBND Phường Bến Nghé, Quận 1", "01/2010", "2", "16/03/2010", "Lê Thị Thuý Hằng", "2/3/2010", "Nữ", "Kinh", "Việt Nam", "Bệnh viện Hùng Vương", "", "Phạm Thị Ngọc Ánh", "03/1987", "", "Cải chính họ tên mẹ ngày 05/06/2015"},
	{"KS", "26740", "UBND Phường Bến Nghé, Quận 1", "01/2010", "3", "ngày 5 tháng 4 năm 2010", "huỳnh ngọc ẩn", "mồng 1 tháng 4 năm 2010", "nữ", "Hoa", "Việt Nam", "Nhà hộ sinh Quận 1", "", "Lý Mỹ Ỷ", "1990", "Huỳnh Quốc Ưng", ""},
	{"KS", "26740", "UBND Phường Bến Nghé, Quận 1", "01/2010", "4", "2010-04-20", "Trương Thị Khoẻ", "18.04.2010", "0", "Kinh", "Việt Nam", "", "", "Đỗ Thị Ỹ", "", "", ""},
}

func TestContainers(t *testing.T) {
	dir := t.TempDir()
	all := append([][]string{birthHeader}, births...)
	files := map[string]func() []byte{
		"comma.csv":     func() []byte { return csvBytes(t, ',', all) },
		"semicolon.csv": func() []byte { return csvBytes(t, ';', all) },
		"tab.csv":       func() []byte { return csvBytes(t, '\t', all) },
		"plain.tsv":     func() []byte { return csvBytes(t, '\t', all) },
		"crlf.csv":      func() []byte { return bytes.ReplaceAll(csvBytes(t, ',', all), []byte("\n"), []byte("\r\n")) },
		"rows.jsonl": func() []byte {
			var buf bytes.Buffer
			for _, r := range births {
				obj := map[string]string{}
				for i, h := range birthHeader {
					obj[h] = r[i]
				}
				b, _ := json.Marshal(obj)
				buf.Write(b)
				buf.WriteString("\n\n") // blank lines are not rows
			}
			return buf.Bytes()
		},
		"sheet.xlsx": func() []byte {
			f := excelize.NewFile()
			for r, row := range all {
				for c, v := range row {
					cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
					f.SetCellStr("Sheet1", cell, v)
				}
			}
			var buf bytes.Buffer
			if err := f.Write(&buf); err != nil {
				t.Fatal(err)
			}
			return buf.Bytes()
		},
	}
	var want []jsonl.Line
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			db := openDB(t)
			res := run(t, db, ingest.Options{}, writeFile(t, dir, name, data()))
			if c := res[0].Counts; c.Rows != len(births) || c.Accepted != len(births) {
				t.Fatalf("counts = %+v, want %d accepted", c, len(births))
			}
			got := lines(t, db)
			for i := range got {
				for j, ref := range got[i].SourceRefs {
					if !strings.HasPrefix(ref, name+"#") {
						t.Errorf("source ref %q does not name %s", ref, name)
					}
					got[i].SourceRefs[j] = strings.TrimPrefix(ref, name)
				}
			}
			if want == nil {
				want = got
				return
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("records differ from another container's:\n got %+v\nwant %+v", got, want)
			}
		})
	}
	t.Run("Values", func(t *testing.T) {
		byNumber := map[string]jsonl.Line{}
		for _, l := range want {
			byNumber[l.Number] = l
		}
		checks := []struct{ number, field, want string }{
			{"1", "ho_ten", "Nguyễn Văn Đức"},
			{"1", "me_ho_ten", "Trần Thị Hoà"}, // the register's tone placement is kept
			{"1", "me_ngay_sinh", "1985"},
			{"2", "ngay_sinh", "2010-03-02"},
			{"2", "me_ngay_sinh", "1987-03"},
			{"2", "ho_ten", "Lê Thị Thuý Hằng"},
			{"3", "ho_ten", "Huỳnh Ngọc Ẩn"},
			{"3", "ngay_sinh", "2010-04-01"},
			{"3", "gioi_tinh", "Nữ"},
			{"4", "gioi_tinh", "Nữ"},
			{"4", "ngay_sinh", "2010-04-18"},
			{"4", "ho_ten", "Trương Thị Khoẻ"},
		}
		for _, c := range checks {
			if got := byNumber[c.number].Fields[c.field]; got != c.want {
				t.Errorf("entry %s %s = %q, want %q", c.number, c.field, got, c.want)
			}
		}
		if got := byNumber["3"].RegisteredOn; got != "2010-04-05" {
			t.Errorf("entry 3 registered_on = %q", got)
		}
	})
}

func TestEncodings(t *testing.T) {
	text := string(csvBytes(t, ',', append([][]string{birthHeader}, births...)))
	var reference []jsonl.Line
	{
		db := openDB(t)
		run(t, db, ingest.Options{}, writeFile(t, t.TempDir(), "b.csv", []byte(text)))
		reference = lines(t, db)
	}
	encode := func(e vntext.Encoding) func() []byte {
		return func() []byte {
			b, err := vntext.Encode(e, text)
			if err != nil {
				t.Fatalf("encode %s: %v", e, err)
			}
			return b
		}
	}
	cases := map[string]struct {
		data    func() []byte
		encName string
	}{
		"utf8":     {func() []byte { return []byte(text) }, "utf8"},
		"utf8-bom": {func() []byte { return append([]byte("\ufeff"), text...) }, "utf8"},
		"utf8-nfd": {func() []byte { return []byte(norm.NFD.String(text)) }, "utf8"},
		"utf16le":  {encode(vntext.UTF16LE), "utf16le"},
		"utf16be":  {encode(vntext.UTF16BE), "utf16be"},
		"cp1258":   {encode(vntext.CP1258), "cp1258"},
		"tcvn3":    {encode(vntext.TCVN3), "tcvn3"},
		"vni":      {encode(vntext.VNI), "vni"},
		"viscii":   {encode(vntext.VISCII), "viscii"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			db := openDB(t)
			res := run(t, db, ingest.Options{}, writeFile(t, t.TempDir(), "b.csv", c.data()))
			if res[0].Encoding != c.encName {
				t.Errorf("detected %s (confidence %.2f), want %s", res[0].Encoding, res[0].Confidence, c.encName)
			}
			got := lines(t, db)
			if len(got) != len(reference) {
				t.Fatalf("%d records, want %d", len(got), len(reference))
			}
			for i := range got {
				for k, v := range reference[i].Fields {
					g := got[i].Fields[k]
					if g != v {
						t.Errorf("entry %s %s = %q, want %q", got[i].Number, k, g, v)
					}
				}
			}
		})
	}
}

// TestTCVN3Case: TCVN3 stores upper-case toned letters with their
// lower-case codes; the ingest gives every value its case back from the
// word, its cell and its column, not only names (names are title-cased
// anyway): "ấp" at the head of a place in a title-case file is "Ấp", as on
// the paper.
func TestTCVN3Case(t *testing.T) {
	rows := [][]string{birthHeader}
	for i, place := range []string{"Ấp Chợ Lớn, Xã Tân Thạnh Tây", "Ấp 6, Xã Phú Hòa Đông", "Ấp Bắc, Xã Tân Phú Trung"} {
		r := row(map[string]string{"so": strconv.Itoa(i + 1), "noi_sinh": place, "ghi_chu": "Ủy ban nhân dân xã cho đăng ký lại"})
		rows = append(rows, r)
	}
	text := string(csvBytes(t, ',', rows))
	b, err := vntext.Encode(vntext.TCVN3, text)
	if err != nil {
		t.Fatal(err)
	}
	db := openDB(t)
	res := run(t, db, ingest.Options{}, writeFile(t, t.TempDir(), "b.csv", b))
	if res[0].Encoding != "tcvn3" {
		t.Fatalf("detected %s, want tcvn3", res[0].Encoding)
	}
	got := lines(t, db)
	if len(got) != 3 {
		t.Fatalf("%d records, want 3", len(got))
	}
	for _, l := range got {
		n, _ := strconv.Atoi(l.Number)
		want := rows[n]
		for i, h := range birthHeader {
			if h != "noi_sinh" && h != "ghi_chu" {
				continue
			}
			if g := l.Fields[h]; g != want[i] {
				t.Errorf("entry %s %s = %q, want %q", l.Number, h, g, want[i])
			}
		}
	}
}

// row builds a birth row from the first sample row with some cells changed.
func row(changes map[string]string) []string {
	r := append([]string(nil), births[0]...)
	for k, v := range changes {
		for i, h := range birthHeader {
			if h == k {
				r[i] = v
			}
		}
	}
	return r
}

func TestOutcomes(t *testing.T) {
	cases := []struct {
		name   string
		row    []string
		reject registry.RejectCode
		flags  []string
	}{
		{"OK", row(nil), "", nil},
		{"UnknownMarkersAreNotValues", row(map[string]string{"cha_ho_ten": "không rõ", "noi_sinh": "-", "me_ngay_sinh": "x"}), "", nil},
		{"Malformed", []string{"KS", "26740", "too few"}, registry.RejectMalformed, nil},
		{"WrongRegister", row(map[string]string{"loai_so": "KT"}), registry.RejectWrongRegister, nil},
		{"MissingRegister", row(map[string]string{"loai_so": ""}), registry.RejectMissing, nil},
		{"MissingName", row(map[string]string{"ho_ten": " "}), registry.RejectMissing, nil},
		{"MissingBook", row(map[string]string{"quyen_so": "-"}), registry.RejectMissing, nil},
		{"MissingSex", row(map[string]string{"gioi_tinh": ""}), registry.RejectMissing, nil},
		{"NotADate", row(map[string]string{"ngay_sinh": "abc"}), registry.RejectInvalidDate, nil},
		{"ImpossibleDate", row(map[string]string{"ngay_sinh": "31/02/2010"}), registry.RejectImpossibleDate, nil},
		{"FutureDate", row(map[string]string{"ngay_dang_ky": "01/01/2030", "ngay_sinh": "01/12/2029"}), registry.RejectImpossibleDate, nil},
		{"BirthAfterRegistration", row(map[string]string{"ngay_sinh": "16/03/2010"}), registry.RejectImpossibleDate, nil},
		{"MotherBornAfterChild", row(map[string]string{"me_ngay_sinh": "2011"}), registry.RejectImpossibleDate, nil},
		{"SameDayIsFine", row(map[string]string{"ngay_sinh": "15/03/2010"}), "", nil},
		{"BadSex", row(map[string]string{"gioi_tinh": "K"}), registry.RejectInvalidValue, nil},
		{"BadAuthorityCode", row(map[string]string{"ma_noi_dang_ky": "2674"}), registry.RejectInvalidValue, nil},
		{"DateBeforeValueErrors", row(map[string]string{"gioi_tinh": "K", "ngay_sinh": "31/02/2010"}), registry.RejectImpossibleDate, nil},
		{"IDSexMismatch", row(map[string]string{"so_dinh_danh": "079310000001"}), "", []string{"id_mismatch"}},
		{"IDYearMismatch", row(map[string]string{"so_dinh_danh": "079209000001"}), "", []string{"id_mismatch"}},
		{"IDWithSpaces", row(map[string]string{"so_dinh_danh": "079 210 000 001"}), "", nil},
		{"IDMalformed", row(map[string]string{"so_dinh_danh": "07921000001"}), "", []string{"id_malformed"}},
		{"IDUnknownProvince", row(map[string]string{"so_dinh_danh": "099210000001"}), "", []string{"id_unknown_province"}},
		{"CMNDIsADocument", row(map[string]string{"so_dinh_danh": "023456789"}), "", nil},
		{"UnknownAuthority", row(map[string]string{"ma_noi_dang_ky": "99999"}), "", []string{"unknown_authority"}},
		{"DistrictAuthority", row(map[string]string{"ma_noi_dang_ky": "760", "noi_dang_ky": "UBND Quận 1"}), "", nil},
		{"UnknownKind", row(map[string]string{"ghi_chu": "x"}), "", nil},
	}
	dir := t.TempDir()
	rows := [][]string{birthHeader}
	for i, c := range cases {
		r := c.row
		if len(r) == len(birthHeader) {
			r[4] = strconv.Itoa(i + 1) // each row its own entry
		}
		rows = append(rows, r)
	}
	db := openDB(t)
	rejects := filepath.Join(dir, "rejects")
	res := run(t, db, ingest.Options{RejectsDir: rejects}, writeFile(t, dir, "cases.csv", csvBytes(t, ',', rows)))

	outcome := map[int]string{}
	flags := map[int][]string{}
	for _, l := range lines(t, db) {
		for _, ref := range l.SourceRefs {
			n, _ := strconv.Atoi(strings.TrimPrefix(ref, "cases.csv#"))
			outcome[n] = "stored"
			flags[n] = l.Flags
		}
	}
	rejectCode := map[int]string{}
	rf, err := os.ReadFile(filepath.Join(rejects, "cases.csv.rejects.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(rf)), "\n") {
		var r struct {
			Row    int      `json:"row"`
			Reason string   `json:"reason"`
			Raw    []string `json:"raw"`
		}
		json.Unmarshal([]byte(l), &r)
		rejectCode[r.Row] = r.Reason
		if len(r.Raw) == 0 {
			t.Errorf("reject of row %d has no raw cells", r.Row)
		}
	}
	for i, c := range cases {
		n := i + 1
		t.Run(c.name, func(t *testing.T) {
			if c.reject != "" {
				if rejectCode[n] != string(c.reject) {
					t.Errorf("row %d: reject %q, want %q (stored: %v)", n, rejectCode[n], c.reject, outcome[n] != "")
				}
				return
			}
			if outcome[n] != "stored" {
				t.Fatalf("row %d not stored (reject %q)", n, rejectCode[n])
			}
			if len(flags[n]) != len(c.flags) || (len(c.flags) > 0 && !reflect.DeepEqual(flags[n], c.flags)) {
				t.Errorf("row %d flags = %v, want %v", n, flags[n], c.flags)
			}
		})
	}
	c := res[0].Counts
	if c.Rows != len(cases) || c.Accepted+c.Flagged+c.Rejected != c.Rows {
		t.Errorf("counts %+v do not add up to %d rows", c, len(cases))
	}
	// The CSV report opens in a spreadsheet: BOM, then the batch's columns.
	cr, err := os.ReadFile(filepath.Join(rejects, "cases.csv.rejects.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(cr, []byte("\ufeffnguon,dong,ma_loi,truong,ly_do,loai_so")) {
		t.Errorf("CSV report starts %q", cr[:60])
	}
}

func TestRescansFoldAndConflict(t *testing.T) {
	dir := t.TempDir()
	db := openDB(t)
	first := writeFile(t, dir, "a.csv", csvBytes(t, ',', [][]string{birthHeader, births[0], births[1]}))
	run(t, db, ingest.Options{}, first)
	before := dump(t, db)

	t.Run("SameFileAgainChangesNothing", func(t *testing.T) {
		res := run(t, db, ingest.Options{}, first)
		if res[0].Status != ingest.StatusSkipped {
			t.Errorf("status %q, want %q", res[0].Status, ingest.StatusSkipped)
		}
		if got := dump(t, db); got != before {
			t.Errorf("store changed:\n%s\nwas\n%s", got, before)
		}
	})

	rescan := row(map[string]string{"quyen_so": "1/2010", "me_ho_ten": "Trần Thị Hòa", "noi_sinh": "", "cha_ho_ten": ""})
	filler := append([]string(nil), births[1]...)
	filler[14] = "" // me_ngay_sinh unknown in this scan
	filler[15] = "Lê Văn Tám"
	second := writeFile(t, dir, "b.csv", csvBytes(t, ',', [][]string{birthHeader, rescan, filler}))
	res := run(t, db, ingest.Options{}, second)
	if c := res[0].Counts; c.Folded != 2 || c.Created != 0 || c.Flagged != 1 || c.Accepted != 1 || c.Conflicts != 1 {
		t.Fatalf("counts = %+v", c)
	}
	ls := lines(t, db)
	if len(ls) != 2 {
		t.Fatalf("%d records, want 2", len(ls))
	}
	for _, l := range ls {
		switch l.Number {
		case "1":
			if !reflect.DeepEqual(l.SourceRefs, []string{"a.csv#1", "b.csv#1"}) {
				t.Errorf("refs %v", l.SourceRefs)
			}
			if l.Fields["me_ho_ten"] != "Trần Thị Hoà" {
				t.Errorf("first stored value overwritten: %q", l.Fields["me_ho_ten"])
			}
			if l.Fields["noi_sinh"] != "Bệnh viện Từ Dũ" {
				t.Errorf("a value absent from the rescan was lost: %q", l.Fields["noi_sinh"])
			}
			want := []jsonl.Conflict{{Field: "me_ho_ten", Values: []string{"Trần Thị Hoà", "Trần Thị Hòa"}, SourceRefs: []string{"a.csv#1", "b.csv#1"}}}
			if !reflect.DeepEqual(l.Conflicts, want) || !reflect.DeepEqual(l.Flags, []string{"conflict"}) {
				t.Errorf("conflicts %+v flags %v", l.Conflicts, l.Flags)
			}
		case "2":
			if l.Fields["cha_ho_ten"] != "Lê Văn Tám" || l.Fields["me_ngay_sinh"] != "1987-03" || len(l.Conflicts) != 0 {
				t.Errorf("fill-in: %+v", l)
			}
		}
	}

	t.Run("CorrectedFileAddsOnlyItsNewRows", func(t *testing.T) {
		third := writeFile(t, t.TempDir(), "a.csv", csvBytes(t, ',', [][]string{birthHeader, births[0], births[1], births[2]}))
		before := lines(t, db)
		res := run(t, db, ingest.Options{}, third)
		if c := res[0].Counts; c.Created != 1 || c.Conflicts != 0 || c.Rows != 3 {
			t.Fatalf("counts = %+v", c)
		}
		after := lines(t, db)
		if len(after) != 3 {
			t.Fatalf("%d records", len(after))
		}
		for _, b := range before {
			for _, a := range after {
				if a.ID == b.ID && !reflect.DeepEqual(a, b) {
					t.Errorf("record %s changed:\n%+v\n%+v", a.ID, a, b)
				}
			}
		}
	})
}

func TestResumeAfterInterruption(t *testing.T) {
	dir := t.TempDir()
	rows := [][]string{birthHeader}
	for i := 0; i < 3000; i++ {
		r := row(map[string]string{"so": strconv.Itoa(i + 1)})
		if i%97 == 0 {
			r[5] = "31/02/2010" // some rejects
		}
		rows = append(rows, r)
	}
	path := writeFile(t, dir, "big.csv", csvBytes(t, ',', rows))

	clean := openDB(t)
	run(t, clean, ingest.Options{CommitRows: 200, RejectsDir: filepath.Join(dir, "r1")}, path)

	db := openDB(t)
	for _, stopAt := range []int{450, 1700} {
		ctx, cancel := context.WithCancel(context.Background())
		opt := ingest.Options{CommitRows: 200, Workers: 2, Now: func() time.Time { return fixedNow }, Progress: func(p ingest.Progress) {
			if p.Rows >= stopAt {
				cancel()
			}
		}}
		if _, err := ingest.New(db, opt).Run(ctx, []string{path}); err == nil {
			t.Fatalf("run stopped at %d did not fail", stopAt)
		}
		cancel()
	}
	res := run(t, db, ingest.Options{CommitRows: 200, RejectsDir: filepath.Join(dir, "r2")}, path)
	if res[0].Status != ingest.StatusResumed {
		t.Errorf("status %q, want resumed", res[0].Status)
	}
	if c := res[0].Counts; c.Rows != 3000 {
		t.Errorf("resumed batch counts %+v, want 3000 rows", c)
	}
	if got, want := dump(t, db), dump(t, clean); got != want {
		t.Error("resumed store differs from an uninterrupted one")
	}
	r1, _ := os.ReadFile(filepath.Join(dir, "r1", "big.csv.rejects.jsonl"))
	r2, _ := os.ReadFile(filepath.Join(dir, "r2", "big.csv.rejects.jsonl"))
	if len(r1) == 0 || !bytes.Equal(r1, r2) {
		t.Errorf("reject reports differ (%d and %d bytes)", len(r1), len(r2))
	}
}

func TestFilesWithoutRegister(t *testing.T) {
	dir := t.TempDir()
	db := openDB(t)
	noRegister := [][]string{{"ho_ten", "ngay_sinh"}, {"An", "01/01/2000"}, {"Bình", "02/01/2000"}}
	badRegister := [][]string{birthHeader, row(map[string]string{"loai_so": "XX"})}
	writeFile(t, dir, "empty.csv", nil)
	writeFile(t, dir, "header-only.csv", []byte(strings.Join(birthHeader, ",")+"\n"))
	writeFile(t, dir, "no-register.csv", csvBytes(t, ',', noRegister))
	writeFile(t, dir, "bad-register.csv", csvBytes(t, ',', badRegister))
	writeFile(t, dir, "notes.txt.bak", []byte("not a batch"))
	res, err := ingest.New(db, ingest.Options{Now: func() time.Time { return fixedNow }}).Run(context.Background(), []string{dir})
	if err == nil {
		t.Fatal("an empty file did not fail the run")
	}
	got := map[string]ingest.FileResult{}
	for _, r := range res {
		got[r.File] = r
	}
	if r := got["empty.csv"]; r.Status != ingest.StatusRefused || r.Reason == "" {
		t.Errorf("empty file: %+v", r)
	}
	if r := got["header-only.csv"]; r.Status != ingest.StatusIngested || r.Counts.Rows != 0 {
		t.Errorf("header-only file: %+v", r)
	}
	for _, name := range []string{"no-register.csv", "bad-register.csv"} {
		r := got[name]
		if r.Counts.Rows == 0 || r.Counts.Rejected != r.Counts.Rows {
			t.Errorf("%s: %+v, want every row rejected", name, r)
		}
	}
	if r := got["notes.txt.bak"]; r.Status != ingest.StatusNotRead || r.Reason == "" {
		t.Errorf("a file that is not a batch: %+v, want it listed as not read, with the reason", r)
	}
}

// TestHeaderEdgeCases: blank and repeated unknown headers keep every cell,
// mojibake in the header is repaired like mojibake in cells, a stray row of
// another register at the top of a file does not decide the file's register,
// and an unreadable .jsonl line is rejected in Vietnamese.
func TestHeaderEdgeCases(t *testing.T) {
	dir := t.TempDir()
	db := openDB(t)

	header := append(append([]string(nil), birthHeader...), "Cột phụ", "Cột phụ", "", "")
	extras := csvBytes(t, ',', [][]string{header, append(append([]string(nil), births[0]...), "giá trị A", "giá trị B", "rỗng 1", "rỗng 2")})

	moji := append([]string(nil), birthHeader...)
	for i, h := range moji {
		switch h {
		case "ho_ten":
			moji[i] = mojibake("Họ, chữ đệm, tên")
		case "ngay_sinh":
			moji[i] = mojibake("Ngày sinh")
		case "gioi_tinh":
			moji[i] = mojibake("Giới tính")
		}
	}
	mojiFile := csvBytes(t, ',', [][]string{moji, births[1]})

	stray := row(map[string]string{"loai_so": "KH", "so": "90"})
	strayFile := csvBytes(t, ',', [][]string{birthHeader, stray, row(map[string]string{"so": "91"}), row(map[string]string{"so": "92"})})

	jsonlFile := []byte(`{"loai_so": "KT", broken` + "\n" + `{"loai_so": "KT"` + "\n")

	rejDir := t.TempDir()
	res := run(t, db, ingest.Options{RejectsDir: rejDir}, writeFile(t, dir, "extras.csv", extras), writeFile(t, dir, "moji.csv", mojiFile),
		writeFile(t, dir, "stray.csv", strayFile), writeFile(t, dir, "bad.jsonl", jsonlFile))
	got := map[string]ingest.FileResult{}
	for _, r := range res {
		got[r.File] = r
	}

	recs := map[string]jsonl.Line{}
	for _, l := range lines(t, db) {
		recs[l.SourceRefs[0]] = l
	}
	wantExtra := map[string]string{"Cột phụ": "giá trị A", "Cột phụ (2)": "giá trị B", "cột 20": "rỗng 1", "cột 21": "rỗng 2"}
	if l, ok := recs["extras.csv#1"]; !ok || !reflect.DeepEqual(l.Extra, wantExtra) {
		t.Errorf("extras.csv#1: extra = %v, want %v", l.Extra, wantExtra)
	}

	if r := got["moji.csv"]; r.Counts.Accepted+r.Counts.Flagged != 1 {
		t.Errorf("moji.csv: %+v, want its row stored", r.Counts)
	} else if l := recs["moji.csv#1"]; l.Fields["ho_ten"] != "Lê Thị Thuý Hằng" || l.Fields["gioi_tinh"] != "Nữ" {
		t.Errorf("moji.csv#1: fields %v", l.Fields)
	}

	if r := got["stray.csv"]; r.Register != registry.Birth || r.Counts.Rejected != 1 || r.Counts.Accepted+r.Counts.Flagged != 2 {
		t.Errorf("stray.csv: register %s, counts %+v; want KS with only the KH row rejected", r.Register, r.Counts)
	}

	f, err := os.Open(filepath.Join(rejDir, "bad.jsonl.rejects.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	report, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, rec := range report[1:] {
		n++
		if msg := rec[4]; !strings.HasPrefix(msg, "JSON không hợp lệ") || strings.Contains(msg, "invalid") || strings.Contains(msg, "unexpected") {
			t.Errorf("%s: message %q, want it in Vietnamese", rec[0], msg)
		}
	}
	if n != 2 {
		t.Errorf("bad.jsonl: %d rejects, want 2", n)
	}
}

// mojibake returns s as UTF-8 bytes read once as Windows-1252 and saved
// again as UTF-8, bytes CP1252 leaves undefined kept as C1 controls.
func mojibake(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		r := charmap.Windows1252.DecodeByte(c)
		if r == '\uFFFD' {
			r = rune(c)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TestDocumentIDs: a personal ID keyed as a spouse's identity document,
// bare or after its label, is checked against the birth year and the sex
// the role implies, and found by a lookup by ID; a passport is neither.
func TestDocumentIDs(t *testing.T) {
	header := []string{"loai_so", "ma_noi_dang_ky", "noi_dang_ky", "quyen_so", "so", "ngay_dang_ky",
		"chong_ho_ten", "chong_ngay_sinh", "chong_giay_to", "vo_ho_ten", "vo_ngay_sinh", "vo_giay_to"}
	entry := func(n, husbandDoc, wifeDoc string) []string {
		return []string{"KH", "26740", "UBND Phường Bến Nghé, Quận 1", "01/2020", n, "10/01/2020",
			"Trần Văn Nam", "1988", husbandDoc, "Lê Thị Hoa", "1990", wifeDoc}
	}
	rows := [][]string{header,
		entry("1", "CCCD số 079088000007", "079190000008"),           // both agree
		entry("2", "Căn cước công dân 079090000007", "079190000009"), // husband's year differs
		entry("3", "079088000010", "079090000011"),                   // wife's digit is a man's
		entry("4", "Hộ chiếu số B1234567", "CMND 025123456"),         // no personal ID to check
	}
	db := openDB(t)
	run(t, db, ingest.Options{}, writeFile(t, t.TempDir(), "kh.csv", csvBytes(t, ',', rows)))
	flags := map[string][]string{}
	for _, l := range lines(t, db) {
		flags[l.SourceRefs[0]] = l.Flags
	}
	want := map[string][]string{"kh.csv#1": nil, "kh.csv#2": {"id_mismatch"}, "kh.csv#3": {"id_mismatch"}, "kh.csv#4": nil}
	for ref, w := range want {
		if got := flags[ref]; len(got) != len(w) || len(w) > 0 && got[0] != w[0] {
			t.Errorf("%s: flags %v, want %v", ref, got, w)
		}
	}
	for _, id := range []string{"079088000007", "025123456"} {
		recs, err := db.FindRecords(context.Background(), registry.RecordFilter{PersonalID: id})
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1 {
			t.Errorf("lookup by ID %s: %d records, want 1", id, len(recs))
		}
	}
}

// TestCopyUnderAnotherName: a file whose bytes were ingested under another
// name is skipped, and its result names the file it copies.
func TestCopyUnderAnotherName(t *testing.T) {
	dir := t.TempDir()
	data := csvBytes(t, ',', [][]string{birthHeader, births[0]})
	a, b := writeFile(t, dir, "a.csv", data), writeFile(t, dir, "b-resent.csv", data)
	db := openDB(t)
	for _, paths := range [][]string{{a, b}, {b}} {
		res := run(t, db, ingest.Options{}, paths...)
		got := res[len(res)-1]
		if got.File != "b-resent.csv" || got.Status != ingest.StatusSkipped || got.SameAs != "a.csv" {
			t.Errorf("ingest %v: last result %+v, want b-resent.csv skipped as the same as a.csv", paths, got)
		}
	}
}
