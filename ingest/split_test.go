package ingest_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotich/hotich/ingest"
	"github.com/hotich/hotich/registry"
)

// rejectsOf reads a batch's JSONL reject report: reason by row number, and
// the raw cells.
func rejectsOf(t *testing.T, dir, file string) (map[int]string, map[int][]string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, file+".rejects.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	reasons, raws := map[int]string{}, map[int][]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var r struct {
			Row    int      `json:"row"`
			Reason string   `json:"reason"`
			Raw    []string `json:"raw"`
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		reasons[r.Row], raws[r.Row] = r.Reason, r.Raw
	}
	return reasons, raws
}

// TestUnbalancedQuote: a quote that opens a cell and never closes does not
// swallow the rows after it. The row is rejected alone, and every later
// row keeps its number, so "file#n" is the n-th data row the operator sees.
// A balanced quoted cell over several lines is still one row.
func TestUnbalancedQuote(t *testing.T) {
	line := func(n, name, note string) string {
		return "KS,26740,UBND Phường Bến Nghé,01/2010," + n + ",15/03/2010," + name + ",01/03/2010,Nam," + note + "\n"
	}
	header := "loai_so,ma_noi_dang_ky,noi_dang_ky,quyen_so,so,ngay_dang_ky,ho_ten,ngay_sinh,gioi_tinh,ghi_chu\n"
	cases := map[string]struct {
		text     string
		rejected []int
		want     map[string]string // ref -> entry number
		notes    map[string]string // entry number -> ghi_chu
	}{
		"OpenInMiddle": {
			text: header + line("1", "Nguyễn Văn An", "") + line("2", `"Trần Văn Bình`, "") + line("3", "Lê Văn Cường", "") +
				line("4", "Phạm Thị Dung", `"Hà Nội, Việt Nam"`) + line("5", "Võ Văn Em", ""),
			rejected: []int{2},
			want:     map[string]string{"f.csv#1": "1", "f.csv#3": "3", "f.csv#4": "4", "f.csv#5": "5"},
			notes:    map[string]string{"4": "Hà Nội, Việt Nam"},
		},
		"OpenInLastCell": {
			text:     header + line("1", "Nguyễn Văn An", `"Cải chính`) + line("2", "Trần Văn Bình", "") + line("3", "Lê Văn Cường", ""),
			rejected: []int{1},
			want:     map[string]string{"f.csv#2": "2", "f.csv#3": "3"},
		},
		"OpenOnLastLine": {
			text:     header + line("1", "Nguyễn Văn An", "") + line("2", "Trần Văn Bình", `"Cải chính`),
			rejected: []int{2},
			want:     map[string]string{"f.csv#1": "1"},
		},
		"BalancedMultiLine": {
			text: header + line("1", "Nguyễn Văn An", "\"Cải chính họ tên\nngày 05/06/2015\"") + line("2", `"Trần ""Bé"" Bình"`, "") +
				"\n" + line("3", "Lê Văn Cường", "\"Dòng 1\r\nDòng 2, có dấu phẩy\""),
			want:  map[string]string{"f.csv#1": "1", "f.csv#2": "2", "f.csv#3": "3"},
			notes: map[string]string{"1": "Cải chính họ tên ngày 05/06/2015", "3": "Dòng 1 Dòng 2, có dấu phẩy"},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			db := openDB(t)
			rej := filepath.Join(dir, "rejects")
			res := run(t, db, ingest.Options{RejectsDir: rej}, writeFile(t, dir, "f.csv", []byte(c.text)))
			if got := res[0].Counts.Rejected; got != len(c.rejected) {
				t.Errorf("%d rejected, want %d", got, len(c.rejected))
			}
			if got, want := res[0].Counts.Rows, len(c.want)+len(c.rejected); got != want {
				t.Errorf("%d rows, want %d", got, want)
			}
			if len(c.rejected) > 0 {
				reasons, raws := rejectsOf(t, rej, "f.csv")
				for _, n := range c.rejected {
					if reasons[n] != string(registry.RejectMalformed) {
						t.Errorf("row %d: reject %q, want %s", n, reasons[n], registry.RejectMalformed)
					}
					if !strings.Contains(strings.Join(raws[n], ","), ","+strconv.Itoa(n)+",") {
						t.Errorf("row %d: raw %q is not the row's line", n, raws[n])
					}
				}
			}
			got := map[string]string{}
			notes := map[string]string{}
			for _, l := range lines(t, db) {
				for _, r := range l.SourceRefs {
					got[r] = l.Number
				}
				if v := l.Fields["ghi_chu"]; v != "" {
					notes[l.Number] = v
				}
			}
			for ref, n := range c.want {
				if got[ref] != n {
					t.Errorf("%s is entry %q, want entry %s", ref, got[ref], n)
				}
			}
			if len(got) != len(c.want) {
				t.Errorf("stored refs %v, want %v", got, c.want)
			}
			for n, note := range c.notes {
				if notes[n] != note {
					t.Errorf("entry %s: ghi_chu %q, want %q", n, notes[n], note)
				}
			}
		})
	}
}

