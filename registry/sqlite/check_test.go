package sqlite_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sqlite"
	"github.com/hotich/hotich/registry/storetest"
)

// checkStore is a store with folded records, a conflict and a flag.
func checkStore(t *testing.T) *sqlite.DB {
	t.Helper()
	db := MustOpenDB(t)
	storetest.WriteBatch(t, db, "a.csv",
		storetest.ScanRow{Rec: storetest.Birth(1, "Nguyễn Văn An", nil)},
		storetest.ScanRow{Rec: storetest.Birth(2, "Lê Thị Bé", nil), Flags: []registry.Flag{{Code: registry.FlagIDMismatch, Field: "so_dinh_danh", Detail: "x"}}})
	storetest.WriteBatch(t, db, "b.csv",
		storetest.ScanRow{Rec: storetest.Birth(1, "Nguyễn Văn An", map[string]string{"que_quan": "Huế"})},
		storetest.ScanRow{Rec: storetest.Birth(2, "Lê Thị Bê", nil)})
	// Another file of the same name (a ward's corrected export): its first
	// row is the same row seen again, under the same source reference.
	ctx := context.Background()
	w, err := db.BeginBatch(ctx, &registry.Batch{FileName: "a.csv", Path: "corrected/a.csv", Hash: strings.Repeat("ab", 32),
		Register: registry.Birth, Container: "csv", Header: []string{"ho_ten"}})
	if err != nil || w == nil {
		t.Fatalf("BeginBatch corrected/a.csv: %v", err)
	}
	for i, rec := range []*registry.Record{storetest.Birth(1, "Nguyễn Văn An", nil), storetest.Birth(3, "Trần Văn Cường", nil)} {
		if _, err := w.Write(ctx, registry.Row{N: i + 1, Record: rec}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestCheckClean(t *testing.T) {
	db := checkStore(t)
	r, err := db.Check(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() {
		t.Fatalf("a sound store has problems: %+v", r.Problems)
	}
	if r.Counts.Batches != 3 || r.Counts.Rows != 6 || r.Counts.Records != 3 || r.Counts.Persons != 6 || r.Counts.Checks != 8 {
		t.Errorf("counts %+v", r.Counts)
	}
}

// TestCheckFinds breaks each invariant with SQL and checks that Check
// reports it under its name.
func TestCheckFinds(t *testing.T) {
	for _, tc := range []struct {
		check string
		sql   []string
	}{
		{"search_keys", []string{`DELETE FROM persons WHERE role = 'me' AND record_rid = (SELECT MIN(rid) FROM records)`}},
		{"search_keys", []string{`UPDATE persons SET name_fold = 'nguyen van binh' WHERE role = 'con'`}},
		{"batch_rows", []string{`PRAGMA foreign_keys = OFF`, `DELETE FROM source_rows WHERE key = (SELECT MAX(key) FROM source_rows)`}},
		{"batch_rows", []string{`UPDATE batches SET rows_done = rows_done + 1 WHERE id = 1`}},
		{"source_refs", []string{`UPDATE records SET refs = '["a.csv#1"]' WHERE id = '` + storetest.ID(1) + `'`}},
		{"source_refs", []string{`UPDATE records SET refs = '["a.csv#1", "c.csv#1"]' WHERE id = '` + storetest.ID(1) + `'`}},
		{"events", []string{`DROP TRIGGER events_no_delete`, `DELETE FROM events WHERE seq = 3`}},
		{"events", []string{`INSERT INTO events (at, kind, record_rid) VALUES ('2025-06-09T08:00:00Z', 'x', 999)`}},
		{"conflict_flags", []string{`UPDATE flags SET resolved_seq = 1 WHERE code = 'conflict'`}},
		{"foreign_keys", []string{`PRAGMA foreign_keys = OFF`, `INSERT INTO flags (record_rid, code, field, detail, created_seq) VALUES (999, 'x', '', '', 1)`}},
		{"issue_serials", []string{`INSERT INTO extract_serials (issuer_code, year, form, last) VALUES ('26740', 2025, 'TLKS', 3)`}},
	} {
		t.Run(tc.check, func(t *testing.T) {
			db := checkStore(t)
			conn, err := db.SQL().Conn(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range tc.sql {
				if _, err := conn.ExecContext(context.Background(), q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			conn.Close()
			r, err := db.Check(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			var found []string
			for _, p := range r.Problems {
				found = append(found, p.Check+": "+p.Detail)
				if p.Check == tc.check {
					return
				}
			}
			t.Errorf("%s not reported; found %s", tc.check, strings.Join(found, "; "))
		})
	}
}
