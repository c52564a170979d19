package ingest_test

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hotich/hotich/ingest"
)

// TestRejectReportNeutralisesFormulas: a cell a spreadsheet would run as a
// formula (=, +, -, @, TAB or CR first) is written to the CSV report with a
// single quote before it, header cells included; the JSONL report, read by
// programs, keeps every value as it was.
func TestRejectReportNeutralisesFormulas(t *testing.T) {
	dir := t.TempDir()
	header := append(append([]string(nil), birthHeader...), "=HYPERLINK(\"http://x\")")
	formulas := []string{`=cmd|' /C calc'!A0`, "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"}
	rows := [][]string{header}
	for _, f := range formulas {
		r := row(map[string]string{"so": f, "ngay_sinh": "31/02/2010", "ho_ten": f})
		rows = append(rows, append(r, f))
	}
	rej := filepath.Join(dir, "rejects")
	db := openDB(t)
	run(t, db, ingest.Options{RejectsDir: rej}, writeFile(t, dir, "f.csv", csvBytes(t, ',', rows)))

	f, err := os.Open(filepath.Join(rej, "f.csv.rejects.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	report, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(report) != len(formulas)+1 {
		t.Fatalf("%d report lines, want %d", len(report), len(formulas)+1)
	}
	for i, line := range report {
		for j, cell := range line {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("CSV report line %d cell %d = %q: a spreadsheet runs it as a formula", i+1, j+1, cell)
			}
		}
	}
	if got, want := report[1][len(report[1])-1], "'"+formulas[0]; got != want {
		t.Errorf("neutralised cell = %q, want %q", got, want)
	}

	data, err := os.ReadFile(filepath.Join(rej, "f.csv.rejects.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var r struct {
			Raw    []string `json:"raw"`
			Header []string `json:"header"`
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		if got := r.Raw[len(r.Raw)-1]; got != formulas[i] {
			t.Errorf("JSONL report row %d: raw %q, want %q as read", i+1, got, formulas[i])
		}
		if got := r.Header[len(r.Header)-1]; got != header[len(header)-1] {
			t.Errorf("JSONL report header %q, want %q", got, header[len(header)-1])
		}
	}
}
