package storetest

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

// TestSearchKeysOfFoldedRecord: a record folded from two scans, the second
// of which fills in a field, is still found by its subject's personal ID
// and name. The fold used to drop every persons row of the record.
func testSearchKeysOfFoldedRecord(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	first := Birth(7, "Nguyễn Thị Thuý", map[string]string{"so_dinh_danh": "079310012345", "gioi_tinh": "Nữ"})
	second := Birth(7, "Nguyễn Thị Thuý", map[string]string{"so_dinh_danh": "079310012345", "gioi_tinh": "Nữ", "que_quan": "Long An"})
	WriteBatch(t, db, "scan-2010.csv", ScanRow{Rec: first})
	WriteBatch(t, db, "rescan-2023.csv", ScanRow{Rec: second})

	rec, err := db.FindRecordByID(ctx, ID(7))
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.SourceRefs) != 2 || rec.Fields["que_quan"] != "Long An" {
		t.Fatalf("fold: refs %v, que_quan %q", rec.SourceRefs, rec.Fields["que_quan"])
	}
	for name, f := range map[string]registry.RecordFilter{
		"PersonalID": {PersonalID: "079310012345"},
		"Name":       {Name: "nguyen thi thuy"},
		"MotherName": {Name: "Trần Thị Bình", Role: registry.RoleMother},
	} {
		recs, err := db.FindRecords(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1 || recs[0].ID != rec.ID {
			t.Errorf("%s: found %d records, want %s", name, len(recs), rec.ID)
		}
	}
}

