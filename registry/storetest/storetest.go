// Package storetest is the contract of a registry.Store: one suite of
// tests, written against the registry interfaces and the use cases that
// drive them (linkage, review), that every store implementation must pass.
// registry/sqlite runs it; a second store (PostgreSQL, say) is added by
// implementing the interfaces and running the same suite:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(tb testing.TB) registry.Store { return newTestStore(tb) })
//	}
package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"testing"
	"time"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/jsonl"
	"github.com/hotich/hotich/registry/vntext"
	"github.com/hotich/hotich/review"
)

// Clock is the time a store under test must keep: its events, runs and
// validation use it.
var Clock = time.Date(2025, 6, 9, 8, 0, 0, 0, time.UTC)

// Opener returns a new, empty store whose clock stands at Clock; the
// store is closed when the test ends.
type Opener func(tb testing.TB) registry.Store

// Run runs the whole contract against stores made by open.
func Run(t *testing.T, open Opener) {
	for _, tc := range []struct {
		name string
		run  func(*testing.T, Opener)
	}{
		{"Search", testSearch},
		{"SearchKeysOfFoldedRecord", testSearchKeysOfFoldedRecord},
		{"StoreService", testStoreService},
		{"Accounts", testAccounts},
		{"Audit", testAudit},
		{"Changes", testChanges},
		{"SyncRuns", testMinistryRuns},
		{"Import", testImport},
		{"EachMatchRecord", testEachMatchRecord},
		{"ApplyLinks", testApplyLinks},
		{"LinkModel", testLinkModel},
		{"LinksExport", testLinksExport},
		{"BatchSameBytes", testBatchSameBytes},
		{"BatchResume", testBatchResume},
		{"BatchGroup", testBatchGroup},
		{"BatchOutcomes", testBatchOutcomes},
		{"RecordsListing", testRecordsListing},
		{"BulkLoad", testBulkLoad},
		{"RefData", testRefData},
		{"OpenFlags", testOpenFlags},
		{"ResolveFlag", testResolveFlag},
		{"ResolveConflict", testResolveConflict},
		{"CorrectRecord", testCorrectRecord},
		{"IssueSerials", testIssueSerials},
		{"IssueRenderFailure", testIssueRenderFailure},
		{"IssueConcurrent", testIssueConcurrent},
		{"FindIssues", testFindIssues},
		{"RevokeIssue", testRevokeIssue},
		{"Certificates", testCertificates},
		{"SignerAndSettings", testSignerAndSettings},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, open) })
	}
}

// Birth returns a birth entry of book 01/2010 at Phường Bến Nghé, Quận 1,
// with the given number and name, and extra fields.
func Birth(number int, name string, extra map[string]string) *registry.Record {
	regOn, _ := vntext.ParseISODate("2010-03-15")
	f := map[string]string{"ho_ten": name, "ngay_sinh": "2010-03-01", "gioi_tinh": "Nam", "noi_sinh": "Bệnh viện Từ Dũ",
		"me_ho_ten": "Trần Thị Bình", "me_ngay_sinh": "1985"}
	for k, v := range extra {
		f[k] = v
	}
	return &registry.Record{Register: registry.Birth, AuthorityCode: "26740", AuthorityName: "UBND Phường Bến Nghé, Quận 1",
		Book: "01/2010", Number: strconv.Itoa(number), RegisteredOn: regOn, Fields: f}
}

// ID returns the record ID of Birth(number, …).
func ID(number int) string { return Birth(number, "", nil).Identity().RecordID() }

// ScanRow is one batch row to write: a record and the flags it raises,
// or, with Err set, a rejected row and its cells.
type ScanRow struct {
	Rec   *registry.Record
	Flags []registry.Flag
	Err   *registry.RowError
	Raw   []string // the cells; by default the record's name
}

// WriteBatch stores rows as one batch file, as ingest would.
func WriteBatch(tb testing.TB, db registry.Store, name string, rows ...ScanRow) {
	tb.Helper()
	writeRows(tb, db, newBatch(name), rows...)
}

// newBatch returns a new birth batch file named name, its hash that of
// the name.
func newBatch(name string) *registry.Batch {
	sum := sha256.Sum256([]byte(name))
	return &registry.Batch{FileName: name, Path: name, Hash: hex.EncodeToString(sum[:]), Register: registry.Birth, Container: "csv", Header: []string{"ho_ten"}}
}

// writeRows stores rows as the batch b and returns it as its writer has
// it at the end.
func writeRows(tb testing.TB, db registry.Store, b *registry.Batch, rows ...ScanRow) *registry.Batch {
	tb.Helper()
	ctx := context.Background()
	w, err := db.BeginBatch(ctx, b)
	if err != nil || w == nil {
		tb.Fatalf("BeginBatch %s: %v", b.FileName, err)
	}
	for i, r := range rows {
		if _, err := w.Write(ctx, r.row(i+1)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Finish(ctx); err != nil {
		tb.Fatal(err)
	}
	return w.Batch()
}

// row returns the batch row numbered n.
func (r ScanRow) row(n int) registry.Row {
	raw := r.Raw
	if raw == nil && r.Rec != nil {
		raw = []string{r.Rec.Fields["ho_ten"]}
	}
	if r.Err != nil {
		return registry.Row{N: n, Raw: raw, Err: r.Err}
	}
	return registry.Row{N: n, Raw: raw, Record: r.Rec, Flags: r.Flags}
}

// Dump returns the store's JSON Lines dump.
func Dump(tb testing.TB, db registry.Store) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w := jsonl.NewWriter(&buf)
	if err := db.EachRecord(context.Background(), w.Write); err != nil {
		tb.Fatal(err)
	}
	w.Flush()
	return buf.Bytes()
}

// Reviewer is the review service on a store, as a reviewer uses it.
func Reviewer(db registry.Store) *review.Service {
	return &review.Service{Store: db, Now: func() time.Time { return Clock }}
}
