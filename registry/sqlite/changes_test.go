package sqlite_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hotich/hotich/linkage"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sqlite"
	"github.com/hotich/hotich/registry/vntext"
	"github.com/hotich/hotich/review"
)

// syncBirth returns a birth entry of book 01/2010 at Phường Bến Nghé.
func syncBirth(number int, name string, extra map[string]string) *registry.Record {
	regOn, _ := vntext.ParseISODate("2010-03-15")
	f := map[string]string{"ho_ten": name, "ngay_sinh": "2010-03-01", "gioi_tinh": "Nam", "noi_sinh": "Bệnh viện Từ Dũ",
		"me_ho_ten": "Trần Thị Bình", "me_ngay_sinh": "1985"}
	for k, v := range extra {
		f[k] = v
	}
	return &registry.Record{Register: registry.Birth, AuthorityCode: "26740", AuthorityName: "UBND Phường Bến Nghé, Quận 1",
		Book: "01/2010", Number: strconv.Itoa(number), RegisteredOn: regOn, Fields: f}
}

func syncID(number int) string { return syncBirth(number, "", nil).Identity().RecordID() }

// syncRow is one batch row to write: a record and the flags it raises.
type syncRow struct {
	rec   *registry.Record
	flags []registry.Flag
}

// syncWriteBatch stores rows as one batch file, as ingest would.
func syncWriteBatch(tb testing.TB, db *sqlite.DB, name string, rows ...syncRow) {
	tb.Helper()
	ctx := context.Background()
	sum := sha256.Sum256([]byte(name))
	b := &registry.Batch{FileName: name, Path: name, Hash: hex.EncodeToString(sum[:]), Register: registry.Birth, Container: "csv", Header: []string{"ho_ten"}}
	w, err := db.BeginBatch(ctx, b)
	if err != nil || w == nil {
		tb.Fatalf("BeginBatch %s: %v", name, err)
	}
	for i, r := range rows {
		if _, err := w.Write(ctx, registry.Row{N: i + 1, Raw: []string{r.rec.Fields["ho_ten"]}, Record: r.rec, Flags: r.flags}); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Finish(ctx); err != nil {
		tb.Fatal(err)
	}
}

// syncSetLink changes a duplicate link as deduplication and review do:
// suspected or auto proposes it (ApplyLinks), confirmed or rejected decides
// it (DecideLink), "" drops the pair.
func syncSetLink(tb testing.TB, db *sqlite.DB, a, b string, score float64, status registry.LinkStatus) {
	tb.Helper()
	ctx := context.Background()
	switch status {
	case registry.LinkConfirmed, registry.LinkRejected:
		links, err := db.Links(ctx, registry.LinkFilter{Status: []registry.LinkStatus{registry.LinkSuspected, registry.LinkAuto}})
		if err != nil {
			tb.Fatal(err)
		}
		for _, l := range links {
			if (l.A == a && l.B == b) || (l.A == b && l.B == a) {
				if err := decideLink(db, l.ID, status, "reviewer", "đối chiếu"); err != nil {
					tb.Fatal(err)
				}
				return
			}
		}
		tb.Fatalf("no link %s–%s to decide", a, b)
	default:
		last, _ := db.LastSeq(ctx)
		run := registry.LinkRun{Register: registry.Birth, Watermark: last, Model: "test", StartedAt: time.Date(2025, 6, 9, 8, 0, 0, 0, time.UTC)}
		if _, err := db.ApplyLinks(ctx, run, []registry.LinkProposal{{A: a, B: b, AFP: 1, BFP: 1, Score: score, Status: status}}, linkage.Policy); err != nil {
			tb.Fatal(err)
		}
	}
}

// syncCollect streams the changes since a watermark.
func syncCollect(tb testing.TB, db *sqlite.DB, since int64) (registry.ChangeSet, []registry.RecordChange, []registry.LinkChange) {
	tb.Helper()
	var cs registry.ChangeSet
	var recs []registry.RecordChange
	var links []registry.LinkChange
	err := db.Changes(context.Background(), since, registry.ChangeHandler{
		Begin:  func(c registry.ChangeSet) error { cs = c; return nil },
		Record: func(c registry.RecordChange) error { recs = append(recs, c); return nil },
		Link:   func(l registry.LinkChange) error { links = append(links, l); return nil },
	})
	if err != nil {
		tb.Fatal(err)
	}
	return cs, recs, links
}

func syncIDs(recs []registry.RecordChange) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.Record.ID)
	}
	return out
}

