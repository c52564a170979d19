package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotich/hotich/registry"
)

// issueHash stands for the SHA-256 sums an issue logs.
const issueHash = "5f0c2a9d4b7e61f3a8c0d2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a2b4c6d8e0f2a4"

// copyOf returns a request for a copy of a record on the birth extract
// form, issued by Phường Bến Nghé (26740) unless changed.
func copyOf(recordID string) *registry.ExtractIssue {
	return &registry.ExtractIssue{IssuerCode: "26740", RecordID: recordID, Form: registry.FormBirthExtract,
		Clerk: "Nguyễn Văn Cán", Requester: "Trần Văn Ơn", Copies: 1}
}

// acceptAll is a check that lets every request through as it is.
func acceptAll(*registry.ExtractIssue, *registry.Record) error { return nil }

// signAll renders and signs nothing but fills in what the log requires,
// with the serial in the snapshot so that each issue's can be told apart.
// It fails when an issue is not given with its own record.
func signAll(issues []*registry.ExtractIssue, recs []*registry.Record) error {
	if len(issues) != len(recs) {
		return fmt.Errorf("render: %d issues, %d records", len(issues), len(recs))
	}
	for i, iss := range issues {
		if recs[i] == nil || recs[i].ID != iss.RecordID {
			return fmt.Errorf("render: issue of %s given with record %v", iss.RecordID, recs[i])
		}
		iss.ValuesSHA256, iss.DocumentSHA256, iss.CertSHA256 = issueHash, issueHash, issueHash
		iss.KeyID, iss.Payload = "ABCDEFGH", "HT2."+iss.Serial.String()
		iss.Snapshot, iss.CMS = []byte(`{"so":"`+iss.Serial.String()+`"}`), []byte{0x30, 0x03, 1, 2, 3}
	}
	return nil
}

// issueAll issues the requests in one call and fails the test unless every
// one is issued.
func issueAll(tb testing.TB, db registry.Store, issues ...*registry.ExtractIssue) {
	tb.Helper()
	errs, err := db.IssueExtracts(context.Background(), issues, acceptAll, signAll)
	if err != nil {
		tb.Fatal(err)
	}
	for i, e := range errs {
		if e != nil {
			tb.Fatalf("issue %d (%s): %v", i, issues[i].RecordID, e)
		}
	}
}

func serials(issues []*registry.ExtractIssue) []string {
	var out []string
	for _, iss := range issues {
		out = append(out, iss.Serial.String())
	}
	return out
}

// issueSeed writes three births, the second with an open flag.
func issueSeed(tb testing.TB, db registry.Store) {
	WriteBatch(tb, db, "ks-2010.csv",
		ScanRow{Rec: Birth(1, "Nguyễn Văn An", nil)},
		ScanRow{Rec: Birth(2, "Lê Thị Bé", map[string]string{"gioi_tinh": "Nữ"}), Flags: []registry.Flag{{Code: registry.FlagIDMismatch, Field: "so_dinh_danh", Detail: "năm sinh"}}},
		ScanRow{Rec: Birth(3, "Phạm Văn Cường", nil)})
}

