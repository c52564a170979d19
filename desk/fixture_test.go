package desk_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotich/hotich/accounts"
	"github.com/hotich/hotich/desk"
	"github.com/hotich/hotich/ingest"
	"github.com/hotich/hotich/issuing"
	"github.com/hotich/hotich/linkage"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sign"
	"github.com/hotich/hotich/registry/sqlite"
	"github.com/hotich/hotich/registry/storetest"
)

// t0 is when the tests' desk runs.
var t0 = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

// The fixture: the committed sample batches, ingested and linked, plus a
// few entries made for the tests. It is built once and copied per test.
var (
	fixtureOnce sync.Once
	fixturePath string
	fixtureErr  error
)

// Entries of the fixture. Phường Sài Gòn (26740) holds the registers of
// Phường Bến Nghé (26740); Phường Bến Thành (26743) its own.
var (
	recScript   = storetest.Birth(901, "<script>alert(1)</script> Nguyễn Văn Độc", map[string]string{"so_dinh_danh": "079210009901"})
	recFlagged  = storetest.Birth(902, "Trần Thị Cờ", nil)
	recConflict = storetest.Birth(903, "Lê Văn Xung", nil)
	recA        = storetest.Birth(905, "Phạm Văn Trùng", nil)
	recB        = func() *registry.Record {
		r := storetest.Birth(904, "Phạm Văn Trùng", nil)
		r.AuthorityCode, r.AuthorityName = "26743", "UBND Phường Bến Thành, Quận 1"
		return r
	}()
	recClean = storetest.Birth(906, "Võ Thị Sạch", map[string]string{"cha_ho_ten": "Võ Văn Cha"})
)

func id(r *registry.Record) string { return r.Identity().RecordID() }

func buildFixture() (string, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "hotich-desk-test-")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "hotich.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return "", err
	}
	defer db.Close()
	db.Now = func() time.Time { return t0.Add(-24 * time.Hour) }
	if _, err := ingest.New(db, ingest.Options{}).Run(ctx, []string{"../samples/batches"}); err != nil {
		return "", err
	}
	if _, err := linkage.RunStore(ctx, db, registry.Registers, linkage.RunOptions{Since: -1}); err != nil {
		return "", err
	}
	tb := &fixtureTB{}
	storetest.WriteBatch(tb, db, "desk-test.csv",
		storetest.ScanRow{Rec: recScript},
		storetest.ScanRow{Rec: recFlagged, Flags: []registry.Flag{{Code: registry.FlagIDMismatch, Field: "so_dinh_danh", Detail: "năm sinh không khớp"}}},
		storetest.ScanRow{Rec: recConflict},
		storetest.ScanRow{Rec: recB},
		storetest.ScanRow{Rec: recA},
		storetest.ScanRow{Rec: recClean},
	)
	rescan := *recConflict
	rescan.Fields = map[string]string{}
	for k, v := range recConflict.Fields {
		rescan.Fields[k] = v
	}
	rescan.Fields["noi_sinh"] = "Bệnh viện Hùng Vương"
	storetest.WriteBatch(tb, db, "desk-test-rescan.csv", storetest.ScanRow{Rec: &rescan})
	storetest.SetLink(tb, db, id(recA), id(recB), 0.9, registry.LinkSuspected)
	if tb.err != nil {
		return "", tb.err
	}
	if err := db.SetSigner(ctx, registry.Signer{IssuerCode: "26740", Capacity: "KT. CHỦ TỊCH", Title: "PHÓ CHỦ TỊCH", Name: "Trần Thị Bích", Thousand: "nghìn"}, "test"); err != nil {
		return "", err
	}
	return path, nil
}

// fixtureTB lets the storetest helpers run outside a test.
type fixtureTB struct {
	testing.TB
	err error
}

func (f *fixtureTB) Helper()                   {}
func (f *fixtureTB) Fatal(args ...any)         { f.err = fmt.Errorf("%v", args...); panic(f.err) }
func (f *fixtureTB) Fatalf(s string, a ...any) { f.err = fmt.Errorf(s, a...); panic(f.err) }

