package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotich/hotich/linkage"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/jsonl"
	"github.com/hotich/hotich/registry/vntext"
)

// linkBirth returns a birth entry numbered n of book 01/2010 at Phường Bến
// Nghé.
func linkBirth(n int, name string) *registry.Record {
	regOn, _ := vntext.ParseISODate("2010-03-15")
	return &registry.Record{Register: registry.Birth, AuthorityCode: "26740", AuthorityName: "UBND Phường Bến Nghé, Quận 1",
		Book: "01/2010", Number: strconv.Itoa(n), RegisteredOn: regOn,
		Fields: map[string]string{"ho_ten": name, "ngay_sinh": "2010-03-01", "gioi_tinh": "Nam", "me_ho_ten": "Trần Thị Bình"}}
}

// linkStore writes the records as one batch and returns their IDs.
func linkStore(tb testing.TB, db registry.Store, name string, recs ...*registry.Record) []string {
	tb.Helper()
	ctx := context.Background()
	sum := sha256.Sum256([]byte(name))
	b := &registry.Batch{FileName: name, Path: name, Hash: hex.EncodeToString(sum[:]), Register: registry.Birth, Container: "csv", Header: []string{"ho_ten"}}
	w, err := db.BeginBatch(ctx, b)
	if err != nil || w == nil {
		tb.Fatalf("BeginBatch %s: %v", name, err)
	}
	var ids []string
	for i, r := range recs {
		if _, err := w.Write(ctx, registry.Row{N: i + 1, Raw: []string{r.Fields["ho_ten"]}, Record: r}); err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, r.Identity().RecordID())
	}
	if err := w.Finish(ctx); err != nil {
		tb.Fatal(err)
	}
	return ids
}

func openDuplicateFlags(tb testing.TB, db registry.Store) int {
	tb.Helper()
	fl, err := db.OpenFlags(context.Background(), registry.FlagFilter{Code: registry.FlagSuspectDuplicate})
	if err != nil {
		tb.Fatal(err)
	}
	return len(fl)
}