// testIssueSerials: serials are counted per authority, year and form,
// consecutively; a refused request and a record that does not exist get
// their error and no serial, the others are issued; check sees the record
// as stored and decides what the issue is.
func testIssueSerials(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	issueSeed(t, db)

	t.Run("PerIssuerYearForm", func(t *testing.T) {
		var got []string
		for _, iss := range []*registry.ExtractIssue{
			copyOf(ID(1)), copyOf(ID(1)),
			{IssuerCode: "26740", RecordID: ID(1), Form: registry.FormBirthCertificate, Clerk: "Lan", Copies: 1},
			{IssuerCode: "26743", RecordID: ID(3), Form: registry.FormBirthExtract, Clerk: "Lan", Copies: 2},
			copyOf(ID(3)),
		} {
			issueAll(t, db, iss)
			got = append(got, iss.Serial.String())
			if !iss.IssuedAt.Equal(Clock) {
				t.Errorf("%s issued at %v, want the store's clock %v", iss.Serial, iss.IssuedAt, Clock)
			}
		}
		want := []string{"1/2025/TLKS-BS", "2/2025/TLKS-BS", "1/2025/GKS-BS", "1/2025/TLKS-BS", "3/2025/TLKS-BS"}
		if !slices.Equal(got, want) {
			t.Fatalf("serials %v, want %v", got, want)
		}
	})

	t.Run("RefusedAndNotFound", func(t *testing.T) {
		before := lastSeq(t, db)
		refusal := registry.Errorf(registry.EREFUSED, "đang chờ xem xét")
		issues := []*registry.ExtractIssue{copyOf(ID(1)), copyOf(ID(2)), copyOf("KS-26740-0000000000"), copyOf(ID(3))}
		var checked []string
		errs, err := db.IssueExtracts(ctx, issues, func(iss *registry.ExtractIssue, r *registry.Record) error {
			if r == nil {
				t.Errorf("check of %s called without its record", iss.RecordID)
				return errors.New("no record")
			}
			checked = append(checked, r.ID)
			if r.ID != iss.RecordID {
				return fmt.Errorf("check of %s given record %s", iss.RecordID, r.ID)
			}
			if r.HasFlag(registry.FlagIDMismatch) {
				return refusal
			}
			return nil
		}, signAll)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(checked, []string{ID(1), ID(2), ID(3)}) {
			t.Errorf("check called for %v, want each existing record in turn", checked)
		}
		if len(errs) != 4 || errs[0] != nil || !errors.Is(errs[1], refusal) || registry.ErrorCode(errs[2]) != registry.ENOTFOUND || errs[3] != nil {
			t.Fatalf("errs = %v", errs)
		}
		if got := serials(issues); got[0] != "4/2025/TLKS-BS" || !issues[1].Serial.IsZero() || !issues[2].Serial.IsZero() || got[3] != "5/2025/TLKS-BS" {
			t.Errorf("serials %v: want consecutive serials for the two issued, none for the others", got)
		}
		logged, err := db.FindIssues(ctx, registry.IssueFilter{RecordID: ID(2)})
		if err != nil || len(logged) != 0 {
			t.Errorf("refused issue logged: %+v, %v", logged, err)
		}
		evs, _ := db.RecordEvents(ctx, ID(2))
		for _, e := range evs {
			if e.Seq > before {
				t.Errorf("event %s about the refused record", e.Kind)
			}
		}
	})

	t.Run("CheckDecides", func(t *testing.T) {
		// The issuing desk sets the unit and the form from the record as
		// stored: a request need not carry them.
		iss := &registry.ExtractIssue{RecordID: ID(3), Clerk: "Lan", Copies: 1}
		want, err := db.FindRecordByID(ctx, ID(3))
		if err != nil {
			t.Fatal(err)
		}
		errs, err := db.IssueExtracts(ctx, []*registry.ExtractIssue{iss}, func(iss *registry.ExtractIssue, r *registry.Record) error {
			if r.Version != want.Version || r.Fields["ho_ten"] != want.Fields["ho_ten"] || !slices.Equal(r.SourceRefs, want.SourceRefs) {
				return fmt.Errorf("check given %+v, stored %+v", r, want)
			}
			iss.IssuerCode, iss.Form = r.AuthorityCode, registry.FormFor(r.Register, true)
			return nil
		}, signAll)
		if err != nil || errs[0] != nil {
			t.Fatalf("%v, %v", errs, err)
		}
		if iss.Serial.String() != "2/2025/GKS-BS" || iss.IssuerCode != "26740" {
			t.Errorf("issued %s by %s, want 2/2025/GKS-BS by 26740", iss.Serial, iss.IssuerCode)
		}
	})

	t.Run("NothingAccepted", func(t *testing.T) {
		rendered := false
		errs, err := db.IssueExtracts(ctx, []*registry.ExtractIssue{copyOf("KS-26740-0000000000")},
			func(*registry.ExtractIssue, *registry.Record) error {
				t.Error("check called for a record that does not exist")
				return nil
			}, func([]*registry.ExtractIssue, []*registry.Record) error { rendered = true; return nil })
		if err != nil || registry.ErrorCode(errs[0]) != registry.ENOTFOUND || rendered {
			t.Errorf("errs %v, err %v, rendered %v", errs, err, rendered)
		}
	})
}

