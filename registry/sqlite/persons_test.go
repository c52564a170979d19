package sqlite_test

import (
	"context"
	"testing"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sqlite"
)

// TestSearchKeysOfFoldedRecord: a record folded from two scans, the second
// of which fills in a field, is still found by its subject's personal ID
// and name. The fold used to drop every persons row of the record.
func TestSearchKeysOfFoldedRecord(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	first := syncBirth(7, "Nguyễn Thị Thuý", map[string]string{"so_dinh_danh": "079310012345", "gioi_tinh": "Nữ"})
	second := syncBirth(7, "Nguyễn Thị Thuý", map[string]string{"so_dinh_danh": "079310012345", "gioi_tinh": "Nữ", "que_quan": "Long An"})
	syncWriteBatch(t, db, "scan-2010.csv", syncRow{rec: first})
	syncWriteBatch(t, db, "rescan-2023.csv", syncRow{rec: second})

	rec, err := db.FindRecordByID(ctx, syncID(7))
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

// TestMigrationRepairsSearchKeys: a store written by a release with the
// fold defect (a folded record without persons rows) is repaired when it is
// next opened.
func TestMigrationRepairsSearchKeys(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	path := db.Path()
	syncWriteBatch(t, db, "scan-2010.csv", syncRow{rec: syncBirth(7, "Nguyễn Thị Thuý", nil)}, syncRow{rec: syncBirth(8, "Lê Văn Tám", nil)})
	syncWriteBatch(t, db, "rescan-2023.csv", syncRow{rec: syncBirth(7, "Nguyễn Thị Thuý", map[string]string{"que_quan": "Long An"})})
	// What the defect left: no search keys for the folded record, and a
	// store that has not had the repair.
	for _, q := range []string{
		`DELETE FROM persons WHERE record_rid = (SELECT rid FROM records WHERE id = '` + syncID(7) + `')`,
		`DELETE FROM migrations WHERE name = '0005_rebuild_search_keys'`,
	} {
		if _, err := db.SQL().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	recs, err := db.FindRecords(ctx, registry.RecordFilter{Name: "nguyen thi thuy"})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].ID != syncID(7) {
		t.Fatalf("after the migration the folded record is not found by name: %d records", len(recs))
	}
	var n int
	db.SQL().QueryRow(`SELECT COUNT(*) FROM persons`).Scan(&n)
	if n != 4 { // child and mother of each of the two records
		t.Errorf("persons rows = %d, want 4", n)
	}
}
