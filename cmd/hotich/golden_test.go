package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/samples.golden.sha256 from this build's outputs")

// goldenCopies are the sample entries whose copies the golden test issues:
// one of each form, and entries with corrections and long notes.
var goldenCopies = []struct{ id, form string }{
	{"KS-27271-6N4MHTCYKA", ""},
	{"KS-27271-6N4MHTCYKA", "--giay-khai-sinh"},
	{"KT-26740-0EKDGEA11E", ""},
	{"KH-27211-WDEAAZB01J", ""},
}

// TestSamplesGolden pins what hotich makes of the committed sample
// batches: the JSON Lines dump, every file of a full ministry export, and
// the text layer of copies of one entry of each form. Refactoring must
// leave them byte for byte as they were; a deliberate change of output
// rewrites the digests with -update-golden and says why in its commit.
// On a mismatch the outputs are left in a folder the failure names.
func TestSamplesGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests the samples")
	}
	needPDFTool(t, "pdftotext")
	work := t.TempDir()
	db := filepath.Join(work, "hotich.db")
	envv := map[string]string{"HOTICH_DB": db, "HOTICH_KEYS": filepath.Join(work, "keys"), "HOTICH_LOG": "error", "HOTICH_CLERK": "Nguyễn Văn Cán"}
	issueCLI(t, envv, "ingest", "--quiet", "--rejects", filepath.Join(work, "rejects"), "../../samples/batches")
	out := filepath.Join(work, "out")
	os.MkdirAll(out, 0o755)
	issueCLI(t, envv, "export", "--format", "jsonl", "-o", filepath.Join(out, "records.jsonl"))
	issueCLI(t, envv, "export", "--format", "ministry", "--full", "--out", filepath.Join(out, "ministry"))

	issueCLI(t, envv, "ca", "init", "--dir", filepath.Join(work, "ca"))
	keyed := map[string]bool{}
	for i, c := range goldenCopies {
		rec := strings.Split(c.id, "-")[1]
		issuer := goldenIssuer[rec]
		if !keyed[issuer] {
			keyed[issuer] = true
			issueCLI(t, envv, "keys", "init", "--issuer", issuer, "--test-ca", filepath.Join(work, "ca"))
			issueCLI(t, envv, "keys", "signer", "--issuer", issuer, "--capacity", "KT. CHỦ TỊCH", "--title", "PHÓ CHỦ TỊCH", "--name", "Trần Thị Bích", "--by", "admin")
		}
		pdf := filepath.Join(work, fmt.Sprintf("copy-%d.pdf", i))
		args := []string{"extract", "--id", c.id, "--override", "bản sao mẫu", "--requester", "Trần Văn Ơn", "-o", pdf}
		if c.form != "" {
			args = append(args, c.form)
		}
		issueCLI(t, envv, args...)
		text, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext %s: %v", pdf, err)
		}
		os.WriteFile(filepath.Join(out, fmt.Sprintf("copy-%d.txt", i)), text, 0o644)
	}

	got := digests(t, out)
	golden := filepath.Join("testdata", "samples.golden.sha256")
	if *updateGolden {
		os.MkdirAll("testdata", 0o755)
		var b strings.Builder
		for _, name := range slices.Sorted(maps.Keys(got)) {
			fmt.Fprintf(&b, "%s  %s\n", got[name], name)
		}
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := readDigests(t, golden)
	keep := false
	for _, name := range slices.Sorted(maps.Keys(union(got, want))) {
		if got[name] != want[name] {
			t.Errorf("%s: sha256 %s, golden %s", name, short(got[name]), short(want[name]))
			keep = true
		}
	}
	if keep {
		dir, _ := os.MkdirTemp("", "hotich-golden-")
		os.CopyFS(dir, os.DirFS(out))
		t.Logf("outputs left in %s (go test ./cmd/hotich -run SamplesGolden -update-golden rewrites the digests)", dir)
	}
}

// goldenIssuer is the unit issuing copies of an authority's entries: the
// unit that holds its register today.
var goldenIssuer = map[string]string{"27271": "27265", "26740": "26740", "27211": "27211"}

func digests(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		sum := sha256.Sum256(b)
		got[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func readDigests(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/hotich -run SamplesGolden -update-golden)", err)
	}
	defer f.Close()
	want := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if sum, name, ok := strings.Cut(sc.Text(), "  "); ok {
			want[name] = sum
		}
	}
	return want
}

func union(a, b map[string]string) map[string]string {
	u := map[string]string{}
	for k := range a {
		u[k] = ""
	}
	for k := range b {
		u[k] = ""
	}
	return u
}

func short(s string) string {
	if s == "" {
		return "(none)"
	}
	return s[:12]
}
