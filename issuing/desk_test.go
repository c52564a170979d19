package issuing_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotich/hotich/extract"
	"github.com/hotich/hotich/issuing"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sign"
	"github.com/hotich/hotich/registry/sqlite"
	"github.com/hotich/hotich/registry/vntext"
)

var issuedAt = time.Date(2025, 6, 9, 8, 0, 0, 0, time.UTC)

// birth is a birth entry of Phường Bến Nghé, Quận 1 (26740); Phường Sài
// Gòn, which keeps the code, holds its register today.
func birth(number string) *registry.Record {
	r := &registry.Record{Register: registry.Birth, AuthorityCode: "26740", AuthorityName: "UBND Phường Bến Nghé, Quận 1",
		Book: "01/2010", Number: number, RegisteredOn: vntext.Date{Year: 2010, Month: 3, Day: 5},
		Fields: map[string]string{"ho_ten": "Trần Ngọc Bảo Anh", "ngay_sinh": "2010-02-15", "gioi_tinh": "Nữ", "dan_toc": "Kinh",
			"quoc_tich": "Việt Nam", "noi_sinh": "Bệnh viện Từ Dũ", "so_dinh_danh": "079310012345", "me_ho_ten": "Lê Thị Hồng", "me_ngay_sinh": "1985"}}
	r.ID = r.Identity().RecordID()
	return r
}

// fixture is a store with entries, a test CA, the unit 26740's key and
// certificate registered, and a desk on it.
type fixture struct {
	db   *sqlite.DB
	desk *issuing.Desk
	ca   *x509.Certificate
}

