package ingest_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
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
// peak RSS. It also reports the floor: sqlite3 copying the tables the ingest
// filled into an empty store of the same schema, with no parsing, no
// normalising and no Go at all. That is what storing those rows costs
// SQLite by itself, and no ingest of them can be faster. The documented
// figures come from
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
		floorTime := storeFloor(b, sqlite3, bin, db, filepath.Join(dir, fmt.Sprintf("floor-%d.db", i)))
		b.ReportMetric(float64(rows)/ingestTime.Seconds(), "ingest-rows/s")
		b.ReportMetric(float64(rows)/importTime.Seconds(), "import-rows/s")
		b.ReportMetric(ingestTime.Seconds()/importTime.Seconds(), "ratio")
		b.ReportMetric(float64(rss)/1024, "peak-RSS-MiB")
		b.ReportMetric(float64(fi.Size())/(1<<20), "db-MiB")
		b.ReportMetric(floorTime.Seconds()/importTime.Seconds(), "floor-ratio")
		b.Logf("%d rows in %d files: ingest %s, .import %s (%.2fx), SQLite floor %s (%.2fx), ingest peak RSS %.0f MiB, store %.0f MiB",
			rows, len(files), ingestTime.Round(time.Millisecond), importTime.Round(time.Millisecond),
			ingestTime.Seconds()/importTime.Seconds(), floorTime.Round(time.Millisecond), floorTime.Seconds()/importTime.Seconds(),
			float64(rss)/1024, float64(fi.Size())/(1<<20))
		os.Remove(flat)
		os.Remove(db)
	}
}

// storeFloor times sqlite3 copying what an ingest stored (records, their
// persons, source rows, flags, conflicts, rejects) from src into a new
// store made by the binary, with the ingest's connection settings, and
// building the search indexes afterwards as a bulk ingest does.
func storeFloor(b *testing.B, sqlite3, bin, src, dst string) time.Duration {
	b.Helper()
	if out, err := exec.Command(bin, "stats", "--db", dst).CombinedOutput(); err != nil {
		b.Fatalf("create the floor store: %v\n%s", err, out)
	}
	// The search indexes a bulk ingest drops and builds at the end, as the
	// store defines them.
	indexes, err := exec.Command(sqlite3, dst,
		`SELECT sql || ';' FROM sqlite_schema WHERE type = 'index' AND name IN ('persons_name', 'persons_pid') ORDER BY name`).Output()
	if err != nil || strings.Count(string(indexes), "CREATE INDEX") != 2 {
		b.Fatalf("the floor store's search indexes: %v\n%s", err, indexes)
	}
	script := `PRAGMA cache_size = -65536;
PRAGMA synchronous = NORMAL;
PRAGMA wal_autocheckpoint = 100000;
ATTACH '` + src + `' AS src;
DROP INDEX main.persons_name;
DROP INDEX main.persons_pid;
BEGIN;
INSERT INTO main.records SELECT * FROM src.records;
INSERT INTO main.persons SELECT * FROM src.persons;
INSERT INTO main.source_rows SELECT * FROM src.source_rows;
INSERT INTO main.flags SELECT * FROM src.flags;
INSERT INTO main.conflicts SELECT * FROM src.conflicts;
INSERT INTO main.rejects SELECT * FROM src.rejects;
COMMIT;
` + string(indexes)
	cmd := exec.Command(sqlite3, "-bail", dst)
	cmd.Stdin = strings.NewReader(script)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("floor copy: %v\n%s", err, out)
	}
	took := time.Since(start)
	var n int
	if out, err := exec.Command(sqlite3, dst, "SELECT count(*) FROM source_rows").Output(); err != nil {
		b.Fatalf("floor count: %v", err)
	} else if n, err = strconv.Atoi(strings.TrimSpace(string(out))); err != nil || n == 0 {
		b.Fatalf("floor copied %q source rows", out)
	}
	for _, f := range []string{dst, dst + "-wal", dst + "-shm"} {
		os.Remove(f)
	}
	return took
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
