package sqlite_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sqlite"
	"github.com/hotich/hotich/registry/storetest"
	"github.com/hotich/hotich/registry/vntext"
)

// birthEntry returns a birth entry of Phường Bến Nghé (26740) with the
// given number.
func birthEntry(tb testing.TB, number string) *registry.Record {
	tb.Helper()
	r := &registry.Record{
		Register: registry.Birth, AuthorityCode: "26740", AuthorityName: "UBND Phường Bến Nghé, Quận 1",
		Book: "01/2010", Number: number, RegisteredOn: vntext.Date{Year: 2010, Month: 3, Day: 5},
		Fields: map[string]string{"ho_ten": "Trần Ngọc Bảo Anh", "ngay_sinh": "2010-02-15", "gioi_tinh": "Nữ"},
	}
	r.ID = r.Identity().RecordID()
	return r
}

// mustImport stores records (and their flags and conflicts) through the
// exchange importer.
func mustImport(tb testing.TB, db *sqlite.DB, recs ...*registry.Record) {
	tb.Helper()
	ctx := context.Background()
	im := db.NewImporter("test")
	for _, r := range recs {
		if _, err := im.Record(ctx, r); err != nil {
			tb.Fatal(err)
		}
	}
	if err := im.Checkpoint(ctx); err != nil {
		tb.Fatal(err)
	}
}

const fakeHash = "5f0c2a9d4b7e61f3a8c0d2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a2b4c6d8e0f2a4"

// fakeRender stands in for rendering and signing: it fills in what the
// log requires.
func fakeRender(iss *registry.ExtractIssue, _ *registry.Record) error {
	iss.ValuesSHA256, iss.DocumentSHA256, iss.CertSHA256 = fakeHash, fakeHash, fakeHash
	iss.KeyID, iss.Payload = "ABCDEFGH", "HT2."+iss.Serial.String()
	iss.Snapshot, iss.CMS = []byte(`{}`), []byte{0x30, 0}
	return nil
}

// issueOne issues one copy through IssueExtracts, render doing both the
// check and the rendering as the desk's callbacks would.
func issueOne(ctx context.Context, db *sqlite.DB, iss *registry.ExtractIssue, render func(*registry.ExtractIssue, *registry.Record) error) error {
	var rec *registry.Record
	errs, err := db.IssueExtracts(ctx, []*registry.ExtractIssue{iss},
		func(_ *registry.ExtractIssue, r *registry.Record) error { rec = r; return nil },
		func(issues []*registry.ExtractIssue, _ []*registry.Record) error { return render(issues[0], rec) })
	if err != nil {
		return err
	}
	return errs[0]
}

func newIssue(rec *registry.Record, form registry.ExtractForm) *registry.ExtractIssue {
	return &registry.ExtractIssue{IssuerCode: "26740", RecordID: rec.ID, Form: form, Clerk: "Nguyễn Văn Cán", Requester: "Trần Văn Ơn", Copies: 1}
}

