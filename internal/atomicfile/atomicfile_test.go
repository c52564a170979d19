package atomicfile_test

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/hotich/hotich/internal/atomicfile"
)

func TestWriteModes(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		mode fs.FileMode
	}{{"copy.pdf", atomicfile.Public}, {"unit.key", atomicfile.Private}} {
		path := filepath.Join(dir, tc.name)
		if err := atomicfile.WriteFile(path, []byte("x"), tc.mode); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != tc.mode {
			t.Errorf("%s: mode %v, want %v", tc.name, st.Mode().Perm(), tc.mode)
		}
	}
	assertOnly(t, dir, "copy.pdf", "unit.key")
}

func TestFailedWriteLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.xml")
	os.WriteFile(path, []byte("old"), 0o644)
	err := atomicfile.Write(path, atomicfile.Public, func(w io.Writer) error {
		w.Write([]byte("half"))
		return errors.New("disk full")
	})
	if err == nil {
		t.Fatal("want the write's error")
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("final file is %q, want the old content", b)
	}
	assertOnly(t, dir, "out.xml")
}

func TestCommitNewRefusesExisting(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "1-2026-TLKS-BS.pdf")
	os.WriteFile(path, []byte("issued"), 0o644)
	f, err := atomicfile.Create(path, atomicfile.Public)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("other"))
	if err := f.CommitNew(); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("CommitNew over an existing file: %v, want ErrExist", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "issued" {
		t.Errorf("existing file replaced: %q", b)
	}
	assertOnly(t, dir, "1-2026-TLKS-BS.pdf")
}

func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	// A process ID above the kernel's maximum never runs.
	dead := filepath.Join(dir, atomicfile.TempPrefix+"99999999-records.jsonl.123")
	live := filepath.Join(dir, atomicfile.TempPrefix+strconv.Itoa(os.Getpid())+"-a.pdf.456")
	other := filepath.Join(dir, "keep.csv")
	for _, p := range []string{dead, live, other} {
		os.WriteFile(p, nil, 0o644)
	}
	n, err := atomicfile.RemoveStale(dir)
	if err != nil || n != 1 {
		t.Fatalf("RemoveStale = %d, %v; want 1, nil", n, err)
	}
	assertOnly(t, dir, filepath.Base(live), "keep.csv")
}

func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if len(got) != len(names) {
		t.Fatalf("folder holds %q, want %q", got, names)
	}
	for i := range got {
		if got[i] != names[i] {
			t.Fatalf("folder holds %q, want %q", got, names)
		}
	}
}
