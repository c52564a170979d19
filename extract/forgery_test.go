package extract_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hotich/hotich/extract"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sign"
)

// verifyErr verifies a file against the test CA, offline.
func verifyErr(t *testing.T, pdf []byte) error {
	t.Helper()
	v := &extract.Verifier{Roots: []*x509.Certificate{testCA(t)}}
	_, err := v.VerifyPDF(context.Background(), pdf)
	return err
}

// wantInvalid checks that every verifier calls a file broken: ours with a
// message containing want, pdfsig and openssl.
func wantInvalid(t *testing.T, pdf []byte, want string, independent bool) {
	t.Helper()
	err := verifyErr(t, pdf)
	if registry.ErrorCode(err) != registry.EINVALID || !strings.Contains(registry.ErrorMessage(err), want) {
		t.Errorf("verify = %v, want EINVALID saying %q", err, want)
	}
	if !independent {
		return
	}
	path := filepath.Join(t.TempDir(), "forged.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if out := pdfsig(t, path); strings.Contains(out, "Signature is Valid") && strings.Contains(out, "Total document signed") {
		t.Errorf("pdfsig still calls it valid and whole:\n%s", out)
	}
	if ok, out := openssl(t, pdf); ok {
		t.Errorf("openssl cms -verify still succeeds:\n%s", out)
	}
}

// flipIn changes one byte of the signed range inside the first match of
// re (after its start + skip), keeping the file's length.
func flipIn(t *testing.T, pdf []byte, re string, skip int) []byte {
	t.Helper()
	loc := regexp.MustCompile(re).FindIndex(pdf)
	if loc == nil {
		t.Fatalf("no %s in the file", re)
	}
	out := bytes.Clone(pdf)
	i := loc[0] + skip
	out[i] ^= 0x01
	return out
}

