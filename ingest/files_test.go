package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hotich/hotich/ingest"
)

// TestNothingSilentlyIgnored: every path a run meets ends in its results:
// batches read, and with the reason why, files that are not batches,
// hidden files and folders, symbolic links (not followed) and files that
// are not regular files (refused, never opened for reading). Two files of
// one base name in different folders get reject reports of their own.
func TestNothingSilentlyIgnored(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "in")
	outside := t.TempDir()
	for _, d := range []string{"q1", "q2", ".git", "sub"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bad := func(n string) []string { return row(map[string]string{"so": n, "ngay_sinh": "31/02/2010"}) }
	writeFile(t, filepath.Join(dir, "q1"), "ks.csv", csvBytes(t, ',', [][]string{birthHeader, births[0], bad("10")}))
	writeFile(t, filepath.Join(dir, "q2"), "ks.csv", csvBytes(t, ',', [][]string{birthHeader, births[1], bad("20"), bad("21")}))
	writeFile(t, dir, ".hidden.csv", csvBytes(t, ',', [][]string{birthHeader, births[2]}))
	writeFile(t, filepath.Join(dir, ".git"), "config.csv", []byte("x"))
	writeFile(t, dir, "scan.pdf", []byte("%PDF-1.4"))
	target := writeFile(t, outside, "elsewhere.csv", csvBytes(t, ',', [][]string{birthHeader, births[3]}))
	if err := os.Symlink(target, filepath.Join(dir, "link.csv")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "linked-folder")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "sub", "pipe.csv"), 0o644); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(root, "zero.csv")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}

	db := openDB(t)
	rej := filepath.Join(root, "rejects")
	res, err := ingest.New(db, ingest.Options{RejectsDir: rej, Now: func() time.Time { return fixedNow }}).Run(context.Background(), []string{dir, zero})
	if err == nil {
		t.Error("a run with refused files reported no error")
	}
	got := map[string]ingest.FileResult{}
	for _, r := range res {
		rel, _ := filepath.Rel(root, r.Path)
		got[rel] = r
	}
	want := map[string]string{
		"in/q1/ks.csv":     ingest.StatusIngested,
		"in/q2/ks.csv":     ingest.StatusIngested,
		"in/.hidden.csv":   ingest.StatusNotRead,
		"in/.git":          ingest.StatusNotRead,
		"in/scan.pdf":      ingest.StatusNotRead,
		"in/link.csv":      ingest.StatusNotRead,
		"in/linked-folder": ingest.StatusNotRead,
		"in/sub/pipe.csv":  ingest.StatusRefused,
		"zero.csv":         ingest.StatusRefused,
	}
	for path, status := range want {
		r, ok := got[path]
		switch {
		case !ok:
			t.Errorf("%s: not in the results", path)
		case r.Status != status:
			t.Errorf("%s: status %q, want %q (%+v)", path, r.Status, status, r)
		case status != ingest.StatusIngested && r.Reason == "":
			t.Errorf("%s: %s without a reason", path, status)
		}
	}
	if len(res) != len(want) {
		t.Errorf("%d results, want %d: %+v", len(res), len(want), res)
	}

	// One report per file, each with its own rows.
	reports := map[string]bool{}
	for _, path := range []string{"in/q1/ks.csv", "in/q2/ks.csv"} {
		r := got[path]
		if len(r.Reports) != 2 {
			t.Fatalf("%s: reports %v", path, r.Reports)
		}
		for _, p := range r.Reports {
			if reports[p] {
				t.Errorf("%s: report %s is another file's too", path, p)
			}
			reports[p] = true
		}
		data, err := os.ReadFile(r.Reports[1])
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(data), "\n"); n != r.Counts.Rejected {
			t.Errorf("%s: report %s has %d lines, want %d", path, r.Reports[1], n, r.Counts.Rejected)
		}
	}

	// A second run finds the same reports and writes no others.
	before, _ := os.ReadDir(rej)
	ingest.New(db, ingest.Options{RejectsDir: rej, Now: func() time.Time { return fixedNow }}).Run(context.Background(), []string{dir})
	after, _ := os.ReadDir(rej)
	if len(after) != len(before) {
		t.Errorf("second run: %d reports, was %d", len(after), len(before))
	}
}
