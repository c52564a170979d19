package ingest_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hotich/hotich/samples"
)

var benchEntries = flag.Int("entries", 100000, "entries of the plain corpus BenchmarkIngestVsImport loads")

// BenchmarkIngestVsImport measures the ingest of a plain corpus (UTF-8
// comma CSV, every register, realistic values) by the hotich binary against
// sqlite3's .import of the same rows into one flat table per register, in
// the same run. It reports rows/s of both, their ratio, and the ingest's
// peak RSS. The documented figures come from
//
//	go test ./ingest -run '^$' -bench IngestVsImport -benchtime 1x -entries 1000000
func BenchmarkIngestVsImport(b *testing.B) {
	sqlite3, err := exec.LookPath("sqlite3")
	if err != nil {
		b.Skip("sqlite3 (the .import baseline) is not installed")
	}
	dir := b.TempDir()
	cfg := samples.DefaultConfig()
	// The plain preset: every file a UTF-8 comma CSV that .import loads as
	// it is, so both sides load the same rows.
	cfg.SetPlain()
	cfg.Entries, cfg.Seed, cfg.TruthFields = *benchEntries, 3, false
	sum, err := samples.Generate(context.Background(), cfg, dir)
	if err != nil {
		b.Fatal(err)
	}
	batches := filepath.Join(dir, "batches")
	files, err := filepath.Glob(filepath.Join(batches, "*.csv"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no batch files: %v", err)
	}
	if all, _ := os.ReadDir(batches); len(all) != len(files) {
		b.Fatalf("%d of the %d batch files are CSV: .import would load fewer rows than the ingest", len(files), len(all))
	}
	sort.Strings(files)
	rows := sum.Rows

	bin := filepath.Join(dir, "hotich")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/hotich").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}

	// The .import script: the first file of each register creates its
	// table from the header; the rest skip their header.
	var script strings.Builder
	script.WriteString(".mode csv\n")
	created := map[string]bool{}
	for _, f := range files {
		reg := registerOf(f)
		if !created[reg] {
			created[reg] = true
			fmt.Fprintf(&script, ".import %s flat_%s\n", f, reg)
		} else {
			fmt.Fprintf(&script, ".import --skip 1 %s flat_%s\n", f, reg)
		}
	}
	scriptPath := filepath.Join(dir, "import.sql")
	if err := os.WriteFile(scriptPath, []byte(script.String()), 0o644); err != nil {
		b.Fatal(err)
	}

	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		flat := filepath.Join(dir, fmt.Sprintf("flat-%d.db", i))
		imp := exec.Command(sqlite3, flat, ".read "+scriptPath)
		start := time.Now()
		if out, err := imp.CombinedOutput(); err != nil {
			b.Fatalf(".import: %v\n%s", err, out)
		}
		importTime := time.Since(start)

		db := filepath.Join(dir, fmt.Sprintf("hotich-%d.db", i))
		ing := exec.Command(bin, "ingest", "--quiet", "--db", db, "--rejects", filepath.Join(dir, "rejects"), batches)
		ing.Stdout, ing.Stderr = nil, os.Stderr
		start = time.Now()
		if err := ing.Run(); err != nil {
			b.Fatalf("hotich ingest: %v", err)
		}
		ingestTime := time.Since(start)
		rss := ing.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux

		fi, _ := os.Stat(db)
		b.ReportMetric(float64(rows)/ingestTime.Seconds(), "ingest-rows/s")
		b.ReportMetric(float64(rows)/importTime.Seconds(), "import-rows/s")
		b.ReportMetric(ingestTime.Seconds()/importTime.Seconds(), "ratio")
		b.ReportMetric(float64(rss)/1024, "peak-RSS-MiB")
		b.ReportMetric(float64(fi.Size())/(1<<20), "db-MiB")
		b.Logf("%d rows in %d files: ingest %s, .import %s (%.2fx), ingest peak RSS %.0f MiB, store %.0f MiB",
			rows, len(files), ingestTime.Round(time.Millisecond), importTime.Round(time.Millisecond),
			ingestTime.Seconds()/importTime.Seconds(), float64(rss)/1024, float64(fi.Size())/(1<<20))
		os.Remove(flat)
		os.Remove(db)
	}
}

// registerOf reads the register code from a sample file name
// ("q1-ben-nghe-kt-2010-q01.csv").
func registerOf(path string) string {
	for _, part := range strings.Split(filepath.Base(path), "-") {
		switch part {
		case "ks", "kh", "kt", "ncmc":
			return strings.ToUpper(part)
		}
	}
	return "X"
}
