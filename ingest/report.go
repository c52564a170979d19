package ingest

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
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
	stem, _ := reportStem(dir, b)
	csvPath, jsonPath := stem+".csv", stem+".jsonl"
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
		return enc.Encode(jsonReject{r.Ref, r.Row, string(r.Code), r.Field, r.Message, b.Header, r.Raw, b.Hash})
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
// A lone "-" (the registers' "unknown") is no formula and stays as it is.
// Batch cells are untrusted input; the JSONL report keeps them as read.
func spreadsheetSafe(cells []string) []string {
	for i, c := range cells {
		if c != "" && c != "-" && strings.IndexByte("=+-@\t\r", c[0]) >= 0 {
			cells[i] = "'" + c
		}
	}
	return cells
}

// jsonReject is a line of the JSONL reject report.
type jsonReject struct {
	Ref     string   `json:"source_ref"`
	Row     int      `json:"row"`
	Reason  string   `json:"reason"`
	Field   string   `json:"field,omitempty"`
	Message string   `json:"message"`
	Header  []string `json:"header"`
	Raw     []string `json:"raw"`
	Hash    string   `json:"file_sha256"` // of the batch file: whose report this is
}

// reportStem returns the path of a batch's reject reports without the
// extension, and whether they exist. The reports are named after the file:
// <dir>/<file>.rejects.csv and .jsonl. Files of one base name in different
// folders (or a corrected file sent again under its name) must not
// overwrite each other's reports, so when the report under the file's name
// is another file's (its lines name another file hash), the reports also
// carry the first 12 hex digits of the file's hash:
// <dir>/<file>.<hash>.rejects.csv. A report written before reports named
// their file is taken for this file's.
func reportStem(dir string, b *registry.Batch) (stem string, exists bool) {
	plain := filepath.Join(dir, b.FileName+".rejects")
	switch owner, err := reportOwner(plain + ".jsonl"); {
	case err != nil:
		return plain, false
	case owner == "" || owner == b.Hash:
		return plain, true
	}
	hashed := filepath.Join(dir, b.FileName+"."+b.Hash[:min(12, len(b.Hash))]+".rejects")
	_, err := os.Stat(hashed + ".jsonl")
	return hashed, err == nil
}

// reportOwner returns the file hash a JSONL reject report names on its
// first line ("" for a report that names none).
func reportOwner(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	line, err := bufio.NewReader(io.LimitReader(f, 1<<20)).ReadBytes('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	var r jsonReject
	json.Unmarshal(line, &r)
	return r.Hash, nil
}
