package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

// Death returns a death entry of book 01/2015 at Phường Bến Nghé with the
// given number and name.
func Death(number int, name string) *registry.Record {
	regOn, _ := vntext.ParseISODate("2015-08-20")
	return &registry.Record{Register: registry.Death, AuthorityCode: "26740", AuthorityName: "UBND Phường Bến Nghé, Quận 1",
		Book: "01/2015", Number: strconv.Itoa(number), RegisteredOn: regOn,
		Fields: map[string]string{"ho_ten": name, "ngay_sinh": "1940", "gioi_tinh": "Nam", "ngay_chet": "2015-08-18", "noi_chet": "Nhà riêng"}}
}

// foundIDs returns the IDs of the records f finds.
func foundIDs(tb testing.TB, db registry.Store, f registry.RecordFilter) []string {
	tb.Helper()
	recs, err := db.FindRecords(context.Background(), f)
	if err != nil {
		tb.Fatal(err)
	}
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.ID)
	}
	return ids
}

// eventKinds returns the kind and actor of a record's events after seq.
func eventKinds(tb testing.TB, db registry.Store, id string, after int64) []string {
	tb.Helper()
	evs, err := db.RecordEvents(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	var kinds []string
	for _, e := range evs {
		if e.Seq > after {
			kinds = append(kinds, e.Kind+"/"+e.Actor)
		}
	}
	return kinds
}

// testOpenFlags: the review queue lists open flags oldest first, by code,
// register and up to a limit.
func testOpenFlags(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	death := Death(1, "Trần Văn Lộc")
	WriteBatch(t, db, "a.csv",
		ScanRow{Rec: Birth(1, "Nguyễn Văn An", nil), Flags: []registry.Flag{{Code: registry.FlagIDMismatch, Field: "so_dinh_danh", Detail: "năm sinh"}}},
		ScanRow{Rec: Birth(2, "Lê Thị Bé", nil), Flags: []registry.Flag{{Code: registry.FlagTextRepaired, Field: "ho_ten", Detail: "mojibake"}}},
		ScanRow{Rec: death, Flags: []registry.Flag{{Code: registry.FlagIDMismatch, Field: "so_dinh_danh", Detail: "giới tính"}}},
		ScanRow{Rec: Birth(3, "Phạm Văn Cường", nil)},
		ScanRow{Rec: Birth(4, "Võ Minh Duy", nil), Flags: []registry.Flag{{Code: registry.FlagUnknownValue, Field: "dan_toc", Detail: "Kinhh"}}})
	WriteBatch(t, db, "b.csv", ScanRow{Rec: Birth(1, "Nguyễn Văn An", map[string]string{"noi_sinh": "BV Hùng Vương"})})
	deathID := death.Identity().RecordID()

	type flag struct{ record, reg, code, field, detail, ref string }
	all := []flag{
		{ID(1), "KS", "id_mismatch", "so_dinh_danh", "năm sinh", "a.csv#1"},
		{ID(2), "KS", "text_repaired", "ho_ten", "mojibake", "a.csv#2"},
		{deathID, "KT", "id_mismatch", "so_dinh_danh", "giới tính", "a.csv#3"},
		{ID(4), "KS", "unknown_value", "dan_toc", "Kinhh", "a.csv#5"},
		{ID(1), "KS", "conflict", "noi_sinh", "", "b.csv#1"},
	}
	list := func(fl []registry.OpenFlag) []flag {
		var out []flag
		for _, f := range fl {
			out = append(out, flag{f.RecordID, string(f.Register), string(f.Flag.Code), f.Flag.Field, f.Flag.Detail, f.Flag.SourceRef})
		}
		return out
	}
	for name, tc := range map[string]struct {
		f    registry.FlagFilter
		want []flag
	}{
		"All":          {registry.FlagFilter{}, all},
		"Code":         {registry.FlagFilter{Code: registry.FlagIDMismatch}, []flag{all[0], all[2]}},
		"Register":     {registry.FlagFilter{Register: registry.Death}, []flag{all[2]}},
		"CodeRegister": {registry.FlagFilter{Code: registry.FlagIDMismatch, Register: registry.Birth}, []flag{all[0]}},
		"Limit":        {registry.FlagFilter{Limit: 2}, all[:2]},
		"None":         {registry.FlagFilter{Code: registry.FlagInvalidChars}, nil},
	} {
		got, err := db.OpenFlags(ctx, tc.f)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		g := list(got)
		for i := range g {
			if g[i].code == "conflict" {
				g[i].detail = "" // the store words a conflict's detail
			}
		}
		if !slices.Equal(g, tc.want) {
			t.Errorf("%s: %v, want %v", name, g, tc.want)
		}
		ids := map[int64]bool{}
		for _, f := range got {
			if f.ID == 0 || ids[f.ID] {
				t.Errorf("%s: flag IDs %+v not distinct", name, got)
			}
			ids[f.ID] = true
		}
	}
}

// testResolveFlag: a flag is closed once, after check saw it as stored;
// a refusal leaves it open.
func testResolveFlag(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	WriteBatch(t, db, "a.csv",
		ScanRow{Rec: Birth(1, "Nguyễn Văn An", nil), Flags: []registry.Flag{{Code: registry.FlagIDMismatch, Field: "so_dinh_danh", Detail: "năm sinh"}}},
		ScanRow{Rec: Birth(2, "Lê Thị Bé", nil), Flags: []registry.Flag{{Code: registry.FlagTextRepaired, Field: "ho_ten", Detail: "mojibake"}}})
	queue, err := db.OpenFlags(ctx, registry.FlagFilter{})
	if err != nil || len(queue) != 2 {
		t.Fatalf("queue %+v, %v", queue, err)
	}
	target := queue[0]
	before := lastSeq(t, db)
	refusal := registry.Errorf(registry.EREFUSED, "không thuộc đơn vị")
	var seen registry.OpenFlag
	err = db.ResolveFlag(ctx, target.ID, "Lê Thị Mai", "đã đối chiếu sổ", func(f registry.OpenFlag) error { seen = f; return refusal })
	if !errors.Is(err, refusal) {
		t.Fatalf("a refusing check: %v, want its error", err)
	}
	if seen.ID != target.ID || seen.RecordID != ID(1) || seen.Register != registry.Birth || seen.Flag.Code != registry.FlagIDMismatch ||
		seen.Flag.Field != "so_dinh_danh" || seen.Flag.Detail != "năm sinh" {
		t.Errorf("check saw %+v, want %+v", seen, target)
	}
	if q, _ := db.OpenFlags(ctx, registry.FlagFilter{}); len(q) != 2 || lastSeq(t, db) != before {
		t.Fatalf("a refused resolution changed the store: queue %+v", q)
	}

	v := version(t, db, ID(1))
	if err := db.ResolveFlag(ctx, target.ID, "Lê Thị Mai", "đã đối chiếu sổ", func(registry.OpenFlag) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if q, _ := db.OpenFlags(ctx, registry.FlagFilter{}); len(q) != 1 || q[0].ID != queue[1].ID {
		t.Errorf("queue after resolving %d: %+v", target.ID, q)
	}
	rec, _ := db.FindRecordByID(ctx, ID(1))
	if rec.HasFlag(registry.FlagIDMismatch) || rec.Version <= v {
		t.Errorf("record after its flag closed: flags %+v, version %d (was %d)", rec.Flags, rec.Version, v)
	}
	if kinds := eventKinds(t, db, ID(1), before); !slices.Equal(kinds, []string{"flag_resolved/Lê Thị Mai"}) {
		t.Errorf("events %v", kinds)
	}
	called := false
	err = db.ResolveFlag(ctx, target.ID, "Lê Thị Mai", "lại", func(registry.OpenFlag) error { called = true; return nil })
	if registry.ErrorCode(err) != registry.ECONFLICT {
		t.Errorf("resolved twice: %v, want ECONFLICT", err)
	}
	if called {
		t.Error("check called for a closed flag")
	}
	if err := db.ResolveFlag(ctx, 99999, "Lê Thị Mai", "x", func(registry.OpenFlag) error { return nil }); registry.ErrorCode(err) != registry.ENOTFOUND {
		t.Errorf("an unknown flag: %v, want ENOTFOUND", err)
	}
}

// testResolveConflict: decide gets the record and the conflict as stored;
// the record keeps the value decided, its search keys follow, the conflict
// and its flag are resolved and the decision is in the record's events. A
// decide that fails changes nothing.
func testResolveConflict(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	WriteBatch(t, db, "a.csv", ScanRow{Rec: Birth(5, "Lê Thị Bé", map[string]string{"gioi_tinh": "Nữ"})})
	WriteBatch(t, db, "b.csv", ScanRow{Rec: Birth(5, "Lê Thị Bích", map[string]string{"gioi_tinh": "Nữ", "noi_sinh": "BV Hùng Vương"})})
	stored, err := db.FindRecordByID(ctx, ID(5))
	if err != nil {
		t.Fatal(err)
	}
	if len(stored.OpenConflicts()) != 2 {
		t.Fatalf("conflicts %+v, want ho_ten and noi_sinh", stored.Conflicts)
	}
	before := lastSeq(t, db)

	fail := errors.New("the paper register is not at hand")
	err = db.ResolveConflict(ctx, ID(5), "ho_ten", "Lê Thị Mai", func(r *registry.Record, c registry.Conflict) (registry.ConflictDecision, error) {
		r.Fields["ho_ten"] = "Lê Thị Bích" // changed in place, then refused
		return registry.ConflictDecision{}, fail
	})
	if !errors.Is(err, fail) {
		t.Fatalf("a failing decide: %v, want its error", err)
	}
	if r, _ := db.FindRecordByID(ctx, ID(5)); r.Fields["ho_ten"] != "Lê Thị Bé" || len(r.OpenConflicts()) != 2 || r.Version != stored.Version || lastSeq(t, db) != before {
		t.Fatalf("a failing decide changed the record: %+v", r)
	}

	var seenName string
	var seenConflict registry.Conflict
	err = db.ResolveConflict(ctx, ID(5), "ho_ten", "Lê Thị Mai", func(r *registry.Record, c registry.Conflict) (registry.ConflictDecision, error) {
		if r.ID != ID(5) || r.Version != stored.Version || len(r.Conflicts) != 2 || !r.HasFlag(registry.FlagConflict) {
			t.Errorf("decide got the record %+v", r)
		}
		seenName, seenConflict = r.Fields["ho_ten"], c
		return registry.ConflictDecision{Value: c.Values[1], Note: "đối chiếu sổ giấy"}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seenName != "Lê Thị Bé" {
		t.Errorf("decide got the name %q, want the stored one", seenName)
	}
	if seenConflict.Field != "ho_ten" || !slices.Equal(seenConflict.Values, []string{"Lê Thị Bé", "Lê Thị Bích"}) ||
		!slices.Equal(seenConflict.SourceRefs, []string{"a.csv#1", "b.csv#1"}) || seenConflict.Resolved {
		t.Errorf("decide got the conflict %+v", seenConflict)
	}

	r, _ := db.FindRecordByID(ctx, ID(5))
	if r.Fields["ho_ten"] != "Lê Thị Bích" || r.Version <= stored.Version {
		t.Errorf("record after the decision: ho_ten %q, version %d", r.Fields["ho_ten"], r.Version)
	}
	for _, c := range r.Conflicts {
		if c.Resolved != (c.Field == "ho_ten") {
			t.Errorf("conflict %+v after settling ho_ten", c)
		}
	}
	var openConflictFlags []string
	for _, f := range r.Flags {
		if f.Code == registry.FlagConflict {
			openConflictFlags = append(openConflictFlags, f.Field)
		}
	}
	if !slices.Equal(openConflictFlags, []string{"noi_sinh"}) {
		t.Errorf("open conflict flags on %v, want noi_sinh only", openConflictFlags)
	}
	if q, _ := db.OpenFlags(ctx, registry.FlagFilter{Code: registry.FlagConflict}); len(q) != 1 || q[0].Flag.Field != "noi_sinh" {
		t.Errorf("queue %+v", q)
	}
	if got := foundIDs(t, db, registry.RecordFilter{Name: "Lê Thị Bích"}); !slices.Equal(got, []string{ID(5)}) {
		t.Errorf("search by the decided name: %v", got)
	}
	if got := foundIDs(t, db, registry.RecordFilter{Name: "Lê Thị Bé"}); len(got) != 0 {
		t.Errorf("search by the name set aside: %v", got)
	}
	evs, _ := db.RecordEvents(ctx, ID(5))
	last := evs[len(evs)-1]
	if last.Kind != "conflict_resolved" || last.Actor != "Lê Thị Mai" || !hasDetail(last, "Lê Thị Bích") || !hasDetail(last, "đối chiếu sổ giấy") {
		t.Errorf("last event %+v, want the decision with its value and note", last)
	}

	called := false
	decide := func(*registry.Record, registry.Conflict) (registry.ConflictDecision, error) {
		called = true
		return registry.ConflictDecision{Value: "x"}, nil
	}
	if err := db.ResolveConflict(ctx, ID(5), "ho_ten", "Lê Thị Mai", decide); registry.ErrorCode(err) != registry.ENOTFOUND {
		t.Errorf("a settled conflict again: %v, want ENOTFOUND", err)
	}
	if err := db.ResolveConflict(ctx, "KS-26740-0000000000", "ho_ten", "Lê Thị Mai", decide); registry.ErrorCode(err) != registry.ENOTFOUND {
		t.Errorf("an unknown record: %v, want ENOTFOUND", err)
	}
	if called {
		t.Error("decide called without an open conflict")
	}
}

func hasDetail(e registry.Event, value string) bool {
	for _, kv := range e.Detail {
		if kv.Value == value {
			return true
		}
	}
	return false
}

// testCorrectRecord: edit gets the record as stored with its flags and
// conflicts; the change is stored, logged as a correction, and the search
// keys follow. An edit that fails changes nothing.
func testCorrectRecord(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	WriteBatch(t, db, "a.csv",
		ScanRow{Rec: Birth(6, "Võ Minh Đức", nil), Flags: []registry.Flag{{Code: registry.FlagIDMismatch, Field: "so_dinh_danh", Detail: "năm sinh"}}},
		ScanRow{Rec: Birth(7, "Đỗ Thị Giang", nil)})
	WriteBatch(t, db, "b.csv", ScanRow{Rec: Birth(6, "Võ Minh Đức", map[string]string{"noi_sinh": "BV Hùng Vương"})})
	stored, err := db.FindRecordByID(ctx, ID(6))
	if err != nil {
		t.Fatal(err)
	}
	before := lastSeq(t, db)

	fail := errors.New("refused")
	err = db.CorrectRecord(ctx, ID(6), "Lê Văn Trưởng", func(r *registry.Record) (registry.Correction, error) {
		r.SetField("ho_ten", "Võ Minh Tâm") // changed in place, then refused
		return registry.Correction{}, fail
	})
	if !errors.Is(err, fail) {
		t.Fatalf("a failing edit: %v, want its error", err)
	}
	if r, _ := db.FindRecordByID(ctx, ID(6)); r.Fields["ho_ten"] != "Võ Minh Đức" || r.Version != stored.Version || lastSeq(t, db) != before {
		t.Fatalf("a failing edit changed the record: %+v", r)
	}
	if got := foundIDs(t, db, registry.RecordFilter{Name: "Võ Minh Tâm"}); len(got) != 0 {
		t.Errorf("a failing edit changed the search keys: %v", got)
	}

	first := true
	edit := func(field, value, basis string) func(*registry.Record) (registry.Correction, error) {
		return func(r *registry.Record) (registry.Correction, error) {
			if first && (r.ID != ID(6) || r.Version != stored.Version || !slices.Equal(r.SourceRefs, stored.SourceRefs) || r.Fields["ho_ten"] != "Võ Minh Đức" ||
				!r.HasFlag(registry.FlagIDMismatch) || len(r.OpenConflicts()) != 1 || r.Fields["noi_sinh"] != "Bệnh viện Từ Dũ") {
				t.Errorf("edit got %+v, want the record as stored with its flags and conflicts", r)
			}
			first = false
			old := r.Field(field)
			if err := r.SetField(field, value); err != nil {
				return registry.Correction{}, err
			}
			return registry.Correction{Field: field, Old: old, New: value, Basis: basis}, nil
		}
	}
	if err := db.CorrectRecord(ctx, ID(6), "Lê Văn Trưởng", edit("ho_ten", "Võ Minh Đạt", "QĐ 15/QĐ-UBND")); err != nil {
		t.Fatal(err)
	}
	if err := db.CorrectRecord(ctx, ID(6), "Trần Văn Bình", edit("so_dinh_danh", "079210000006", "QĐ 16/QĐ-UBND")); err != nil {
		t.Fatal(err)
	}

	r, _ := db.FindRecordByID(ctx, ID(6))
	if r.Fields["ho_ten"] != "Võ Minh Đạt" || r.Fields["so_dinh_danh"] != "079210000006" || r.Version <= stored.Version {
		t.Errorf("record after the corrections: %+v", r)
	}
	if !r.HasFlag(registry.FlagIDMismatch) || len(r.OpenConflicts()) != 1 || len(r.SourceRefs) != 2 {
		t.Errorf("a correction lost the record's annotations: %+v", r)
	}
	for name, tc := range map[string]struct {
		f    registry.RecordFilter
		want []string
	}{
		"NewName":       {registry.RecordFilter{Name: "vo minh dat"}, []string{ID(6)}},
		"OldName":       {registry.RecordFilter{Name: "Võ Minh Đức"}, nil},
		"NewPersonalID": {registry.RecordFilter{PersonalID: "079210000006"}, []string{ID(6)}},
		"Mother":        {registry.RecordFilter{Name: "Trần Thị Bình", Role: registry.RoleMother}, []string{ID(6), ID(7)}},
	} {
		want := slices.Sorted(slices.Values(tc.want))
		if got := foundIDs(t, db, tc.f); !slices.Equal(got, want) {
			t.Errorf("%s: found %v, want %v", name, got, want)
		}
	}
	if kinds := eventKinds(t, db, ID(6), before); !slices.Equal(kinds, []string{"record_corrected/Lê Văn Trưởng", "record_corrected/Trần Văn Bình"}) {
		t.Errorf("events %v", kinds)
	}
	cs, err := db.Corrections(ctx, ID(6))
	if err != nil {
		t.Fatal(err)
	}
	want := []registry.Correction{
		{Field: "ho_ten", Old: "Võ Minh Đức", New: "Võ Minh Đạt", Basis: "QĐ 15/QĐ-UBND", At: Clock, By: "Lê Văn Trưởng"},
		{Field: "so_dinh_danh", Old: "", New: "079210000006", Basis: "QĐ 16/QĐ-UBND", At: Clock, By: "Trần Văn Bình"},
	}
	if fmt.Sprint(cs) != fmt.Sprint(want) {
		t.Errorf("corrections\n%+v\nwant, oldest first\n%+v", cs, want)
	}
	if cs, err := db.Corrections(ctx, ID(7)); err != nil || len(cs) != 0 {
		t.Errorf("corrections of an uncorrected record: %+v, %v", cs, err)
	}
	if err := db.CorrectRecord(ctx, "KS-26740-0000000000", "X", edit("ho_ten", "X", "Y")); registry.ErrorCode(err) != registry.ENOTFOUND {
		t.Errorf("an unknown record: %v, want ENOTFOUND", err)
	}
}
