package ingest_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/hotich/hotich/ingest"
	"github.com/hotich/hotich/registry"
)

// zipBomb returns a small workbook whose first sheet unzips to size bytes:
// blank rows over and over.
func zipBomb(t *testing.T, size int) []byte {
	t.Helper()
	f := excelize.NewFile()
	for c, h := range birthHeader {
		cell, _ := excelize.CoordinatesToCellName(c+1, 1)
		f.SetCellStr("Sheet1", cell, h)
	}
	var plain bytes.Buffer
	if err := f.Write(&plain); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(plain.Bytes()), int64(plain.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	for _, e := range zr.File {
		w, err := zw.Create(e.Name)
		if err != nil {
			t.Fatal(err)
		}
		if e.Name != "xl/worksheets/sheet1.xml" {
			r, _ := e.Open()
			io.Copy(w, r)
			r.Close()
			continue
		}
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
		chunk := strings.Repeat(`<row><c t="inlineStr"><is><t> </t></is></c></row>`, 1<<14)
		for n := 0; n < size; n += len(chunk) {
			io.WriteString(w, chunk)
		}
		io.WriteString(w, `</sheetData></worksheet>`)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestXLSXZipBomb: a workbook of a few megabytes whose sheet unzips to a
// gigabyte is refused as a whole, before it is unzipped (so what the run
// allocates stays small), and leaves no temporary file behind.
func TestXLSXZipBomb(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dir := t.TempDir()
	bomb := zipBomb(t, 1<<30)
	t.Logf("bomb: %d bytes", len(bomb))
	path := writeFile(t, dir, "bomb.xlsx", bomb)
	db := openDB(t)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res, err := ingest.New(db, ingest.Options{Now: func() time.Time { return fixedNow }}).Run(context.Background(), []string{path})
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Error("the run reported no error")
	}
	if len(res) != 1 || res[0].Status != ingest.StatusRefused || !strings.Contains(res[0].Reason, "giải nén") {
		t.Errorf("results %+v, want bomb.xlsx refused for its unzipped size", res)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("refusing the bomb allocated %d MiB", alloc>>20)
	}
	left, _ := os.ReadDir(tmp)
	for _, e := range left {
		t.Errorf("left behind in the temporary folder: %s", e.Name())
	}
	if n := len(lines(t, db)); n != 0 {
		t.Errorf("%d records stored", n)
	}
}

// TestXLSXLimits: a sheet cell over MaxCellBytes (30,000 letters of three
// bytes; a sheet cell holds at most 32,767) rejects its row alone, and
// the temporary folder a killed run left is removed by the next.
func TestXLSXLimits(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip(err)
	}
	stale := filepath.Join(tmp, "hotich-xlsx-"+strconv.Itoa(dead.Process.Pid)+"-123")
	if err := os.MkdirAll(stale, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, stale, "excelize-1", []byte("a sheet"))

	f := excelize.NewFile()
	rows := [][]string{birthHeader, births[0], row(map[string]string{"so": "2", "ghi_chu": strings.Repeat("ễ", 30000)}), row(map[string]string{"so": "3"})}
	for r, cells := range rows {
		for c, v := range cells {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			f.SetCellStr("Sheet1", cell, v)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rej := filepath.Join(dir, "rejects")
	db := openDB(t)
	res := run(t, db, ingest.Options{RejectsDir: rej}, writeFile(t, dir, "s.xlsx", buf.Bytes()))
	if c := res[0].Counts; c.Rows != 3 || c.Rejected != 1 {
		t.Errorf("counts %+v, want 3 rows, 1 rejected", c)
	}
	if reasons, _ := rejectsOf(t, rej, "s.xlsx"); reasons[2] != string(registry.RejectOverLimit) {
		t.Errorf("rejects %v, want row 2 over_limit", reasons)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale temporary folder is still there (%v)", err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left in the temporary folder: %v", left)
	}
}
