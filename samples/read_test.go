package samples_test

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

// truthLine is a line of truth/rows.jsonl.
type truthLine struct {
	Ref       string            `json:"ref"`
	Register  string            `json:"register"`
	Outcome   string            `json:"outcome"`
	Reject    string            `json:"reject"`
	Column    string            `json:"column"`
	Flags     []string          `json:"flags"`
	RecordID  string            `json:"record_id"`
	Event     string            `json:"event"`
	Design    string            `json:"design"`
	Conflicts []conflictLine    `json:"conflicts"`
	Repaired  []string          `json:"repaired"`
	Fields    map[string]string `json:"fields"`
	Extra     map[string]string `json:"extra"`
}

type conflictLine struct {
	Column string `json:"column"`
	Kept   string `json:"kept"`
	Value  string `json:"value"`
}

type pairLine struct {
	Kind        string   `json:"kind"`
	Type        string   `json:"type"`
	Via         string   `json:"via"`
	A           string   `json:"a"`
	B           string   `json:"b"`
	Register    string   `json:"register"`
	Event       string   `json:"event"`
	Events      []string `json:"events"`
	Corruptions []string `json:"corruptions"`
	Refs        []string `json:"refs"`
}

type counts struct {
	Rows     int64 `json:"rows"`
	Accepted int64 `json:"accepted"`
	Flagged  int64 `json:"flagged"`
	Rejected int64 `json:"rejected"`
	Records  int64 `json:"records"`
}

type summaryFile struct {
	Files     int                 `json:"files"`
	Total     counts              `json:"total"`
	Registers map[string]counts   `json:"registers"`
	Rejects   map[string]int64    `json:"rejects"`
	Flags     map[string]int64    `json:"flags"`
	Pairs     map[string]int      `json:"pairs"`
	ByFile    map[string]fileInfo `json:"by_file"`
}

type fileInfo struct {
	Register string `json:"register"`
	Format   string `json:"format"`
	Encoding string `json:"encoding"`
	RescanOf string `json:"rescan_of"`
	Counts   counts `json:"counts"`
}

// corpus is a generated corpus read back.
type corpus struct {
	dir     string
	rows    []truthLine
	pairs   []pairLine
	summary summaryFile
	files   []string // batch file names, sorted
}

func loadCorpus(t testing.TB, dir string) *corpus {
	t.Helper()
	c := &corpus{dir: dir}
	readLines(t, filepath.Join(dir, "truth", "rows.jsonl"), func(b []byte) {
		var l truthLine
		if err := json.Unmarshal(b, &l); err != nil {
			t.Fatalf("rows.jsonl: %v: %s", err, b)
		}
		c.rows = append(c.rows, l)
	})
	readLines(t, filepath.Join(dir, "truth", "pairs.jsonl"), func(b []byte) {
		var l pairLine
		if err := json.Unmarshal(b, &l); err != nil {
			t.Fatalf("pairs.jsonl: %v: %s", err, b)
		}
		c.pairs = append(c.pairs, l)
	})
	b, err := os.ReadFile(filepath.Join(dir, "truth", "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &c.summary); err != nil {
		t.Fatalf("summary.json: %v", err)
	}
	ents, err := os.ReadDir(filepath.Join(dir, "batches"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		c.files = append(c.files, e.Name())
	}
	sort.Strings(c.files)
	return c
}

func readLines(t testing.TB, path string, fn func([]byte)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 1<<20), 1<<24)
	for s.Scan() {
		fn(s.Bytes())
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
}

// batch is a batch file read back: its header and data rows as text.
type batch struct {
	name   string
	header []string
	rows   []batchRow
}

type batchRow struct {
	cells   []string          // CSV, TSV, XLSX
	obj     map[string]string // JSONL
	present map[string]bool   // JSONL: keys the line has
	notObj  bool              // JSONL: not a JSON object
}

var vnEncodings = map[string]vntext.Encoding{
	"utf16le": vntext.UTF16LE, "utf16be": vntext.UTF16BE, "cp1258": vntext.CP1258,
	"tcvn3": vntext.TCVN3, "vni": vntext.VNI, "viscii": vntext.VISCII,
}

// decodeText returns the text of a CSV or TSV file in NFC.
func decodeText(t testing.TB, name, enc string, b []byte) string {
	t.Helper()
	switch enc {
	case "utf8", "utf8-nfd", "utf8-bom":
		if enc == "utf8-bom" != bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}) {
			t.Errorf("%s: BOM present = %v, encoding %s", name, !(enc == "utf8-bom"), enc)
		}
		b = bytes.TrimPrefix(b, []byte{0xEF, 0xBB, 0xBF})
		if !utf8.Valid(b) {
			t.Fatalf("%s: not valid UTF-8", name)
		}
		if enc == "utf8-nfd" != !norm.NFC.IsNormal(b) && bytes.ContainsFunc(b, func(r rune) bool { return r > 0x7f }) {
			t.Errorf("%s: NFC = %v, encoding %s", name, norm.NFC.IsNormal(b), enc)
		}
		return norm.NFC.String(string(b))
	}
	e, ok := vnEncodings[enc]
	if !ok {
		t.Fatalf("%s: unknown encoding %q", name, enc)
	}
	// As the ingest reads them: TCVN3 gets its capitals back per cell.
	s, err := io.ReadAll(vntext.NewCellCaseReader(bytes.NewReader(b), e))
	if err != nil {
		t.Fatalf("%s: decode %s: %v", name, enc, err)
	}
	return string(s)
}

