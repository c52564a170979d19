package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestTermSafe(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Nguyễn Văn An\tKS\n", "Nguyễn Văn An\tKS\n"},
		{"\x1b]0;owned\x07Lê\x1b[2J", `\x1b]0;owned\x07Lê\x1b[2J`},
		{"a\rb\x7f", `a\x0db\x7f`},
		{"csi\u009b31m", `csi\u009b31m`},
		{"evil\u202etxt.exe", `evil\u202etxt.exe`},
		{"bad\xffbyte", `bad\xffbyte`},
	} {
		var buf bytes.Buffer
		w := termSafe(&buf)
		// Byte by byte: multi-byte characters split across writes.
		for i := 0; i < len(tc.in); i++ {
			if n, err := w.Write([]byte{tc.in[i]}); n != 1 || err != nil {
				t.Fatalf("Write = %d, %v", n, err)
			}
		}
		if buf.String() != tc.want {
			t.Errorf("termSafe(%q) = %q, want %q", tc.in, buf.String(), tc.want)
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	if _, errOut, code := cli(t, nil, "help", "nosuch"); code != exitUsage || !strings.Contains(errOut, "nosuch") {
		t.Errorf("help nosuch: exit %d\n%s", code, errOut)
	}
	if _, _, code := cli(t, nil, "help", "search"); code != exitOK {
		t.Errorf("help search: exit %d", code)
	}
	if out, _, code := cli(t, nil, "version"); code != exitOK || !strings.HasPrefix(out, "hotich ") || !strings.Contains(out, "go1.") {
		t.Errorf("version: exit %d %q", code, out)
	}
}

// TestSystemErrorsExplained: errors from the system or SQLite reach the
// clerk in Vietnamese, with what to do, and the original text as detail.
func TestSystemErrorsExplained(t *testing.T) {
	envv := searchStore(t)
	// A store whose bytes were damaged after the header.
	broken := filepath.Join(t.TempDir(), "broken.db")
	b, _ := os.ReadFile(envv["HOTICH_DB"])
	for i := 4096; i < len(b); i += 512 {
		b[i] ^= 0xff
	}
	os.WriteFile(broken, b, 0o644)
	_, errOut, code := cli(t, map[string]string{"HOTICH_DB": broken}, "search", "--name", "nguyen thi thuy")
	if code == exitOK || !strings.Contains(errOut, "hỏng") {
		t.Errorf("damaged store: exit %d\n%s", code, errOut)
	}
	// The tests run as root in CI, where permissions do not bite: the
	// system's errors are made here.
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&fs.PathError{Op: "open", Path: "/out/x.pdf", Err: syscall.EACCES}, "không có quyền"},
		{&fs.PathError{Op: "write", Path: "/out/x.pdf", Err: syscall.ENOSPC}, "hết chỗ trống"},
		{&fs.PathError{Op: "open", Path: "ids.txt", Err: syscall.ENOENT}, "không tìm thấy tệp"},
		{errors.New("attempt to write a readonly database"), "chỉ cho phép đọc"},
	} {
		var buf bytes.Buffer
		if code := exitCode(tc.err, &buf); code != exitFailure || !strings.Contains(buf.String(), tc.want) || !strings.Contains(buf.String(), tc.err.Error()) {
			t.Errorf("%v: exit %d %q", tc.err, code, buf.String())
		}
	}
}

// TestOutputFiles: exports are created readable by all (0644), and the
// temporary file a killed run left beside an output is removed by the next
// run.
func TestOutputFiles(t *testing.T) {
	envv := searchStore(t)
	dir := t.TempDir()
	left := filepath.Join(dir, ".hotich-tmp-99999999-records.jsonl.123")
	os.WriteFile(left, []byte("half"), 0o600)
	out := filepath.Join(dir, "records.jsonl")
	issueCLI(t, envv, "export", "--format", "jsonl", "-o", out)
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("export: %v, %v", st, err)
	}
	if _, err := os.Stat(left); err == nil {
		t.Errorf("the killed run's temporary file is still there")
	}
}