func TestMain(m *testing.M) {
	code := m.Run()
	if fixturePath != "" {
		os.RemoveAll(filepath.Dir(fixturePath))
	}
	os.Exit(code)
}

// clock is the tests' settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a desk under test: its store, clock, log and handler.
type env struct {
	t     *testing.T
	db    *sqlite.DB
	clock *clock
	svc   *accounts.Service
	srv   *desk.Server
	h     http.Handler
	log   *bytes.Buffer
	cfg   desk.Config
}

// cheap are hash parameters fast enough for tests.
var cheap = accounts.HashParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

const password = "một câu dài dễ nhớ"

// The accounts of every test desk.
var testAccounts = []struct {
	user, unit string
	duties     []registry.Duty
}{
	{"thu", "26740", []registry.Duty{registry.DutyClerk}},
	{"thub", "26743", []registry.Duty{registry.DutyClerk}},
	{"duyet", "26740", []registry.Duty{registry.DutyReviewer}},
	{"duyetb", "26743", []registry.Duty{registry.DutyReviewer}},
	{"vanhanh", "26740", []registry.Duty{registry.DutyOperator}},
	{"quantri", "26740", []registry.Duty{registry.DutyAdmin}},
	{"truong", "26740", []registry.Duty{registry.DutyClerk, registry.DutyReviewer}},
}