func TestForgeries(t *testing.T) {
	pdf, _ := render(t, cases[0])
	if err := verifyErr(t, pdf); err != nil {
		t.Fatalf("the genuine copy: %v", err)
	}

	t.Run("ByteInSignedRange", func(t *testing.T) {
		for _, c := range []struct{ what, re string }{
			{"page content", `\n4 0 obj\n<</Filter /FlateDecode /Length \d+>>\nstream\n`},
			{"font file", `/Length1 \d+\n>>\nstream\n`},
			{"metadata", `/Title <`},
		} {
			t.Run(c.what, func(t *testing.T) {
				loc := regexp.MustCompile(c.re).FindIndex(pdf)
				if loc == nil {
					t.Fatalf("no %s", c.re)
				}
				wantInvalid(t, flipIn(t, pdf, c.re, loc[1]-loc[0]+20), "đã bị thay đổi sau khi ký", true)
			})
		}
	})

	t.Run("GlyphMapSwap", func(t *testing.T) {
		// Print "6" where the text layer (and the QR code) says "5",
		// and back: in the fast fonts by their encoding's differences,
		// in the full fonts (a copy with a character outside the fast
		// ones) by their CIDToGIDMap.
		tc := cases[0]
		tc.rec = func(tb testing.TB) *registry.Record {
			r := birthRecord(tb)
			r.Fields["cha_ho_ten"] = "Müller Văn Ơn"
			return r
		}
		full, _ := render(t, tc)
		if bytes.Contains(full, []byte("HotichSerifVN")) {
			t.Fatal("a copy printing \"ü\" was drawn in the fast fonts")
		}
		for name, forged := range map[string][]byte{
			"fast fonts": swapInEncoding(t, pdf, '5', '6'),
			"full fonts": swapGlyphs(t, full, '5', '6'),
		} {
			t.Run(name, func(t *testing.T) {
				wantInvalid(t, forged, "", true)
				msg := registry.ErrorMessage(verifyErr(t, forged))
				if !strings.Contains(msg, "thay đổi sau khi ký") && !strings.Contains(msg, "lưu lại") {
					t.Errorf("verify says %q", msg)
				}
			})
		}
	})

	t.Run("NestedContentsUpdate", func(t *testing.T) {
		// An incremental update that gives the last page a content
		// stream of its own before the real one.
		m := regexp.MustCompile(`(?s)\n(\d+) 0 obj\n(<</Type /Page\n.*?/Contents (\d+) 0 R)`).FindAllSubmatch(pdf, -1)
		last := m[len(m)-1]
		body := fmt.Sprintf("%s 0 obj\n<</Type /Page /Parent 1 0 R /Resources 2 0 R /Contents [999 0 R %s 0 R]>>\nendobj\n999 0 obj\n<</Length 30>>\nstream\nBT /F1 12 Tf 100 700 Td (X) Tj ET\nendstream\nendobj\n", last[1], last[3])
		forged := append(bytes.Clone(pdf), body...)
		forged = append(forged, "trailer\n<</Size 1000 /Root 3 0 R>>\n%%EOF\n"...)
		wantInvalid(t, forged, "sau khi ký", false)
		path := filepath.Join(t.TempDir(), "f.pdf")
		os.WriteFile(path, forged, 0o644)
		if out := pdfsig(t, path); strings.Contains(out, "Total document signed") {
			t.Errorf("pdfsig says the whole document is signed:\n%s", out)
		}
	})

	t.Run("AppendedUpdate", func(t *testing.T) {
		needTool(t, "qpdf")
		dir := t.TempDir()
		in, out := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "out.pdf")
		os.WriteFile(in, pdf, 0o644)
		// qpdf's --allow-weak-crypto-free incremental mode does not exist;
		// append a minimal update by hand: a new Info dictionary.
		upd := append(bytes.Clone(pdf), "9999 0 obj\n<</Title (forged)>>\nendobj\ntrailer\n<</Size 10000 /Info 9999 0 R>>\n%%EOF\n"...)
		os.WriteFile(out, upd, 0o644)
		wantInvalid(t, upd, "byte sau khi ký", false)
		if s := pdfsig(t, out); strings.Contains(s, "Total document signed") {
			t.Errorf("pdfsig says the whole document is signed:\n%s", s)
		}
	})

	t.Run("QPDFResave", func(t *testing.T) {
		needTool(t, "qpdf")
		dir := t.TempDir()
		in, out := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "out.pdf")
		os.WriteFile(in, pdf, 0o644)
		if b, err := exec.Command("qpdf", "--qdf", in, out).CombinedOutput(); err != nil {
			t.Fatalf("qpdf: %v\n%s", err, b)
		}
		resaved, _ := os.ReadFile(out)
		err := verifyErr(t, resaved)
		msg := registry.ErrorMessage(err)
		if registry.ErrorCode(err) != registry.EINVALID || !(strings.Contains(msg, "lưu lại") || strings.Contains(msg, "thay đổi sau khi ký")) {
			t.Errorf("verify of a qpdf re-save = %v", err)
		}
	})

	t.Run("UntrustedSigner", func(t *testing.T) {
		// A copy signed by a unit certified by another CA than the
		// trusted one.
		otherCAKey, otherCA, err := newOtherCA()
		if err != nil {
			t.Fatal(err)
		}
		c, _, _, err := copyOf(t, cases[0])
		if err != nil {
			t.Fatal(err)
		}
		k, err := unitKey(c.Issuer.Code, otherCAKey, otherCA)
		if err != nil {
			t.Fatal(err)
		}
		p, err := sign.Seal(k, extract.PayloadValues(c))
		if err != nil {
			t.Fatal(err)
		}
		c.QR = p.String()
		r, err := newRenderer(t).Render(c)
		if err != nil {
			t.Fatal(err)
		}
		f, err := extract.Sign(context.Background(), r, k)
		if err != nil {
			t.Fatal(err)
		}
		wantInvalid(t, f.PDF, "danh sách tin cậy", false)
		path := filepath.Join(t.TempDir(), "u.pdf")
		os.WriteFile(path, f.PDF, 0o644)
		if s := pdfsig(t, path); strings.Contains(s, "Certificate is Trusted") {
			t.Errorf("pdfsig trusts a certificate of another CA:\n%s", s)
		}
		if ok, _ := openssl(t, f.PDF); ok {
			t.Error("openssl trusts a certificate of another CA")
		}
	})

	t.Run("NoTrustRoot", func(t *testing.T) {
		v := &extract.Verifier{}
		rep, err := v.VerifyPDF(context.Background(), pdf)
		if registry.ErrorCode(err) != registry.EUNVERIFIABLE {
			t.Fatalf("verify without trust roots = %v, want EUNVERIFIABLE", err)
		}
		if len(rep.Unchecked) == 0 {
			t.Error("the report does not say what was not checked")
		}
	})
}

