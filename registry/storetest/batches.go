package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/hotich/hotich/registry"
)

// batchNamed returns the stored batch with a file name.
func batchNamed(tb testing.TB, db registry.Store, name string) *registry.Batch {
	tb.Helper()
	bs, err := db.Batches(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	for _, b := range bs {
		if b.FileName == name {
			return b
		}
	}
	return nil
}

func finishedHashes(tb testing.TB, db registry.Store) []string {
	tb.Helper()
	done, err := db.FinishedBatches(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, b := range done {
		out = append(out, b.Hash)
	}
	slices.Sort(out)
	return out
}

// testBatchSameBytes: the same bytes are ingested once: beginning them
// again, under any name, finds the finished batch and writes nothing.
func testBatchSameBytes(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	first := newBatch("a.csv")
	first.Size, first.Encoding = 123, "windows-1258"
	written := writeRows(t, db, first, ScanRow{Rec: Birth(1, "Nguyễn Văn An", nil)}, ScanRow{Rec: Birth(2, "Lê Thị Bé", nil)})
	before := lastSeq(t, db)
	dump := Dump(t, db)

	again := &registry.Batch{FileName: "copy of a.csv", Path: "usb/copy of a.csv", Hash: first.Hash, Register: registry.Birth, Container: "csv"}
	w, err := db.BeginBatch(ctx, again)
	if err != nil || w != nil {
		t.Fatalf("BeginBatch of the same bytes: writer %v, %v; want none", w, err)
	}
	if again.ID != written.ID || again.FileName != "a.csv" || again.Status != registry.BatchDone || again.RowsDone != 2 ||
		again.Counts != written.Counts || again.Counts.Created != 2 || again.Encoding != "windows-1258" || again.Size != 123 {
		t.Errorf("the batch found again: %+v, want %+v", again, written)
	}
	if lastSeq(t, db) != before || !bytes.Equal(Dump(t, db), dump) {
		t.Error("beginning the same bytes again changed the store")
	}
	if bs, _ := db.Batches(ctx); len(bs) != 1 {
		t.Errorf("%d batches, want 1", len(bs))
	}
	done, err := db.FinishedBatches(ctx)
	if err != nil || len(done) != 1 || done[0].Hash != first.Hash || done[0].Path != "a.csv" || done[0].Size != 123 {
		t.Errorf("finished batches %+v, %v", done, err)
	}
}

// testBatchResume: a batch interrupted after a checkpoint keeps what was
// checkpointed, loses what was not, and resumes after its last
// checkpointed row; a new batch aborted before any checkpoint is not
// recorded at all.
func testBatchResume(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	rows := []ScanRow{
		{Rec: Birth(1, "Nguyễn Văn An", nil)}, {Rec: Birth(2, "Lê Thị Bé", nil)},
		{Rec: Birth(3, "Phạm Văn Cường", nil)}, {Rec: Birth(4, "Võ Minh Duy", nil)},
	}
	b := newBatch("r.csv")
	w, err := db.BeginBatch(ctx, b)
	if err != nil || w == nil {
		t.Fatal(err)
	}
	for i, r := range rows[:2] {
		if _, err := w.Write(ctx, r.row(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	if w.Pending() != 2 || w.Committed() {
		t.Errorf("before the checkpoint: pending %d, committed %v", w.Pending(), w.Committed())
	}
	if err := w.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if w.Pending() != 0 || !w.Committed() {
		t.Errorf("after the checkpoint: pending %d, committed %v", w.Pending(), w.Committed())
	}
	if _, err := w.Write(ctx, rows[2].row(3)); err != nil {
		t.Fatal(err)
	}
	if got := w.Batch().Counts.Rows; got != 3 {
		t.Errorf("writer's counts so far: %d rows, want 3", got)
	}
	w.Abort() // killed

	stored := batchNamed(t, db, "r.csv")
	if stored == nil || stored.Status != registry.BatchRunning || stored.RowsDone != 2 || stored.Counts.Rows != 2 || stored.Counts.Created != 2 {
		t.Fatalf("interrupted batch %+v", stored)
	}
	if slices.Contains(finishedHashes(t, db), b.Hash) {
		t.Error("an interrupted batch is listed as finished")
	}
	if st, _ := db.Stats(ctx); st.Running != 1 || st.SourceRows != 2 {
		t.Errorf("stats %+v", st)
	}
	if _, err := db.FindRecordByID(ctx, ID(3)); registry.ErrorCode(err) != registry.ENOTFOUND {
		t.Errorf("the row written after the checkpoint survived the abort: %v", err)
	}

	resumed := newBatch("r.csv")
	w, err = db.BeginBatch(ctx, resumed)
	if err != nil || w == nil {
		t.Fatalf("resume: %v, %v", w, err)
	}
	if resumed.ID != stored.ID || resumed.RowsDone != 2 || resumed.Status != registry.BatchRunning {
		t.Fatalf("resumed batch %+v", resumed)
	}
	for i := resumed.RowsDone; i < len(rows); i++ {
		if _, err := w.Write(ctx, rows[i].row(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	if got := w.Batch(); got.Status != registry.BatchDone || got.RowsDone != 4 || got.Counts.Rows != 4 || got.Counts.Created != 4 {
		t.Errorf("writer's batch at the end %+v", got)
	}
	stored = batchNamed(t, db, "r.csv")
	if stored.Status != registry.BatchDone || stored.RowsDone != 4 || stored.Counts.Rows != 4 || stored.Counts.Accepted != 4 || stored.FinishedAt.IsZero() {
		t.Errorf("finished batch %+v", stored)
	}
	for n := 1; n <= 4; n++ {
		src, err := db.SourceRows(ctx, ID(n))
		if err != nil || len(src) != 1 || src[0].Ref != fmt.Sprintf("r.csv#%d", n) {
			t.Errorf("source rows of %s: %+v, %v", ID(n), src, err)
		}
	}

	t.Run("AbortNew", func(t *testing.T) {
		db := open(t)
		b := newBatch("n.csv")
		w, err := db.BeginBatch(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(ctx, rows[0].row(1)); err != nil {
			t.Fatal(err)
		}
		w.Abort()
		if bs, _ := db.Batches(ctx); len(bs) != 0 {
			t.Errorf("an aborted new batch is recorded: %+v", bs[0])
		}
		if _, err := db.FindRecordByID(ctx, ID(1)); registry.ErrorCode(err) != registry.ENOTFOUND {
			t.Errorf("its row survived: %v", err)
		}
		b = newBatch("n.csv")
		if w, err := db.BeginBatch(ctx, b); err != nil || w == nil || b.RowsDone != 0 {
			t.Fatalf("beginning it again: %v, %v, rows done %d", w, err, b.RowsDone)
		}
	})
}

// testBatchGroup: batches marked done without a checkpoint share the
// transaction of the next one: its checkpoint commits them all, its abort
// drops them all.
func testBatchGroup(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	begin := func(name string) registry.BatchWriter {
		w, err := db.BeginBatch(ctx, newBatch(name))
		if err != nil || w == nil {
			t.Fatalf("BeginBatch %s: %v", name, err)
		}
		return w
	}
	write := func(w registry.BatchWriter, rows ...ScanRow) {
		for i, r := range rows {
			if _, err := w.Write(ctx, r.row(i+1)); err != nil {
				t.Fatal(err)
			}
		}
	}
	small := []ScanRow{{Rec: Birth(1, "Nguyễn Văn An", nil)}, {Rec: Birth(2, "Lê Thị Bé", nil)}}
	next := []ScanRow{{Rec: Birth(3, "Phạm Văn Cường", nil)}}

	a := begin("a.csv")
	write(a, small...)
	if err := a.Done(ctx); err != nil {
		t.Fatal(err)
	}
	if a.Committed() {
		t.Error("a batch marked done is committed before any checkpoint")
	}
	b := begin("b.csv")
	write(b, next...)
	if b.Pending() != 3 {
		t.Errorf("pending %d, want the 3 rows of both batches", b.Pending())
	}
	b.Abort()
	if bs, _ := db.Batches(ctx); len(bs) != 0 {
		t.Errorf("after the abort: %d batches recorded", len(bs))
	}
	if _, err := db.FindRecordByID(ctx, ID(1)); registry.ErrorCode(err) != registry.ENOTFOUND {
		t.Errorf("the row of the batch done before the abort survived it: %v", err)
	}

	a = begin("a.csv")
	write(a, small...)
	if err := a.Done(ctx); err != nil {
		t.Fatal(err)
	}
	b = begin("b.csv")
	write(b, next...)
	if err := b.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	if !a.Committed() || !b.Committed() {
		t.Errorf("after the checkpoint: committed %v and %v", a.Committed(), b.Committed())
	}
	if got, want := finishedHashes(t, db), slices.Sorted(slices.Values([]string{newBatch("a.csv").Hash, newBatch("b.csv").Hash})); !slices.Equal(got, want) {
		t.Errorf("finished %v, want both", got)
	}
	if ba := batchNamed(t, db, "a.csv"); ba.Status != registry.BatchDone || ba.RowsDone != 2 || ba.Counts.Rows != 2 {
		t.Errorf("the first batch %+v", ba)
	}
	if ids := foundIDs(t, db, registry.RecordFilter{Name: "Nguyễn Văn An"}); !slices.Equal(ids, []string{ID(1)}) {
		t.Errorf("search %v", ids)
	}
}

// testBatchOutcomes: every row is accounted for: batches with their
// counts oldest first, rejects with their reason and cells, each row's
// outcome in order, the rows folded into a record and the record's
// events, oldest first.
func testBatchOutcomes(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	header := []string{"ho_ten", "ngay_sinh"}
	file := func(name string) *registry.Batch {
		b := newBatch(name)
		b.Header, b.Encoding, b.Container, b.Delimiter = header, "windows-1258", "csv", ";"
		return b
	}
	cells := func(r *registry.Record) []string { return []string{r.Fields["ho_ten"], r.Fields["ngay_sinh"]} }
	badDate := &registry.RowError{Code: registry.RejectInvalidDate, Field: "ngay_sinh", Message: "ngày sinh 31/02/2010 không có thật"}
	noName := &registry.RowError{Code: registry.RejectMissing, Field: "ho_ten", Message: "thiếu họ tên"}
	idFlag := registry.Flag{Code: registry.FlagIDMismatch, Field: "so_dinh_danh", Detail: "năm sinh"}
	b1, b2, b3 := Birth(1, "Nguyễn Văn An", nil), Birth(2, "Lê Thị Bé", nil), Birth(3, "Phạm Văn Cường", nil)
	a := writeRows(t, db, file("a.csv"),
		ScanRow{Rec: b1, Raw: cells(b1)},
		ScanRow{Rec: b2, Raw: cells(b2), Flags: []registry.Flag{idFlag}},
		ScanRow{Err: badDate, Raw: []string{"Phạm Văn Cường", "31/02/2010"}},
		ScanRow{Rec: b3, Raw: cells(b3)})
	b1b, b2b := Birth(1, "Nguyễn Văn An", map[string]string{"noi_sinh": "BV Hùng Vương"}), Birth(2, "Lê Thị Bé", map[string]string{"que_quan": "Huế"})
	b := writeRows(t, db, file("b.csv"),
		ScanRow{Rec: b1b, Raw: cells(b1b)},                                 // conflict
		ScanRow{Rec: b2b, Raw: cells(b2b), Flags: []registry.Flag{idFlag}}, // fills a field, raises the open flag again
		ScanRow{Err: noName, Raw: []string{"", "2010-01-01"}})
	b1c := Birth(1, "Nguyễn Văn An", map[string]string{"noi_sinh": "Nhà riêng"})
	c := writeRows(t, db, file("c.csv"), ScanRow{Rec: b1c, Raw: cells(b1c)}) // a third value

	t.Run("Batches", func(t *testing.T) {
		bs, err := db.Batches(ctx)
		if err != nil || len(bs) != 3 {
			t.Fatalf("batches %+v, %v", bs, err)
		}
		want := map[string]registry.BatchCounts{
			"a.csv": {Rows: 4, Accepted: 2, Flagged: 1, Rejected: 1, Created: 3},
			"b.csv": {Rows: 3, Flagged: 2, Rejected: 1, Folded: 2, Conflicts: 1},
			"c.csv": {Rows: 1, Flagged: 1, Folded: 1, Conflicts: 1},
		}
		for i, w := range []*registry.Batch{a, b, c} {
			got := bs[i]
			if got.ID != w.ID || got.FileName != w.FileName || got.Hash != w.Hash || got.Status != registry.BatchDone || got.RowsDone != w.Counts.Rows ||
				got.Counts != want[w.FileName] || w.Counts != want[w.FileName] || !slices.Equal(got.Header, header) ||
				got.Encoding != "windows-1258" || got.Delimiter != ";" || got.Register != registry.Birth || !got.StartedAt.Equal(Clock) || !got.FinishedAt.Equal(Clock) {
				t.Errorf("batch %d = %+v\nwriter had %+v, counts want %+v", i, got, w, want[w.FileName])
			}
			if n := got.Counts; n.Rows != n.Accepted+n.Flagged+n.Rejected {
				t.Errorf("%s loses rows: %+v", got.FileName, n)
			}
		}
	})

	t.Run("Rejects", func(t *testing.T) {
		var got []registry.Reject
		for _, bt := range []*registry.Batch{a, b, c} {
			if err := db.Rejects(ctx, bt, func(r registry.Reject) error { got = append(got, r); return nil }); err != nil {
				t.Fatal(err)
			}
		}
		want := []registry.Reject{
			{Ref: "a.csv#3", Row: 3, Code: registry.RejectInvalidDate, Field: "ngay_sinh", Message: badDate.Message, Raw: []string{"Phạm Văn Cường", "31/02/2010"}},
			{Ref: "b.csv#3", Row: 3, Code: registry.RejectMissing, Field: "ho_ten", Message: noName.Message, Raw: []string{"", "2010-01-01"}},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("rejects\n%+v\nwant\n%+v", got, want)
		}
		stop := errors.New("enough")
		n := 0
		if err := db.Rejects(ctx, a, func(registry.Reject) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
			t.Errorf("fn's error: %v after %d rejects, want it after 1", err, n)
		}
	})

	t.Run("RowOutcomes", func(t *testing.T) {
		var got []string
		err := db.RowOutcomes(ctx, func(o registry.RowOutcome) error {
			got = append(got, fmt.Sprintf("%s %s %s %v %s %s", o.Ref, o.Outcome, o.RecordID, o.Flags, o.Reject, o.Field))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{
			"a.csv#1 accepted " + ID(1) + " []  ",
			"a.csv#2 flagged " + ID(2) + " [id_mismatch]  ",
			"a.csv#3 rejected  [] invalid_date ngay_sinh",
			"a.csv#4 accepted " + ID(3) + " []  ",
			"b.csv#1 flagged " + ID(1) + " [conflict]  ",
			"b.csv#2 flagged " + ID(2) + " [id_mismatch]  ",
			"b.csv#3 rejected  [] missing_required ho_ten",
			"c.csv#1 flagged " + ID(1) + " [conflict]  ",
		}
		if !slices.Equal(got, want) {
			t.Errorf("row outcomes\n%q\nwant\n%q", got, want)
		}
		stop := errors.New("enough")
		n := 0
		if err := db.RowOutcomes(ctx, func(registry.RowOutcome) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
			t.Errorf("fn's error: %v after %d rows, want it after 1", err, n)
		}
	})

	t.Run("Record", func(t *testing.T) {
		r, err := db.FindRecordByID(ctx, ID(1))
		if err != nil {
			t.Fatal(err)
		}
		if r.Fields["noi_sinh"] != "Bệnh viện Từ Dũ" || !slices.Equal(r.SourceRefs, []string{"a.csv#1", "b.csv#1", "c.csv#1"}) {
			t.Errorf("folded record: noi_sinh %q, refs %v", r.Fields["noi_sinh"], r.SourceRefs)
		}
		if len(r.Conflicts) != 1 || r.Conflicts[0].Field != "noi_sinh" || r.Conflicts[0].Resolved ||
			!slices.Equal(r.Conflicts[0].Values, []string{"Bệnh viện Từ Dũ", "BV Hùng Vương", "Nhà riêng"}) ||
			!slices.Equal(r.Conflicts[0].SourceRefs, []string{"a.csv#1", "b.csv#1", "c.csv#1"}) {
			t.Errorf("conflicts %+v", r.Conflicts)
		}
		if len(r.Flags) != 1 || r.Flags[0].Code != registry.FlagConflict || r.Flags[0].Field != "noi_sinh" || r.Flags[0].SourceRef != "b.csv#1" {
			t.Errorf("flags %+v", r.Flags)
		}
		r2, _ := db.FindRecordByID(ctx, ID(2))
		if r2.Fields["que_quan"] != "Huế" || len(r2.Flags) != 1 || r2.Flags[0] != (registry.Flag{Code: idFlag.Code, Field: idFlag.Field, Detail: idFlag.Detail, SourceRef: "a.csv#2"}) {
			t.Errorf("record 2: que_quan %q, flags %+v", r2.Fields["que_quan"], r2.Flags)
		}
	})

	t.Run("SourceRows", func(t *testing.T) {
		rows, err := db.SourceRows(ctx, ID(1))
		if err != nil {
			t.Fatal(err)
		}
		want := []registry.SourceRow{
			{Ref: "a.csv#1", Outcome: registry.OutcomeAccepted, File: "a.csv", FileHash: a.Hash, Encoding: "windows-1258", Header: header, Raw: cells(b1)},
			{Ref: "b.csv#1", Outcome: registry.OutcomeFlagged, File: "b.csv", FileHash: b.Hash, Encoding: "windows-1258", Header: header, Raw: cells(b1b)},
			{Ref: "c.csv#1", Outcome: registry.OutcomeFlagged, File: "c.csv", FileHash: c.Hash, Encoding: "windows-1258", Header: header, Raw: cells(b1c)},
		}
		if !reflect.DeepEqual(rows, want) {
			t.Errorf("source rows\n%+v\nwant, oldest first\n%+v", rows, want)
		}
		if rows, err := db.SourceRows(ctx, "KS-26740-0000000000"); err != nil || len(rows) != 0 {
			t.Errorf("an unknown record: %+v, %v", rows, err)
		}
	})

	t.Run("RecordEvents", func(t *testing.T) {
		if err := Reviewer(db).Correct(ctx, ID(1), "que_quan", "Huế", "Lê Văn Trưởng", "QĐ 1"); err != nil {
			t.Fatal(err)
		}
		evs, err := db.RecordEvents(ctx, ID(1))
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for i, e := range evs {
			if e.RecordID != ID(1) || i > 0 && e.Seq <= evs[i-1].Seq {
				t.Errorf("event %d %+v: not about %s or out of order", i, e, ID(1))
			}
			switch e.Kind {
			case "record_folded":
				kinds = append(kinds, fmt.Sprintf("%s/%d", e.Kind, e.BatchID))
			case "record_corrected":
				kinds = append(kinds, e.Kind+"/"+e.Actor)
			}
		}
		want := []string{fmt.Sprintf("record_folded/%d", b.ID), fmt.Sprintf("record_folded/%d", c.ID), "record_corrected/Lê Văn Trưởng"}
		if !slices.Equal(kinds, want) {
			t.Errorf("events %v, want %v", kinds, want)
		}
		if evs, err := db.RecordEvents(ctx, ID(3)); err != nil || len(evs) != 0 && evs[0].RecordID != ID(3) {
			t.Errorf("events of an unchanged record: %+v, %v", evs, err)
		}
	})
}

// testRecordsListing: searches return records sorted by ID up to their
// limit (1,000 by default, none when negative); EachRecord streams every
// record in ID order and stops at fn's error; rows prepared on several
// goroutines are stored as rows written unprepared.
func testRecordsListing(t *testing.T, open Opener) {
	ctx := context.Background()
	const n = 1001
	rows := make([]ScanRow, n)
	for i := range rows {
		rows[i] = ScanRow{Rec: Birth(i+1, "Nguyễn Văn An", nil)}
	}
	write := func(db registry.Store, prepare bool) {
		w, err := db.BeginBatch(ctx, newBatch("big.csv"))
		if err != nil || w == nil {
			t.Fatal(err)
		}
		batch := make([]registry.Row, n)
		for i, r := range rows {
			batch[i] = r.row(i + 1)
		}
		if prepare {
			var wg sync.WaitGroup
			for g := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := g; i < n; i += 4 {
						db.Prepare(&batch[i])
					}
				}()
			}
			wg.Wait()
		}
		for _, r := range batch {
			if _, err := w.Write(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Finish(ctx); err != nil {
			t.Fatal(err)
		}
	}
	db, plain := open(t), open(t)
	write(db, true)
	for i := range rows {
		rows[i].Rec = Birth(i+1, "Nguyễn Văn An", nil) // fresh records: Write may keep what it was given
	}
	write(plain, false)
	if !bytes.Equal(Dump(t, db), Dump(t, plain)) {
		t.Error("prepared rows are stored otherwise than unprepared ones")
	}
	for i := range n {
		a, errA := db.SourceRows(ctx, ID(i+1))
		b, errB := plain.SourceRows(ctx, ID(i+1))
		if errA != nil || errB != nil || len(a) != 1 || !slices.Equal(a[0].Raw, []string{"Nguyễn Văn An"}) || !reflect.DeepEqual(a, b) {
			t.Fatalf("source rows of row %d prepared %+v (%v), unprepared %+v (%v)", i+1, a, errA, b, errB)
		}
	}

	var all []string
	for i := range n {
		all = append(all, ID(i+1))
	}
	slices.Sort(all)
	// Over the limit, which records come back is the store's choice; they
	// are distinct matches, sorted by ID.
	for name, tc := range map[string]struct {
		limit, want int
	}{
		"Default": {0, 1000},
		"None":    {-1, n},
		"Five":    {5, 5},
		"One":     {1, 1},
	} {
		got := foundIDs(t, db, registry.RecordFilter{Name: "nguyen van an", Limit: tc.limit})
		if len(got) != tc.want || !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
			t.Errorf("%s: %d records (first %v), want %d distinct, sorted by ID", name, len(got), got[:min(3, len(got))], tc.want)
		}
		for _, id := range got {
			if _, ok := slices.BinarySearch(all, id); !ok {
				t.Errorf("%s: %s is not a match", name, id)
			}
		}
	}

	var each []string
	if err := db.EachRecord(ctx, func(r *registry.Record) error { each = append(each, r.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(each, all) {
		t.Errorf("EachRecord gave %d records, want all %d in ID order", len(each), n)
	}
	stop := errors.New("enough")
	k := 0
	if err := db.EachRecord(ctx, func(*registry.Record) error {
		k++
		if k == 3 {
			return stop
		}
		return nil
	}); !errors.Is(err, stop) || k != 3 {
		t.Errorf("fn's error: %v after %d records, want it after 3", err, k)
	}
}

// testBulkLoad: a store announced a large load finds what was loaded by
// name and personal ID once the load is done, and checks sound.
func testBulkLoad(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	done, err := db.BulkLoad(ctx, 200000)
	if err != nil {
		t.Fatal(err)
	}
	WriteBatch(t, db, "bulk.csv",
		ScanRow{Rec: Birth(1, "Nguyễn Thị Thuý", map[string]string{"so_dinh_danh": "079310012345", "gioi_tinh": "Nữ"})},
		ScanRow{Rec: Birth(2, "Lê Thị Bé", nil)})
	if err := done(ctx); err != nil {
		t.Fatal(err)
	}
	if got := foundIDs(t, db, registry.RecordFilter{Name: "nguyen thi thuy"}); !slices.Equal(got, []string{ID(1)}) {
		t.Errorf("by name: %v", got)
	}
	if got := foundIDs(t, db, registry.RecordFilter{PersonalID: "079310012345"}); !slices.Equal(got, []string{ID(1)}) {
		t.Errorf("by personal ID: %v", got)
	}
	if r, err := db.Check(ctx, nil); err != nil || !r.OK() {
		t.Errorf("check after a bulk load: %+v, %v", r, err)
	}
}

// testRefData: a new store holds the reference data rows are checked
// against: the units then and now, ethnic groups, countries.
func testRefData(t *testing.T, open Opener) {
	rd, err := open(t).RefData(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := rd.UnitThen("26740"); !ok || u.Name != "Phường Bến Nghé" {
		t.Errorf("Phường Bến Nghé then: %+v, %v", u, ok)
	}
	if succ := rd.Successors("26740"); len(succ) == 0 || succ[0].Name != "Phường Sài Gòn" {
		t.Errorf("Phường Bến Nghé now: %+v", succ)
	}
	if !rd.KnownAuthority("760") || rd.KnownAuthority("99999") {
		t.Error("known authorities")
	}
	if g, ok := rd.EthnicGroup("Khơ-me"); !ok || g.Code != "05" {
		t.Errorf("ethnic group: %+v, %v", g, ok)
	}
	if c, ok := rd.Country("Hàn Quốc"); !ok || c.Alpha2 != "KR" {
		t.Errorf("country: %+v, %v", c, ok)
	}
}
