package sqlite_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/jsonl"
	"github.com/hotich/hotich/registry/sqlite"
	"github.com/hotich/hotich/review"
)

// syncDump returns the store's JSONL dump, the operator's lossless view.
func syncDump(tb testing.TB, db *sqlite.DB) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w := jsonl.NewWriter(&buf)
	if err := db.EachRecord(context.Background(), w.Write); err != nil {
		tb.Fatal(err)
	}
	w.Flush()
	return buf.Bytes()
}

// syncCopy applies the changes of src since a watermark to dst, as an
// export read back would, and returns the import's counts.
func syncCopy(tb testing.TB, src, dst *sqlite.DB, since int64) (registry.ImportCounts, int64) {
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

func TestImport(t *testing.T) {
	ctx := context.Background()
	src := MustOpenDB(t)
	syncSeed(t, src)

	t.Run("FreshStore", func(t *testing.T) {
		dst := MustOpenDB(t)
		c, _ := syncCopy(t, src, dst, 0)
		if c.Created != 5 || c.LinksCreated != 2 || c.Updated+c.Unchanged != 0 {
			t.Errorf("counts = %+v", c)
		}
		if a, b := syncDump(t, src), syncDump(t, dst); !bytes.Equal(a, b) {
			t.Fatalf("dumps differ:\nsource\n%s\nimported\n%s", a, b)
		}
		// The rebuilt store finds people and source rows like the source.
		recs, err := dst.FindRecords(ctx, registry.RecordFilter{Name: "nguyen van an"})
		if err != nil || len(recs) != 1 || recs[0].ID != syncID(1) {
			t.Errorf("search in the rebuilt store: %v, %v", recs, err)
		}
		rows, err := dst.SourceRows(ctx, syncID(2))
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
			syncWriteBatch(t, src, "ks-2010-d.csv", syncRow{rec: syncBirth(8, "Mai Văn Khoa", nil)})
			if err := reviewer(src).Correct(ctx, syncID(3), "que_quan", "Đà Nẵng", "clerk", "QĐ 9"); err != nil {
				t.Fatal(err)
			}
			if err := reviewer(src).ResolveConflict(ctx, syncID(2), "noi_sinh", "clerk", "sổ giấy", review.Choice{Value: "BV Hùng Vương"}); err != nil {
				t.Fatal(err)
			}
			flags, _ := src.OpenFlags(ctx, registry.FlagFilter{Code: registry.FlagIDMismatch})
			if err := reviewer(src).ResolveFlag(ctx, flags[0].ID, "clerk", "đã đối chiếu"); err != nil {
				t.Fatal(err)
			}
			syncSetLink(t, src, syncID(4), syncID(5), 0.93, registry.LinkConfirmed)
			syncSetLink(t, src, syncID(1), syncID(3), 0, "")
			c, _ := syncCopy(t, src, dst, mark)
			// 2, 3 corrected or settled; 1, 3, 4, 5 had their
			// suspected_duplicate flags closed by the decision and the drop.
			if c.Created != 1 || c.Updated != 5 || c.LinksUpdated != 1 || c.LinksRemoved != 1 {
				t.Errorf("counts = %+v", c)
			}
			if a, b := syncDump(t, src), syncDump(t, dst); !bytes.Equal(a, b) {
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
			syncWriteBatch(t, dst, "ks-2010-e.csv", syncRow{rec: syncBirth(5, "Võ Minh Duy", map[string]string{"noi_sinh": "Nhà bảo sanh"})})
			r, err := dst.FindRecordByID(ctx, syncID(5))
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
		dump := syncDump(t, src)
		c, _ := syncCopy(t, src, src, 0)
		if c.Created+c.Updated+c.LinksCreated+c.LinksUpdated != 0 {
			t.Errorf("counts = %+v", c)
		}
		if after, _ := src.LastSeq(ctx); after != before || !bytes.Equal(dump, syncDump(t, src)) {
			t.Error("importing a site's own export changed it")
		}
	})

	t.Run("ErrIDMismatch", func(t *testing.T) {
		dst := MustOpenDB(t)
		r := syncBirth(1, "Nguyễn Văn An", nil)
		r.ID = syncID(2)
		im := dst.NewImporter("test")
		defer im.Abort()
		if _, err := im.Record(ctx, r); registry.ErrorCode(err) != registry.EINVALID {
			t.Fatalf("err = %v, want EINVALID", err)
		}
	})

	t.Run("ErrLinkWithoutRecord", func(t *testing.T) {
		dst := MustOpenDB(t)
		im := dst.NewImporter("test")
		defer im.Abort()
		if _, err := im.Link(ctx, syncID(1), syncID(2), 0.9, registry.LinkSuspected); registry.ErrorCode(err) != registry.ENOTFOUND {
			t.Fatalf("err = %v, want ENOTFOUND", err)
		}
	})

	t.Run("ErrBadSourceRef", func(t *testing.T) {
		dst := MustOpenDB(t)
		r := syncBirth(1, "Nguyễn Văn An", nil)
		r.ID = r.Identity().RecordID()
		r.SourceRefs = []string{"no-row-number"}
		im := dst.NewImporter("test")
		defer im.Abort()
		if _, err := im.Record(ctx, r); registry.ErrorCode(err) != registry.EINVALID {
			t.Fatalf("err = %v, want EINVALID", err)
		}
	})
}