// swapInEncoding has the fast fonts print two ASCII characters' glyphs
// the other way round, by adding them to their encoding's differences.
func swapInEncoding(t *testing.T, pdf []byte, a, b rune) []byte {
	t.Helper()
	const diff = "/Differences ["
	i := bytes.Index(pdf, []byte(diff))
	if i < 0 {
		t.Fatal("no encoding with differences")
	}
	i += len(diff)
	swap := fmt.Sprintf("%d /%s /%s ", a, glyphName(b), glyphName(a))
	return append(append(append([]byte{}, pdf[:i]...), swap...), pdf[i:]...)
}

func glyphName(r rune) string {
	return [...]string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}[r-'0']
}

// swapGlyphs swaps two characters' glyphs in the CIDToGIDMap of the first
// font whose map has both, rewriting the stream with its new length.
func swapGlyphs(t *testing.T, pdf []byte, a, b rune) []byte {
	t.Helper()
	refs := regexp.MustCompile(`/CIDToGIDMap (\d+) 0 R`).FindAllSubmatch(pdf, -1)
	for _, ref := range refs {
		re := regexp.MustCompile(`\n` + string(ref[1]) + ` 0 obj\n<</Length (\d+)/Filter /FlateDecode>>\nstream\n`)
		loc := re.FindSubmatchIndex(pdf)
		if loc == nil {
			t.Fatalf("no CIDToGIDMap object %s", ref[1])
		}
		n, _ := strconv.Atoi(string(pdf[loc[2]:loc[3]]))
		data := pdf[loc[1] : loc[1]+n]
		zr, err := zlib.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		m, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		if len(m) <= 2*int(b)+1 || (m[2*a] == 0 && m[2*a+1] == 0) || (m[2*b] == 0 && m[2*b+1] == 0) {
			continue
		}
		m[2*a], m[2*a+1], m[2*b], m[2*b+1] = m[2*b], m[2*b+1], m[2*a], m[2*a+1]
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		zw.Write(m)
		zw.Close()
		out := append([]byte{}, pdf[:loc[0]]...)
		out = append(out, fmt.Sprintf("\n%s 0 obj\n<</Length %d/Filter /FlateDecode>>\nstream\n", ref[1], z.Len())...)
		out = append(out, z.Bytes()...)
		return append(out, pdf[loc[1]+n:]...)
	}
	t.Fatal("no font maps both characters")
	return nil
}

// FuzzVerifyPDF: verify reads files from anyone: whatever the bytes, it
// answers valid, invalid or unverifiable, never panics, and calls nothing
// valid that differs from the genuine copy outside the signature's hex
// string (the one part a signature cannot cover).
func FuzzVerifyPDF(f *testing.F) {
	pdf, _ := render(f, cases[3])
	f.Add(pdf)
	f.Add(pdf[:len(pdf)/2])
	old, err := os.ReadFile("../cmd/hotich/testdata/old-format/old-ks.pdf")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(old)
	m := byteRangeRE.FindSubmatch(pdf)
	gapStart, _ := strconv.Atoi(string(m[1]))
	gapEnd, _ := strconv.Atoi(string(m[2]))
	v := &extract.Verifier{Roots: []*x509.Certificate{testCA(f)}}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := v.VerifyPDF(context.Background(), b)
		switch registry.ErrorCode(err) {
		case "":
			if err != nil {
				t.Fatalf("an error without a code: %v", err)
			}
			if len(b) != len(pdf) || !bytes.Equal(b[:gapStart], pdf[:gapStart]) || !bytes.Equal(b[gapEnd:], pdf[gapEnd:]) {
				t.Fatalf("called valid a file that is not the copy (%d bytes)", len(b))
			}
		case registry.EINVALID, registry.EUNVERIFIABLE:
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	})
}
