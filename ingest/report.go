package ingest

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hotich/hotich/internal/atomicfile"
	"github.com/hotich/hotich/registry"
)

// writeRejectReports writes a batch's rejected rows to <dir>/<file>.rejects.csv
// (for people: UTF-8 with a BOM so spreadsheet programs read Vietnamese, the
// batch's own columns after the reason) and <dir>/<file>.rejects.jsonl (for
// programs). Each file is written atomically, so a report is either whole or
// absent. It returns the paths written.
func writeRejectReports(ctx context.Context, store registry.BatchService, dir string, b *registry.Batch) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	csvPath := rejectReportPath(dir, b, ".csv")
	jsonPath := rejectReportPath(dir, b, ".jsonl")
	if _, err := atomicfile.RemoveStale(dir); err != nil {
		return nil, err
	}
	cf, err := atomicfile.Create(csvPath, atomicfile.Public)
	if err != nil {
		return nil, err
	}
	defer cf.Abort()
	jf, err := atomicfile.Create(jsonPath, atomicfile.Public)
	if err != nil {
		return nil, err
	}
	defer jf.Abort()

	cb := bufio.NewWriter(cf)
	cb.WriteString("\ufeff")
	cw := csv.NewWriter(cb)
	cw.Write(spreadsheetSafe(append([]string{"nguon", "dong", "ma_loi", "truong", "ly_do"}, b.Header...)))
	jb := bufio.NewWriter(jf)
	enc := json.NewEncoder(jb)
	enc.SetEscapeHTML(false)
	err = store.Rejects(ctx, b, func(r registry.Reject) error {
		if err := cw.Write(spreadsheetSafe(append([]string{r.Ref, strconv.Itoa(r.Row), string(r.Code), r.Field, r.Message}, r.Raw...))); err != nil {
			return err
		}
		return enc.Encode(struct {
			Ref     string   `json:"source_ref"`
			Row     int      `json:"row"`
			Reason  string   `json:"reason"`
			Field   string   `json:"field,omitempty"`
			Message string   `json:"message"`
			Header  []string `json:"header"`
			Raw     []string `json:"raw"`
		}{r.Ref, r.Row, string(r.Code), r.Field, r.Message, b.Header, r.Raw})
	})
	if err != nil {
		return nil, fmt.Errorf("reject report %s: %w", b.FileName, err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		w    *bufio.Writer
		file *atomicfile.File
	}{{cb, cf}, {jb, jf}} {
		if err := f.w.Flush(); err != nil {
			return nil, err
		}
		if err := f.file.Commit(); err != nil {
			return nil, err
		}
	}
	return []string{csvPath, jsonPath}, nil
}

// spreadsheetSafe neutralises, in place, the cells a spreadsheet program
// would run as a formula when an operator opens the CSV report: a cell
// beginning with '=', '+', '-', '@', TAB or CR gets a single quote before
// it (the OWASP advice for CSV injection), which the program shows as text.
// Batch cells are untrusted input; the JSONL report keeps them as read.
func spreadsheetSafe(cells []string) []string {
	for i, c := range cells {
		if c != "" && strings.IndexByte("=+-@\t\r", c[0]) >= 0 {
			cells[i] = "'" + c
		}
	}
	return cells
}

// rejectReportPath names a batch's reject report with the given extension.
func rejectReportPath(dir string, b *registry.Batch, ext string) string {
	return filepath.Join(dir, b.FileName+".rejects"+ext)
}
