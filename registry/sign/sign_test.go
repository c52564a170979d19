package sign_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"strings"
	"testing"
	"time"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sign"
)

var now = time.Date(2025, 6, 9, 8, 0, 0, 0, time.UTC)

// unitKey makes a unit key certified by a fresh test CA.
func unitKey(tb testing.TB) (*sign.UnitKey, *x509.Certificate) {
	tb.Helper()
	caKey, ca, err := sign.NewTestCA("sign tests", now)
	if err != nil {
		tb.Fatal(err)
	}
	priv, err := sign.GenerateKey()
	if err != nil {
		tb.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "UBND PHƯỜNG SÀI GÒN"}}, priv)
	if err != nil {
		tb.Fatal(err)
	}
	csr, _ := x509.ParseCertificateRequest(der)
	cert, err := sign.IssueUnitCert(caKey, ca, csr, now)
	if err != nil {
		tb.Fatal(err)
	}
	k, err := sign.NewUnitKey("26740", priv, cert, []*x509.Certificate{ca})
	if err != nil {
		tb.Fatal(err)
	}
	return k, ca
}

var values = []sign.Value{{Key: "so", Value: "1/2025/TLKS-BS"}, {Key: "cq", Value: "26740"}, {Key: "ho_ten", Value: "TRẦN NGỌC BẢO ANH"}}

func TestSealAndCheck(t *testing.T) {
	k, _ := unitKey(t)
	p, err := sign.Seal(k, values)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{p.String(), p.QRText("https://hotich.example.gov.vn")} {
		got, err := sign.ParsePayload(text)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if err := sign.CheckPayload(got, k.Cert); err != nil {
			t.Errorf("%q: %v", text, err)
		}
	}
	forged := *p
	forged.Values = append([]sign.Value{}, p.Values...)
	forged.Values[2].Value = "TRẦN NGỌC BẢO AN"
	if err := sign.CheckPayload(&forged, k.Cert); registry.ErrorCode(err) != registry.EINVALID {
		t.Errorf("a changed value: %v, want EINVALID", err)
	}
	other := append([]sign.Value{}, values...)
	other[1].Value = "26743"
	if _, err := sign.Seal(k, other); registry.ErrorCode(err) != registry.EINVALID {
		t.Errorf("sealing another unit's copy: %v, want EINVALID", err)
	}
}

func TestCMS(t *testing.T) {
	k, _ := unitKey(t)
	content := []byte("%PDF-1.7 the signed bytes")
	cms, err := k.SignCMS(context.Background(), content, now)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sign.CheckCMS(cms, content)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Signer.Equal(k.Cert) || !res.SigningTime.IsZero() || res.Timestamp != nil {
		t.Errorf("signer %v, signing time %v, timestamp %v", res.Signer.Subject, res.SigningTime, res.Timestamp)
	}
	if _, err := sign.CheckCMS(cms, append(bytes.Clone(content), ' ')); registry.ErrorCode(err) != registry.EINVALID ||
		!strings.Contains(registry.ErrorMessage(err), "thay đổi sau khi ký") {
		t.Errorf("other content: %v", err)
	}
}

// FuzzParsePayload: any text either is refused or reads back to a payload
// whose canonical form reads the same (one payload, one string).
func FuzzParsePayload(f *testing.F) {
	k, _ := unitKey(f)
	p, err := sign.Seal(k, values)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(p.String())
	f.Add(p.QRText("https://x.example/"))
	f.Add("HT2....")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := sign.ParsePayload(s)
		if err != nil {
			return
		}
		q, err := sign.ParsePayload(p.String())
		if err != nil || q.String() != p.String() {
			t.Fatalf("%q reads as %q, which reads as %v %v", s, p.String(), q, err)
		}
	})
}

// FuzzParseLegacy: the old payload parser is canonical too.
func FuzzParseLegacy(f *testing.F) {
	f.Add("HT1*26740*1/2026/TLKS-BS*KS-26740-JVK6Y7NXJE*20261206*M73TONRWGMVPBF7BZL4LN34P5J57SPXQLFKXABVC6ZRUE3XV2MLQ*RKWFN7VB*J3LLODQJPF5KCXPHXLQNJ6YTNIJTS4CIKXCCLABCEN6MHFDMYOPKVEN5Z7ZU32TM3X4YUBGXDWE6T2U35PKR7QF6XJAWT7KYRUYFSBI")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := sign.ParseLegacy(s)
		if err != nil {
			return
		}
		if q, err := sign.ParseLegacy(p.String()); err != nil || q.String() != p.String() {
			t.Fatalf("%q does not read back: %v", s, err)
		}
	})
}

// FuzzCheckCMS: a CMS from an untrusted PDF is refused or accepted, never
// a panic, and what is accepted names its signer. (Each fuzzing process
// makes its own key, so the signer is not compared with k.)
func FuzzCheckCMS(f *testing.F) {
	k, _ := unitKey(f)
	content := []byte("signed bytes")
	cms, err := k.SignCMS(context.Background(), content, now)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(cms)
	f.Add(cms[:len(cms)/2])
	f.Fuzz(func(t *testing.T, der []byte) {
		res, err := sign.CheckCMS(der, content)
		if err == nil && (res == nil || res.Signer == nil) {
			t.Fatal("accepted a signature without a signer")
		}
	})
}
