package extract_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hotich/hotich/extract"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sign"
	"github.com/hotich/hotich/registry/sqlite"
)

// openStore opens a store on a temporary directory at the test clock and
// imports records into it.
func openStore(t *testing.T, recs ...*registry.Record) *sqlite.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hotich.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = func() time.Time { return issuedAt }
	im := db.NewImporter("test")
	for _, r := range recs {
		if _, err := im.Record(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := im.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// deskFor returns a desk on a store where unit 26740 has its certificate
// registered (and the test CA trusted), and the unit's key.
func deskFor(t *testing.T, db *sqlite.DB, withSigner bool) (*extract.Desk, *sign.UnitKey) {
	t.Helper()
	ctx := context.Background()
	rd, err := db.RefData(ctx)
	if err != nil {
		t.Fatal(err)
	}
	k := testKey(t, "26740")
	if err := db.RegisterCertificate(ctx, sign.Record(testCA(t), "", true)); err != nil {
		t.Fatal(err)
	}
	if err := db.RegisterCertificate(ctx, sign.Record(k.Cert, "26740", false)); err != nil {
		t.Fatal(err)
	}
	if withSigner {
		s := signer
		s.IssuerCode = "26740"
		if err := db.SetSigner(ctx, s, "admin"); err != nil {
			t.Fatal(err)
		}
	}
	return &extract.Desk{Records: db, Issues: db, RefData: rd, Renderer: newRenderer(t), BaseURL: "https://hotich.example.gov.vn"}, k
}

func TestDesk(t *testing.T) {
	ctx := context.Background()
	db := openStore(t, birthRecord(t))
	desk, k := deskFor(t, db, true)
	req := extract.Request{RecordID: birthRecord(t).ID, Clerk: "lan", Copies: 1, Sealer: k}
	got, err := desk.Issue(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	v := &extract.Verifier{Roots: []*x509.Certificate{testCA(t)}, Issues: db}

	t.Run("VerifiesAgainstTheStore", func(t *testing.T) {
		rep, err := v.VerifyPDF(ctx, got.PDF)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Unchecked) != 0 {
			t.Errorf("with the store, unchecked: %q", rep.Unchecked)
		}
		if !strings.HasPrefix(got.Issue.Payload, "HT2.") || !strings.Contains(rep.Payload.QRText(desk.BaseURL), "https://hotich.example.gov.vn/xac-thuc/1-2025-TLKS-BS?m=HT2.") {
			t.Errorf("payload %q", got.Issue.Payload)
		}
	})

	t.Run("ReissueSameBytes", func(t *testing.T) {
		logged, err := db.FindIssues(ctx, registry.IssueFilter{RecordID: req.RecordID})
		if err != nil || len(logged) != 1 {
			t.Fatalf("log: %v %d", err, len(logged))
		}
		pdf, err := desk.Reissue(logged[0])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(pdf, got.PDF) {
			t.Fatal("the file rendered again from the log differs from the file issued")
		}
	})

	t.Run("PayloadValues", func(t *testing.T) {
		rep, err := v.VerifyPayload(ctx, got.Issue.Payload)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Payload.Get("ho_ten") != "TRẦN NGỌC BẢO ANH" || rep.Payload.Get("ngay_sinh") != "15/02/2010" {
			t.Errorf("values %v", rep.Payload.Values)
		}
		// Without the store or a certificate, a payload cannot be checked.
		if _, err := (&extract.Verifier{}).VerifyPayload(ctx, got.Issue.Payload); registry.ErrorCode(err) != registry.EUNVERIFIABLE {
			t.Errorf("offline without a certificate: %v", err)
		}
		// A value changed on the way: the signature fails.
		p, _ := sign.ParsePayload(got.Issue.Payload)
		p.Values[len(p.Values)-1].Value = "TRẦN VĂN KHÁC"
		if _, err := v.VerifyPayload(ctx, p.String()); registry.ErrorCode(err) != registry.EINVALID {
			t.Errorf("altered payload: %v", err)
		}
	})

	t.Run("Revoked", func(t *testing.T) {
		if _, err := db.RevokeIssue(ctx, "26740", got.Issue.Serial, "truong", "cấp nhầm"); err != nil {
			t.Fatal(err)
		}
		_, err := v.VerifyPDF(ctx, got.PDF)
		if registry.ErrorCode(err) != registry.EINVALID || !strings.Contains(registry.ErrorMessage(err), "đã bị thu hồi") {
			t.Fatalf("verify of a revoked copy = %v", err)
		}
	})

	t.Run("UnknownSerial", func(t *testing.T) {
		other := openStore(t, birthRecord(t))
		deskFor(t, other, true)
		_, err := (&extract.Verifier{Roots: []*x509.Certificate{testCA(t)}, Issues: other}).VerifyPDF(ctx, got.PDF)
		if registry.ErrorCode(err) != registry.EINVALID || !strings.Contains(registry.ErrorMessage(err), "không có bản số") {
			t.Fatalf("verify against a store that never issued it = %v", err)
		}
	})
}

func TestDeskNeedsSigner(t *testing.T) {
	db := openStore(t, birthRecord(t))
	desk, k := deskFor(t, db, false)
	_, err := desk.Issue(context.Background(), extract.Request{RecordID: birthRecord(t).ID, Clerk: "lan", Copies: 1, Sealer: k})
	if registry.ErrorCode(err) != registry.EREFUSED || !strings.Contains(registry.ErrorMessage(err), "chưa khai báo người ký") {
		t.Fatalf("issue without a signer block = %v", err)
	}
	if n, _ := db.FindIssues(context.Background(), registry.IssueFilter{}); len(n) != 0 {
		t.Fatal("a refused copy was logged")
	}
}
