package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// TestSmoke runs the load program end to end at a toy size, so that the
// script BENCHMARKS.md relies on keeps working: a real hotich serve, real
// logins, every kind of request in both phases, an ingest beside them, and
// the audit trail verified at the end. The figures mean nothing at this
// size; only that nothing failed and that every kind of request was made.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds hotich, ingests a corpus and serves the desk")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "hotich")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/hotich").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	o := options{dir: dir, hotich: bin, entries: 3000, extra: 2000, clerks: 6, units: 2,
		idle: 3 * time.Second, think: 0, seed: 1}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, o, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Log("\n" + out.String())
	// | idle (3 s) | … | search | 812 | 0 | …
	rows := regexp.MustCompile(`(?m)^\| (idle|ingest) \([0-9]+ s\) \| [^|]* \| (\w+) \| ([0-9]+) \| ([0-9]+) \|`).FindAllStringSubmatch(out.String(), -1)
	if len(rows) != 6 {
		t.Fatalf("%d report rows, want 3 kinds of request in 2 phases:\n%s", len(rows), out.String())
	}
	for _, r := range rows {
		n, _ := strconv.Atoi(r[3])
		if n == 0 {
			t.Errorf("phase %s: no %s request completed", r[1], r[2])
		}
		if r[4] != "0" {
			t.Errorf("phase %s: %s errors on %s", r[1], r[4], r[2])
		}
	}
	if !regexp.MustCompile(`(?m)^audit verify: ok`).MatchString(out.String()) {
		t.Errorf("audit verify did not pass:\n%s", out.String())
	}
}