// syncSeed writes five births, two of them rescanned, with flags.
func syncSeed(tb testing.TB, db *sqlite.DB) {
	syncWriteBatch(tb, db, "ks-2010.csv",
		syncRow{rec: syncBirth(1, "Nguyễn Văn An", map[string]string{"so_dinh_danh": "079210000001"})},
		syncRow{rec: syncBirth(2, "Lê Thị Bé", map[string]string{"gioi_tinh": "Nữ"}), flags: []registry.Flag{{Code: registry.FlagIDMismatch, Field: "so_dinh_danh", Detail: "năm sinh"}}},
		syncRow{rec: syncBirth(3, "Phạm Văn Cường", nil)},
		syncRow{rec: syncBirth(4, "Võ Minh Duy", map[string]string{"ghi_chu": "Cải chính ngày 01/02/2015"})},
		syncRow{rec: syncBirth(5, "Võ Minh Duy", nil)},
	)
	syncWriteBatch(tb, db, "ks-2010-rescan.csv",
		syncRow{rec: syncBirth(2, "Lê Thị Bé", map[string]string{"gioi_tinh": "Nữ", "noi_sinh": "BV Hùng Vương"})}, // conflict
		syncRow{rec: syncBirth(3, "Phạm Văn Cường", map[string]string{"que_quan": "Huế"})},                         // fills a field
	)
	syncSetLink(tb, db, syncID(4), syncID(5), 0.93, registry.LinkSuspected)
	syncSetLink(tb, db, syncID(1), syncID(3), 0.55, registry.LinkSuspected)
}

