package ingest

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/hotich/hotich/registry/vntext"
)

// TestReadingIsBounded: what reading a file allocates does not grow with a
// line or a cell: a 50 MB cell, a header or a row of a million columns and
// a 50 MB JSON line are read (and cut) with a few megabytes, measured as
// the bytes allocated (runtime.MemStats.TotalAlloc), not as time.
func TestReadingIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 200 MB of files")
	}
	dir := t.TempDir()
	header := "loai_so,ma_noi_dang_ky,noi_dang_ky,quyen_so,so,ngay_dang_ky,ho_ten,ngay_sinh,gioi_tinh,ghi_chu\n"
	row := "KS,26740,UBND Phường Bến Nghé,01/2010,1,15/03/2010,Nguyễn Văn An,01/03/2010,Nam,"
	const huge = 50 << 20
	files := map[string]string{
		"cell.csv":    header + row + strings.Repeat("x", huge) + "\n" + row + "\n",
		"quoted.csv":  header + row + `"` + strings.Repeat("y", 600<<10) + "\n" + strings.Repeat("y", 600<<10) + "\"\n" + row + "\n",
		"columns.csv": header + row + strings.Repeat(",", 1<<20) + "\n" + row + "\n",
		"header.csv":  strings.Repeat("cot,", 1<<20) + "\n" + row + "\n",
		"header2.csv": strings.Repeat("c,", 100000) + "\n" + row + "\n",
		"line.jsonl":  `{"ghi_chu": "` + strings.Repeat("z", huge) + "\"}\n{}\n",
		"lines.jsonl": strings.Repeat("{}\n", 1000),
	}
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			rows, err := readAllRows(path)
			runtime.ReadMemStats(&after)
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("%s: %d rows (%v), %.1f MiB allocated", name, rows, err, float64(alloc)/(1<<20))
			if alloc > 8<<20 {
				t.Errorf("reading %s allocated %.1f MiB, want at most 8 MiB", name, float64(alloc)/(1<<20))
			}
		})
	}
}

// readAllRows reads every row of a batch file as the ingest does.
func readAllRows(path string) (int, error) {
	ctx := context.Background()
	var rows rowReader
	var err error
	switch containerOf(path) {
	case ContainerJSONL:
		rows, err = openJSONL(ctx, path, vntext.Unknown)
	default:
		rows, err = openCSV(ctx, path, vntext.Unknown, false)
	}
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for {
		if _, err := nextRaw(rows); err != nil {
			if err == io.EOF {
				return n, nil
			}
			return n, err
		}
		n++
	}
}