// testSearch finds entries by any person's personal ID, by name (case,
// diacritics and tone placement ignored) with the birth date or year, by a
// parent's name and role, and by the entry's place in its register.
func testSearch(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	WriteBatch(t, db, "a.csv",
		ScanRow{Rec: Birth(1, "Nguyễn Thị Thuý", map[string]string{"so_dinh_danh": "079310012345", "gioi_tinh": "Nữ", "ngay_sinh": "2010-03-01"})},
		ScanRow{Rec: Birth(2, "Nguyễn Thị Thúy", map[string]string{"gioi_tinh": "Nữ", "ngay_sinh": "2010", "me_ho_ten": "Lê Thị Hoa"})},
		ScanRow{Rec: Birth(3, "Phạm Văn Cường", map[string]string{"cha_ho_ten": "Phạm Văn Nam", "cha_giay_to": "CMND số 025123456"})},
		ScanRow{Rec: Birth(4, "Trần Thị Lan", map[string]string{"gioi_tinh": "Nữ", "me_ho_ten": "Trần Thị Lan"})})
	// Many matches: a store may read them in parts, and must still return
	// each once, whole, sorted by ID.
	var many []ScanRow
	var manyIDs []string
	for n := 10; n < 31; n++ {
		many = append(many, ScanRow{Rec: Birth(n, "Võ Văn Tám", map[string]string{"ngay_sinh": "2010-05-04", "me_ho_ten": "Đỗ Thị Mười"})})
		manyIDs = append(manyIDs, ID(n))
	}
	WriteBatch(t, db, "b.csv", many...)
	for name, tc := range map[string]struct {
		f    registry.RecordFilter
		want []string
	}{
		"Name":           {registry.RecordFilter{Name: "nguyen thi thuy"}, []string{ID(1), ID(2)}},
		"NameAndDate":    {registry.RecordFilter{Name: "NGUYỄN THỊ THUỶ", Birth: vntext.Date{Year: 2010, Month: 3, Day: 1}}, []string{ID(1), ID(2)}},
		"NameAndYear":    {registry.RecordFilter{Name: "nguyen thi thuy", Birth: vntext.Date{Year: 2011}}, nil},
		"PersonalID":     {registry.RecordFilter{PersonalID: "079310012345"}, []string{ID(1)}},
		"RoleMismatch":   {registry.RecordFilter{PersonalID: "079310012345", Role: registry.RoleMother}, nil},
		"MotherName":     {registry.RecordFilter{Name: "le thi hoa", Role: registry.RoleMother}, []string{ID(2)}},
		"Parent":         {registry.RecordFilter{Name: "nguyen thi thuy", Parent: "Lê Thị Hoa"}, []string{ID(2)}},
		"RegisterNumber": {registry.RecordFilter{Identity: &registry.Identity{Register: registry.Birth, AuthorityCode: "26740", Book: "1/2010", Number: "03"}}, []string{ID(3)}},
		"OtherRegister":  {registry.RecordFilter{Name: "nguyen thi thuy", Register: registry.Death}, nil},
		"TwoRolesOnce":   {registry.RecordFilter{Name: "tran thi lan"}, []string{ID(4)}},
		"Many":           {registry.RecordFilter{Name: "vo van tam", Birth: vntext.Date{Year: 2010}}, manyIDs},
		"ManyByParent":   {registry.RecordFilter{Name: "vo van tam", Parent: "Đỗ Thị Mười"}, manyIDs},
		"ManyInRegister": {registry.RecordFilter{Name: "vo van tam", Register: registry.Birth}, manyIDs},
	} {
		recs, err := db.FindRecords(ctx, tc.f)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var got []string
		for _, r := range recs {
			got = append(got, r.ID)
		}
		want := slices.Sorted(slices.Values(tc.want)) // results come sorted by ID
		if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("%s: found %v, want %v", name, got, want)
		}
	}
	for _, f := range []registry.RecordFilter{{Name: "vo van tam", Limit: 9}, {Name: "vo van tam", Register: registry.Birth, Limit: 9}} {
		recs, err := db.FindRecords(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, r := range recs {
			if seen[r.ID] || !slices.Contains(manyIDs, r.ID) || r.Fields["me_ho_ten"] != "Đỗ Thị Mười" {
				t.Errorf("limit 9 (register %q): %s repeated, unexpected or not whole (%v)", f.Register, r.ID, r.Fields)
			}
			seen[r.ID] = true
		}
		if len(recs) != 9 || !slices.IsSortedFunc(recs, func(a, b *registry.Record) int { return strings.Compare(a.ID, b.ID) }) {
			t.Errorf("limit 9 (register %q): %d records, sorted %v", f.Register, len(recs), slices.IsSortedFunc(recs, func(a, b *registry.Record) int { return strings.Compare(a.ID, b.ID) }))
		}
	}
	if _, err := db.FindRecords(ctx, registry.RecordFilter{}); registry.ErrorCode(err) != registry.EINVALID {
		t.Errorf("a search without a condition: %v, want EINVALID", err)
	}
	if _, err := db.FindRecordByID(ctx, "KS-26740-0000000000"); registry.ErrorCode(err) != registry.ENOTFOUND {
		t.Errorf("an unknown ID: %v, want ENOTFOUND", err)
	}
}

// testStoreService: a store counts what it holds, checks itself sound and
// copies itself into a backup.
func testStoreService(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	WriteBatch(t, db, "a.csv", ScanRow{Rec: Birth(1, "Nguyễn Văn An", nil)}, ScanRow{Rec: Birth(2, "Lê Thị Bé", nil)})
	WriteBatch(t, db, "b.csv", ScanRow{Rec: Birth(1, "Nguyễn Văn An", map[string]string{"noi_sinh": "BV Hùng Vương"})})
	st, err := db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Records["KS"] != 2 || st.SourceRows != 3 || st.Batches != 2 || st.OpenConflicts != 1 {
		t.Errorf("stats %+v", st)
	}
	r, err := db.Check(ctx, nil)
	if err != nil || !r.OK() {
		t.Fatalf("check: %v %+v", err, r)
	}
	info, err := db.Backup(ctx, filepath.Join(t.TempDir(), "backup"))
	if err != nil || info.Records != 2 || info.Bytes == 0 {
		t.Errorf("backup: %+v %v", info, err)
	}
	release, err := db.LockBulk(ctx, "ingest", nil)
	if err != nil {
		t.Fatal(err)
	}
	release()
}