// TestLimits: a line, a cell or a row of cells over the documented limits
// rejects that row alone (reason over_limit), and the rest of the file is
// ingested; a header over the column limit refuses the file.
func TestLimits(t *testing.T) {
	dir := t.TempDir()
	rej := filepath.Join(dir, "rejects")
	header := "loai_so,ma_noi_dang_ky,noi_dang_ky,quyen_so,so,ngay_dang_ky,ho_ten,ngay_sinh,gioi_tinh,ghi_chu\n"
	line := func(n, note string) string {
		return "KS,26740,UBND Phường Bến Nghé,01/2010," + n + ",15/03/2010,Nguyễn Văn An,01/03/2010,Nam," + note + "\n"
	}
	csvText := header + line("1", "") + line("2", strings.Repeat("x", 2*ingest.MaxLineBytes)) + line("3", "") +
		line("4", strings.Repeat("y", ingest.MaxCellBytes+1)) + line("5", strings.Repeat(",", ingest.MaxColumns)) + line("6", "")
	jrow := func(n, note string) string {
		b, _ := json.Marshal(map[string]string{"loai_so": "KS", "ma_noi_dang_ky": "26740", "noi_dang_ky": "UBND Phường Bến Nghé", "quyen_so": "02/2010",
			"so": n, "ngay_dang_ky": "15/03/2010", "ho_ten": "Trần Văn Bình", "ngay_sinh": "01/03/2010", "gioi_tinh": "Nam", "ghi_chu": note})
		return string(b) + "\n"
	}
	jsonlText := jrow("1", "") + jrow("2", strings.Repeat("z", 2*ingest.MaxLineBytes)) + jrow("3", "") + jrow("4", strings.Repeat("w", ingest.MaxCellBytes+1)) + jrow("5", "")
	wide := strings.Repeat("cot,", ingest.MaxColumns) + header + line("1", "")

	db := openDB(t)
	res, err := ingest.New(db, ingest.Options{RejectsDir: rej, Now: func() time.Time { return fixedNow }}).Run(context.Background(),
		[]string{writeFile(t, dir, "big.csv", []byte(csvText)), writeFile(t, dir, "big.jsonl", []byte(jsonlText)), writeFile(t, dir, "wide.csv", []byte(wide))})
	if err == nil {
		t.Error("a refused file did not fail the run")
	}
	for _, r := range res {
		switch r.File {
		case "big.csv", "big.jsonl":
			want := map[string]int{"big.csv": 6, "big.jsonl": 5}[r.File]
			if r.Status != ingest.StatusIngested || r.Counts.Rows != want {
				t.Errorf("%s: %s, %d rows, want %d rows ingested (%+v)", r.File, r.Status, r.Counts.Rows, want, r)
			}
			reasons, raws := rejectsOf(t, rej, r.File)
			over := map[string][]int{"big.csv": {2, 4, 5}, "big.jsonl": {2, 4}}[r.File]
			for _, n := range over {
				if reasons[n] != string(registry.RejectOverLimit) {
					t.Errorf("%s#%d: reject %q, want %s", r.File, n, reasons[n], registry.RejectOverLimit)
				}
				if size := len(strings.Join(raws[n], "")); size > ingest.MaxCellBytes+8<<10 {
					t.Errorf("%s#%d: %d bytes of raw cells kept, want it cut", r.File, n, size)
				}
			}
			if len(reasons) != len(over) {
				t.Errorf("%s: rejects %v, want rows %v", r.File, reasons, over)
			}
		case "wide.csv":
			if r.Status != ingest.StatusRefused || !strings.Contains(r.Reason, strconv.Itoa(ingest.MaxColumns)) {
				t.Errorf("wide.csv: %+v, want it refused for its columns", r)
			}
		}
	}
	var refs []string
	for _, l := range lines(t, db) {
		refs = append(refs, l.SourceRefs...)
	}
	if got := strings.Join(refs, " "); !strings.Contains(got, "big.csv#6") || !strings.Contains(got, "big.jsonl#5") || len(refs) != 6 {
		t.Errorf("stored refs %s, want big.csv#1,3,6 and big.jsonl#1,3,5", got)
	}
}