func TestIssueExtract(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	rec := birthEntry(t, "123")
	mustImport(t, db, rec)

	t.Run("SerialsPerIssuerYearForm", func(t *testing.T) {
		var got []string
		for _, form := range []registry.ExtractForm{registry.FormBirthExtract, registry.FormBirthExtract, registry.FormBirthCertificate, registry.FormBirthExtract} {
			iss := newIssue(rec, form)
			if err := issueOne(ctx, db, iss, fakeRender); err != nil {
				t.Fatal(err)
			}
			got = append(got, iss.Serial.String())
			if !iss.IssuedAt.Equal(time.Date(2025, 6, 9, 8, 0, 0, 0, time.UTC)) {
				t.Errorf("IssuedAt = %v, want the store's clock", iss.IssuedAt)
			}
		}
		want := []string{"1/2025/TLKS-BS", "2/2025/TLKS-BS", "1/2025/GKS-BS", "3/2025/TLKS-BS"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("serials = %v, want %v", got, want)
		}
		// A new year starts again at 1.
		db.Now = func() time.Time { return time.Date(2025, 12, 31, 17, 30, 0, 0, time.UTC) } // 00:30 on 1 January in Vietnam
		defer func() { db.Now = func() time.Time { return time.Date(2025, 6, 9, 8, 0, 0, 0, time.UTC) } }()
		iss := newIssue(rec, registry.FormBirthExtract)
		if err := issueOne(ctx, db, iss, fakeRender); err != nil {
			t.Fatal(err)
		}
		if iss.Serial.String() != "1/2026/TLKS-BS" {
			t.Fatalf("first serial of 2026 (Vietnam time) = %s", iss.Serial)
		}
	})

	t.Run("FindIssues", func(t *testing.T) {
		issues, err := db.FindIssues(ctx, registry.IssueFilter{RecordID: rec.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(issues) != 5 || issues[0].Serial.String() != "1/2026/TLKS-BS" || issues[4].Serial.String() != "1/2025/TLKS-BS" {
			t.Fatalf("issues newest first: %+v", issues)
		}
		iss := issues[4]
		if iss.Clerk != "Nguyễn Văn Cán" || iss.Requester != "Trần Văn Ơn" || iss.DocumentSHA256 != fakeHash || iss.Revocation != nil || iss.Override != "" {
			t.Fatalf("logged issue = %+v", iss)
		}
		s := registry.Serial{Number: 2, Year: 2025, Form: registry.FormBirthExtract}
		one, err := db.FindIssues(ctx, registry.IssueFilter{IssuerCode: "26740", Serial: &s})
		if err != nil || len(one) != 1 || one[0].Serial != s {
			t.Fatalf("by serial: %+v, %v", one, err)
		}
		evs, err := db.RecordEvents(ctx, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range evs {
			if e.Kind == "extract_issued" {
				n++
			}
		}
		var named int
		db.SQL().QueryRow(`SELECT COUNT(*) FROM events WHERE kind = 'extract_issued' AND detail LIKE '%Trần%'`).Scan(&named)
		if named != 0 {
			t.Errorf("%d event details carry a name", named)
		}
		if n != 5 {
			t.Fatalf("%d extract_issued events, want 5", n)
		}
	})

	t.Run("RenderFailureUsesNoSerial", func(t *testing.T) {
		fail := errors.New("disk full")
		iss := newIssue(rec, registry.FormBirthCertificate)
		err := issueOne(ctx, db, iss, func(*registry.ExtractIssue, *registry.Record) error { return fail })
		if !errors.Is(err, fail) {
			t.Fatalf("err = %v", err)
		}
		iss = newIssue(rec, registry.FormBirthCertificate)
		if err := issueOne(ctx, db, iss, fakeRender); err != nil {
			t.Fatal(err)
		}
		if iss.Serial.Number != 2 {
			t.Fatalf("serial after a failed render = %s, want 2/2025/GKS-BS", iss.Serial)
		}
	})

	t.Run("ErrWrongForm", func(t *testing.T) {
		// The issuing desk sets the form from the record; a form of
		// another register is a bug, refused before anything is logged.
		err := issueOne(ctx, db, newIssue(rec, registry.FormDeath), fakeRender)
		if err == nil || !strings.Contains(err.Error(), "TLKT") {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		iss := newIssue(rec, registry.FormBirthExtract)
		iss.RecordID = "KS-26740-0000000000"
		if err := issueOne(ctx, db, iss, fakeRender); registry.ErrorCode(err) != registry.ENOTFOUND {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("ErrBlockersWithoutOverride", func(t *testing.T) {
		err := issueOne(ctx, db, newIssue(rec, registry.FormBirthExtract), func(iss *registry.ExtractIssue, r *registry.Record) error {
			iss.Blockers = []string{"đang chờ xem xét"}
			return fakeRender(iss, r)
		})
		if registry.ErrorCode(err) != registry.EREFUSED {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("AppendOnly", func(t *testing.T) {
		if _, err := db.SQL().Exec(`UPDATE extract_issues SET requester = 'x'`); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Fatalf("update: %v", err)
		}
		if _, err := db.SQL().Exec(`DELETE FROM extract_issues`); err == nil {
			t.Fatal("delete succeeded")
		}
	})
}

func TestOverrideLogged(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	rec := birthEntry(t, "9")
	mustImport(t, db, rec)
	iss := newIssue(rec, registry.FormBirthExtract)
	err := issueOne(ctx, db, iss, func(iss *registry.ExtractIssue, r *registry.Record) error {
		iss.Blockers = []string{"nghi trùng với trích lục KS-26740-X, đang chờ xem xét"}
		iss.Override = "Người yêu cầu cần gấp để làm hộ chiếu; đã đối chiếu sổ gốc"
		return fakeRender(iss, r)
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.FindIssues(ctx, registry.IssueFilter{RecordID: rec.ID})
	if err != nil || len(got) != 1 {
		t.Fatal(got, err)
	}
	if got[0].Override != iss.Override || len(got[0].Blockers) != 1 {
		t.Fatalf("logged %+v", got[0])
	}
	evs, _ := db.RecordEvents(ctx, rec.ID)
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, e.Kind)
		if e.Kind == "extract_override" && !strings.Contains(e.Value("reason"), "hộ chiếu") {
			t.Errorf("override event without its reason: %s", e.Detail)
		}
	}
	if !strings.Contains(strings.Join(kinds, " "), "extract_override extract_issued") {
		t.Fatalf("events %v", kinds)
	}
}

func TestRevokeIssue(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	rec := birthEntry(t, "7")
	mustImport(t, db, rec)
	iss := newIssue(rec, registry.FormBirthExtract)
	if err := issueOne(ctx, db, iss, fakeRender); err != nil {
		t.Fatal(err)
	}
	t.Run("OK", func(t *testing.T) {
		got, err := db.RevokeIssue(ctx, "", iss.Serial, "Lê Văn Trưởng", "cấp nhầm người yêu cầu")
		if err != nil {
			t.Fatal(err)
		}
		if got.Revocation == nil || got.Revocation.Reason != "cấp nhầm người yêu cầu" {
			t.Fatalf("%+v", got)
		}
		list, _ := db.FindIssues(ctx, registry.IssueFilter{RecordID: rec.ID})
		if list[0].Revocation == nil || list[0].Revocation.By != "Lê Văn Trưởng" {
			t.Fatalf("FindIssues after revoke: %+v", list[0])
		}
	})
	t.Run("ErrAlreadyRevoked", func(t *testing.T) {
		if _, err := db.RevokeIssue(ctx, "26740", iss.Serial, "x", "y"); registry.ErrorCode(err) != registry.ECONFLICT {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		s := registry.Serial{Number: 99, Year: 2025, Form: registry.FormBirthExtract}
		if _, err := db.RevokeIssue(ctx, "", s, "x", "y"); registry.ErrorCode(err) != registry.ENOTFOUND {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestCertificatesAndSigner(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	c := &registry.Certificate{Fingerprint: fakeHash, KeyID: "ABCDEFGH", IssuerCode: "26740", Role: registry.CertUnit, Subject: "CN=UBND",
		NotBefore: time.Now(), NotAfter: time.Now().AddDate(1, 0, 0), DER: []byte{0x30, 0}}
	if err := db.RegisterCertificate(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := db.RegisterCertificate(ctx, c); err != nil {
		t.Fatalf("registering the same certificate again: %v", err)
	}
	other := *c
	other.IssuerCode = "26743"
	if err := db.RegisterCertificate(ctx, &other); registry.ErrorCode(err) != registry.ECONFLICT {
		t.Fatalf("the same certificate for another unit: %v", err)
	}
	got, err := db.FindCertificates(ctx, "ABCDEFGH")
	if err != nil || len(got) != 1 || got[0].IssuerCode != "26740" || got[0].Role != registry.CertUnit {
		t.Fatalf("%+v, %v", got, err)
	}
	if got, _ := db.FindCertificates(ctx, "ZZZZZZZZ"); len(got) != 0 {
		t.Fatalf("unknown key: %v", got)
	}
	if _, err := db.Signer(ctx, "26740"); registry.ErrorCode(err) != registry.ENOTFOUND {
		t.Fatalf("a unit without a signer block: %v", err)
	}
	want := registry.Signer{IssuerCode: "26740", Capacity: "KT. CHỦ TỊCH", Title: "PHÓ CHỦ TỊCH", Name: "Trần Thị Bích", Thousand: "ngàn"}
	if err := db.SetSigner(ctx, want, "admin"); err != nil {
		t.Fatal(err)
	}
	if s, _ := db.Signer(ctx, "26740"); s != want {
		t.Fatalf("signer %+v", s)
	}
	bad := want
	bad.Thousand = "ngan"
	if err := db.SetSigner(ctx, bad, "admin"); registry.ErrorCode(err) != registry.EINVALID {
		t.Fatalf("err = %v", err)
	}
}

func TestCorrections(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	rec := birthEntry(t, "8")
	mustImport(t, db, rec)
	if err := storetest.Reviewer(db).Correct(ctx, rec.ID, "ho_ten", "Trần Ngọc Bảo Ánh", "Lê Văn Trưởng", "Quyết định số 15/QĐ-UBND"); err != nil {
		t.Fatal(err)
	}
	got, err := db.Corrections(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Field != "ho_ten" || got[0].Old != "Trần Ngọc Bảo Anh" || got[0].New != "Trần Ngọc Bảo Ánh" || got[0].Basis != "Quyết định số 15/QĐ-UBND" || got[0].At.IsZero() {
		t.Fatalf("%+v", got)
	}
}

// TestSerialsConcurrent issues copies from many goroutines over two
// handles on one store (two connection pools, as two processes would
// have): every serial is used once, none is skipped.
func TestSerialsConcurrent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hotich.db")
	var dbs []*sqlite.DB
	for range 2 {
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return time.Date(2025, 6, 9, 8, 0, 0, 0, time.UTC) }
		defer db.Close()
		dbs = append(dbs, db)
	}
	rec := birthEntry(t, "1")
	mustImport(t, dbs[0], rec)
	const perWorker, workers = 10, 8
	var mu sync.Mutex
	var got []int
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db := dbs[w%2]
			for range perWorker {
				iss := newIssue(rec, registry.FormBirthExtract)
				if err := issueOne(ctx, db, iss, fakeRender); err != nil {
					errs <- err
					return
				}
				mu.Lock()
				got = append(got, iss.Serial.Number)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	checkSerials(t, got, workers*perWorker)
}

func checkSerials(t *testing.T, got []int, n int) {
	t.Helper()
	sort.Ints(got)
	if len(got) != n {
		t.Fatalf("%d serials, want %d", len(got), n)
	}
	for i, s := range got {
		if s != i+1 {
			t.Fatalf("serials %v: want each of 1..%d once", got, n)
		}
	}
}

// issueChildEnv makes TestSerialsChild a worker process that issues
// copies in the store the variable names and prints their numbers.
const issueChildEnv = "HOTICH_TEST_ISSUE_CHILD"

// TestSerialsProcesses issues copies from several processes at once: the
// test binary started again as TestSerialsChild.
func TestSerialsProcesses(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hotich.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	rec := birthEntry(t, "1")
	mustImport(t, db, rec)
	db.Close()

	const procs, each = 4, 15
	outs := make([][]byte, procs)
	var wg sync.WaitGroup
	for i := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^TestSerialsChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), issueChildEnv+"="+path, "HOTICH_TEST_ISSUE_N="+strconv.Itoa(each), "HOTICH_TEST_ISSUE_RECORD="+rec.ID)
			out, err := cmd.Output()
			if err != nil {
				t.Errorf("child %d: %v\n%s", i, err, out)
			}
			outs[i] = out
		}()
	}
	wg.Wait()
	var got []int
	for _, out := range outs {
		for _, line := range strings.Split(string(out), "\n") {
			if s, ok := strings.CutPrefix(line, "serial "); ok {
				n, _ := strconv.Atoi(s)
				got = append(got, n)
			}
		}
	}
	checkSerials(t, got, procs*each)
}

func TestSerialsChild(t *testing.T) {
	path := os.Getenv(issueChildEnv)
	if path == "" {
		t.Skip("worker process of TestSerialsProcesses")
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Now = func() time.Time { return time.Date(2025, 6, 9, 8, 0, 0, 0, time.UTC) }
	n, _ := strconv.Atoi(os.Getenv("HOTICH_TEST_ISSUE_N"))
	rec := &registry.Record{ID: os.Getenv("HOTICH_TEST_ISSUE_RECORD")}
	for range n {
		iss := newIssue(rec, registry.FormBirthExtract)
		if err := issueOne(ctx, db, iss, fakeRender); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(iss.Serial.Number)
		fmt.Printf("serial %s\n", b)
	}
}
