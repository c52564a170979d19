package ingest_test

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/hotich/hotich/ingest"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

// manyBirths returns a CSV of n birth rows whose names carry diacritics.
func manyBirths(t *testing.T, n int) []byte {
	rows := [][]string{birthHeader}
	for i := 0; i < n; i++ {
		r := row(map[string]string{"so": strconv.Itoa(i + 1)})
		r[6] = []string{"Nguyễn Văn Đức", "Lê Thị Thuý Hằng", "Trần Ngọc Ánh", "Phạm Hữu Lộc"}[i%4]
		rows = append(rows, r)
	}
	return csvBytes(t, ',', rows)
}

// TestStrayByteInUTF8: a valid UTF-8 file but for one stray byte is read as
// UTF-8, not as a legacy encoding: every other row is stored with its
// names as written, and the one cell holding the byte is flagged (an
// optional column: the value is left out, the raw row keeps it) or its row
// rejected as unreadable (a required column).
func TestStrayByteInUTF8(t *testing.T) {
	for _, c := range []struct {
		name, column string
		reject       bool
	}{{"Optional", "noi_sinh", false}, {"Required", "ho_ten", true}} {
		t.Run(c.name, func(t *testing.T) {
			data := manyBirths(t, 200)
			// Put 0xE9 (é in Latin-1) into row 12's cell, inside the sample
			// detection reads first.
			rowStart := 0
			for i := 0; i < 12; i++ {
				rowStart += bytes.IndexByte(data[rowStart:], '\n') + 1
			}
			cell := map[string]string{"noi_sinh": "Bệnh viện Từ Dũ", "ho_ten": "Phạm Hữu Lộc"}[c.column]
			at := rowStart + bytes.Index(data[rowStart:], []byte(cell)) + 2
			data = append(data[:at:at], append([]byte{0xE9}, data[at:]...)...)

			dir := t.TempDir()
			db := openDB(t)
			rej := dir + "/rejects"
			res := run(t, db, ingest.Options{RejectsDir: rej}, writeFile(t, dir, "stray.csv", data))
			if res[0].Encoding != "utf8" || res[0].Confidence < 0.9 {
				t.Fatalf("detected %s (confidence %.2f), want utf8", res[0].Encoding, res[0].Confidence)
			}
			stored := map[string]string{}
			var flagged []string
			for _, l := range lines(t, db) {
				stored[l.SourceRefs[0]] = l.Fields["ho_ten"]
				if len(l.Flags) > 0 {
					flagged = append(flagged, l.SourceRefs[0]+":"+strings.Join(l.Flags, ","))
				}
			}
			for ref, name := range stored {
				if !strings.Contains("Nguyễn Văn Đức Lê Thị Thuý Hằng Trần Ngọc Ánh Phạm Hữu Lộc", name) {
					t.Errorf("%s: name %q garbled", ref, name)
				}
			}
			if c.reject {
				reasons, _ := rejectsOf(t, rej, "stray.csv")
				if len(stored) != 199 || reasons[12] != string(registry.RejectUnreadable) {
					t.Errorf("%d stored, rejects %v; want row 12 rejected unreadable", len(stored), reasons)
				}
				return
			}
			if len(stored) != 200 || len(flagged) != 1 || flagged[0] != "stray.csv#12:unknown_value" {
				t.Errorf("%d stored, flagged %v; want 200 with row 12 flagged unknown_value", len(stored), flagged)
			}
		})
	}
}

// TestUnreadableEncodingRefused: a file no encoding reads as Vietnamese
// with confidence (bytes that are no language's text) is refused as a
// whole, with the threshold in the reason; nothing of it is stored.
// --encoding reads it as told.
func TestUnreadableEncodingRefused(t *testing.T) {
	header := strings.Join(birthHeader, ",") + "\n"
	var b bytes.Buffer
	b.WriteString(header)
	for i := 0; i < 50; i++ {
		b.WriteString("KS,26740,UBND Ph\x8a\x9b\xa7ng,01/2010," + strconv.Itoa(i+1) + ",15/03/2010,\x81\x8d\x8f\x90 \x9d\xad,01/03/2010,Nam,Kinh,,,,,,,\n")
	}
	dir := t.TempDir()
	path := writeFile(t, dir, "noise.csv", b.Bytes())
	db := openDB(t)
	res, err := ingest.New(db, ingest.Options{Now: func() time.Time { return fixedNow }}).Run(context.Background(), []string{path})
	if err == nil || len(res) != 1 || res[0].Status != ingest.StatusRefused || !strings.Contains(res[0].Reason, "--encoding") {
		t.Fatalf("results %+v (%v), want noise.csv refused, naming --encoding", res, err)
	}
	if n := len(lines(t, db)); n != 0 {
		t.Errorf("%d records stored from a refused file", n)
	}
	res = run(t, db, ingest.Options{Encoding: vntext.CP1258}, path)
	if res[0].Status != ingest.StatusIngested || res[0].Encoding != "cp1258" || res[0].Counts.Rows != 50 {
		t.Errorf("forced: %+v", res[0])
	}
}

// TestJunkFilesRefused: a program, an image, a zip (a workbook renamed
// .csv), a text with no header a batch has, and a .jsonl of no JSON are
// refused as files, each with its reason, and nothing of them is stored.
func TestJunkFilesRefused(t *testing.T) {
	dir := t.TempDir()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	prog, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	xf := excelize.NewFile()
	xf.SetCellStr("Sheet1", "A1", "loai_so")
	var xb bytes.Buffer
	xf.Write(&xb)
	files := map[string][]byte{
		"program.csv":  prog[:min(len(prog), 256<<10)],
		"image.tsv":    append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0, 1, 2, 200}, 1000)...),
		"workbook.csv": xb.Bytes(),
		"readme.txt":   []byte("Hướng dẫn nhập liệu\nCác tệp trong thư mục này là bản quét sổ khai sinh.\nLiên hệ anh Nam để biết thêm.\n"),
		"notes.jsonl":  []byte("Ghi chú: tệp này chưa xong\nsẽ gửi lại sau\n"),
	}
	var paths []string
	for name, data := range files {
		paths = append(paths, writeFile(t, dir, name, data))
	}
	db := openDB(t)
	res, err := ingest.New(db, ingest.Options{RejectsDir: dir + "/rejects", Now: func() time.Time { return fixedNow }}).Run(context.Background(), paths)
	if err == nil {
		t.Error("a run of junk reported no error")
	}
	want := map[string]string{"program.csv": "ELF", "image.tsv": "PNG", "workbook.csv": ".xlsx", "readme.txt": "tiêu đề", "notes.jsonl": "JSON"}
	for _, r := range res {
		if r.Status != ingest.StatusRefused || !strings.Contains(r.Reason, want[r.File]) {
			t.Errorf("%s: %s %q, want refused naming %q", r.File, r.Status, r.Reason, want[r.File])
		}
		if r.Counts.Rows != 0 {
			t.Errorf("%s: %d rows", r.File, r.Counts.Rows)
		}
	}
	if len(res) != len(files) {
		t.Errorf("%d results, want %d", len(res), len(files))
	}
	if _, err := os.Stat(dir + "/rejects"); !os.IsNotExist(err) {
		t.Errorf("reject reports written for refused files (%v)", err)
	}
	bs, err := db.Batches(context.Background())
	if err != nil || len(bs) != 0 {
		t.Errorf("%d batches recorded (%v), want none", len(bs), err)
	}
}
