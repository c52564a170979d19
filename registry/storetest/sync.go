package storetest

import (
	"bytes"
	"context"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/hotich/hotich/linkage"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/review"
)

// SetLink changes a duplicate link as deduplication and review do:
// suspected or auto proposes it (ApplyLinks), confirmed or rejected decides
// it (DecideLink), "" drops the pair.
func SetLink(tb testing.TB, db registry.Store, a, b string, score float64, status registry.LinkStatus) {
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
func syncCollect(tb testing.TB, db registry.Store, since int64) (registry.ChangeSet, []registry.RecordChange, []registry.LinkChange) {
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
func syncSeed(tb testing.TB, db registry.Store) {
	WriteBatch(tb, db, "ks-2010.csv",
		ScanRow{Rec: Birth(1, "Nguyễn Văn An", map[string]string{"so_dinh_danh": "079210000001"})},
		ScanRow{Rec: Birth(2, "Lê Thị Bé", map[string]string{"gioi_tinh": "Nữ"}), Flags: []registry.Flag{{Code: registry.FlagIDMismatch, Field: "so_dinh_danh", Detail: "năm sinh"}}},
		ScanRow{Rec: Birth(3, "Phạm Văn Cường", nil)},
		ScanRow{Rec: Birth(4, "Võ Minh Duy", map[string]string{"ghi_chu": "Cải chính ngày 01/02/2015"})},
		ScanRow{Rec: Birth(5, "Võ Minh Duy", nil)},
	)
	WriteBatch(tb, db, "ks-2010-rescan.csv",
		ScanRow{Rec: Birth(2, "Lê Thị Bé", map[string]string{"gioi_tinh": "Nữ", "noi_sinh": "BV Hùng Vương"})}, // conflict
		ScanRow{Rec: Birth(3, "Phạm Văn Cường", map[string]string{"que_quan": "Huế"})},                         // fills a field
	)
	SetLink(tb, db, ID(4), ID(5), 0.93, registry.LinkSuspected)
	SetLink(tb, db, ID(1), ID(3), 0.55, registry.LinkSuspected)
}

func testChanges(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("Full", func(t *testing.T) {
		db := open(t)
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
		db := open(t)
		syncSeed(t, db)
		mark, _ := db.LastSeq(ctx)

		// New entries and a rescan that conflicts with entry 1.
		WriteBatch(t, db, "ks-2010-b.csv",
			ScanRow{Rec: Birth(6, "Đỗ Thị Giang", nil)},
			ScanRow{Rec: Birth(7, "Đỗ Văn Hải", nil)},
			ScanRow{Rec: Birth(1, "Nguyễn Văn An", map[string]string{"so_dinh_danh": "079210000001", "noi_sinh": "Nhà riêng"})},
		)
		// A correction, a settled conflict, a decided link, a new link.
		if err := Reviewer(db).Correct(ctx, ID(4), "ho_ten", "Võ Minh Duy Anh", "clerk", "QĐ 5/QĐ-UBND"); err != nil {
			t.Fatal(err)
		}
		if err := Reviewer(db).ResolveConflict(ctx, ID(2), "noi_sinh", "clerk", "đối chiếu sổ giấy", review.Choice{Value: "BV Hùng Vương"}); err != nil {
			t.Fatal(err)
		}
		SetLink(t, db, ID(4), ID(5), 0.93, registry.LinkRejected)
		SetLink(t, db, ID(6), ID(7), 0.71, registry.LinkSuspected)
		SetLink(t, db, ID(1), ID(3), 0, "") // dropped: below review

		cs, recs, links := syncCollect(t, db, mark)
		// 4 and 5: the decision closed their suspected_duplicate flags.
		// 1 and 3: the dropped pair closed theirs.
		want := []string{ID(1), ID(2), ID(3), ID(4), ID(5), ID(6), ID(7)}
		sort.Strings(want)
		if got := syncIDs(recs); !reflect.DeepEqual(got, want) {
			t.Fatalf("changed records %v, want %v", got, want)
		}
		if cs.Records != len(want) || cs.Links != 3 {
			t.Errorf("change set = %+v", cs)
		}
		for _, c := range recs {
			wantNew := c.Record.ID == ID(6) || c.Record.ID == ID(7)
			if c.New != wantNew {
				t.Errorf("%s New = %v", c.Record.ID, c.New)
			}
			for _, ev := range c.Events {
				if ev.Seq <= mark {
					t.Errorf("%s carries event %d from before the watermark", c.Record.ID, ev.Seq)
				}
			}
			if c.Record.ID == ID(4) {
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
			if c.Record.ID == ID(2) && (len(c.Record.Conflicts) != 1 || !c.Record.Conflicts[0].Resolved) {
				t.Errorf("conflict of 2 = %+v", c.Record.Conflicts)
			}
		}
		if len(links) != 3 {
			t.Fatalf("links = %+v", links)
		}
		for _, l := range links {
			switch {
			case l.A == min(ID(4), ID(5)):
				if l.Status != registry.LinkRejected || l.New || l.Removed {
					t.Errorf("decided link = %+v", l)
				}
			case l.A == min(ID(6), ID(7)):
				if l.Status != registry.LinkSuspected || !l.New || l.Removed {
					t.Errorf("new link = %+v", l)
				}
			case l.A == min(ID(1), ID(3)):
				if !l.Removed || l.B != max(ID(1), ID(3)) {
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
		db := open(t)
		syncSeed(t, db)
		mark, _ := db.LastSeq(ctx)
		WriteBatch(t, db, "ks-2010-c.csv", ScanRow{Rec: Birth(5, "Võ Minh Duy", nil), Flags: []registry.Flag{{Code: registry.FlagTextRepaired, Field: "ho_ten", Detail: "mojibake"}}})
		_, recs, _ := syncCollect(t, db, mark)
		if got := syncIDs(recs); !reflect.DeepEqual(got, []string{ID(5)}) {
			t.Fatalf("changed = %v, want only %s", got, ID(5))
		}
	})

	t.Run("Snapshot", func(t *testing.T) {
		// A correction committed during the stream is not in it.
		db := open(t)
		syncSeed(t, db)
		var until int64
		n := 0
		err := db.Changes(ctx, 0, registry.ChangeHandler{
			Begin: func(c registry.ChangeSet) error { until = c.Until; return nil },
			Record: func(c registry.RecordChange) error {
				n++
				if n == 1 {
					return Reviewer(db).Correct(ctx, ID(5), "ho_ten", "Võ Minh Đức", "clerk", "QĐ 6")
				}
				if c.Record.ID == ID(5) && c.Record.Fields["ho_ten"] != "Võ Minh Duy" {
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
		if got := syncIDs(recs); !reflect.DeepEqual(got, []string{ID(5)}) {
			t.Errorf("after the stream: %v, want the correction of %s", got, ID(5))
		}
	})

	t.Run("ErrWatermarkAhead", func(t *testing.T) {
		db := open(t)
		last, _ := db.LastSeq(ctx)
		err := db.Changes(ctx, last+10, registry.ChangeHandler{})
		if registry.ErrorCode(err) != registry.EINVALID {
			t.Fatalf("err = %v, want EINVALID", err)
		}
	})

	t.Run("Cancelled", func(t *testing.T) {
		db := open(t)
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
		if err := Reviewer(db).Correct(ctx, ID(1), "ho_ten", "Nguyễn Văn Ân", "clerk", "QĐ 7"); err != nil {
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

func testMinistryRuns(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
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

// syncCopy applies the changes of src since a watermark to dst, as an
// export read back would, and returns the import's counts.
func syncCopy(tb testing.TB, src, dst registry.Store, since int64) (registry.ImportCounts, int64) {
	tb.Helper()
	ctx := context.Background()
	im := dst.NewImporter("test")
	var until int64
	err := src.Changes(ctx, since, registry.ChangeHandler{
		Begin: func(cs registry.ChangeSet) error { until = cs.Until; return nil },
		Record: func(c registry.RecordChange) error {
			_, err := im.Record(ctx, c.Record)
			if err == nil {
				err = im.History(ctx, c.Record.ID, c.Events)
			}
			if err == nil && im.Pending() >= 3 {
				err = im.Checkpoint(ctx) // several transactions
			}
			return err
		},
		Link: func(l registry.LinkChange) error {
			var err error
			if l.Removed {
				_, err = im.RemoveLink(ctx, l.A, l.B)
			} else {
				_, err = im.Link(ctx, l.A, l.B, l.Score, l.Status)
			}
			return err
		},
	})
	if err != nil {
		im.Abort()
		tb.Fatal(err)
	}
	if err := im.Checkpoint(ctx); err != nil {
		tb.Fatal(err)
	}
	return im.Counts(), until
}

func testImport(t *testing.T, open Opener) {
	ctx := context.Background()
	src := open(t)
	syncSeed(t, src)

	t.Run("FreshStore", func(t *testing.T) {
		dst := open(t)
		c, _ := syncCopy(t, src, dst, 0)
		if c.Created != 5 || c.LinksCreated != 2 || c.Updated+c.Unchanged != 0 {
			t.Errorf("counts = %+v", c)
		}
		if a, b := Dump(t, src), Dump(t, dst); !bytes.Equal(a, b) {
			t.Fatalf("dumps differ:\nsource\n%s\nimported\n%s", a, b)
		}
		// The rebuilt store finds people and source rows like the source.
		recs, err := dst.FindRecords(ctx, registry.RecordFilter{Name: "nguyen van an"})
		if err != nil || len(recs) != 1 || recs[0].ID != ID(1) {
			t.Errorf("search in the rebuilt store: %v, %v", recs, err)
		}
		rows, err := dst.SourceRows(ctx, ID(2))
		if err != nil || len(rows) != 2 || rows[1].Ref != "ks-2010-rescan.csv#1" {
			t.Errorf("source rows = %+v, %v", rows, err)
		}

		t.Run("Idempotent", func(t *testing.T) {
			before, _ := dst.LastSeq(ctx)
			c, _ := syncCopy(t, src, dst, 0)
			if c.Unchanged != 5 || c.LinksSame != 2 || c.Created+c.Updated+c.LinksCreated+c.LinksUpdated != 0 {
				t.Errorf("second import counts = %+v", c)
			}
			if after, _ := dst.LastSeq(ctx); after != before {
				t.Errorf("a second import moved the watermark from %d to %d", before, after)
			}
		})

		t.Run("Changes", func(t *testing.T) {
			mark, _ := src.LastSeq(ctx)
			WriteBatch(t, src, "ks-2010-d.csv", ScanRow{Rec: Birth(8, "Mai Văn Khoa", nil)})
			if err := Reviewer(src).Correct(ctx, ID(3), "que_quan", "Đà Nẵng", "clerk", "QĐ 9"); err != nil {
				t.Fatal(err)
			}
			if err := Reviewer(src).ResolveConflict(ctx, ID(2), "noi_sinh", "clerk", "sổ giấy", review.Choice{Value: "BV Hùng Vương"}); err != nil {
				t.Fatal(err)
			}
			flags, _ := src.OpenFlags(ctx, registry.FlagFilter{Code: registry.FlagIDMismatch})
			if err := Reviewer(src).ResolveFlag(ctx, flags[0].ID, "clerk", "đã đối chiếu"); err != nil {
				t.Fatal(err)
			}
			SetLink(t, src, ID(4), ID(5), 0.93, registry.LinkConfirmed)
			SetLink(t, src, ID(1), ID(3), 0, "")
			c, _ := syncCopy(t, src, dst, mark)
			// 2, 3 corrected or settled; 1, 3, 4, 5 had their
			// suspected_duplicate flags closed by the decision and the drop.
			if c.Created != 1 || c.Updated != 5 || c.LinksUpdated != 1 || c.LinksRemoved != 1 {
				t.Errorf("counts = %+v", c)
			}
			if a, b := Dump(t, src), Dump(t, dst); !bytes.Equal(a, b) {
				t.Fatalf("dumps differ after the changes:\nsource\n%s\nimported\n%s", a, b)
			}
			open, _ := dst.OpenFlags(ctx, registry.FlagFilter{Code: registry.FlagIDMismatch})
			if len(open) != 0 {
				t.Errorf("flag closed at the source still open: %+v", open)
			}
		})

		t.Run("IngestAfterImport", func(t *testing.T) {
			// The rebuilt site ingests a rescan of an imported entry: it
			// folds into it, and its conflict names the imported rows.
			WriteBatch(t, dst, "ks-2010-e.csv", ScanRow{Rec: Birth(5, "Võ Minh Duy", map[string]string{"noi_sinh": "Nhà bảo sanh"})})
			r, err := dst.FindRecordByID(ctx, ID(5))
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Conflicts) != 1 || r.Conflicts[0].SourceRefs[0] != "ks-2010.csv#5" || len(r.SourceRefs) != 2 {
				t.Errorf("after a rescan: refs %v conflicts %+v", r.SourceRefs, r.Conflicts)
			}
		})
	})

	t.Run("SameSite", func(t *testing.T) {
		// A site importing its own export changes nothing.
		before, _ := src.LastSeq(ctx)
		dump := Dump(t, src)
		c, _ := syncCopy(t, src, src, 0)
		if c.Created+c.Updated+c.LinksCreated+c.LinksUpdated != 0 {
			t.Errorf("counts = %+v", c)
		}
		if after, _ := src.LastSeq(ctx); after != before || !bytes.Equal(dump, Dump(t, src)) {
			t.Error("importing a site's own export changed it")
		}
	})

	t.Run("ErrIDMismatch", func(t *testing.T) {
		dst := open(t)
		r := Birth(1, "Nguyễn Văn An", nil)
		r.ID = ID(2)
		im := dst.NewImporter("test")
		defer im.Abort()
		if _, err := im.Record(ctx, r); registry.ErrorCode(err) != registry.EINVALID {
			t.Fatalf("err = %v, want EINVALID", err)
		}
	})

	t.Run("ErrLinkWithoutRecord", func(t *testing.T) {
		dst := open(t)
		im := dst.NewImporter("test")
		defer im.Abort()
		if _, err := im.Link(ctx, ID(1), ID(2), 0.9, registry.LinkSuspected); registry.ErrorCode(err) != registry.ENOTFOUND {
			t.Fatalf("err = %v, want ENOTFOUND", err)
		}
	})

	t.Run("ErrBadSourceRef", func(t *testing.T) {
		dst := open(t)
		r := Birth(1, "Nguyễn Văn An", nil)
		r.ID = r.Identity().RecordID()
		r.SourceRefs = []string{"no-row-number"}
		im := dst.NewImporter("test")
		defer im.Abort()
		if _, err := im.Record(ctx, r); registry.ErrorCode(err) != registry.EINVALID {
			t.Fatalf("err = %v, want EINVALID", err)
		}
	})
}