func newEnv(t *testing.T, tweak ...func(*desk.Config)) *env {
	t.Helper()
	fixtureOnce.Do(func() {
		defer func() {
			if r := recover(); r != nil && fixtureErr == nil {
				fixtureErr = fmt.Errorf("fixture: %v", r)
			}
		}()
		fixturePath, fixtureErr = buildFixture()
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hotich.db")
	b, err := os.ReadFile(fixturePath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.OpenExisting(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c := &clock{t: t0}
	db.Now = c.now
	ref, err := db.RefData(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var logBuf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&syncWriter{w: &logBuf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	svc := &accounts.Service{Store: db, RefData: ref, Auditor: &accounts.Auditor{Store: db, Log: log}, Now: c.now, Hash: cheap, Log: log}
	for _, a := range testAccounts {
		if _, err := svc.AddAccount(ctx, accounts.Actor{Username: "-", Addr: "test"}, accounts.NewAccount{Username: a.user, Name: "Người " + a.user, Unit: a.unit, Duties: a.duties, Password: password}); err != nil {
			t.Fatal(err)
		}
	}
	cfg := desk.Config{Store: db, Accounts: svc, Issuer: &fakeIssuer{db: db}, Log: log, Now: c.now, BaseURL: "https://hotich.example.gov.vn"}
	for _, f := range tweak {
		f(&cfg)
	}
	srv, err := desk.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, db: db, clock: c, svc: svc, srv: srv, h: srv.Handler(), log: &logBuf, cfg: cfg}
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// fakeIssuer issues copies the way the issuing desk does as far as the
// store sees it (the check, a serial, the issue log, a signed payload),
// with a stand-in PDF: the desk's tests need no keys. The real issuer is
// tested end to end in cmd/hotich.
type fakeIssuer struct{ db *sqlite.DB }

func (f *fakeIssuer) Issue(ctx context.Context, req issuing.Request) (*issuing.Issued, error) {
	rec, err := f.db.FindRecordByID(ctx, req.RecordID)
	if err != nil {
		return nil, err
	}
	iss := &registry.ExtractIssue{IssuerCode: req.IssuerCode, RecordID: rec.ID, Form: registry.FormFor(rec.Register, req.BirthCertificate),
		Clerk: req.Clerk, Requester: req.Requester, Copies: req.Copies}
	var pdf []byte
	errs, err := f.db.IssueExtracts(ctx, []*registry.ExtractIssue{iss}, func(iss *registry.ExtractIssue, rec *registry.Record) error {
		if b := registry.ExtractBlockers(rec); len(b) > 0 {
			if req.Override == "" {
				return registry.Errorf(registry.EREFUSED, "chưa thể cấp bản sao trích lục %s: %s", rec.ID, strings.Join(b, "; "))
			}
			iss.Blockers, iss.Override = b, req.Override
		}
		return nil
	}, func(issues []*registry.ExtractIssue, recs []*registry.Record) error {
		iss, rec := issues[0], recs[0]
		p, err := sign.NewPayload([]sign.Value{{Key: "so", Value: iss.Serial.String()}, {Key: "cq", Value: iss.IssuerCode},
			{Key: "ngay_cap", Value: iss.IssuedOn().Format("02/01/2006")}, {Key: "mau", Value: string(iss.Form)},
			{Key: "ho_ten", Value: strings.ToUpper(rec.Fields["ho_ten"])}, {Key: "ngay_sinh", Value: rec.Date("ngay_sinh").Numeric()},
			{Key: "me", Value: strings.ToUpper(rec.Fields["me_ho_ten"])}}, "AAAAAAAA")
		if err != nil {
			return err
		}
		p.Signature = []byte("fake signature")
		pdf = []byte("%PDF-1.7 fake copy " + iss.Serial.String())
		sum := sha256.Sum256(pdf)
		iss.ValuesSHA256, iss.DocumentSHA256, iss.CertSHA256 = p.ValuesSHA256(), hex.EncodeToString(sum[:]), strings.Repeat("0", 64)
		iss.KeyID, iss.Payload, iss.CMS, iss.Snapshot = p.KeyID, p.String(), []byte{1}, []byte("{}")
		return nil
	})
	if err != nil {
		return nil, err
	}
	if errs[0] != nil {
		return nil, errs[0]
	}
	return &issuing.Issued{Issue: iss, PDF: pdf}, nil
}

func (f *fakeIssuer) Reissue(iss *registry.ExtractIssue) ([]byte, error) {
	return []byte("%PDF-1.7 fake copy " + iss.Serial.String()), nil
}

// browser is a client of the desk with its cookies, from one address.
type browser struct {
	e       *env
	addr    string
	cookies map[string]*http.Cookie
	csrf    string
}

func (e *env) browser(addr string) *browser {
	return &browser{e: e, addr: addr, cookies: map[string]*http.Cookie{}}
}

func (b *browser) do(method, path string, body io.Reader, hdr map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, body)
	r.RemoteAddr = b.addr + ":50000"
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	for _, c := range b.cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	b.e.h.ServeHTTP(w, r)
	for _, c := range w.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	return w
}

func (b *browser) get(path string) *httptest.ResponseRecorder { return b.do("GET", path, nil, nil) }

// post posts a form with the session's CSRF token (unless the form sets
// "csrf" itself).
func (b *browser) post(path string, form url.Values) *httptest.ResponseRecorder {
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	form = f
	if _, ok := form["csrf"]; !ok && b.csrf != "" {
		form.Set("csrf", b.csrf)
	}
	return b.do("POST", path, strings.NewReader(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// tryLogin posts the login form and returns the response.
func (b *browser) tryLogin(user, pw string) *httptest.ResponseRecorder {
	page := b.get("/dang-nhap")
	m := csrfRE.FindStringSubmatch(page.Body.String())
	if m == nil {
		b.e.t.Fatalf("login page without a token:\n%s", page.Body)
	}
	return b.post("/dang-nhap", url.Values{"csrf": {m[1]}, "username": {user}, "password": {pw}})
}

// login signs in and keeps the session's CSRF token.
func (b *browser) login(user string) *browser {
	b.e.t.Helper()
	w := b.tryLogin(user, password)
	if w.Code != http.StatusSeeOther {
		b.e.t.Fatalf("login %s: %d\n%s", user, w.Code, w.Body)
	}
	page := b.get("/mat-khau")
	m := csrfRE.FindStringSubmatch(page.Body.String())
	if m == nil {
		b.e.t.Fatalf("no CSRF token after login:\n%s", page.Body)
	}
	b.csrf = m[1]
	return b
}

// as returns a signed-in browser of a test account.
func (e *env) as(user string) *browser { return e.browser("10.0.0.5").login(user) }

// trail returns the audit trail as "actor action target detail" lines.
func (e *env) trail() []*registry.AuditEntry {
	es, err := e.db.AuditEntries(context.Background(), registry.AuditFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	return es
}
