package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// oldFormatStore copies the store of the old-format copy (see
// testdata/old-format/README.md) into a temporary folder.
func oldFormatStore(t *testing.T) (db, pdf string) {
	t.Helper()
	return gunzipStore(t, "testdata/old-format/hotich.db.gz"), "testdata/old-format/old-ks.pdf"
}

// gunzipStore writes a gzipped store of testdata into a temporary folder.
func gunzipStore(t *testing.T, gz string) string {
	t.Helper()
	dir := t.TempDir()
	f, err := os.Open(gz)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "hotich.db")
	if err := os.WriteFile(db, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestVerifyOldFormatCopy: a copy issued before PAdES signatures carries
// only its QR signature. verify checks that signature with the key the
// store registered then and the issue log, and says what that proves and
// what it does not; a genuine copy is not called invalid.
func TestVerifyOldFormatCopy(t *testing.T) {
	db, pdf := oldFormatStore(t)
	envv := map[string]string{"HOTICH_DB": db}
	orig, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatal(err)
	}
	kw := regexp.MustCompile(`/Keywords \((HT1\*[^)]*)\)`).FindSubmatch(orig)
	if kw == nil {
		t.Fatal("the old copy has no HT1 payload")
	}

	t.Run("Genuine", func(t *testing.T) {
		out, _, code := cli(t, envv, "verify", pdf)
		for _, want := range []string{"định dạng cũ", "chữ ký mã QR (định dạng cũ) hợp lệ", "trùng khớp từng byte", "KHÔNG chứng minh", "HỢP LỆ với những gì đã kiểm tra"} {
			if !strings.Contains(out, want) {
				t.Errorf("verify does not say %q:\n%s", want, out)
			}
		}
		if code != 0 || strings.Contains(out, "KHÔNG HỢP LỆ") {
			t.Errorf("exit %d:\n%s", code, out)
		}
	})
	t.Run("Payload", func(t *testing.T) {
		out, _, code := cli(t, envv, "verify", "--payload", string(kw[1]))
		if code != 0 || !strings.Contains(out, "KS-26740-JVK6Y7NXJE") || !strings.Contains(out, "định dạng cũ") {
			t.Errorf("exit %d:\n%s", code, out)
		}
	})
	t.Run("OfflineUnverifiable", func(t *testing.T) {
		out, _, code := cli(t, envv, "verify", "--offline", pdf)
		if code != 6 || !strings.Contains(out, "định dạng cũ") || strings.Contains(out, "KHÔNG HỢP LỆ") {
			t.Errorf("exit %d, want 6:\n%s", code, out)
		}
	})
	t.Run("AlteredFile", func(t *testing.T) {
		// One byte of the page changed: the QR signature still holds, the
		// file is not the one issued.
		altered := bytes.Clone(orig)
		i := bytes.Index(altered, []byte("stream\n")) + 40
		altered[i] ^= 1
		path := filepath.Join(t.TempDir(), "altered.pdf")
		os.WriteFile(path, altered, 0o644)
		out, _, code := cli(t, envv, "verify", path)
		if code != 1 || !strings.Contains(out, "khác với tệp đã cấp") {
			t.Errorf("exit %d, want 1:\n%s", code, out)
		}
	})
	t.Run("ForgedPayload", func(t *testing.T) {
		forged := bytes.Replace(orig, []byte("*KS-26740-JVK6Y7NXJE*"), []byte("*KS-26740-JVK6Y7NXJF*"), 1)
		path := filepath.Join(t.TempDir(), "forged.pdf")
		os.WriteFile(path, forged, 0o644)
		out, _, code := cli(t, envv, "verify", path)
		if code != 1 || !strings.Contains(out, "chữ ký") {
			t.Errorf("exit %d, want 1:\n%s", code, out)
		}
	})
	t.Run("Revoked", func(t *testing.T) {
		db2, _ := oldFormatStore(t)
		env2 := map[string]string{"HOTICH_DB": db2}
		issueCLI(t, env2, "issued", "revoke", "--by", "truong", "--reason", "cấp nhầm", "1/2026/TLKS-BS")
		out, _, code := cli(t, env2, "verify", pdf)
		if code != 1 || !strings.Contains(out, "thu hồi") {
			t.Errorf("exit %d, want 1:\n%s", code, out)
		}
	})
}

// TestReprintLayout1: copies issued by the first PAdES release (another
// layout, other fonts) are written again from the issue log byte for byte
// by today's code, as a batch resumed across an upgrade needs, and verify.
func TestReprintLayout1(t *testing.T) {
	db := gunzipStore(t, "testdata/pades-layout1/hotich.db.gz")
	envv := map[string]string{"HOTICH_DB": db}
	for serial, file := range map[string]string{"1/2026/TLKS-BS": "prev.pdf", "1/2026/GKS-BS": "prev-gks.pdf"} {
		want, err := os.ReadFile(filepath.Join("testdata/pades-layout1", file))
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.TempDir(), file)
		issueCLI(t, envv, "issued", "reprint", "--issuer", "26740", "-o", out, serial)
		if got, err := os.ReadFile(out); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s reprinted differs from the file issued (%v)", serial, err)
		}
		if o := issueCLI(t, envv, "verify", out); !strings.Contains(o, "HỢP LỆ") {
			t.Errorf("verify %s:\n%s", file, o)
		}
	}
}