func newFixture(t *testing.T, withSigner bool, recs ...*registry.Record) *fixture {
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
	ca, k := testPKI(t)
	for _, c := range []*registry.Certificate{sign.Record(ca, "", true), sign.Record(k.Cert, "26740", false)} {
		if err := db.RegisterCertificate(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if withSigner {
		s := registry.Signer{IssuerCode: "26740", Capacity: "KT. CHỦ TỊCH", Title: "PHÓ CHỦ TỊCH", Name: "Trần Thị Bích", Thousand: "nghìn"}
		if err := db.SetSigner(ctx, s, "admin"); err != nil {
			t.Fatal(err)
		}
	}
	desk, err := issuing.New(ctx, db, issuing.Options{KeysDir: t.TempDir(), BaseURL: "https://hotich.example.gov.vn"})
	if err != nil {
		t.Fatal(err)
	}
	desk.Keys.Add("26740", k)
	return &fixture{db: db, desk: desk, ca: ca}
}

// testPKI returns the test CA and the unit 26740's key it certified, made
// once for all tests.
func testPKI(t *testing.T) (*x509.Certificate, *sign.UnitKey) {
	t.Helper()
	pki.once.Do(func() {
		var caKey crypto.Signer
		if caKey, pki.ca, pki.err = sign.NewTestCA("issuing tests", issuedAt); pki.err == nil {
			pki.key, pki.err = sign.NewTestUnitKey("26740", "UBND PHƯỜNG SÀI GÒN", caKey, pki.ca, issuedAt)
		}
	})
	if pki.err != nil {
		t.Fatal(pki.err)
	}
	return pki.ca, pki.key
}

var pki struct {
	once sync.Once
	ca   *x509.Certificate
	key  *sign.UnitKey
	err  error
}

func TestDesk(t *testing.T) {
	ctx := context.Background()
	rec := birth("123")
	f := newFixture(t, true, rec)
	req := issuing.Request{RecordID: rec.ID, Clerk: "lan", Copies: 1}
	got, err := f.desk.Issue(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if got.Issue.IssuerCode != "26740" || got.Issue.Form != registry.FormBirthExtract || got.Issue.Serial.String() != "1/2025/TLKS-BS" {
		t.Fatalf("issued %+v", got.Issue)
	}
	v := &extract.Verifier{Roots: []*x509.Certificate{f.ca}, Issues: f.db}

	t.Run("VerifiesAgainstTheStore", func(t *testing.T) {
		rep, err := v.VerifyPDF(ctx, got.PDF)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Unchecked) != 0 {
			t.Errorf("with the store, unchecked: %q", rep.Unchecked)
		}
		if !strings.HasPrefix(got.Issue.Payload, "HT2.") || !strings.Contains(rep.Payload.QRText(f.desk.BaseURL), "https://hotich.example.gov.vn/xac-thuc/1-2025-TLKS-BS?m=HT2.") {
			t.Errorf("payload %q", got.Issue.Payload)
		}
	})

	t.Run("ReissueSameBytes", func(t *testing.T) {
		logged, err := f.db.FindIssues(ctx, registry.IssueFilter{RecordID: req.RecordID})
		if err != nil || len(logged) != 1 {
			t.Fatalf("log: %v %d", err, len(logged))
		}
		pdf, err := f.desk.Reissue(logged[0])
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
		if _, err := (&extract.Verifier{}).VerifyPayload(ctx, got.Issue.Payload); registry.ErrorCode(err) != registry.EUNVERIFIABLE {
			t.Errorf("offline without a certificate: %v", err)
		}
		p, _ := sign.ParsePayload(got.Issue.Payload)
		p.Values[len(p.Values)-1].Value = "TRẦN VĂN KHÁC"
		if _, err := v.VerifyPayload(ctx, p.String()); registry.ErrorCode(err) != registry.EINVALID {
			t.Errorf("altered payload: %v", err)
		}
	})

	t.Run("UnknownSerial", func(t *testing.T) {
		other := newFixture(t, true, rec)
		_, err := (&extract.Verifier{Roots: []*x509.Certificate{f.ca}, Issues: other.db}).VerifyPDF(ctx, got.PDF)
		if registry.ErrorCode(err) != registry.EINVALID || !strings.Contains(registry.ErrorMessage(err), "không có bản số") {
			t.Fatalf("verify against a store that never issued it = %v", err)
		}
	})

	t.Run("Revoked", func(t *testing.T) {
		if _, err := f.db.RevokeIssue(ctx, "26740", got.Issue.Serial, "truong", "cấp nhầm"); err != nil {
			t.Fatal(err)
		}
		_, err := v.VerifyPDF(ctx, got.PDF)
		if registry.ErrorCode(err) != registry.EINVALID || !strings.Contains(registry.ErrorMessage(err), "đã bị thu hồi") {
			t.Fatalf("verify of a revoked copy = %v", err)
		}
	})
}

// TestDeskRules: what the desk refuses, and how.
func TestDeskRules(t *testing.T) {
	ctx := context.Background()
	flagged := birth("124")
	flagged.Flags = []registry.Flag{{Code: registry.FlagIDMismatch, Field: "so_dinh_danh", Detail: "năm sinh không khớp"}}
	t.Run("NeedsSigner", func(t *testing.T) {
		f := newFixture(t, false, birth("123"))
		_, err := f.desk.Issue(ctx, issuing.Request{RecordID: birth("123").ID, Clerk: "lan", Copies: 1})
		if registry.ErrorCode(err) != registry.EREFUSED || !strings.Contains(registry.ErrorMessage(err), "chưa khai báo người ký") {
			t.Fatalf("issue without a signer block = %v", err)
		}
		if n, _ := f.db.FindIssues(ctx, registry.IssueFilter{}); len(n) != 0 {
			t.Fatal("a refused copy was logged")
		}
	})
	f := newFixture(t, true, birth("123"), flagged)
	for name, tc := range map[string]struct {
		req   issuing.Request
		code  string
		field string
	}{
		"NoClerk":      {issuing.Request{RecordID: birth("123").ID, Copies: 1}, registry.EINVALID, registry.FieldActor},
		"NoCopies":     {issuing.Request{RecordID: birth("123").ID, Clerk: "lan"}, registry.EINVALID, ""},
		"UnderReview":  {issuing.Request{RecordID: flagged.ID, Clerk: "lan", Copies: 1}, registry.EREFUSED, registry.FieldOverride},
		"NotFound":     {issuing.Request{RecordID: "KS-26740-0000000000", Clerk: "lan", Copies: 1}, registry.ENOTFOUND, ""},
		"NoKey":        {issuing.Request{RecordID: birth("123").ID, IssuerCode: "26743", Clerk: "lan", Copies: 1}, registry.ENOTFOUND, ""},
		"NotAUnitCode": {issuing.Request{RecordID: birth("123").ID, IssuerCode: "760", Clerk: "lan", Copies: 1}, registry.EINVALID, ""},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := f.desk.Issue(ctx, tc.req)
			if registry.ErrorCode(err) != tc.code || registry.ErrorField(err) != tc.field {
				t.Fatalf("%v (code %s, field %q), want %s %q", err, registry.ErrorCode(err), registry.ErrorField(err), tc.code, tc.field)
			}
		})
	}
	t.Run("Override", func(t *testing.T) {
		got, err := f.desk.Issue(ctx, issuing.Request{RecordID: flagged.ID, Clerk: "lan", Copies: 1, Override: "đã đối chiếu sổ gốc"})
		if err != nil || got.Issue.Override == "" || len(got.Issue.Blockers) != 1 {
			t.Fatalf("override: %+v %v", got, err)
		}
	})
	t.Run("Revoke", func(t *testing.T) {
		got, err := f.desk.Issue(ctx, issuing.Request{RecordID: birth("123").ID, Clerk: "lan", Copies: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct{ by, reason, field string }{{"", "cấp nhầm", registry.FieldActor}, {"truong", " ", registry.FieldReason}} {
			if _, err := issuing.Revoke(ctx, f.db, "", got.Issue.Serial, tc.by, tc.reason); registry.ErrorField(err) != tc.field {
				t.Errorf("revoke by %q for %q: %v", tc.by, tc.reason, err)
			}
		}
		if iss, err := issuing.Revoke(ctx, f.db, "", got.Issue.Serial, "truong", "cấp nhầm người"); err != nil || iss.Revocation == nil {
			t.Fatalf("revoke: %+v %v", iss, err)
		}
	})
	t.Run("ByPersonalID", func(t *testing.T) {
		if _, err := f.desk.FindByPersonalID(ctx, "079310012345", registry.Birth); registry.ErrorCode(err) != registry.EINVALID {
			t.Errorf("two entries with the ID: %v", err) // 123 and 124 share it
		}
		if _, err := f.desk.FindByPersonalID(ctx, "079310099999", registry.Birth); registry.ErrorCode(err) != registry.ENOTFOUND {
			t.Errorf("no entry: %v", err)
		}
	})
	if _, err := os.Stat(f.desk.Keys.Dir); err != nil {
		t.Fatal(err)
	}
}

// TestTSAHoldsTheStoreBriefly: the timestamp of a B-T copy is asked for
// while the store's write lock is held (a copy is never logged without
// it), so a TSA that does not answer must not hold the lock longer than
// other writers wait (the store's busy timeout, 10 s), and a cancelled
// request (SIGINT, a clerk's closed page) must stop waiting at once.
// Before, the exchange waited 20 s on a context nothing could cancel:
// every other writer of the store failed with "database is locked".
func TestTSAHoldsTheStoreBriefly(t *testing.T) {
	asked := make(chan struct{}, 8)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		asked <- struct{}{}
		select { // never answers
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	rec := birth("124")
	f := newFixture(t, true, rec)
	_, k := testPKI(t)
	kt := *k
	kt.TSA = &sign.TSA{URL: srv.URL}
	f.desk.Keys.Add("26740", &kt)
	req := issuing.Request{RecordID: rec.ID, Clerk: "lan", Copies: 1}
	waitAsked := func() {
		t.Helper()
		select {
		case <-asked:
		case <-time.After(30 * time.Second):
			t.Fatal("the TSA was never asked")
		}
	}

	t.Run("OtherWritersGoOn", func(t *testing.T) {
		ctx := context.Background()
		issued := make(chan error, 1)
		go func() { _, err := f.desk.Issue(ctx, req); issued <- err }()
		waitAsked()
		// The issue holds the write lock now, waiting for the TSA.
		if err := f.db.SetSetting(ctx, issuing.SettingBaseURL, "https://hotich.example.gov.vn", "admin"); err != nil {
			t.Fatalf("another writer while the TSA does not answer: %v", err)
		}
		if err := <-issued; err == nil || !strings.Contains(registry.ErrorMessage(err), "dấu thời gian") {
			t.Fatalf("issue without an answer from the TSA = %v", err)
		}
	})

	t.Run("Cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		issued := make(chan error, 1)
		go func() { _, err := f.desk.Issue(ctx, req); issued <- err }()
		waitAsked()
		cancel()
		select {
		case err := <-issued:
			if err == nil {
				t.Fatal("a cancelled issue succeeded")
			}
		case <-time.After(sign.TSATimeout - time.Second):
			t.Fatal("a cancelled issue still waits for the TSA")
		}
	})

	if logged, err := f.db.FindIssues(context.Background(), registry.IssueFilter{RecordID: rec.ID}); err != nil || len(logged) != 0 {
		t.Fatalf("issues logged without a timestamp: %d, %v", len(logged), err)
	}
}

// TestKeyRingRotation: a unit's key rotated on disk (keys init --force,
// keys import) is the key the next copy is signed with, without restarting
// the server that holds the ring; before, the ring kept the first key it
// loaded until the process ended.
func TestKeyRingRotation(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, true)
	caKey, ca, err := sign.NewTestCA("rotation tests", issuedAt)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.RegisterCertificate(ctx, sign.Record(ca, "", true)); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	install := func(force bool) string {
		t.Helper()
		priv, err := sign.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		if err := sign.WritePrivateKey(sign.KeyPath(dir, "26740"), priv, force); err != nil {
			t.Fatal(err)
		}
		der, err := sign.WriteCSR(sign.CSRPath(dir, "26740"), priv, "UBND PHƯỜNG SÀI GÒN", "TP. Hồ Chí Minh")
		if err != nil {
			t.Fatal(err)
		}
		csr, err := x509.ParseCertificateRequest(der)
		if err != nil {
			t.Fatal(err)
		}
		cert, err := sign.IssueUnitCert(caKey, ca, csr, issuedAt)
		if err != nil {
			t.Fatal(err)
		}
		if err := sign.WriteChain(sign.CertPath(dir, "26740"), []*x509.Certificate{cert, ca}); err != nil {
			t.Fatal(err)
		}
		if err := f.db.RegisterCertificate(ctx, sign.Record(cert, "26740", false)); err != nil {
			t.Fatal(err)
		}
		return sign.KeyID(priv.Public())
	}
	ring := &issuing.KeyRing{Dir: dir, Store: f.db}
	first := install(false)
	k1, err := ring.Key(ctx, "26740")
	if err != nil || k1.KeyID() != first {
		t.Fatalf("first key: %v, %v; want %s", k1, err, first)
	}
	if again, _ := ring.Key(ctx, "26740"); again != k1 {
		t.Error("an unchanged key was loaded again")
	}
	second := install(true)
	k2, err := ring.Key(ctx, "26740")
	if err != nil {
		t.Fatal(err)
	}
	if k2.KeyID() != second {
		t.Fatalf("after the rotation the ring signs with %s, want the new key %s", k2.KeyID(), second)
	}
}

// TestTSASettingLive: the time-stamping authority set in the store (keys
// tsa) applies to the next copy of a desk already running; before, a
// desk read it once when it started.
func TestTSASettingLive(t *testing.T) {
	ctx := context.Background()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	rec := birth("125")
	f := newFixture(t, true, rec)
	req := issuing.Request{RecordID: rec.ID, Clerk: "lan", Copies: 1}
	if err := f.db.SetSetting(ctx, issuing.SettingTSA, srv.URL, "admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.Issue(ctx, req); err == nil || !strings.Contains(registry.ErrorMessage(err), "dấu thời gian") {
		t.Fatalf("issue with a TSA that is down = %v", err)
	}
	if err := f.db.SetSetting(ctx, issuing.SettingTSA, "", "admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.Issue(ctx, req); err != nil {
		t.Fatalf("issue after the TSA was cleared: %v", err)
	}
}
