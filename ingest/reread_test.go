package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hotich/hotich/ingest"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
	"github.com/hotich/hotich/review"
)

// TestForceReread: re-reading a file (Options.Force) keeps what people
// decided about its records (a correction), turns rows the wrong reading
// rejected into records (their reject report goes), and refuses, changing
// nothing, a re-read that would leave a record without any source row.
func TestForceReread(t *testing.T) {
	dir := t.TempDir()
	rej := filepath.Join(dir, "rejects")
	header := "loai_so,ma_noi_dang_ky,noi_dang_ky,quyen_so,so,ngay_dang_ky,ho_ten,ngay_sinh,gioi_tinh,noi_sinh\n"
	text := header +
		"KS,26740,UBND Phường Bến Nghé,01/2010,1,15/03/2010,Nguyễn Văn Đức,01/03/2010,Nam,Bệnh viện Từ Dũ\n" +
		"KS,26740,UBND Phường Bến Nghé,01/2010,2,15/03/2010,Lê Văn Bình,01/03/2010,Nam,Nhà riêng\n"
	path := writeFile(t, dir, "a.csv", []byte(text))
	db := openDB(t)
	ctx := context.Background()
	force := func(enc vntext.Encoding) ([]ingest.FileResult, error) {
		return ingest.New(db, ingest.Options{Encoding: enc, Force: true, RejectsDir: rej, Now: func() time.Time { return fixedNow }}).Run(ctx, []string{path})
	}

	t.Run("RejectsBecomeRows", func(t *testing.T) {
		// CP1258 reads the UTF-8 bytes as undefined codes: every row is
		// rejected as unreadable.
		res := run(t, db, ingest.Options{Encoding: vntext.CP1258, RejectsDir: rej}, path)
		if res[0].Counts.Rejected != 2 {
			t.Fatalf("counts %+v, want both rows rejected", res[0].Counts)
		}
		if _, err := os.Stat(filepath.Join(rej, "a.csv.rejects.jsonl")); err != nil {
			t.Fatal(err)
		}
		res, err := force(vntext.UTF8)
		if err != nil || res[0].Status != ingest.StatusReread || res[0].Counts.Accepted != 2 || res[0].Counts.Created != 2 {
			t.Fatalf("re-read: %+v, %v", res, err)
		}
		if n := len(lines(t, db)); n != 2 {
			t.Errorf("%d records, want 2", n)
		}
		if _, err := os.Stat(filepath.Join(rej, "a.csv.rejects.jsonl")); !os.IsNotExist(err) {
			t.Errorf("the reject report of the old reading is still there (%v)", err)
		}
	})

	t.Run("CorrectionKept", func(t *testing.T) {
		id := lines(t, db)[0].ID
		if err := (&review.Service{Store: db}).Correct(ctx, id, "noi_sinh", "Bệnh viện Hùng Vương", "cán bộ A", "QĐ 12/QĐ-UBND"); err != nil {
			t.Fatal(err)
		}
		before := dump(t, db)
		// VISCII garbles the names; the correction must survive it and the
		// way back.
		if res, err := force(vntext.VISCII); err != nil || res[0].Status != ingest.StatusReread {
			t.Fatalf("%+v, %v", res, err)
		}
		for _, l := range lines(t, db) {
			if l.ID == id && l.Fields["noi_sinh"] != "Bệnh viện Hùng Vương" {
				t.Errorf("the correction was lost: noi_sinh %q", l.Fields["noi_sinh"])
			}
			if strings.Contains(dump(t, db), "Nguyễn Văn Đức") {
				t.Error("the VISCII reading did not replace the names")
			}
		}
		if res, err := force(vntext.UTF8); err != nil || res[0].Status != ingest.StatusReread {
			t.Fatalf("%+v, %v", res, err)
		}
		if got := dump(t, db); got != before {
			t.Errorf("read back as UTF-8, the store differs from before:\n%s\nwas\n%s", got, before)
		}
	})

	t.Run("OrphanRefused", func(t *testing.T) {
		// The book number is read differently in another encoding: the
		// records of this reading would lose their only rows.
		book := header + "KS,26740,UBND Phường Bến Nghé,Quyển Ư/2011,7,15/03/2011,Trần Văn An,01/03/2011,Nam,\n"
		p := writeFile(t, dir, "book.csv", []byte(book))
		run(t, db, ingest.Options{}, p)
		before := dump(t, db)
		res, err := ingest.New(db, ingest.Options{Encoding: vntext.VISCII, Force: true, Now: func() time.Time { return fixedNow }}).Run(ctx, []string{p})
		if err == nil || res[0].Status != ingest.StatusRefused || !strings.Contains(res[0].Reason, "không còn dòng nguồn") {
			t.Fatalf("results %+v (%v), want book.csv refused", res, err)
		}
		if got := dump(t, db); got != before {
			t.Error("a refused re-read changed the store")
		}
	})
}

// TestForceRereadRowFlags: a re-read row that raises a flag its record
// already has open still has it among its outcome's flags, as when it was
// first read.
func TestForceRereadRowFlags(t *testing.T) {
	dir := t.TempDir()
	header := "loai_so,ma_noi_dang_ky,noi_dang_ky,quyen_so,so,ngay_dang_ky,ho_ten,ngay_sinh,gioi_tinh,noi_sinh\n"
	entry := "KS,26740,UBND Phường Bến Nghé,01/2010,1,15/03/2010,Nguyễn Văn Đức,01/03/2010,Nam,"
	a := writeFile(t, dir, "a.csv", []byte(header+entry+"Bệnh viện Từ Dũ\n"))
	b := writeFile(t, dir, "b.csv", []byte(header+entry+"Bệnh viện Hùng Vương\n"))
	c := writeFile(t, dir, "c.csv", []byte(header+entry+"Nhà riêng\n"))
	db := openDB(t)
	ctx := context.Background()
	run(t, db, ingest.Options{}, a, b)
	// Read wrongly first: the row is rejected; read again right, it folds
	// into the record whose conflict on noi_sinh is open already.
	if res := run(t, db, ingest.Options{Encoding: vntext.CP1258}, c); res[0].Counts.Rejected != 1 {
		t.Fatalf("counts %+v, want the row rejected", res[0].Counts)
	}
	res, err := ingest.New(db, ingest.Options{Encoding: vntext.UTF8, Force: true, Now: func() time.Time { return fixedNow }}).Run(ctx, []string{c})
	if err != nil || res[0].Status != ingest.StatusReread || res[0].Counts.Flagged != 1 {
		t.Fatalf("re-read: %+v, %v", res, err)
	}
	flags := map[string][]registry.FlagCode{}
	if err := db.RowOutcomes(ctx, func(o registry.RowOutcome) error { flags[o.Ref+" "+o.Outcome] = o.Flags; return nil }); err != nil {
		t.Fatal(err)
	}
	want := map[string][]registry.FlagCode{"a.csv#1 accepted": nil, "b.csv#1 flagged": {registry.FlagConflict}, "c.csv#1 flagged": {registry.FlagConflict}}
	if !reflect.DeepEqual(flags, want) {
		t.Errorf("row outcomes %v, want %v", flags, want)
	}
}