// testIssueRenderFailure: when render fails nothing is logged, and no
// serial is used up: the next copy takes the serial the failed one had.
func testIssueRenderFailure(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	issueSeed(t, db)
	before := lastSeq(t, db)
	fail := errors.New("disk full")
	issues := []*registry.ExtractIssue{copyOf(ID(1)), copyOf(ID(3))}
	_, err := db.IssueExtracts(ctx, issues, acceptAll, func(issues []*registry.ExtractIssue, recs []*registry.Record) error {
		if err := signAll(issues, recs); err != nil {
			return err
		}
		return fail
	})
	if !errors.Is(err, fail) {
		t.Fatalf("err = %v, want render's error", err)
	}
	if got, err := db.FindIssues(ctx, registry.IssueFilter{}); err != nil || len(got) != 0 {
		t.Fatalf("after a failed render the log holds %d issues (%v)", len(got), err)
	}
	if after := lastSeq(t, db); after != before {
		t.Errorf("a failed render logged events %d..%d", before, after)
	}
	iss := copyOf(ID(3))
	issueAll(t, db, iss)
	if iss.Serial.String() != "1/2025/TLKS-BS" {
		t.Errorf("the next copy got %s, want 1/2025/TLKS-BS: a failed render used up serials", iss.Serial)
	}
}

