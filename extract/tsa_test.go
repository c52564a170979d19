package extract_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/github/smimesign/ietf-cms/oid"
	"github.com/github/smimesign/ietf-cms/protocol"

	"github.com/hotich/hotich/extract"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sign"
)

// startTSA starts a real time-stamping authority for the test: openssl ts
// -reply behind an HTTP handler, with a TSA certificate the test CA
// issues (critical extended key usage timeStamping, as RFC 3161 asks).
func startTSA(t *testing.T, caKey *ecdsa.PrivateKey, ca *x509.Certificate) (url, dir string) {
	t.Helper()
	needTool(t, "openssl")
	dir = t.TempDir()
	priv, err := sign.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	eku, _ := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "hotich test TSA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, priv.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := x509.MarshalPKCS8PrivateKey(priv)
	files := map[string][]byte{
		"tsa.crt": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		"tsa.key": pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}),
		"ca.crt":  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw}),
		"serial":  []byte("01\n"),
		"ts.cnf": []byte(`[ tsa ]
default_tsa = tsa1
[ tsa1 ]
dir = ` + dir + `
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.crt
certs = $dir/ca.crt
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex // openssl ts keeps its serial in a file
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		q, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		if err != nil || r.Header.Get("Content-Type") != "application/timestamp-query" {
			http.Error(w, "bad query", http.StatusBadRequest)
			return
		}
		qf, rf := filepath.Join(dir, "q.tsq"), filepath.Join(dir, "r.tsr")
		os.WriteFile(qf, q, 0o600)
		if out, err := exec.Command("openssl", "ts", "-reply", "-config", filepath.Join(dir, "ts.cnf"), "-queryfile", qf, "-out", rf).CombinedOutput(); err != nil {
			t.Errorf("openssl ts -reply: %v\n%s", err, out)
			http.Error(w, "tsa failed", http.StatusInternalServerError)
			return
		}
		reply, _ := os.ReadFile(rf)
		w.Header().Set("Content-Type", "application/timestamp-reply")
		w.Write(reply)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, dir
}

// withTSA returns a copy of a unit key that timestamps its signatures.
func withTSA(k *sign.UnitKey, url string) *sign.UnitKey {
	k2 := *k
	k2.TSA = &sign.TSA{URL: url}
	return &k2
}

// TestSignatureTimestamp: with a TSA configured a copy is PAdES B-T: its
// signature carries an RFC 3161 token over the signature value, which
// openssl ts -verify accepts with the test CA; pdfsig and openssl cms still
// find the signature valid, and verify reports the time.
func TestSignatureTimestamp(t *testing.T) {
	testCA(t)
	url, dir := startTSA(t, testPKI.caKey, testPKI.ca)
	c, _, key, err := copyOf(t, cases[0])
	if err != nil {
		t.Fatal(err)
	}
	r, err := newRenderer(t).Render(c)
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now().Add(-2 * time.Second)
	f, err := extract.Sign(context.Background(), r, withTSA(key, url))
	if err != nil {
		t.Fatal(err)
	}
	path := writeTemp(t, "bt.pdf", f.PDF)
	pdfsigOK(t, path)
	// The log keeps the CMS, token included: the file is made again the
	// same, byte for byte.
	if again, err := extract.Resign(r, key.SignerName(), withTSA(key, url).CMSSize(), f.CMS); err != nil || !bytes.Equal(again, f.PDF) {
		t.Errorf("a B-T copy assembled again from its CMS differs (%v)", err)
	}
	opensslOK(t, f.PDF)

	v := &extract.Verifier{Roots: []*x509.Certificate{testCA(t)}}
	rep, err := v.VerifyPDF(context.Background(), f.PDF)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Timestamp == nil || rep.Timestamp.Time.Before(before) || rep.Timestamp.Time.After(time.Now().Add(2*time.Second)) {
		t.Fatalf("timestamp %v, want one of now", rep.Timestamp)
	}

	// openssl checks the token on its own: over the signature value,
	// signed by a TSA the test CA certified.
	ci, err := protocol.ParseContentInfo(f.CMS)
	if err != nil {
		t.Fatal(err)
	}
	sd, err := ci.SignedDataContent()
	if err != nil {
		t.Fatal(err)
	}
	si := sd.SignerInfos[0]
	tok, err := si.UnsignedAttrs.GetOnlyAttributeValueBytes(oid.AttributeTimeStampToken)
	if err != nil {
		t.Fatal(err)
	}
	tokPath := filepath.Join(t.TempDir(), "token.der")
	os.WriteFile(tokPath, tok.FullBytes, 0o644)
	sum := sha256.Sum256(si.Signature)
	out, err := exec.Command("openssl", "ts", "-verify", "-in", tokPath, "-token_in", "-digest", hex.EncodeToString(sum[:]),
		"-CAfile", filepath.Join(dir, "ca.crt"), "-untrusted", filepath.Join(dir, "tsa.crt")).CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("Verification: OK")) {
		t.Errorf("openssl ts -verify: %v\n%s", err, out)
	}
	text, _ := exec.Command("openssl", "ts", "-reply", "-in", tokPath, "-token_in", "-text").CombinedOutput()
	if !bytes.Contains(text, []byte("Time stamp: ")) {
		t.Errorf("openssl ts -reply -text shows no time:\n%s", text)
	}

	t.Run("UntrustedTSA", func(t *testing.T) {
		// A TSA outside the trust list: the signature is still checked;
		// the timestamp is reported as not checked, not as proof.
		otherKey, other, err := newOtherCA()
		if err != nil {
			t.Fatal(err)
		}
		url2, _ := startTSA(t, otherKey, other)
		f2, err := extract.Sign(context.Background(), r, withTSA(key, url2))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := v.VerifyPDF(context.Background(), f2.PDF)
		if err != nil || rep.Timestamp != nil || !strings.Contains(strings.Join(rep.Unchecked, "\n"), "dấu thời gian") {
			t.Fatalf("verify = %v, timestamp %v, unchecked %q", err, rep.Timestamp, rep.Unchecked)
		}
	})

	t.Run("TSADown", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "down", http.StatusServiceUnavailable)
		}))
		defer srv.Close()
		_, err := extract.Sign(context.Background(), r, withTSA(key, srv.URL))
		if err == nil || !strings.Contains(registry.ErrorMessage(err), "dấu thời gian") {
			t.Fatalf("signing with a TSA that fails = %v, want an error saying so", err)
		}
	})
	t.Logf("%s", fmt.Sprint(rep.Timestamp))
}
