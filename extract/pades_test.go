package extract_test

import (
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// nssDB creates an NSS database trusting the test CA, for pdfsig.
func nssDB(t *testing.T) string {
	t.Helper()
	needTool(t, "certutil")
	dir := t.TempDir()
	if out, err := exec.Command("certutil", "-N", "-d", "sql:"+dir, "--empty-password").CombinedOutput(); err != nil {
		t.Fatalf("certutil -N: %v\n%s", err, out)
	}
	ca := filepath.Join(dir, "ca.pem")
	writePEM(t, ca, testCA(t))
	if out, err := exec.Command("certutil", "-A", "-d", "sql:"+dir, "-n", "hotich test CA", "-t", "CT,C,C", "-i", ca).CombinedOutput(); err != nil {
		t.Fatalf("certutil -A: %v\n%s", err, out)
	}
	return dir
}

func writePEM(t *testing.T, path string, certs ...*x509.Certificate) {
	t.Helper()
	var b bytes.Buffer
	for _, c := range certs {
		pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// pdfsig runs poppler's pdfsig with the test CA trusted.
func pdfsig(t *testing.T, path string) string {
	t.Helper()
	needTool(t, "pdfsig")
	out, _ := exec.Command("pdfsig", "-nssdir", "sql:"+nssDB(t), path).CombinedOutput()
	return string(out)
}

// pdfsigOK checks that pdfsig finds one valid, trusted signature covering
// the whole file.
func pdfsigOK(t *testing.T, path string) {
	t.Helper()
	out := pdfsig(t, path)
	for _, want := range []string{"Signature Validation: Signature is Valid.", "Certificate Validation: Certificate is Trusted.",
		"Signature Type: ETSI.CAdES.detached", "Total document signed"} {
		if !bytes.Contains([]byte(out), []byte(want)) {
			t.Errorf("pdfsig does not say %q:\n%s", want, out)
		}
	}
}

var byteRangeRE = regexp.MustCompile(`/ByteRange \[0 (\d+) (\d+) (\d+)\]`)

// signedParts returns a signed file's CMS and the bytes it signs, as the
// /ByteRange says, or nils when it frames no hex string.
func signedParts(t *testing.T, pdf []byte) (cms, content []byte) {
	t.Helper()
	m := byteRangeRE.FindSubmatch(pdf)
	if m == nil {
		t.Fatal("no /ByteRange")
	}
	a, _ := strconv.Atoi(string(m[1]))
	b, _ := strconv.Atoi(string(m[2]))
	n, _ := strconv.Atoi(string(m[3]))
	if a < 1 || b <= a || b+n > len(pdf) {
		return nil, nil
	}
	h := bytes.TrimRight(pdf[a+1:b-1], "0")
	if len(h)%2 == 1 {
		h = append(h, '0')
	}
	cms = make([]byte, len(h)/2)
	if _, err := hexDecode(cms, h); err != nil {
		// The gap is not the signature: the file was rewritten.
		return nil, nil
	}
	return cms, append(append([]byte{}, pdf[:a]...), pdf[b:b+n]...)
}

// openssl verifies the CMS over the signed bytes with the test CA as the
// only trust root, and reports whether it succeeded.
func openssl(t *testing.T, pdf []byte) (bool, string) {
	t.Helper()
	needTool(t, "openssl")
	dir := t.TempDir()
	cms, content := signedParts(t, pdf)
	if cms == nil {
		return false, "the /ByteRange does not frame a signature"
	}
	for name, b := range map[string][]byte{"sig.der": cms, "content.bin": content} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writePEM(t, filepath.Join(dir, "ca.pem"), testCA(t))
	cmd := exec.Command("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", "sig.der",
		"-content", "content.bin", "-CAfile", "ca.pem", "-purpose", "any", "-out", os.DevNull)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return err == nil, string(out)
}

func opensslOK(t *testing.T, pdf []byte) {
	t.Helper()
	if ok, out := openssl(t, pdf); !ok {
		t.Errorf("openssl cms -verify failed:\n%s", out)
	}
}

func hexDecode(dst, src []byte) (int, error) { return hex.Decode(dst, src) }

// TestNoSigningTimeAttribute: a PAdES baseline signature carries its time
// in the signature dictionary's /M only; the CMS has no signing-time
// signed attribute (ETSI EN 319 142-1), as openssl reads it.
func TestNoSigningTimeAttribute(t *testing.T) {
	needTool(t, "openssl")
	pdf, _ := render(t, cases[0])
	cms, _ := signedParts(t, pdf)
	path := writeTemp(t, "sig.der", cms)
	out, err := exec.Command("openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", path).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl cms -cmsout: %v\n%s", err, out)
	}
	for _, want := range []string{"contentType", "messageDigest", "id-smime-aa-signingCertificateV2"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("the CMS has no %s attribute:\n%s", want, out)
		}
	}
	if bytes.Contains(out, []byte("signingTime")) {
		t.Errorf("the CMS has a signing-time attribute")
	}
	if !regexp.MustCompile(`/M \(D:20250609150000\+07'00'\)`).Match(pdf) {
		t.Error("the signature dictionary has no /M with the time of issue")
	}
}