// testIssueConcurrent: copies issued from several goroutines at once get
// every serial once, none skipped.
func testIssueConcurrent(t *testing.T, open Opener) {
	db := open(t)
	issueSeed(t, db)
	const workers, each = 4, 5
	var (
		mu  sync.Mutex
		got []int
		wg  sync.WaitGroup
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				// Two copies a call: a call's serials are consecutive.
				issues := []*registry.ExtractIssue{copyOf(ID(1 + w%3)), copyOf(ID(1 + (w+1)%3))}
				errs, err := db.IssueExtracts(context.Background(), issues, acceptAll, signAll)
				if err == nil {
					err = errors.Join(errs...)
				}
				if err != nil {
					t.Error(err)
					return
				}
				if issues[1].Serial.Number != issues[0].Serial.Number+1 {
					t.Errorf("one call got serials %s and %s", issues[0].Serial, issues[1].Serial)
				}
				mu.Lock()
				got = append(got, issues[0].Serial.Number, issues[1].Serial.Number)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	slices.Sort(got)
	for i, n := range got {
		if n != i+1 {
			t.Fatalf("serials %v: want each of 1..%d once", got, 2*workers*each)
		}
	}
	if len(got) != 2*workers*each {
		t.Fatalf("%d serials, want %d", len(got), 2*workers*each)
	}
	logged, err := db.FindIssues(context.Background(), registry.IssueFilter{Limit: 100})
	if err != nil || len(logged) != 2*workers*each {
		t.Fatalf("log holds %d issues (%v), want %d", len(logged), err, 2*workers*each)
	}
}

// testFindIssues: the log is searched by record, issuing unit and serial,
// newest first, with a limit; a batch run's issues come oldest first with
// what re-issuing them needs.
func testFindIssues(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	issueSeed(t, db)
	// In order: TLKS 1 (record 1), TLKS 2 (record 3), GKS 1 (record 1) of
	// 26740; TLKS 1 (record 1) of 26743; then a batch run of 26740: TLKS 3
	// (record 3), TLKS 4 (record 1).
	gks := copyOf(ID(1))
	gks.Form = registry.FormBirthCertificate
	other := copyOf(ID(1))
	other.IssuerCode = "26743"
	issueAll(t, db, copyOf(ID(1)))
	issueAll(t, db, copyOf(ID(3)))
	issueAll(t, db, gks)
	issueAll(t, db, other)
	run := []*registry.ExtractIssue{copyOf(ID(3)), copyOf(ID(1))}
	for i, iss := range run {
		iss.BatchID, iss.BatchItem = "run-1", fmt.Sprintf("%s (dòng %d)", iss.RecordID, i+1)
	}
	issueAll(t, db, run...)
	other2 := copyOf(ID(3))
	other2.BatchID, other2.BatchItem = "run-2", ID(3)
	issueAll(t, db, other2)

	type issued struct{ issuer, serial, record string }
	list := func(issues []*registry.ExtractIssue) []issued {
		var out []issued
		for _, iss := range issues {
			out = append(out, issued{iss.IssuerCode, iss.Serial.String(), iss.RecordID})
		}
		return out
	}
	tlks2 := registry.Serial{Number: 2, Year: 2025, Form: registry.FormBirthExtract}
	tlks1 := registry.Serial{Number: 1, Year: 2025, Form: registry.FormBirthExtract}
	for name, tc := range map[string]struct {
		f    registry.IssueFilter
		want []issued
	}{
		"Record": {registry.IssueFilter{RecordID: ID(1)}, []issued{
			{"26740", "4/2025/TLKS-BS", ID(1)}, {"26743", "1/2025/TLKS-BS", ID(1)}, {"26740", "1/2025/GKS-BS", ID(1)}, {"26740", "1/2025/TLKS-BS", ID(1)}}},
		"Issuer": {registry.IssueFilter{IssuerCode: "26743"}, []issued{{"26743", "1/2025/TLKS-BS", ID(1)}}},
		"Serial": {registry.IssueFilter{Serial: &tlks2}, []issued{{"26740", "2/2025/TLKS-BS", ID(3)}}},
		"SerialOfTwoIssuers": {registry.IssueFilter{Serial: &tlks1}, []issued{
			{"26743", "1/2025/TLKS-BS", ID(1)}, {"26740", "1/2025/TLKS-BS", ID(1)}}},
		"IssuerAndSerial": {registry.IssueFilter{IssuerCode: "26740", Serial: &tlks1}, []issued{{"26740", "1/2025/TLKS-BS", ID(1)}}},
		"RecordAndIssuer": {registry.IssueFilter{RecordID: ID(3), IssuerCode: "26740"}, []issued{
			{"26740", "5/2025/TLKS-BS", ID(3)}, {"26740", "3/2025/TLKS-BS", ID(3)}, {"26740", "2/2025/TLKS-BS", ID(3)}}},
		"Limit": {registry.IssueFilter{RecordID: ID(1), Limit: 2}, []issued{
			{"26740", "4/2025/TLKS-BS", ID(1)}, {"26743", "1/2025/TLKS-BS", ID(1)}}},
		"NoMatch": {registry.IssueFilter{RecordID: ID(2)}, nil},
	} {
		got, err := db.FindIssues(ctx, tc.f)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !slices.Equal(list(got), tc.want) {
			t.Errorf("%s: found %v, want %v", name, list(got), tc.want)
		}
	}

	all, err := db.FindIssues(ctx, registry.IssueFilter{})
	if err != nil || len(all) != 7 {
		t.Fatalf("all issues: %d, %v", len(all), err)
	}
	first := all[len(all)-1]
	if first.Clerk != "Nguyễn Văn Cán" || first.Requester != "Trần Văn Ơn" || first.Copies != 1 || first.Form != registry.FormBirthExtract ||
		first.DocumentSHA256 != issueHash || first.ValuesSHA256 != issueHash || first.KeyID != "ABCDEFGH" || first.Payload != "HT2.1/2025/TLKS-BS" ||
		!first.IssuedAt.Equal(Clock) || first.Revocation != nil || first.Override != "" || first.Blockers != nil {
		t.Errorf("logged issue %+v", first)
	}

	batch, err := db.FindBatchIssues(ctx, "run-1")
	if err != nil {
		t.Fatal(err)
	}
	if got := serials(batch); !slices.Equal(got, []string{"3/2025/TLKS-BS", "4/2025/TLKS-BS"}) {
		t.Fatalf("batch issues %v, want the run's two oldest first", got)
	}
	for i, iss := range batch {
		want := run[i]
		if iss.RecordID != want.RecordID || iss.BatchID != "run-1" || iss.BatchItem != want.BatchItem ||
			string(iss.Snapshot) != string(want.Snapshot) || string(iss.CMS) != string(want.CMS) || iss.CertSHA256 != issueHash {
			t.Errorf("batch issue %d = %+v, want %+v", i, iss, want)
		}
	}
	if none, err := db.FindBatchIssues(ctx, "run-9"); err != nil || len(none) != 0 {
		t.Errorf("unknown run: %v, %v", none, err)
	}
}

// testRevokeIssue: a copy is revoked once, saying who and why; an unknown
// serial is not found; a serial two units used needs the unit.
func testRevokeIssue(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	issueSeed(t, db)
	mine, theirs := copyOf(ID(1)), copyOf(ID(3))
	theirs.IssuerCode = "26743"
	issueAll(t, db, mine, theirs)
	serial := mine.Serial // 1/2025/TLKS-BS, also theirs

	if _, err := db.RevokeIssue(ctx, "26740", registry.Serial{Number: 9, Year: 2025, Form: registry.FormBirthExtract}, "Lê Văn Trưởng", "x"); registry.ErrorCode(err) != registry.ENOTFOUND {
		t.Errorf("unknown serial: %v, want ENOTFOUND", err)
	}
	if _, err := db.RevokeIssue(ctx, "26755", serial, "Lê Văn Trưởng", "x"); registry.ErrorCode(err) != registry.ENOTFOUND {
		t.Errorf("a serial of another unit: %v, want ENOTFOUND", err)
	}
	if _, err := db.RevokeIssue(ctx, "", serial, "Lê Văn Trưởng", "x"); registry.ErrorCode(err) != registry.EINVALID {
		t.Errorf("a serial two units used, without the unit: %v, want EINVALID", err)
	}
	before := lastSeq(t, db)
	got, err := db.RevokeIssue(ctx, "26740", serial, "Lê Văn Trưởng", "cấp nhầm người yêu cầu")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != mine.ID || got.IssuerCode != "26740" || got.Revocation == nil || got.Revocation.By != "Lê Văn Trưởng" ||
		got.Revocation.Reason != "cấp nhầm người yêu cầu" || !got.Revocation.At.Equal(Clock) {
		t.Fatalf("revoked %+v (revocation %+v)", got, got.Revocation)
	}
	list, _ := db.FindIssues(ctx, registry.IssueFilter{IssuerCode: "26740", Serial: &serial})
	if len(list) != 1 || list[0].Revocation == nil || list[0].Revocation.By != "Lê Văn Trưởng" || list[0].Revocation.Reason != "cấp nhầm người yêu cầu" {
		t.Fatalf("the log after the revocation: %+v", list)
	}
	if list, _ := db.FindIssues(ctx, registry.IssueFilter{IssuerCode: "26743"}); len(list) != 1 || list[0].Revocation != nil {
		t.Errorf("the other unit's copy of the same serial: %+v", list)
	}
	if lastSeq(t, db) <= before {
		t.Error("a revocation logged no event")
	}
	if _, err := db.RevokeIssue(ctx, "26740", serial, "X", "y"); registry.ErrorCode(err) != registry.ECONFLICT {
		t.Errorf("revoked twice: %v, want ECONFLICT", err)
	}
	if list, _ := db.FindIssues(ctx, registry.IssueFilter{IssuerCode: "26740"}); list[0].Revocation.By != "Lê Văn Trưởng" {
		t.Errorf("a refused second revocation changed the first: %+v", list[0].Revocation)
	}
	// A serial one unit used names its copy alone.
	gks := copyOf(ID(3))
	gks.Form = registry.FormBirthCertificate
	issueAll(t, db, gks)
	if got, err := db.RevokeIssue(ctx, "", gks.Serial, "Đỗ Văn Hải", "mất bản gốc"); err != nil || got.ID != gks.ID || got.Revocation == nil {
		t.Errorf("a serial one unit used, without the unit: %+v, %v", got, err)
	}
}

// testCertificates: certificates are registered once (again only to trust
// one), found by key ID and by unit, newest first.
func testCertificates(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	fp := func(c byte) string { return strings.Repeat(fmt.Sprintf("%02x", c), 32) }
	day := func(d int) time.Time { return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC) }
	cert := func(f byte, keyID, unit string, role registry.CertRole, nb int) *registry.Certificate {
		return &registry.Certificate{Fingerprint: fp(f), KeyID: keyID, IssuerCode: unit, Role: role, Subject: "CN=" + keyID,
			NotBefore: day(nb), NotAfter: day(nb).AddDate(2, 0, 0), DER: []byte{0x30, f}}
	}
	old := cert(1, "KEYA", "26740", registry.CertUnit, 1)
	renewed := cert(2, "KEYA", "26740", registry.CertUnit, 20) // the same key certified again
	rotated := cert(3, "KEYB", "26740", registry.CertUnit, 10)
	neighbour := cert(4, "KEYC", "26743", registry.CertUnit, 5)
	ca := cert(5, "KEYCA", "", registry.CertCA, 2)
	for _, c := range []*registry.Certificate{old, renewed, rotated, neighbour, ca} {
		if err := db.RegisterCertificate(ctx, c); err != nil {
			t.Fatalf("register %s: %v", c.Fingerprint[:8], err)
		}
	}
	fps := func(cs []*registry.Certificate) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Fingerprint)
		}
		return out
	}

	got, err := db.FindCertificates(ctx, "KEYA")
	if err != nil || !slices.Equal(fps(got), []string{renewed.Fingerprint, old.Fingerprint}) {
		t.Fatalf("by key ID: %v, %v; want the renewed certificate, then the old one", fps(got), err)
	}
	c := got[1]
	if c.KeyID != "KEYA" || c.IssuerCode != "26740" || c.Role != registry.CertUnit || c.Trusted || c.Subject != "CN=KEYA" ||
		!c.NotBefore.Equal(day(1)) || !c.NotAfter.Equal(day(1).AddDate(2, 0, 0)) || string(c.DER) != string(old.DER) || !c.RegisteredAt.Equal(Clock) {
		t.Errorf("stored certificate %+v", c)
	}
	if got, err := db.FindCertificates(ctx, "NOKEY"); err != nil || len(got) != 0 {
		t.Errorf("unknown key: %v, %v", got, err)
	}
	if got, _ := db.Certificates(ctx, "26740"); !slices.Equal(fps(got), []string{renewed.Fingerprint, rotated.Fingerprint, ca.Fingerprint, old.Fingerprint}) {
		t.Errorf("of 26740: %v; want its three and the CA, newest first", fps(got))
	}
	if got, _ := db.Certificates(ctx, ""); !slices.Equal(fps(got), []string{renewed.Fingerprint, rotated.Fingerprint, neighbour.Fingerprint, ca.Fingerprint, old.Fingerprint}) {
		t.Errorf("all: %v", fps(got))
	}

	// Again as it was: nothing changes.
	if err := db.RegisterCertificate(ctx, old); err != nil {
		t.Fatalf("registering a certificate again: %v", err)
	}
	if got, _ := db.FindCertificates(ctx, "KEYA"); len(got) != 2 || got[1].Trusted {
		t.Fatalf("registered again untrusted: %d certificates, the old one trusted %v", len(got), got[1].Trusted)
	}
	// Again, trusted and described otherwise: only the trust changes.
	again := *ca
	again.Trusted, again.Subject, again.NotAfter = true, "CN=changed", day(3)
	if err := db.RegisterCertificate(ctx, &again); err != nil {
		t.Fatalf("registering a CA again to trust it: %v", err)
	}
	again.Trusted = false // registered again untrusted: still a trust root
	if err := db.RegisterCertificate(ctx, &again); err != nil {
		t.Fatalf("registering it once more: %v", err)
	}
	got, _ = db.FindCertificates(ctx, "KEYCA")
	if len(got) != 1 || !got[0].Trusted || got[0].Subject != "CN=KEYCA" || !got[0].NotAfter.Equal(ca.NotAfter) {
		t.Fatalf("after registering again: %d certificates, first %+v", len(got), got[0])
	}
	moved := *neighbour
	moved.IssuerCode = "26740"
	if err := db.RegisterCertificate(ctx, &moved); registry.ErrorCode(err) != registry.ECONFLICT {
		t.Errorf("a unit's certificate registered for another unit: %v, want ECONFLICT", err)
	}
	if got, _ := db.FindCertificates(ctx, "KEYC"); len(got) != 1 || got[0].IssuerCode != "26743" {
		t.Errorf("after the refused registration: %+v", got)
	}
	if _, err := db.FindLegacyKey(ctx, "ABCDEFGH"); registry.ErrorCode(err) != registry.ENOTFOUND {
		t.Errorf("unknown legacy key: %v, want ENOTFOUND", err)
	}
}

