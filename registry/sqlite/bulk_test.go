package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/hotich/hotich/registry/sqlite"
	"github.com/hotich/hotich/registry/storetest"
)

func indexes(t *testing.T, db *sqlite.DB) map[string]bool {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'persons'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[string]bool{}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		m[n] = true
	}
	return m
}

func TestBulkLoad(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hotich.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	small, err := db.BulkLoad(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if ix := indexes(t, db); !ix["persons_name"] || !ix["persons_pid"] {
		t.Fatalf("a small load dropped indexes: %v", ix)
	}
	small(ctx)

	done, err := db.BulkLoad(ctx, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	if ix := indexes(t, db); ix["persons_name"] || ix["persons_pid"] {
		t.Fatalf("a bulk load into an empty store kept the search indexes: %v", ix)
	}
	// Killed here: the next Open builds them.
	db.Close()
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if ix := indexes(t, db); !ix["persons_name"] || !ix["persons_pid"] || len(db.IndexBuilds) != 2 {
		t.Fatalf("Open did not build the missing indexes: %v, %v", ix, db.IndexBuilds)
	}
	_ = done // the killed run never calls it

	// A store that holds records keeps its indexes for the clerks
	// searching it during the load, however large the load.
	storetest.WriteBatch(t, db, "a.csv", storetest.ScanRow{Rec: storetest.Birth(1, "Nguyễn Văn An", nil)})
	big, err := db.BulkLoad(ctx, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	if ix := indexes(t, db); !ix["persons_name"] || !ix["persons_pid"] {
		t.Fatalf("a bulk load into a store in use dropped its search indexes: %v", ix)
	}
	if err := big(ctx); err != nil {
		t.Fatal(err)
	}
}