func readBatch(t testing.TB, dir, name string, info fileInfo) *batch {
	t.Helper()
	path := filepath.Join(dir, name)
	bt := &batch{name: name}
	switch info.Format {
	case "xlsx":
		x, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		defer x.Close()
		rows, err := x.GetRows(x.GetSheetList()[0])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		bt.header = rows[0]
		for _, r := range rows[1:] {
			for len(r) < len(bt.header) {
				r = append(r, "")
			}
			bt.rows = append(bt.rows, batchRow{cells: r})
		}
		return bt
	case "jsonl":
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.Valid(b) {
			t.Fatalf("%s: not valid UTF-8", name)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			var m map[string]any
			if json.Unmarshal([]byte(line), &m) != nil {
				bt.rows = append(bt.rows, batchRow{notObj: true})
				continue
			}
			r := batchRow{obj: map[string]string{}, present: map[string]bool{}}
			for k, v := range m {
				s, ok := v.(string)
				if !ok {
					t.Errorf("%s: key %s holds %T", name, k, v)
				}
				r.obj[k], r.present[k] = s, true
			}
			bt.rows = append(bt.rows, r)
		}
		return bt
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := decodeText(t, name, info.Encoding, b)
	if info.Format == "tsv" {
		lines := strings.Split(strings.TrimRight(text, "\r\n"), "\n")
		for i, l := range lines {
			cells := strings.Split(strings.TrimSuffix(l, "\r"), "\t")
			if i == 0 {
				bt.header = cells
				continue
			}
			bt.rows = append(bt.rows, batchRow{cells: cells})
		}
		return bt
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	switch info.Format {
	case "csv-semicolon":
		cr.Comma = ';'
	case "csv-tab":
		cr.Comma = '\t'
	}
	all, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	bt.header = all[0]
	for _, r := range all[1:] {
		bt.rows = append(bt.rows, batchRow{cells: r})
	}
	return bt
}

// realText reports whether the real vntext has landed (the provisional one
// reads dates in one form only and encodes nothing).
func realText() bool {
	_, err := vntext.ParseDate("ngày 5 tháng 3 năm 1990")
	b, _ := vntext.Encode(vntext.TCVN3, "ă")
	return err == nil && string(b) != "ă"
}

// columns maps a batch's header to canonical columns ("" for extra ones).
func columns(t testing.TB, reg registry.Register, header []string) []string {
	t.Helper()
	out := make([]string, len(header))
	for i, h := range header {
		if c, ok := reg.ColumnByHeader(vntext.Clean(h)); ok {
			out[i] = c.Name
		}
	}
	return out
}