// testSignerAndSettings: an authority's signer block and the store's
// settings are stored and read back; unset, a signer is not found and a
// setting is empty.
func testSignerAndSettings(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	if _, err := db.Signer(ctx, "26740"); registry.ErrorCode(err) != registry.ENOTFOUND {
		t.Errorf("no signer set: %v, want ENOTFOUND", err)
	}
	want := registry.Signer{IssuerCode: "26740", Capacity: "KT. CHỦ TỊCH", Title: "PHÓ CHỦ TỊCH", Name: "Trần Thị Bích", Thousand: "ngàn"}
	if err := db.SetSigner(ctx, want, "admin"); err != nil {
		t.Fatal(err)
	}
	if s, err := db.Signer(ctx, "26740"); err != nil || s != want {
		t.Errorf("signer %+v, %v; want %+v", s, err, want)
	}
	if _, err := db.Signer(ctx, "26743"); registry.ErrorCode(err) != registry.ENOTFOUND {
		t.Errorf("another unit's signer: %v, want ENOTFOUND", err)
	}
	head := registry.Signer{IssuerCode: "26740", Title: "CHỦ TỊCH", Name: "Lê Văn Trưởng", Thousand: "nghìn"}
	if err := db.SetSigner(ctx, head, "admin"); err != nil {
		t.Fatal(err)
	}
	if s, _ := db.Signer(ctx, "26740"); s != head {
		t.Errorf("signer after a change %+v, want %+v", s, head)
	}
	bad := head
	bad.Name = " "
	if err := db.SetSigner(ctx, bad, "admin"); registry.ErrorCode(err) != registry.EINVALID {
		t.Errorf("a signer without a name: %v, want EINVALID", err)
	}
	if s, _ := db.Signer(ctx, "26740"); s != head {
		t.Errorf("an invalid signer replaced the stored one: %+v", s)
	}

	if v, err := db.Setting(ctx, "verify_url"); err != nil || v != "" {
		t.Errorf("unset setting: %q, %v", v, err)
	}
	for _, v := range []string{"https://hotich.example/v", "https://tra-cuu.example/xac-minh"} {
		if err := db.SetSetting(ctx, "verify_url", v, "admin"); err != nil {
			t.Fatal(err)
		}
		if got, err := db.Setting(ctx, "verify_url"); err != nil || got != v {
			t.Errorf("setting %q, %v; want %q", got, err, v)
		}
	}
	if v, _ := db.Setting(ctx, "other"); v != "" {
		t.Errorf("another setting: %q", v)
	}
}