func lastSeq(tb testing.TB, db registry.Store) int64 {
	tb.Helper()
	seq, err := db.LastSeq(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return seq
}

func version(tb testing.TB, db registry.Store, id string) int64 {
	tb.Helper()
	r, err := db.FindRecordByID(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return r.Version
}

func testEachMatchRecord(t *testing.T, open Opener) {
	db := open(t)
	ctx := context.Background()
	odd := linkBirth(3, "Lê Văn \"Tí\"")
	odd.Fields["ghi_chu"] = `a\b` + "\t"
	ids := linkStore(t, db, "a.csv", linkBirth(1, "Nguyễn Văn An"), linkBirth(2, "Nguyễn Văn Ân"), odd)
	got := map[string]*registry.Record{}
	if err := db.EachMatchRecord(ctx, registry.Birth, func(r *registry.Record) error { got[r.ID] = r; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d records, want 3", len(got))
	}
	for _, id := range ids {
		want, err := db.FindRecordByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		r := got[id]
		if r == nil || r.Version != want.Version || r.RegisteredOn != want.RegisteredOn || len(r.Fields) != len(want.Fields) {
			t.Fatalf("%s: %+v, want %+v", id, r, want)
		}
		for k, v := range want.Fields {
			if r.Fields[k] != v {
				t.Errorf("%s %s = %q, want %q", id, k, r.Fields[k], v)
			}
		}
	}
	n := 0
	if err := db.EachMatchRecord(ctx, registry.Death, func(*registry.Record) error { n++; return nil }); err != nil || n != 0 {
		t.Fatalf("deaths: %d, %v", n, err)
	}
}

func testApplyLinks(t *testing.T, open Opener) {
	ctx := context.Background()
	setup := func(t *testing.T) (registry.Store, []string) {
		db := open(t)
		ids := linkStore(t, db, "a.csv", linkBirth(1, "Nguyễn Văn An"), linkBirth(2, "Nguyen Van An"), linkBirth(3, "Nguyễn Văn Ann"))
		return db, ids
	}
	run := registry.LinkRun{Register: registry.Birth, Model: "m1", StartedAt: time.Date(2025, 6, 9, 8, 0, 0, 0, time.UTC)}
	props := func(ids []string, fpB uint64) []registry.LinkProposal {
		return []registry.LinkProposal{
			{A: ids[0], B: ids[1], AFP: 11, BFP: fpB, Score: 0.99991, Status: registry.LinkAuto, Explanation: &registry.LinkExplanation{Bits: 13.4}},
			{A: ids[2], B: ids[0], AFP: 13, BFP: 11, Score: 0.8, Status: registry.LinkSuspected, Explanation: &registry.LinkExplanation{Bits: 2}},
		}
	}
	statusOf := func(t *testing.T, db registry.Store, a, b string) registry.LinkStatus {
		t.Helper()
		ls, err := db.Links(ctx, registry.LinkFilter{Status: []registry.LinkStatus{registry.LinkAuto, registry.LinkSuspected, registry.LinkConfirmed, registry.LinkRejected}})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range ls {
			if l.A == a && l.B == b || l.A == b && l.B == a {
				return l.Status
			}
		}
		return ""
	}

	t.Run("Create", func(t *testing.T) {
		db, ids := setup(t)
		before := lastSeq(t, db)
		run := run
		run.Watermark = before
		ch, err := db.ApplyLinks(ctx, run, props(ids, 12), linkage.Policy)
		if err != nil {
			t.Fatal(err)
		}
		if ch.Created != 2 {
			t.Fatalf("changes %+v, want 2 created", ch)
		}
		if statusOf(t, db, ids[0], ids[1]) != registry.LinkAuto || statusOf(t, db, ids[0], ids[2]) != registry.LinkSuspected {
			t.Fatal("statuses not stored")
		}
		if n := openDuplicateFlags(t, db); n != 2 {
			t.Errorf("%d open suspected_duplicate flags, want 2 (both records of the suspected link)", n)
		}
		after := lastSeq(t, db)
		if after != before+2 {
			t.Errorf("events %d..%d, want one per link", before, after)
		}
		if v := version(t, db, ids[2]); v <= before {
			t.Errorf("record version %d not bumped past %d", v, before)
		}
		rec, _ := db.FindRecordByID(ctx, ids[0])
		if len(rec.Duplicates) != 2 || rec.Duplicates[0].Score != 0.9999 {
			t.Errorf("duplicates of %s: %+v", ids[0], rec.Duplicates)
		}
		if since, _ := db.LinkSince(ctx, registry.Birth); since != after {
			t.Errorf("LinkSince = %d, want %d: past the run's own events", since, after)
		}
		// Another writer after the run read the store: the next run starts
		// at the run's watermark.
		linkStore(t, db, "b.csv", linkBirth(4, "Lê Văn Tư"))
		r2 := run
		r2.Watermark = after
		db.ApplyLinks(ctx, r2, nil, linkage.Policy)
		if since, _ := db.LinkSince(ctx, registry.Birth); since != after {
			t.Errorf("LinkSince = %d after a foreign write, want the run's watermark %d", since, after)
		}
	})

	t.Run("Idempotent", func(t *testing.T) {
		db, ids := setup(t)
		db.ApplyLinks(ctx, run, props(ids, 12), linkage.Policy)
		seq := lastSeq(t, db)
		ch, err := db.ApplyLinks(ctx, run, props(ids, 12), linkage.Policy)
		if err != nil {
			t.Fatal(err)
		}
		if ch.Unchanged != 2 || ch.Created+ch.Updated+ch.Dropped+ch.Reset != 0 || lastSeq(t, db) != seq {
			t.Fatalf("second apply: %+v, events %d -> %d; want nothing", ch, seq, lastSeq(t, db))
		}
	})

	t.Run("RescoreLeavesQueue", func(t *testing.T) {
		db, ids := setup(t)
		db.ApplyLinks(ctx, run, props(ids, 12), linkage.Policy)
		p := props(ids, 12)
		p[1].Score, p[1].Status = 0.9995, registry.LinkAuto
		ch, err := db.ApplyLinks(ctx, run, p, linkage.Policy)
		if err != nil || ch.Updated != 1 {
			t.Fatalf("%+v, %v; want 1 updated", ch, err)
		}
		if n := openDuplicateFlags(t, db); n != 0 {
			t.Errorf("%d open flags after the link left the queue", n)
		}
	})

	t.Run("Drop", func(t *testing.T) {
		db, ids := setup(t)
		db.ApplyLinks(ctx, run, props(ids, 12), linkage.Policy)
		p := props(ids, 12)
		p[1].Status = ""
		ch, err := db.ApplyLinks(ctx, run, p, linkage.Policy)
		if err != nil || ch.Dropped != 1 {
			t.Fatalf("%+v, %v; want 1 dropped", ch, err)
		}
		if statusOf(t, db, ids[0], ids[2]) != "" || openDuplicateFlags(t, db) != 0 {
			t.Error("dropped link or its flags remain")
		}
		// A pair below the threshold that was never linked is no change.
		ch, _ = db.ApplyLinks(ctx, run, p, linkage.Policy)
		if ch.Created != 0 || ch.Dropped != 0 {
			t.Errorf("%+v", ch)
		}
	})

	t.Run("DecisionSurvivesReruns", func(t *testing.T) {
		db, ids := setup(t)
		db.ApplyLinks(ctx, run, props(ids, 12), linkage.Policy)
		l := findLink(t, db, ids[0], ids[2])
		if err := rejectLink(db, l.ID, "Lê Thị Mai", "sinh đôi"); err != nil {
			t.Fatal(err)
		}
		if openDuplicateFlags(t, db) != 0 {
			t.Error("flags open after the decision")
		}
		ch, err := db.ApplyLinks(ctx, run, props(ids, 12), linkage.Policy)
		if err != nil || ch.Kept != 1 {
			t.Fatalf("%+v, %v; want the decision kept", ch, err)
		}
		if statusOf(t, db, ids[0], ids[2]) != registry.LinkRejected {
			t.Fatal("re-run undid the rejection")
		}
		l = findLink(t, db, ids[0], ids[2])
		if l.DecidedBy != "Lê Thị Mai" || l.Note != "sinh đôi" || l.Proposed != registry.LinkSuspected {
			t.Errorf("link %+v", l)
		}
	})

	t.Run("DataChangeResetsDecision", func(t *testing.T) {
		db, ids := setup(t)
		db.ApplyLinks(ctx, run, props(ids, 12), linkage.Policy)
		l := findLink(t, db, ids[0], ids[1])
		if err := rejectLink(db, l.ID, "Lê Thị Mai", ""); err != nil {
			t.Fatal(err)
		}
		ch, err := db.ApplyLinks(ctx, run, props(ids, 99), linkage.Policy) // record B's data changed
		if err != nil || ch.Reset != 1 {
			t.Fatalf("%+v, %v; want the decision reset", ch, err)
		}
		if statusOf(t, db, ids[0], ids[1]) != registry.LinkAuto {
			t.Fatal("the reset link did not take its new status")
		}
		evs, _ := db.LinkEvents(ctx, l.ID)
		if len(evs) != 3 || evs[1].Kind != "link_rejected" || evs[1].Actor != "Lê Thị Mai" || evs[2].Kind != "link_reset" {
			t.Errorf("events %+v", evs)
		}
	})

	t.Run("Reopen", func(t *testing.T) {
		db, ids := setup(t)
		db.ApplyLinks(ctx, run, props(ids, 12), linkage.Policy)
		l := findLink(t, db, ids[0], ids[2])
		if err := confirmLink(db, l.ID, "Lê Thị Mai", "đăng ký lại"); err != nil {
			t.Fatal(err)
		}
		v := version(t, db, ids[2])
		if err := reopenLink(db, l.ID, "Trần Văn Bình", "nhầm"); err != nil {
			t.Fatal(err)
		}
		if statusOf(t, db, ids[0], ids[2]) != registry.LinkSuspected || openDuplicateFlags(t, db) != 2 {
			t.Error("reopened link not back in the queue with its flags")
		}
		if version(t, db, ids[2]) <= v {
			t.Error("record version not bumped by the reopen")
		}
		l = findLink(t, db, ids[0], ids[2])
		if l.DecidedBy != "" || l.Version != lastSeq(t, db) {
			t.Errorf("link %+v after reopen (last seq %d)", l, lastSeq(t, db))
		}
	})

	t.Run("Errors", func(t *testing.T) {
		db, ids := setup(t)
		db.ApplyLinks(ctx, run, props(ids, 12), linkage.Policy)
		l := findLink(t, db, ids[0], ids[2])
		for _, tc := range []struct {
			name string
			err  error
			code string
		}{
			{"NoActor", confirmLink(db, l.ID, " ", ""), registry.EINVALID},
			{"NotFound", confirmLink(db, 999, "X", ""), registry.ENOTFOUND},
			{"ReopenUndecided", reopenLink(db, l.ID, "X", ""), registry.ECONFLICT},
		} {
			if registry.ErrorCode(tc.err) != tc.code {
				t.Errorf("%s: %v, want %s", tc.name, tc.err, tc.code)
			}
		}
		confirmLink(db, l.ID, "X", "")
		if err := confirmLink(db, l.ID, "X", ""); registry.ErrorCode(err) != registry.ECONFLICT {
			t.Errorf("confirm twice: %v", err)
		}
	})

	t.Run("Filter", func(t *testing.T) {
		db, ids := setup(t)
		db.ApplyLinks(ctx, run, props(ids, 12), linkage.Policy)
		queue, _ := db.Links(ctx, registry.LinkFilter{})
		if len(queue) != 1 || queue[0].Status != registry.LinkSuspected {
			t.Errorf("queue %+v", queue)
		}
		hi, _ := db.Links(ctx, registry.LinkFilter{Status: []registry.LinkStatus{registry.LinkAuto, registry.LinkSuspected}, MinScore: 0.9})
		if len(hi) != 1 || hi[0].Status != registry.LinkAuto {
			t.Errorf("min score: %+v", hi)
		}
		other, _ := db.Links(ctx, registry.LinkFilter{Register: registry.Death})
		if len(other) != 0 {
			t.Errorf("deaths: %+v", other)
		}
	})
}

func findLink(tb testing.TB, db registry.Store, a, b string) *registry.Link {
	tb.Helper()
	ls, err := db.Links(context.Background(), registry.LinkFilter{Status: []registry.LinkStatus{registry.LinkAuto, registry.LinkSuspected, registry.LinkConfirmed, registry.LinkRejected}})
	if err != nil {
		tb.Fatal(err)
	}
	for _, l := range ls {
		if l.A == a && l.B == b || l.A == b && l.B == a {
			return l
		}
	}
	tb.Fatalf("no link %s %s", a, b)
	return nil
}

func testLinkModel(t *testing.T, open Opener) {
	db := open(t)
	ctx := context.Background()
	if m, err := db.LinkModel(ctx, registry.Birth); m != nil || err != nil {
		t.Fatalf("empty store: %+v %v", m, err)
	}
	db.SaveLinkModel(ctx, registry.Birth, &registry.LinkModel{Method: "defaults", Records: 10})
	db.SaveLinkModel(ctx, registry.Birth, &registry.LinkModel{Method: "em", Records: 20, AutoBits: 12,
		Params: map[string]*registry.LinkParams{"ho_ten": {M: []float64{0, 0.9}, U: []float64{0, 0.01}}}})
	m, err := db.LinkModel(ctx, registry.Birth)
	if err != nil || m.Method != "em" || m.Records != 20 || m.AutoBits != 12 || m.Params["ho_ten"].U[1] != 0.01 {
		t.Fatalf("%+v %v", m, err)
	}
}

// TestLinksExport checks that the JSONL dump lists each record's links
// with status and score, and the suspected_duplicate flag while a link is
// in the queue, the same bytes every time.
func testLinksExport(t *testing.T, open Opener) {
	db := open(t)
	ctx := context.Background()
	ids := linkStore(t, db, "a.csv", linkBirth(1, "Nguyễn Văn An"), linkBirth(2, "Nguyen Van An"), linkBirth(3, "Nguyễn Văn Ann"))
	run := registry.LinkRun{Register: registry.Birth, Model: "m1"}
	db.ApplyLinks(ctx, run, []registry.LinkProposal{
		{A: ids[0], B: ids[2], Score: 0.8, Status: registry.LinkSuspected},
		{A: ids[1], B: ids[0], Score: 0.99991, Status: registry.LinkAuto},
	}, linkage.Policy)
	dump := func() string {
		var buf bytes.Buffer
		w := jsonl.NewWriter(&buf)
		if err := db.EachRecord(ctx, w.Write); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		return buf.String()
	}
	first := dump()
	if first != dump() {
		t.Fatal("two dumps differ")
	}
	for _, line := range strings.Split(strings.TrimSpace(first), "\n") {
		switch {
		case strings.HasPrefix(line, `{"id":"`+ids[0]+`"`):
			for _, want := range []string{`"status":"auto"`, `"score":0.9999`, `"status":"suspected"`, `"score":0.8`, `"suspected_duplicate"`} {
				if !strings.Contains(line, want) {
					t.Errorf("record %s: no %s in %s", ids[0], want, line)
				}
			}
		case strings.HasPrefix(line, `{"id":"`+ids[1]+`"`):
			if strings.Contains(line, "suspected_duplicate") || !strings.Contains(line, `"status":"auto"`) {
				t.Errorf("record %s: %s", ids[1], line)
			}
		}
	}
}

func confirmLink(db registry.Store, id int64, actor, note string) error {
	_, err := Reviewer(db).ConfirmLink(context.Background(), id, actor, note)
	return err
}

func rejectLink(db registry.Store, id int64, actor, note string) error {
	_, err := Reviewer(db).RejectLink(context.Background(), id, actor, note)
	return err
}

func reopenLink(db registry.Store, id int64, actor, note string) error {
	_, err := Reviewer(db).ReopenLink(context.Background(), id, actor, note)
	return err
}

// decideLink confirms or rejects a link.
func decideLink(db registry.Store, id int64, status registry.LinkStatus, actor, note string) error {
	if status == registry.LinkConfirmed {
		return confirmLink(db, id, actor, note)
	}
	return rejectLink(db, id, actor, note)
}