func TestChanges(t *testing.T) {
	ctx := context.Background()
	t.Run("Full", func(t *testing.T) {
		db := MustOpenDB(t)
		syncSeed(t, db)
		cs, recs, links := syncCollect(t, db, 0)
		last, _ := db.LastSeq(ctx)
		if cs.Since != 0 || cs.Until != last || cs.Records != 5 || cs.Links != 2 || cs.At == "" {
			t.Fatalf("change set = %+v, last seq %d", cs, last)
		}
		got := syncIDs(recs)
		if !sort.StringsAreSorted(got) || len(got) != 5 {
			t.Fatalf("records %v not 5 sorted IDs", got)
		}
		// Each record is what the store's own lookup returns.
		for _, c := range recs {
			want, err := db.FindRecordByID(ctx, c.Record.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(syncStripIDs(c.Record), syncStripIDs(want)) {
				t.Errorf("%s streamed as\n%+v\nwant\n%+v", c.Record.ID, c.Record, want)
			}
			if !c.New {
				t.Errorf("%s not new in a full stream", c.Record.ID)
			}
		}
		if len(links) != 2 || links[0].A > links[0].B || links[0].Status != registry.LinkSuspected || !links[0].New {
			t.Errorf("links = %+v", links)
		}
	})

	t.Run("Incremental", func(t *testing.T) {
		db := MustOpenDB(t)
		syncSeed(t, db)
		mark, _ := db.LastSeq(ctx)

		// New entries and a rescan that conflicts with entry 1.
		syncWriteBatch(t, db, "ks-2010-b.csv",
			syncRow{rec: syncBirth(6, "Đỗ Thị Giang", nil)},
			syncRow{rec: syncBirth(7, "Đỗ Văn Hải", nil)},
			syncRow{rec: syncBirth(1, "Nguyễn Văn An", map[string]string{"so_dinh_danh": "079210000001", "noi_sinh": "Nhà riêng"})},
		)
		// A correction, a settled conflict, a decided link, a new link.
		if err := reviewer(db).Correct(ctx, syncID(4), "ho_ten", "Võ Minh Duy Anh", "clerk", "QĐ 5/QĐ-UBND"); err != nil {
			t.Fatal(err)
		}
		if err := reviewer(db).ResolveConflict(ctx, syncID(2), "noi_sinh", "clerk", "đối chiếu sổ giấy", review.Choice{Value: "BV Hùng Vương"}); err != nil {
			t.Fatal(err)
		}
		syncSetLink(t, db, syncID(4), syncID(5), 0.93, registry.LinkRejected)
		syncSetLink(t, db, syncID(6), syncID(7), 0.71, registry.LinkSuspected)
		syncSetLink(t, db, syncID(1), syncID(3), 0, "") // dropped: below review

		cs, recs, links := syncCollect(t, db, mark)
		// 4 and 5: the decision closed their suspected_duplicate flags.
		// 1 and 3: the dropped pair closed theirs.
		want := []string{syncID(1), syncID(2), syncID(3), syncID(4), syncID(5), syncID(6), syncID(7)}
		sort.Strings(want)
		if got := syncIDs(recs); !reflect.DeepEqual(got, want) {
			t.Fatalf("changed records %v, want %v", got, want)
		}
		if cs.Records != len(want) || cs.Links != 3 {
			t.Errorf("change set = %+v", cs)
		}
		for _, c := range recs {
			wantNew := c.Record.ID == syncID(6) || c.Record.ID == syncID(7)
			if c.New != wantNew {
				t.Errorf("%s New = %v", c.Record.ID, c.New)
			}
			for _, ev := range c.Events {
				if ev.Seq <= mark {
					t.Errorf("%s carries event %d from before the watermark", c.Record.ID, ev.Seq)
				}
			}
			if c.Record.ID == syncID(4) {
				// The correction, and the review decision on its link.
				var kinds []string
				for _, ev := range c.Events {
					kinds = append(kinds, ev.Kind+"/"+ev.Actor)
				}
				if !reflect.DeepEqual(kinds, []string{"record_corrected/clerk", "link_rejected/reviewer"}) {
					t.Errorf("events of the corrected record = %v", kinds)
				}
				if c.Record.Fields["ho_ten"] != "Võ Minh Duy Anh" {
					t.Errorf("corrected name = %q", c.Record.Fields["ho_ten"])
				}
			}
			if c.Record.ID == syncID(2) && (len(c.Record.Conflicts) != 1 || !c.Record.Conflicts[0].Resolved) {
				t.Errorf("conflict of 2 = %+v", c.Record.Conflicts)
			}
		}
		if len(links) != 3 {
			t.Fatalf("links = %+v", links)
		}
		for _, l := range links {
			switch {
			case l.A == min(syncID(4), syncID(5)):
				if l.Status != registry.LinkRejected || l.New || l.Removed {
					t.Errorf("decided link = %+v", l)
				}
			case l.A == min(syncID(6), syncID(7)):
				if l.Status != registry.LinkSuspected || !l.New || l.Removed {
					t.Errorf("new link = %+v", l)
				}
			case l.A == min(syncID(1), syncID(3)):
				if !l.Removed || l.B != max(syncID(1), syncID(3)) {
					t.Errorf("dropped link = %+v", l)
				}
			default:
				t.Errorf("unexpected link %+v", l)
			}
		}

		// Nothing changed since the end: an empty stream.
		cs2, recs2, links2 := syncCollect(t, db, cs.Until)
		if len(recs2)+len(links2) != 0 || cs2.Until != cs.Until {
			t.Errorf("since the end: %+v, %d records, %d links", cs2, len(recs2), len(links2))
		}
	})

	t.Run("FlagWithoutNewVersion", func(t *testing.T) {
		// A rescan that changes nothing but raises a flag of its own.
		db := MustOpenDB(t)
		syncSeed(t, db)
		mark, _ := db.LastSeq(ctx)
		syncWriteBatch(t, db, "ks-2010-c.csv", syncRow{rec: syncBirth(5, "Võ Minh Duy", nil), flags: []registry.Flag{{Code: registry.FlagTextRepaired, Field: "ho_ten", Detail: "mojibake"}}})
		_, recs, _ := syncCollect(t, db, mark)
		if got := syncIDs(recs); !reflect.DeepEqual(got, []string{syncID(5)}) {
			t.Fatalf("changed = %v, want only %s", got, syncID(5))
		}
	})

	t.Run("Snapshot", func(t *testing.T) {
		// A correction committed during the stream is not in it.
		db := MustOpenDB(t)
		syncSeed(t, db)
		var until int64
		n := 0
		err := db.Changes(ctx, 0, registry.ChangeHandler{
			Begin: func(c registry.ChangeSet) error { until = c.Until; return nil },
			Record: func(c registry.RecordChange) error {
				n++
				if n == 1 {
					return reviewer(db).Correct(ctx, syncID(5), "ho_ten", "Võ Minh Đức", "clerk", "QĐ 6")
				}
				if c.Record.ID == syncID(5) && c.Record.Fields["ho_ten"] != "Võ Minh Duy" {
					t.Errorf("stream sees a write made after it began: %q", c.Record.Fields["ho_ten"])
				}
				if c.Record.Version > until {
					t.Errorf("%s version %d beyond the stream's watermark %d", c.Record.ID, c.Record.Version, until)
				}
				return nil
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		_, recs, _ := syncCollect(t, db, until)
		if got := syncIDs(recs); !reflect.DeepEqual(got, []string{syncID(5)}) {
			t.Errorf("after the stream: %v, want the correction of %s", got, syncID(5))
		}
	})

	t.Run("ErrWatermarkAhead", func(t *testing.T) {
		db := MustOpenDB(t)
		last, _ := db.LastSeq(ctx)
		err := db.Changes(ctx, last+10, registry.ChangeHandler{})
		if registry.ErrorCode(err) != registry.EINVALID {
			t.Fatalf("err = %v, want EINVALID", err)
		}
	})

	t.Run("Cancelled", func(t *testing.T) {
		db := MustOpenDB(t)
		syncSeed(t, db)
		cctx, cancel := context.WithCancel(ctx)
		n := 0
		err := db.Changes(cctx, 0, registry.ChangeHandler{Record: func(registry.RecordChange) error {
			n++
			cancel()
			return nil
		}})
		if err == nil || n != 1 {
			t.Fatalf("err = %v after %d records, want context.Canceled after 1", err, n)
		}
		// The snapshot was released: writers go on.
		if err := reviewer(db).Correct(ctx, syncID(1), "ho_ten", "Nguyễn Văn Ân", "clerk", "QĐ 7"); err != nil {
			t.Fatal(err)
		}
	})
}

// syncStripIDs clears the store-local conflict and link IDs, which the stream
// does not carry.
func syncStripIDs(r *registry.Record) *registry.Record {
	c := *r
	c.Conflicts = append([]registry.Conflict(nil), r.Conflicts...)
	for i := range c.Conflicts {
		c.Conflicts[i].ID = 0
	}
	c.Duplicates = append([]registry.DuplicateLink(nil), r.Duplicates...)
	for i := range c.Duplicates {
		c.Duplicates[i].LinkID = 0
	}
	return &c
}

func TestMinistryRuns(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	if r, err := db.LastSyncRun(ctx, "export"); err != nil || r != nil {
		t.Fatalf("no runs: %+v, %v", r, err)
	}
	before, _ := db.LastSeq(ctx)
	for _, r := range []registry.SyncRun{
		{Kind: "export", Mode: "day-du", Since: 0, Until: 10, Manifest: "a", SHA256: "x", Entries: 3},
		{Kind: "export", Mode: "thay-doi", Since: 10, Until: 25, Manifest: "b", SHA256: "y", Entries: 1},
		{Kind: "import", Mode: "day-du", Since: 0, Until: 99, Manifest: "c", SHA256: "z", Entries: 1},
	} {
		if err := db.AddSyncRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if r, _ := db.LastSyncRun(ctx, "export"); r == nil || r.Until != 25 || r.Manifest != "b" {
		t.Errorf("last export = %+v", r)
	}
	if r, _ := db.SyncRunBySHA256(ctx, "import", "z"); r == nil || r.Until != 99 {
		t.Errorf("import by sha = %+v", r)
	}
	if after, _ := db.LastSeq(ctx); after != before {
		t.Errorf("recording runs moved the watermark from %d to %d", before, after)
	}
}

// The stream decodes the stored JSON without reflection; it must read what
// encoding/json reads.
var syncJSONCases = []string{
	`{}`, `{"a":"b"}`, ` { "a" : "b" , "c":"" } `, `{"ho_ten":"Nguyễn Văn An","x":"a\"b\\c\/d\n\t\u00e9\u003c\ud83d\ude00"}`,
	`{"a":"b",}`, `{"a":1}`, `{"a":null}`, `{"a":"b"} x`, `{"a":"\x01"}`, `{"a":"\ud800"}`, `{"a":"b","a":"c"}`,
	`[]`, `["a","b\n"]`, `[ "a" , "\u0041" ]`, `["a",]`, `[1]`, `["a"]]`, `"a"`, ``, `{"a":"\xff"}`,
}

func TestDecodeJSON(t *testing.T) {
	for _, c := range syncJSONCases {
		syncCheckJSON(t, c)
	}
}

func FuzzDecodeJSON(f *testing.F) {
	for _, c := range syncJSONCases {
		f.Add(c)
	}
	f.Fuzz(syncCheckJSON)
}

func syncCheckJSON(t *testing.T, s string) {
	if !utf8.ValidString(s) {
		return // the store writes valid UTF-8 only; see decodeStringMap
	}
	var wantMap map[string]string
	wantMapErr := json.Unmarshal([]byte(s), &wantMap)
	gotMap, gotMapErr := sqlite.DecodeStringMap(s)
	if (wantMapErr == nil) != (gotMapErr == nil) || (wantMapErr == nil && !reflect.DeepEqual(fmt.Sprint(gotMap), fmt.Sprint(wantMap))) {
		t.Errorf("map %q: got %v, %v; encoding/json %v, %v", s, gotMap, gotMapErr, wantMap, wantMapErr)
	}
	var wantList []string
	wantListErr := json.Unmarshal([]byte(s), &wantList)
	gotList, gotListErr := sqlite.DecodeStrings(s)
	if (wantListErr == nil) != (gotListErr == nil) || (wantListErr == nil && fmt.Sprint(gotList) != fmt.Sprint(wantList)) {
		t.Errorf("list %q: got %q, %v; encoding/json %q, %v", s, gotList, gotListErr, wantList, wantListErr)
	}
}

// BenchmarkChanges measures streaming a full change set (records with their
// annotations) from a store of 20,000 births.
func BenchmarkChanges(b *testing.B) {
	db := MustOpenDB(b)
	const n = 20000
	rows := make([]syncRow, n)
	for i := range rows {
		rows[i] = syncRow{rec: syncBirth(i+1, "Nguyễn Văn An", map[string]string{"so_dinh_danh": "079210000001", "me_noi_cu_tru": "12 Lê Lợi, Quận 1"})}
	}
	syncWriteBatch(b, db, "bench.csv", rows...)
	b.ReportAllocs()
	total := 0
	for b.Loop() {
		err := db.Changes(context.Background(), 0, registry.ChangeHandler{Record: func(registry.RecordChange) error { total++; return nil }})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "records/s")
}
