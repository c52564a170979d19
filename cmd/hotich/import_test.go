package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sqlite"
)

// mxExports ingests the test batches, exports them in full, then
// the changes after a correction; it returns the store and both folders.
func mxExports(t *testing.T) (db, full, changes string) {
	t.Helper()
	dir := t.TempDir()
	db = filepath.Join(dir, "a.db")
	mxCLI(t, "ingest", "--db", db, "--rejects", filepath.Join(dir, "rej"),
		mxWriteBatches(t, filepath.Join(dir, "in"), map[string]string{"ks-1.csv": mxKS1, "kt-1.csv": mxKT1}))
	full = filepath.Join(dir, "full")
	mxCLI(t, "export", "--format", "ministry", "--db", db, "--out", full, "--full")
	mxCLI(t, "correct", "--db", db, "--by", "clerk", "--basis", "QĐ 5", mxKSID("2"), "ngay_sinh=03/03/2010")
	changes = filepath.Join(dir, "changes")
	mxCLI(t, "export", "--format", "ministry", "--db", db, "--out", changes, "--since", "last")
	return db, full, changes
}

func TestImportMinistry(t *testing.T) {
	src, full, changes := mxExports(t)

	t.Run("InOrder", func(t *testing.T) {
		dst := filepath.Join(t.TempDir(), "b.db")
		mxCLI(t, "import", "--format", "ministry", "--db", dst, full)
		out := mxCLI(t, "import", "--format", "ministry", "--db", dst, changes)
		if !strings.Contains(out, "0 mới, 1 cập nhật, 0 không đổi") {
			t.Errorf("incremental import: %q", out)
		}
		dir := t.TempDir()
		if a, b := mxJSONL(t, src, filepath.Join(dir, "a.jsonl")), mxJSONL(t, dst, filepath.Join(dir, "b.jsonl")); !bytes.Equal(a, b) {
			t.Fatalf("stores differ:\n%s\nwant\n%s", b, a)
		}

		t.Run("ErrOlder", func(t *testing.T) {
			// The full export again, after the newer changes: refused, as
			// it would take the correction back.
			tampered := t.TempDir()
			mxCopyDir(t, full, tampered)
			m := mxManifest(t, tampered)
			// A different manifest of the same range (not a re-import).
			b, _ := os.ReadFile(filepath.Join(tampered, m.Name))
			os.WriteFile(filepath.Join(tampered, m.Name), bytes.Replace(b, []byte("<ht:BangKe "), []byte("<ht:BangKe  "), 1), 0o644)
			_, errOut, code := cli(t, nil, "import", "--format", "ministry", "--db", dst, tampered)
			if code != 3 || !strings.Contains(errOut, "--force") {
				t.Errorf("exit %d: %s", code, errOut)
			}
		})
	})

	t.Run("CorrectionsCarried", func(t *testing.T) {
		// A rebuilt site prints the same corrections: the events that
		// record them travel with the entry.
		dst := filepath.Join(t.TempDir(), "b.db")
		mxCLI(t, "import", "--format", "ministry", "--db", dst, full)
		mxCLI(t, "import", "--format", "ministry", "--db", dst, changes)
		want, got := mxCorrections(t, src, mxKSID("2")), mxCorrections(t, dst, mxKSID("2"))
		if len(want) != 1 || !reflect.DeepEqual(got, want) {
			t.Fatalf("corrections at the rebuilt site %+v, at the source %+v", got, want)
		}
		// Importing again, or the rebuilt site's export back into the
		// source, adds no event.
		out := mxCLI(t, "import", "--format", "ministry", "--db", dst, changes)
		back := filepath.Join(t.TempDir(), "back")
		mxCLI(t, "export", "--format", "ministry", "--db", dst, "--out", back, "--full")
		out += mxCLI(t, "import", "--format", "ministry", "--db", src, back)
		if regexp.MustCompile(`; [1-9][0-9]* sự kiện lịch sử`).MatchString(out) {
			t.Errorf("a re-import added history events:\n%s", out)
		}
		if got := mxCorrections(t, src, mxKSID("2")); !reflect.DeepEqual(got, want) {
			t.Errorf("the source's corrections changed: %+v", got)
		}
		mustCheck(t, dst)
		mustCheck(t, src)
	})

	t.Run("ErrTampered", func(t *testing.T) {
		dir := t.TempDir()
		mxCopyDir(t, full, dir)
		m := mxManifest(t, dir)
		f := filepath.Join(dir, m.DataFiles()[0].Name)
		b, _ := os.ReadFile(f)
		os.WriteFile(f, bytes.Replace(b, []byte("Bệnh viện Từ Dũ"), []byte("Bệnh viện Từ Dủ"), 1), 0o644)
		dst := filepath.Join(t.TempDir(), "b.db")
		_, errOut, code := cli(t, nil, "import", "--format", "ministry", "--db", dst, dir)
		if code != 1 || !strings.Contains(errOut, "không khớp bảng kê") {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})

	t.Run("ErrNoManifest", func(t *testing.T) {
		_, errOut, code := cli(t, nil, "import", "--format", "ministry", "--db", filepath.Join(t.TempDir(), "b.db"), t.TempDir())
		if code != 4 {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})

	t.Run("ErrFormat", func(t *testing.T) {
		if _, _, code := cli(t, nil, "import", "--format", "jsonl", full); code != 2 {
			t.Errorf("exit %d, want 2", code)
		}
	})

	t.Run("LinkToMissingRecord", func(t *testing.T) {
		// Links name records by ID: the IDs agree across sites.
		if mxKSID("1") != (registry.Identity{Register: registry.Birth, AuthorityCode: "26740", Book: "1/2010", Number: "01"}).RecordID() {
			t.Error("record IDs depend on how book and number are written")
		}
	})
}

// mxCopyDir copies the files of a folder.
func mxCopyDir(t *testing.T, from, to string) {
	t.Helper()
	ents, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(to, 0o755)
	for _, e := range ents {
		b, _ := os.ReadFile(filepath.Join(from, e.Name()))
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// mxCorrections reads the corrections of a record as a copy prints them.
func mxCorrections(t *testing.T, path, id string) []registry.Correction {
	t.Helper()
	db, err := sqlite.OpenExisting(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, err := db.Corrections(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
