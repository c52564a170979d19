package sqlite_test

import (
	"context"
	"testing"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sqlite"
	"github.com/hotich/hotich/registry/storetest"
)

// TestMigrationRepairsSearchKeys: a store written by a release with the
// fold defect (a folded record without persons rows) is repaired when it is
// next opened.
func TestMigrationRepairsSearchKeys(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	path := db.Path()
	storetest.WriteBatch(t, db, "scan-2010.csv", storetest.ScanRow{Rec: storetest.Birth(7, "Nguyễn Thị Thuý", nil)}, storetest.ScanRow{Rec: storetest.Birth(8, "Lê Văn Tám", nil)})
	storetest.WriteBatch(t, db, "rescan-2023.csv", storetest.ScanRow{Rec: storetest.Birth(7, "Nguyễn Thị Thuý", map[string]string{"que_quan": "Long An"})})
	// What the defect left: no search keys for the folded record, and a
	// store that has not had the repair.
	for _, q := range []string{
		`DELETE FROM persons WHERE record_rid = (SELECT rid FROM records WHERE id = '` + storetest.ID(7) + `')`,
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
	if len(recs) != 1 || recs[0].ID != storetest.ID(7) {
		t.Fatalf("after the migration the folded record is not found by name: %d records", len(recs))
	}
	var n int
	db.SQL().QueryRow(`SELECT COUNT(*) FROM persons`).Scan(&n)
	if n != 4 { // child and mother of each of the two records
		t.Errorf("persons rows = %d, want 4", n)
	}
}
